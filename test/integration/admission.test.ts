// The checks, over real HTTPS against the real app with the example CloudProfile.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { applyJsonPatch, type JsonPatchOperation } from '../../src/admission/json-patch.js';
import { DEFAULT_SCHEDULER_USER } from '../../src/admission/handler-deps.js';
import { goQuote } from '../../src/core/field-errors.js';
import { SUPPORTED_OPERATION_VALUES } from '../../src/core/operations.js';
import { PENDING_SPEC_ANNOTATION } from '../../src/core/rollout.js';
import type { Shoot } from '../../src/core/shoot.js';
import { httpsCall, readExample, startApp, type RunningApp } from './helpers.js';

let r: RunningApp;
beforeAll(async () => {
  r = await startApp({ now: new Date('2026-03-01T12:00:00Z') });
});
afterAll(async () => {
  await r.close();
});

interface ReviewResponse {
  uid: string;
  allowed: boolean;
  patch?: string;
  patchType?: string;
  warnings?: string[];
  status?: { code: number; reason: string; message: string };
}

let counter = 0;
function reviewOf(operation: 'CREATE' | 'UPDATE', object: unknown, oldObject?: unknown, username = 'alice@example.com') {
  const meta = (object as Shoot).metadata;
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `uid-${++counter}`,
      operation,
      name: meta.name,
      namespace: meta.namespace,
      userInfo: { username },
      object,
      oldObject: oldObject ?? null,
      dryRun: false,
    },
  };
}

async function send(path: string, review: unknown): Promise<ReviewResponse> {
  const res = await httpsCall(r.url, path, { ca: r.ca.certPem, body: JSON.stringify(review) });
  expect(res.status).toBe(200);
  const body = JSON.parse(res.text) as { apiVersion: string; kind: string; response: ReviewResponse };
  expect(body.apiVersion).toBe('admission.k8s.io/v1');
  expect(body.kind).toBe('AdmissionReview');
  expect(body.response.uid).toBe((review as { request: { uid: string } }).request.uid);
  return body.response;
}

function patchOf(response: ReviewResponse): JsonPatchOperation[] {
  return response.patch ? (JSON.parse(Buffer.from(response.patch, 'base64').toString()) as JsonPatchOperation[]) : [];
}

const shoot = (file: string): Shoot => parseYaml(readExample(`shoots/${file}`)) as Shoot;
const withWindow = (begin: string, end: string): Shoot => {
  const s = shoot('no-window.yaml');
  s.spec.maintenance = { timeWindow: { begin, end } };
  return s;
};

describe('validate /validate/shoots', () => {
  it.each([
    ['a 15-minute window', '220000+0000', '221500+0000', 'time window must not be smaller than 30m0s'],
    ['a 7-hour window', '100000+0000', '170000+0000', 'time window must not be greater than 6h0m0s'],
  ])('denies %s', async (_name, begin, end, text) => {
    const response = await send('/validate/shoots', reviewOf('CREATE', withWindow(begin, end)));
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toContain(text);
    expect(response.status?.code).toBe(403);
  });

  it('allows a window across midnight (230000+0100 to 010000+0100)', async () => {
    const response = await send('/validate/shoots', reviewOf('CREATE', withWindow('230000+0100', '010000+0100')));
    expect(response.status?.message).toBeUndefined();
    expect(response.allowed).toBe(true);
  });

  it('denies an expired Kubernetes version on CREATE', async () => {
    const s = withWindow('220000+0000', '230000+0000');
    s.spec.kubernetes.version = '1.31.0';
    const response = await send('/validate/shoots', reviewOf('CREATE', s));
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toMatch(/spec\.kubernetes\.version: Unsupported value: "1\.31\.0": supported values: /);
    expect(response.status?.message).not.toMatch(/supported values: [^\]]*"1\.31\.0"/);
  });

  it('denies an unknown operation annotation, listing the supported values', async () => {
    const s = withWindow('220000+0000', '230000+0000');
    s.metadata.annotations = { 'gardener.cloud/operation': 'foo' };
    const response = await send('/validate/shoots', reviewOf('CREATE', s));
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toContain(
      `metadata.annotations[gardener.cloud/operation]: Unsupported value: "foo": supported values: ${SUPPORTED_OPERATION_VALUES.map(goQuote).join(', ')}`,
    );
  });

  it('answers a dry-run request exactly like a real one', async () => {
    const review = reviewOf('CREATE', withWindow('220000+0000', '221500+0000'));
    const real = await send('/validate/shoots', review);
    const dry = await send('/validate/shoots', { ...review, request: { ...review.request, dryRun: true } });
    expect(dry).toEqual(real);
  });
});

