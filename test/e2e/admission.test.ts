// Acceptance tests of the admission webhooks through a real kube-apiserver and the real kubectl:
// what a user types and exactly what kubectl prints. Shoots are the examples in examples/shoots,
// renamed into a namespace of this file; the CloudProfile is examples/cloudprofile.yaml (`local`:
// 1.33.2 preview, 1.33.1, 1.32.4, 1.32.0 deprecated, 1.31.6, 1.31.0 expired).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { repoRoot } from '../../tools/test-cluster/binaries.js';
import { applyYaml, ctx, getJson, kubectl, uniqueName, waitFor, type KubectlResult } from './harness.js';

const VALIDATE_SHOOTS = 'validate.shoots.maintenance.gardener.cloud';
const PENDING_SPEC = 'maintenance.gardener.cloud/pending-spec';
const DEFAULT_WINDOW_BEGIN = /^(0\d|1\d|2[0-2])0000\+0000$/;

interface ShootJson {
  metadata: { name: string; namespace: string; generation: number; annotations?: Record<string, string> };
  spec: {
    kubernetes: { version: string };
    maintenance?: { timeWindow?: { begin: string; end: string }; confineSpecUpdateRollout?: boolean };
    hibernation?: { enabled?: boolean };
    provider: { workers: { name: string; maximum: number }[] };
  };
  status?: Record<string, unknown>;
}

type ShootDoc = Record<string, unknown> & {
  metadata: Record<string, unknown>;
  spec: Record<string, unknown> & { maintenance?: Record<string, unknown>; kubernetes: { version: string } };
};

let namespace: string;

function example(file: string): ShootDoc {
  return parse(readFileSync(join(repoRoot(), 'examples', 'shoots', file), 'utf8')) as ShootDoc;
}

/** examples/cloudprofile.yaml, to change and apply under a new name. */
function exampleProfile(): { metadata: { name: string }; spec: { kubernetes: { versions: Record<string, unknown>[] } } } {
  return parse(readFileSync(join(repoRoot(), 'examples', 'cloudprofile.yaml'), 'utf8')) as ReturnType<typeof exampleProfile>;
}

/** An example shoot under a new name in this file's namespace, optionally changed. */
function shoot(file: string, name: string, change: (doc: ShootDoc) => void = () => undefined): string {
  const doc = example(file);
  doc.metadata = { ...doc.metadata, name, namespace };
  change(doc);
  return stringify(doc);
}

const withVersion = (version: string) => (doc: ShootDoc) => {
  doc.spec.kubernetes.version = version;
};
const withWindow = (begin: string, end: string) => (doc: ShootDoc) => {
  doc.spec.maintenance = { ...(doc.spec.maintenance ?? {}), timeWindow: { begin, end } };
};

/** kubectl failed and printed `detail` (Gardener's field error text). */
function expectDenied(res: KubectlResult, detail: string): void {
  expect(res.code, res.stdout).not.toBe(0);
  expect(res.stderr).toContain(detail);
}

/** What kubectl printed, without the parts that name the request (file, verb, object name). */
function denialText(res: KubectlResult, name: string): string {
  return res.stderr.replace('error when creating "STDIN": ', '').split(name).join('<name>').trim();
}

function expectOk(res: KubectlResult): KubectlResult {
  expect(res.code, res.stderr).toBe(0);
  return res;
}

function oneHourAfter(begin: string): string {
  const hour = Number(begin.slice(0, 2));
  return `${String((hour + 1) % 24).padStart(2, '0')}0000+0000`;
}

const getShoot = (name: string) => getJson<ShootJson>('shoot', name, namespace);

/**
 * A one-hour window on the full hour, two to three hours ahead, and the instant it starts: now is
 * never inside it while a test runs, so a held change waits for exactly that start.
 */
function windowAhead(): { begin: string; end: string; startsAt: Date } {
  const startsAt = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 + 3 * 3_600_000);
  const begin = `${String(startsAt.getUTCHours()).padStart(2, '0')}0000+0000`;
  return { begin, end: oneHourAfter(begin), startsAt };
}

/** What kubectl prints for a change held by confineSpecUpdateRollout until `startsAt` (UTC). */
function heldUntil(startsAt: Date): string {
  const when = startsAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `Warning: spec change held until the maintenance window starting ${when} (confineSpecUpdateRollout)\n`;
}

beforeAll(async () => {
  namespace = uniqueName('admission');
  expectOk(await kubectl(['create', 'namespace', namespace]));
  expect(ctx().cloudProfileName).toBe('local');
});

