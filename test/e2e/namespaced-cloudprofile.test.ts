// A NamespacedCloudProfile through the real kube-apiserver, kubectl, the webhooks and the scheduler
// as deployed (both with the shipped RBAC): the profile is validated with Gardener's texts, a Shoot
// that references it is created, defaulted and judged against the merge with its parent
// (examples/cloudprofile.yaml `local`: 1.31.0 and gardenlinux 1443.10.0 expired), and maintained
// with the merged catalogue; a change of the namespaced profile counts without a restart.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { repoRoot } from '../../tools/test-cluster/binaries.js';
import { stopPid } from '../../tools/test-cluster/processes.js';
import { applyYaml, ctx, getJson, kubectl, uniqueName, waitFor, type KubectlResult } from './harness.js';
import { must, schedulerAsDeployed, windowElsewhere, type SchedulerChild, type ShootJson } from './scheduler-support.js';

type Doc = Record<string, unknown> & { metadata: Record<string, unknown>; spec: Record<string, unknown> };

let namespace: string;

function example(path: string): Doc {
  return parse(readFileSync(join(repoRoot(), 'examples', path), 'utf8')) as Doc;
}

/** examples/namespacedcloudprofile.yaml in this file's namespace, under `name`, optionally changed. */
function namespacedProfile(name: string, change: (doc: Doc) => void = () => undefined): string {
  const doc = example('namespacedcloudprofile.yaml');
  doc.metadata = { ...doc.metadata, name, namespace };
  doc.spec.parent = { kind: 'CloudProfile', name: ctx().cloudProfileName };
  change(doc);
  return stringify(doc);
}

/** examples/shoots/namespaced-profile.yaml in this file's namespace, on the namespaced profile `profile`. */
function shoot(name: string, profile: string, change: (doc: Doc) => void = () => undefined): string {
  const doc = example('shoots/namespaced-profile.yaml');
  doc.metadata = { name, namespace };
  doc.spec.cloudProfile = { kind: 'NamespacedCloudProfile', name: profile };
  delete doc.status;
  change(doc);
  return stringify(doc);
}

function expectOk(res: KubectlResult): KubectlResult {
  expect(res.code, res.stderr).toBe(0);
  return res;
}

/** What kubectl printed for a denied create, without the request's own name. */
function denial(res: KubectlResult): string {
  expect(res.code, res.stdout).not.toBe(0);
  return res.stderr.replace('error when creating "STDIN": ', '').trim();
}

beforeAll(async () => {
  namespace = uniqueName('nscpfl');
  expectOk(await kubectl(['create', 'namespace', namespace]));
  expectOk(await applyYaml(namespacedProfile('extended')));
  // The same profile without the extension of 1.31.0.
  expectOk(await applyYaml(namespacedProfile('plain', (doc) => delete doc.spec.kubernetes)));
});

afterAll(async () => {
  await kubectl(['delete', 'namespace', namespace, '--wait=false']);
});

describe('NamespacedCloudProfile', () => {
  it('is listed with its parent, as gardener-apiserver shows it (short name nscpfl)', async () => {
    const res = expectOk(await kubectl(['get', 'nscpfl', '-n', namespace, '-o', 'custom-columns=NAME:.metadata.name,PARENT:.spec.parent.name']));
    expect(res.stdout.trim().split('\n')).toEqual(['NAME       PARENT', `extended   ${ctx().cloudProfileName}`, `plain      ${ctx().cloudProfileName}`]);
    const table = expectOk(await kubectl(['get', 'namespacedcloudprofile', 'extended', '-n', namespace]));
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+PARENT NAME\s+PARENT KIND\s+AGE$/);
  });

  it('rejects a Kubernetes version its parent does not have, with Gardener’s text', async () => {
    const res = await applyYaml(
      namespacedProfile('unknown-version', (doc) => {
        doc.spec.kubernetes = { versions: [{ version: '1.25.0', expirationDate: '2099-12-31T23:59:59Z' }] };
      }),
    );
    expect(denial(res)).toBe(
      'Error from server (Forbidden): admission webhook "validate.namespacedcloudprofiles.maintenance.gardener.cloud" denied the request: ' +
        "invalid kubernetes version specified: '1.25.0' does not exist in parent CloudProfile and thus cannot be overridden",
    );
  });

  it('rejects an override of a parent image version that sets more than its expiration date', async () => {
    const res = await applyYaml(
      namespacedProfile('cri-override', (doc) => {
        doc.spec.machineImages = [{ name: 'gardenlinux', versions: [{ version: '1443.10.0', expirationDate: '2099-12-31T23:59:59Z', cri: [{ name: 'containerd' }] }] }];
      }),
    );
    expect(denial(res)).toContain(
      'spec.machineImages[0].versions[0].cri: Forbidden: must not provide a cri to an extended machine image in NamespacedCloudProfile',
    );
  });

  it('rejects a changed parent', async () => {
    const res = await applyYaml(namespacedProfile('plain', (doc) => (doc.spec.parent = { kind: 'CloudProfile', name: 'another' })));
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('spec.parent: Invalid value: core.CloudProfileReference{Kind:"CloudProfile", Name:"another"}: field is immutable');
  });
});