describe('validate /validate/cloudprofiles', () => {
  it('denies an expiration date on the latest Kubernetes version', async () => {
    const profile = parseYaml(readExample('cloudprofile.yaml')) as { spec: { kubernetes: { versions: { version: string; expirationDate?: string }[] } } };
    const latest = profile.spec.kubernetes.versions[0];
    if (!latest) throw new Error('example profile has no versions');
    latest.expirationDate = '2030-01-01T00:00:00Z';
    const review = reviewOf('CREATE', profile);
    const response = await send('/validate/cloudprofiles', review);
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toContain(`expiration date of latest kubernetes version ('${latest.version}') must not be set`);
  });

  it('allows the example CloudProfile', async () => {
    const response = await send('/validate/cloudprofiles', reviewOf('CREATE', parseYaml(readExample('cloudprofile.yaml'))));
    expect(response.status?.message).toBeUndefined();
    expect(response.allowed).toBe(true);
  });
});

describe('validate /validate/maintenanceexclusions and /validate/clustermaintenanceexclusions', () => {
  const freeze = (kind: string, spec: Record<string, unknown>) => ({
    apiVersion: 'maintenance.shoot-maintenance.io/v1alpha1',
    kind,
    metadata: { name: 'release', ...(kind === 'MaintenanceExclusion' ? { namespace: 'garden-dev' } : {}) },
    spec: { start: '2026-12-20T00:00:00Z', end: '2027-01-05T00:00:00Z', scope: 'NoUpgrades', ...spec },
  });

  it('allows a valid freeze of each kind', async () => {
    expect((await send('/validate/maintenanceexclusions', reviewOf('CREATE', freeze('MaintenanceExclusion', {})))).allowed).toBe(true);
    const cluster = freeze('ClusterMaintenanceExclusion', { namespaceSelector: { matchLabels: { stage: 'prod' } } });
    expect((await send('/validate/clustermaintenanceexclusions', reviewOf('UPDATE', cluster, cluster))).allowed).toBe(true);
  });

  it('denies with the field errors, in the freezes\' group', async () => {
    const response = await send('/validate/maintenanceexclusions', reviewOf('CREATE', freeze('MaintenanceExclusion', { start: 'x', namespaceSelector: {} })));
    expect(response.allowed).toBe(false);
    expect(response.status).toMatchObject({
      code: 403,
      message:
        '[spec.start: Invalid value: "x": must be an RFC 3339 time such as "2026-12-20T00:00:00Z", ' +
        'spec.namespaceSelector: Forbidden: a MaintenanceExclusion applies to its own namespace; use a ClusterMaintenanceExclusion to select namespaces]',
      details: { name: 'release', group: 'maintenance.shoot-maintenance.io', kind: 'maintenanceexclusions' },
    });
  });
});