afterAll(async () => {
  await kubectl(['delete', 'namespace', namespace, '--wait=false']);
});

describe('default maintenance window', () => {
  it('gives a shoot without a window a one-hour window on the full hour (UTC)', async () => {
    const name = uniqueName('nowin');
    expectOk(await applyYaml(shoot('no-window.yaml', name)));
    const window = (await getShoot(name)).spec.maintenance?.timeWindow;
    expect(window?.begin).toMatch(DEFAULT_WINDOW_BEGIN);
    expect(window?.end).toBe(oneHourAfter(window?.begin ?? ''));
  });

  it('gives a server-side dry run the same window as the real create of that name', async () => {
    const name = uniqueName('dry');
    const yaml = shoot('no-window.yaml', name);
    const dry = expectOk(await kubectl(['apply', '--dry-run=server', '-o', 'json', '-f', '-'], { input: yaml }));
    const dryWindow = (JSON.parse(dry.stdout) as ShootJson).spec.maintenance?.timeWindow;
    // Nothing stored: kubectl's own text for a missing object.
    const stored = await kubectl(['get', 'shoot', name, '-n', namespace]);
    expect(stored.stderr).toBe(`Error from server (NotFound): shoots.core.gardener.cloud "${name}" not found\n`);
    expect(stored.code).toBe(1);
    expectOk(await applyYaml(yaml));
    const realWindow = (await getShoot(name)).spec.maintenance?.timeWindow;
    expect(dryWindow?.begin).toMatch(DEFAULT_WINDOW_BEGIN);
    expect(realWindow).toEqual(dryWindow);
  });
});