describe('a Shoot referencing a NamespacedCloudProfile', () => {
  it('is created on a version the namespaced profile extends, and gets a default window', async () => {
    const name = uniqueName('extended');
    expectOk(await applyYaml(shoot(name, 'extended', (doc) => delete (doc.spec.maintenance as Record<string, unknown>).timeWindow)));
    const stored = await getJson<{ spec: { kubernetes: { version: string }; maintenance: { timeWindow: { begin: string } } } }>('shoot', name, namespace);
    expect(stored.spec.kubernetes.version).toBe('1.31.0');
    expect(stored.spec.maintenance.timeWindow.begin).toMatch(/^(0\d|1\d|2[0-2])0000\+0000$/);
  });

  it('gets its short version completed from the merged catalogue', async () => {
    const name = uniqueName('short');
    expectOk(await applyYaml(shoot(name, 'extended', (doc) => (doc.spec.kubernetes = { version: '1.31' }))));
    expect((await getJson<{ spec: { kubernetes: { version: string } } }>('shoot', name, namespace)).spec.kubernetes.version).toBe('1.31.6');
  });

  it('is rejected on an expired version the namespaced profile does not extend', async () => {
    const res = await applyYaml(shoot(uniqueName('plain'), 'plain'));
    expect(denial(res)).toContain('spec.kubernetes.version: Unsupported value: "1.31.0": supported values: ');
  });

  it('may use the machine type only the namespaced profile has; a Shoot on the parent may not', async () => {
    expectOk(await applyYaml(shoot(uniqueName('big'), 'extended')));
    const onParent = await applyYaml(
      shoot(uniqueName('parent'), 'extended', (doc) => {
        doc.spec.cloudProfile = { kind: 'CloudProfile', name: ctx().cloudProfileName };
        doc.spec.kubernetes = { version: '1.32.4' };
        const [worker] = (doc.spec.provider as { workers: { machine: { image: { version: string } } }[] }).workers;
        if (worker) worker.machine.image.version = '1592.4.0';
      }),
    );
    expect(denial(onParent)).toContain('spec.provider.workers[0].machine.type: Unsupported value: "m5.4xlarge": supported values: "m5.large"');
  });

  it('is rejected when the namespaced profile does not exist', async () => {
    const res = await applyYaml(shoot(uniqueName('missing'), 'no-such-profile'));
    expect(denial(res)).toContain(
      'spec.cloudProfile.name: Forbidden: could not find referenced cloud profile: namespacedcloudprofiles.core.gardener.cloud "no-such-profile" not found',
    );
  });
});