describe('mutate /mutate/shoots: default window', () => {
  it('adds a one-hour window on the full hour, the same every time for the same namespace/name', async () => {
    const s = shoot('no-window.yaml');
    const first = await send('/mutate/shoots', reviewOf('CREATE', s));
    const second = await send('/mutate/shoots', reviewOf('CREATE', s));
    expect(first.allowed).toBe(true);
    expect(first.patchType).toBe('JSONPatch');
    const mutated = applyJsonPatch(s, patchOf(first));
    const window = mutated.spec.maintenance?.timeWindow;
    expect(window?.begin).toMatch(/^(0\d|1\d|2[0-2])0000\+0000$/);
    const hour = Number(window?.begin?.slice(0, 2));
    expect(window?.end).toBe(`${String(hour + 1).padStart(2, '0')}0000+0000`);
    expect(applyJsonPatch(s, patchOf(second)).spec.maintenance?.timeWindow).toEqual(window);

    // The mutated object passes validation.
    const validated = await send('/validate/shoots', reviewOf('CREATE', mutated));
    expect(validated.status?.message).toBeUndefined();
    expect(validated.allowed).toBe(true);
  });
});

describe('mutate /mutate/shoots: confined rollout', () => {
  const live = (): Shoot => {
    const s = shoot('confined.yaml');
    s.metadata = { ...s.metadata, generation: 1, resourceVersion: '7' };
    s.status = { lastOperation: { type: 'Reconcile', state: 'Succeeded', lastUpdateTime: '2026-03-01T08:00:00Z' } };
    return s;
  };

  async function update(oldShoot: Shoot, change: (s: Shoot) => void, username?: string) {
    const desired = structuredClone(oldShoot);
    change(desired);
    const response = await send('/mutate/shoots', reviewOf('UPDATE', desired, oldShoot, username));
    expect(response.allowed).toBe(true);
    return { response, result: applyJsonPatch(desired, patchOf(response)) };
  }

  it('holds a spec change with a warning, and a second change keeps the first', async () => {
    const old = live();
    const first = await update(old, (s) => (s.spec.kubernetes.version = '1.33.1'));
    expect(first.result.spec).toEqual(old.spec);
    expect(first.response.warnings?.[0]).toMatch(/spec change held/);
    for (const w of first.response.warnings ?? []) expect(w.length).toBeLessThan(120);
    const held = JSON.parse(first.result.metadata.annotations?.[PENDING_SPEC_ANNOTATION] ?? '{}') as Shoot['spec'];
    expect(held.kubernetes.version).toBe('1.33.1');

    // kubectl apply of a second change: the live spec with the annotation as stored.
    const second = await update(first.result, (s) => {
      s.spec.kubernetes.version = old.spec.kubernetes.version;
      const worker = s.spec.provider.workers?.[0];
      if (worker) worker.maximum = 5;
    });
    expect(second.result.spec).toEqual(old.spec);
    const composed = JSON.parse(second.result.metadata.annotations?.[PENDING_SPEC_ANNOTATION] ?? '{}') as Shoot['spec'];
    expect(composed.provider.workers?.[0]?.maximum).toBe(5);
  });

  const heldShoot = async (): Promise<Shoot> => (await update(live(), (s) => (s.spec.kubernetes.version = '1.33.1'))).result;

  it.each<[string, (s: Shoot) => void, string | undefined]>([
    ['a hibernation change', (s) => (s.spec.hibernation = { enabled: true }), undefined],
    ['a newly added reconcile annotation', (s) => (s.metadata.annotations = { ...s.metadata.annotations, 'gardener.cloud/operation': 'reconcile' }), undefined],
    ['confinement switched off', (s) => ((s.spec.maintenance ??= {}).confineSpecUpdateRollout = false), undefined],
    ['an update by the scheduler', (s) => (s.metadata.labels = { touched: 'yes' }), DEFAULT_SCHEDULER_USER],
  ])('releases the held spec on %s', async (_name, change, username) => {
    const held = await heldShoot();
    const { response, result } = await update(held, change, username);
    expect(result.metadata.annotations?.[PENDING_SPEC_ANNOTATION]).toBeUndefined();
    expect(result.spec.kubernetes.version).toBe('1.33.1');
    expect(response.warnings ?? []).not.toContainEqual(expect.stringMatching(/held/));
  });
});