// Gardener's `spec.kubernetes` is a struct, never nil: absent, null and {} mean the same, and the
// version defaults to the CloudProfile's latest supported one (1.33.1; 1.33.2 is a preview).
describe('a Shoot whose kubernetes block is empty, null or absent', () => {
  it('is created from the example file as written, with the latest supported version', async () => {
    const name = uniqueName('empty-k8s');
    const text = readFileSync(join(repoRoot(), 'examples', 'shoots', 'empty-kubernetes.yaml'), 'utf8')
      .replace('name: defaults', `name: ${name}`)
      .replace('namespace: garden-dev', `namespace: ${namespace}`);
    expect(text).toMatch(/^ {2}kubernetes:\n {2}# version: /m); // the block as a user leaves it
    const res = expectOk(await applyYaml(text));
    expect(res.stdout.trim()).toBe(`shoot.core.gardener.cloud/${name} created`);
    expect((await getShoot(name)).spec.kubernetes).toEqual({ version: '1.33.1' });
  });

  it.each([
    ['null', (doc: ShootDoc) => ((doc.spec as Record<string, unknown>).kubernetes = null)],
    ['{}', (doc: ShootDoc) => ((doc.spec as Record<string, unknown>).kubernetes = {})],
    ['absent', (doc: ShootDoc) => delete (doc.spec as Record<string, unknown>).kubernetes],
  ])('spec.kubernetes %s: created with the latest supported version', async (_, change) => {
    const name = uniqueName('k8s');
    expectOk(await applyYaml(shoot('no-window.yaml', name, change)));
    expect((await getShoot(name)).spec.kubernetes).toEqual({ version: '1.33.1' });
  });
});

describe('rejections', () => {
  it('rejects a 15-minute window with Gardener’s text', async () => {
    const res = await applyYaml(shoot('fifteen-minute-window.yaml', uniqueName('short')));
    expectDenied(res, 'spec.maintenance.timeWindow: Invalid value: ');
    expectDenied(res, 'time window must not be smaller than 30m0s');
  });

  // The contract (README, "Reading a rejection"): kubectl shows which of our webhooks denied the
  // request. That is why every denial is a 403: with 422 kubectl would drop that line and print
  // only "The shoots \"x\" is invalid: <causes>". The bad value is the window's length as Gardener
  // passes it (a time.Duration, printed in nanoseconds: 15 min = 900000000000).
  it('names the webhook that denied the request, as kubectl prints it', async () => {
    const res = await applyYaml(shoot('fifteen-minute-window.yaml', uniqueName('short')));
    expect(res.stderr).toBe(
      `Error from server (Forbidden): error when creating "STDIN": admission webhook "${VALIDATE_SHOOTS}" denied the request: ` +
        'spec.maintenance.timeWindow: Invalid value: 900000000000: time window must not be smaller than 30m0s\n',
    );
    expect(res.code).toBe(1);
  });

  it('rejects a 7-hour window', async () => {
    const res = await applyYaml(shoot('no-window.yaml', uniqueName('long'), withWindow('010000+0000', '080000+0000')));
    expectDenied(res, 'spec.maintenance.timeWindow: Invalid value: ');
    expectDenied(res, 'time window must not be greater than 6h0m0s');
  });

  it('rejects an expired Kubernetes version on create', async () => {
    const res = await applyYaml(shoot('no-window.yaml', uniqueName('expired'), withVersion('1.31.0')));
    expectDenied(res, 'spec.kubernetes.version: Unsupported value: "1.31.0": supported values: ');
  });

  it('rejects a Kubernetes downgrade', async () => {
    const name = uniqueName('down');
    expectOk(await applyYaml(shoot('no-window.yaml', name, withVersion('1.32.4'))));
    const res = await applyYaml(shoot('no-window.yaml', name, withVersion('1.31.6')));
    expectDenied(res, 'spec.kubernetes.version: Forbidden: kubernetes version downgrade is not supported');
    expect((await getShoot(name)).spec.kubernetes.version).toBe('1.32.4');
  });

  it('rejects a Kubernetes upgrade that skips a minor version', async () => {
    const name = uniqueName('skip');
    expectOk(await applyYaml(shoot('no-window.yaml', name, withVersion('1.31.6'))));
    const res = await applyYaml(shoot('no-window.yaml', name, withVersion('1.33.1')));
    expectDenied(res, 'spec.kubernetes.version: Forbidden: kubernetes version upgrade cannot skip a minor version');
  });

  // Gardener's ValidateKubeControllerManager (pkg/api/core/validation/shoot.go): the field is gone in 1.33;
  // maintenance removes it when it moves a shoot across 1.33 (src/core/minor-boundary-cleanups.ts).
  it('rejects podEvictionTimeout on a 1.33 shoot with Gardener’s text, and accepts it on 1.32', async () => {
    const withTimeout = (version: string) => (doc: ShootDoc) => {
      doc.spec.kubernetes = { version, kubeControllerManager: { podEvictionTimeout: '2m0s' } } as ShootDoc['spec']['kubernetes'];
    };
    const name = uniqueName('evict');
    const res = await applyYaml(shoot('no-window.yaml', name, withTimeout('1.33.1')));
    expect(denialText(res, name)).toBe(
      `Error from server (Forbidden): admission webhook "${VALIDATE_SHOOTS}" denied the request: ` +
        'spec.kubernetes.kubeControllerManager.podEvictionTimeout: Forbidden: for Kubernetes versions >= 1.33, podEvictionTimeout field is no longer supported',
    );
    expect(res.code).toBe(1);
    expectOk(await applyYaml(shoot('no-window.yaml', name, withTimeout('1.32.4'))));
  });

  it('rejects an unknown gardener.cloud/operation', async () => {
    const name = uniqueName('op');
    expectOk(await applyYaml(shoot('no-window.yaml', name)));
    const res = await kubectl(['annotate', 'shoot', name, '-n', namespace, 'gardener.cloud/operation=foo']);
    expectDenied(res, 'metadata.annotations[gardener.cloud/operation]: Unsupported value: "foo": supported values: ');
  });

  it('rejects a CloudProfile whose latest Kubernetes version has an expiration date', async () => {
    const profile = exampleProfile();
    profile.metadata.name = uniqueName('expiring-latest');
    profile.spec.kubernetes.versions.unshift({ version: '1.34.0', expirationDate: '2099-01-01T00:00:00Z' });
    const res = await applyYaml(stringify(profile));
    expectDenied(
      res,
      "spec.kubernetes.versions[].expirationDate: Invalid value: \"2099-01-01T00:00:00Z\": expiration date of latest kubernetes version ('1.34.0') must not be set",
    );
  });

  it('rejects a machine type the CloudProfile does not list', async () => {
    const res = await applyYaml(
      shoot('no-window.yaml', uniqueName('machine'), (doc) => {
        const workers = (doc.spec.provider as { workers: { machine: { type: string } }[] }).workers;
        for (const w of workers) w.machine.type = 'm5.xlarge';
      }),
    );
    expectDenied(res, 'spec.provider.workers[0].machine.type: Unsupported value: "m5.xlarge": supported values: "m5.large"');
  });

  // Without --feature-gates the new lifecycle is refused as well; the update rule is not gated (as in Gardener).
  it('rejects a CloudProfile update that turns an available version unavailable again', async () => {
    const profile = exampleProfile();
    profile.metadata.name = uniqueName('unavailable-again');
    expectOk(await applyYaml(stringify(profile)));
    try {
      profile.spec.kubernetes.versions[1] = { version: '1.33.1', lifecycle: [{ classification: 'supported', startTime: '2099-01-01T00:00:00Z' }] };
      const res = await applyYaml(stringify(profile));
      expectDenied(res, 'spec.kubernetes.versions[1]: Forbidden: a version cannot be turned unavailable if it was already moved into a later lifecycle stage');
    } finally {
      await kubectl(['delete', 'cloudprofile', profile.metadata.name, '--wait=false']);
    }
  });
});

describe('confined spec rollout', () => {
  const maximumOf = (s: ShootJson) => s.spec.provider.workers[0]?.maximum;
  const pendingOf = (s: ShootJson) => {
    const raw = s.metadata.annotations?.[PENDING_SPEC];
    return raw === undefined ? undefined : (JSON.parse(raw) as ShootJson['spec']);
  };
  const withMaximum = (maximum: number) => (doc: ShootDoc) => {
    const workers = (doc.spec.provider as { workers: { maximum: number }[] }).workers;
    if (workers[0]) workers[0].maximum = maximum;
  };
  const mergePatch = (name: string, patch: object) =>
    kubectl(['patch', 'shoot', name, '-n', namespace, '--type=merge', '-p', JSON.stringify(patch)]);

  it('holds changes, composes them, and rolls them out on reconcile and on hibernation', async () => {
    const name = uniqueName('confined');
    // The example's window (22:00 UTC) moved ahead of now, so that the warning names one start.
    const ahead = windowAhead();
    const confined = (change: (doc: ShootDoc) => void = () => undefined) =>
      shoot('confined.yaml', name, (doc) => {
        withWindow(ahead.begin, ahead.end)(doc);
        change(doc);
      });
    expectOk(await applyYaml(confined()));
    const created = await getShoot(name);
    const generation = created.metadata.generation;
    expect(maximumOf(created)).toBe(2);

    // A changed spec is held: generation and spec stay, kubectl warns until when.
    const held = expectOk(await applyYaml(confined(withMaximum(3))));
    expect(held.stderr).toBe(heldUntil(ahead.startsAt));
    expect(held.stdout).toBe(`shoot.core.gardener.cloud/${name} configured\n`);
    const afterFirst = await getShoot(name);
    expect(afterFirst.metadata.generation).toBe(generation);
    expect(maximumOf(afterFirst)).toBe(2);
    expect(pendingOf(afterFirst)?.provider.workers[0]?.maximum).toBe(3);

    // A second change (another field) keeps the first.
    const second = expectOk(await mergePatch(name, { spec: { kubernetes: { version: '1.33.1' } } }));
    expect(second.stderr).toBe(heldUntil(ahead.startsAt));
    expect(second.stdout).toBe(`shoot.core.gardener.cloud/${name} patched\n`);
    const afterSecond = await getShoot(name);
    expect(afterSecond.metadata.generation).toBe(generation);
    expect(afterSecond.spec.kubernetes.version).toBe('1.32.4');
    expect(pendingOf(afterSecond)?.provider.workers[0]?.maximum).toBe(3);
    expect(pendingOf(afterSecond)?.kubernetes.version).toBe('1.33.1');

    // Asking for a reconcile rolls the held spec out: generation +1, annotation gone.
    expectOk(await kubectl(['annotate', 'shoot', name, '-n', namespace, 'gardener.cloud/operation=reconcile']));
    const reconciled = await getShoot(name);
    expect(reconciled.metadata.generation).toBe(generation + 1);
    expect(maximumOf(reconciled)).toBe(3);
    expect(reconciled.spec.kubernetes.version).toBe('1.33.1');
    expect(pendingOf(reconciled)).toBeUndefined();

    // Hold another change, then hibernate: both roll out at once.
    expectOk(await mergePatch(name, { spec: { provider: { workers: [{ ...reconciled.spec.provider.workers[0], maximum: 4 }] } } }));
    expect(maximumOf(await getShoot(name))).toBe(3);
    expectOk(await mergePatch(name, { spec: { hibernation: { enabled: true } } }));
    const hibernated = await getShoot(name);
    expect(hibernated.metadata.generation).toBe(generation + 2);
    expect(hibernated.spec.hibernation?.enabled).toBe(true);
    expect(maximumOf(hibernated)).toBe(4);
    expect(pendingOf(hibernated)).toBeUndefined();
  });
});

describe('server-side apply', () => {
  it('defaults the window as client-side apply does', async () => {
    const name = uniqueName('ssa');
    expectOk(await applyYaml(shoot('no-window.yaml', name), { args: ['--server-side'] }));
    const window = (await getShoot(name)).spec.maintenance?.timeWindow;
    expect(window?.begin).toMatch(DEFAULT_WINDOW_BEGIN);
    expect(window?.end).toBe(oneHourAfter(window?.begin ?? ''));
  });

  it('rejects a 15-minute window with the same text as client-side apply', async () => {
    const name = uniqueName('ssa-short');
    const serverSide = await applyYaml(shoot('fifteen-minute-window.yaml', name), { args: ['--server-side'] });
    const clientSide = await applyYaml(shoot('fifteen-minute-window.yaml', name));
    expectDenied(serverSide, 'time window must not be smaller than 30m0s');
    expect(denialText(serverSide, name)).toBe(denialText(clientSide, name));
  });

  it('holds a confined change as client-side apply does', async () => {
    const name = uniqueName('ssa-conf');
    const ahead = windowAhead();
    const window = withWindow(ahead.begin, ahead.end);
    const newVersion = (doc: ShootDoc) => {
      window(doc);
      withVersion('1.33.1')(doc);
    };
    expectOk(await applyYaml(shoot('confined.yaml', name, window), { args: ['--server-side'] }));
    const generation = (await getShoot(name)).metadata.generation;
    const res = expectOk(await applyYaml(shoot('confined.yaml', name, newVersion), { args: ['--server-side'] }));
    expect(res.stderr).toBe(heldUntil(ahead.startsAt));
    expect(res.stdout).toBe(`shoot.core.gardener.cloud/${name} serverside-applied\n`);
    const after = await getShoot(name);
    expect(after.metadata.generation).toBe(generation);
    expect(after.spec.kubernetes.version).toBe('1.32.4');
  });
});

describe('status subresource', () => {
  // A second validating configuration with exactly the rules of ours, but pointing at a closed
  // port on 127.0.0.1 and limited to one namespace: every request our rules match fails there.
  // A status write that succeeds therefore never matched our rules.
  const mirror = uniqueName('status-mirror');
  let statusNamespace: string;
  let shootName = '';

  beforeAll(async () => {
    statusNamespace = uniqueName('status');
    expectOk(await kubectl(['create', 'namespace', statusNamespace]));
    const ours = await getJson<{ webhooks: { name: string; rules: unknown[] }[] }>(
      'validatingwebhookconfiguration',
      'shoot-maintenance-validate',
    );
    const rules = ours.webhooks.find((w) => w.name === VALIDATE_SHOOTS)?.rules;
    expect(rules).toBeDefined();
    const name = uniqueName('st');
    expectOk(await kubectl(['label', 'namespace', statusNamespace, `mirror=${mirror}`]));
    expectOk(await applyYaml(shoot('no-window.yaml', name, (d) => (d.metadata.namespace = statusNamespace))));
    expectOk(
      await applyYaml(
        stringify({
          apiVersion: 'admissionregistration.k8s.io/v1',
          kind: 'ValidatingWebhookConfiguration',
          metadata: { name: mirror },
          webhooks: [
            {
              name: `${mirror}.test.invalid`,
              clientConfig: { url: 'https://127.0.0.1:1/unreachable' },
              rules,
              namespaceSelector: { matchLabels: { mirror } },
              sideEffects: 'None',
              admissionReviewVersions: ['v1'],
              failurePolicy: 'Fail',
              timeoutSeconds: 2,
            },
          ],
        }),
      ),
    );
    shootName = name;
  });

  afterAll(async () => {
    await kubectl(['delete', 'validatingwebhookconfiguration', mirror, '--ignore-not-found']);
    await kubectl(['delete', 'namespace', statusNamespace, '--wait=false']);
  });

  it('does not send writes of shoots/status to the webhooks', async () => {
    // Precondition: a spec write in that namespace now reaches the mirror (and fails).
    await waitFor(async () => {
      const res = await kubectl(['label', 'shoot', shootName, '-n', statusNamespace, 'probe=1', '--dry-run=server']);
      return res.code !== 0 && res.stderr.includes(`failed calling webhook "${mirror}.test.invalid"`);
    }, 30_000);
    const status = { lastMaintenance: { description: 'written by the test', state: 'Succeeded', triggeredTime: '2025-01-01T22:10:00Z' } };
    const res = await kubectl([
      'patch', 'shoot', shootName, '-n', statusNamespace, '--subresource=status', '--type=merge',
      '-p', JSON.stringify({ status }),
    ]);
    expectOk(res);
    const stored = await getJson<ShootJson>('shoot', shootName, statusNamespace);
    expect(stored.status?.lastMaintenance).toEqual(status.lastMaintenance);
  });
});