describe('moving a Shoot between profiles', () => {
  const onParent = (name: string) =>
    shoot(name, 'extended', (doc) => {
      doc.spec.cloudProfile = { kind: 'CloudProfile', name: ctx().cloudProfileName };
      doc.spec.kubernetes = { version: '1.32.4' };
      const [worker] = (doc.spec.provider as { workers: { machine: { type: string; image: { version: string } } }[] }).workers;
      if (worker) {
        worker.machine.type = 'm5.large';
        worker.machine.image.version = '1592.4.0';
      }
    });

  it('may move from the parent to its namespaced profile and back', async () => {
    const name = uniqueName('move');
    expectOk(await applyYaml(onParent(name)));
    const moved = parse(onParent(name)) as Doc;
    moved.spec.cloudProfile = { kind: 'NamespacedCloudProfile', name: 'extended' };
    expectOk(await applyYaml(stringify(moved)));
    expectOk(await applyYaml(onParent(name)));
  });

  it('may not leave the hierarchy, with Gardener’s text', async () => {
    const name = uniqueName('leave');
    const other = uniqueName('other-profile');
    const profile = parse(readFileSync(join(repoRoot(), 'examples', 'cloudprofile.yaml'), 'utf8')) as Doc;
    profile.metadata = { name: other };
    expectOk(await applyYaml(stringify(profile)));
    try {
      expectOk(await applyYaml(onParent(name)));
      const moved = parse(onParent(name)) as Doc;
      moved.spec.cloudProfile = { kind: 'CloudProfile', name: other };
      const res = await applyYaml(stringify(moved));
      expect(res.code).not.toBe(0);
      expect(res.stderr).toContain(
        `spec.cloudProfile.name: Forbidden: cloud profile reference change is invalid: cannot change from "${ctx().cloudProfileName}" to "${other}". The cloud profile reference must remain within the same hierarchy`,
      );
    } finally {
      await kubectl(['delete', 'cloudprofile', other, '--wait=false']);
    }
  });
});

describe('maintenance against the merged catalogue', () => {
  let scheduler: SchedulerChild;
  const name = 'maintained';

  beforeAll(async () => {
    // Automatic image updates on; the Kubernetes version is left to forced updates only.
    expectOk(
      await applyYaml(
        shoot(name, 'extended', (doc) => {
          const maintenance = doc.spec.maintenance as Record<string, unknown>;
          maintenance.timeWindow = windowElsewhere();
          maintenance.autoUpdate = { kubernetesVersion: false, machineImageVersion: true };
          const [worker] = (doc.spec.provider as { workers: { machine: { image: { version: string } } }[] }).workers;
          if (worker) worker.machine.image.version = '1592.3.0';
        }),
      ),
    );
    scheduler = schedulerAsDeployed('nscpfl-1');
  });

  afterAll(async () => {
    await stopPid(scheduler.process.pid);
  });

  /** Asks for a run with `maintain` and waits for its end: the run removes the annotation (kubectl returns once it is stored). */
  async function maintainedOnce(): Promise<ShootJson> {
    await must(kubectl(['annotate', '--overwrite', 'shoot', name, '-n', namespace, 'gardener.cloud/operation=maintain']));
    return waitFor(async () => {
      const s = await getJson<ShootJson>('shoot', name, namespace);
      return s.status?.lastMaintenance && s.metadata.annotations?.['gardener.cloud/operation'] !== 'maintain' ? s : undefined;
    }, 60_000);
  }

  it('keeps the extended 1.31.0 (expired in the parent) and updates the image within the merge', async () => {
    const s = await maintainedOnce();
    expect(s.spec.kubernetes.version).toBe('1.31.0');
    expect(s.spec.provider.workers[0]?.machine.image.version).toBe('1592.4.0');
    expect(s.status?.lastMaintenance).toMatchObject({
      state: 'Succeeded',
      description:
        'All maintenance operations successful. Worker pool "worker": Updated machine image "gardenlinux" from "1592.3.0" to "1592.4.0". ' +
        'Reason: Automatic update of the machine image version is configured (image update strategy: major)',
    });
  });

  it('uses an image version added to the namespaced profile afterwards, without a restart', async () => {
    expectOk(
      await applyYaml(
        namespacedProfile('extended', (doc) => {
          const [image] = doc.spec.machineImages as { versions: Record<string, unknown>[] }[];
          image?.versions.push({ version: '1592.5.0', classification: 'supported', architectures: ['amd64'], cri: [{ name: 'containerd' }] });
        }),
      ),
    );
    const s = await maintainedOnce();
    expect(s.spec.provider.workers[0]?.machine.image.version).toBe('1592.5.0');
    expect(s.spec.kubernetes.version).toBe('1.31.0');
  });
});
