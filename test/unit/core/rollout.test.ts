import { describe, expect, it } from 'vitest';
import { renderFieldError } from '../../../src/core/field-errors.js';
import { NEEDS_RETRY_ANNOTATION, OPERATION_ANNOTATION } from '../../../src/core/operations.js';
import {
  PENDING_SPEC_ANNOTATION,
  RELEASE_REASONS,
  changedPaths,
  composeValue,
  confineRollout,
  heldChangeWarning,
  pendingSpecOf,
  withPendingSpecApplied,
} from '../../../src/core/rollout.js';
import type { Shoot, ShootSpec } from '../../../src/core/shoot.js';

function spec(overrides: Partial<ShootSpec> = {}, confine = true): ShootSpec {
  return {
    cloudProfileName: 'local',
    region: 'r1',
    kubernetes: { version: '1.30.1' },
    provider: {
      type: 'local',
      workers: [
        { name: 'a', machine: { type: 'm1', image: { name: 'gl', version: '1.0.0' } }, minimum: 1, maximum: 2 },
        { name: 'b', machine: { type: 'm1', image: { name: 'gl', version: '1.0.0' } }, minimum: 1, maximum: 2 },
      ],
    },
    maintenance: {
      timeWindow: { begin: '030000+0000', end: '040000+0000' },
      autoUpdate: { kubernetesVersion: true, machineImageVersion: true },
      ...(confine ? { confineSpecUpdateRollout: true } : {}),
    },
    ...overrides,
  };
}

function shoot(s: ShootSpec, annotations?: Record<string, string>, status?: Shoot['status']): Shoot {
  return {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'Shoot',
    metadata: { name: 's', namespace: 'garden-p', generation: 3, ...(annotations ? { annotations } : {}) },
    spec: s,
    ...(status ? { status } : {}),
  };
}

/** A spec edited by a function on a deep copy. */
function edit(s: ShootSpec, f: (s: ShootSpec) => void): ShootSpec {
  const copy = structuredClone(s);
  f(copy);
  return copy;
}

const withVersion = (v: string) => (s: ShootSpec) => {
  s.kubernetes.version = v;
};
const withMax = (pool: number, max: number) => (s: ShootSpec) => {
  const w = s.provider.workers?.[pool];
  if (w) w.maximum = max;
};

const live = spec();
const pendingOf = (result: Shoot) => {
  const p = pendingSpecOf(result);
  if (!p.ok) throw new Error('unparsable');
  return p.spec;
};

describe('composeValue (three-way: the update old→new applied onto the held value)', () => {
  it.each([
    ['unchanged update keeps the held value', { v: 2 }, { v: 1 }, { v: 1 }, { v: 2 }],
    ['changed key wins', { v: 2, w: 1 }, { v: 1, w: 1 }, { v: 1, w: 5 }, { v: 2, w: 5 }],
    ['added key', { v: 2 }, { v: 1 }, { v: 1, x: 3 }, { v: 2, x: 3 }],
    ['removed key', { v: 2, x: 3 }, { v: 1, x: 3 }, { v: 1 }, { v: 2 }],
    ['key the held spec removed stays removed when untouched', { v: 2 }, { v: 1, x: 3 }, { v: 1, x: 3 }, { v: 2 }],
    ['key the held spec removed comes back when the update changes it', { v: 2 }, { v: 1, x: 3 }, { v: 1, x: 4 }, { v: 2, x: 4 }],
    ['nested merge', { a: { b: 2, c: 1 } }, { a: { b: 1, c: 1 } }, { a: { b: 1, c: 9 } }, { a: { b: 2, c: 9 } }],
    ['plain arrays are replaced', { l: [1, 2, 3] }, { l: [1] }, { l: [1, 4] }, { l: [1, 4] }],
    [
      'named lists merge by name',
      { w: [{ name: 'a', v: 2 }, { name: 'b', v: 1 }] },
      { w: [{ name: 'a', v: 1 }, { name: 'b', v: 1 }] },
      { w: [{ name: 'a', v: 1 }, { name: 'b', v: 7 }] },
      { w: [{ name: 'a', v: 2 }, { name: 'b', v: 7 }] },
    ],
    [
      'named lists: pool removed by the update, pool added by it',
      { w: [{ name: 'a', v: 2 }, { name: 'b', v: 1 }, { name: 'held', v: 0 }] },
      { w: [{ name: 'a', v: 1 }, { name: 'b', v: 1 }] },
      { w: [{ name: 'a', v: 1 }, { name: 'c', v: 3 }] },
      { w: [{ name: 'a', v: 2 }, { name: 'held', v: 0 }, { name: 'c', v: 3 }] },
    ],
    [
      'named lists: pool the held spec removed comes back only if the update changed it',
      { w: [{ name: 'a', v: 1 }] },
      { w: [{ name: 'a', v: 1 }, { name: 'b', v: 1 }, { name: 'c', v: 1 }] },
      { w: [{ name: 'a', v: 2 }, { name: 'b', v: 1 }, { name: 'c', v: 5 }] },
      { w: [{ name: 'a', v: 2 }, { name: 'c', v: 5 }] },
    ],
  ])('%s', (_name, base, oldValue, newValue, expected) => {
    expect(composeValue(base, oldValue, newValue)).toEqual(expected);
  });
});

describe('changedPaths', () => {
  it('lists changed leaves with their paths, sorted by key, arrays by index', () => {
    const to = edit(edit(live, withVersion('1.31.0')), withMax(1, 5));
    delete to.region;
    expect(changedPaths(live, to, 'spec')).toEqual([
      { path: 'spec.kubernetes.version', from: '1.30.1', to: '1.31.0' },
      { path: 'spec.provider.workers[1].maximum', from: 2, to: 5 },
      { path: 'spec.region', from: 'r1', to: undefined },
    ]);
  });
  it('is empty for equal values', () => {
    expect(changedPaths(live, structuredClone(live), 'spec')).toEqual([]);
  });
});

describe('pendingSpecOf', () => {
  const FIELD = 'metadata.annotations[maintenance.gardener.cloud/pending-spec]';
  it('is undefined without the annotation', () => {
    expect(pendingSpecOf(shoot(live))).toEqual({ ok: true, spec: undefined });
  });
  it('parses a held spec', () => {
    const held = edit(live, withVersion('1.31.0'));
    expect(pendingSpecOf(shoot(live, { [PENDING_SPEC_ANNOTATION]: JSON.stringify(held) }))).toEqual({ ok: true, spec: held });
  });
  it.each([
    ['not JSON', '{nope', /^metadata\.annotations\[maintenance\.gardener\.cloud\/pending-spec\]: Invalid value: "\{nope": must be the JSON of a Shoot spec: /],
    ['an array', '[1]', /: Invalid value: "\[1\]": must be the JSON of a Shoot spec: must be a JSON object$/],
    ['no kubernetes', '{"provider":{"type":"x"}}', /must be the JSON of a Shoot spec: kubernetes must be an object$/],
    ['version not a string', '{"kubernetes":{"version":1},"provider":{"type":"x"}}', /kubernetes\.version must be a string$/],
    ['worker without machine', '{"kubernetes":{},"provider":{"type":"x","workers":[{"name":"a"}]}}', /provider\.workers\[0\]\.machine must be an object$/],
    ['confine not a boolean', '{"kubernetes":{},"provider":{},"maintenance":{"confineSpecUpdateRollout":"yes"}}', /maintenance\.confineSpecUpdateRollout must be a boolean$/],
    ['a pool size not an integer', '{"kubernetes":{},"provider":{"workers":[{"name":"a","machine":{},"maximum":1.5}]}}', /provider\.workers\[0\]\.maximum must be an integer$/],
    ['a profile reference without a name', '{"kubernetes":{},"provider":{},"cloudProfile":{"kind":"CloudProfile"}}', /cloudProfile\.name must be a string$/],
    ['a feature gate not a boolean', '{"kubernetes":{"kubeScheduler":{"featureGates":{"A":1}}},"provider":{}}', /kubernetes\.kubeScheduler\.featureGates\.A must be a boolean$/],
    ['a rotation period not a string', '{"kubernetes":{},"provider":{},"maintenance":{"autoRotation":{"credentials":{"sshKeypair":{"rotationPeriod":5}}}}}', /maintenance\.autoRotation\.credentials\.sshKeypair\.rotationPeriod must be a string$/],
  ])('rejects %s', (_name, raw, pattern) => {
    const r = pendingSpecOf(shoot(live, { [PENDING_SPEC_ANNOTATION]: raw }));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.field).toBe(FIELD);
      expect(renderFieldError(r.error)).toMatch(pattern);
    }
  });
  it('shortens a long bad value', () => {
    const raw = `{"kubernetes":1,${'"x":0,'.repeat(30)}"provider":{}}`;
    const r = pendingSpecOf(shoot(live, { [PENDING_SPEC_ANNOTATION]: raw }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(String(r.error.badValue)).toHaveLength(80);
  });
});

describe('withPendingSpecApplied', () => {
  it('replaces the spec and drops the annotation, keeping other annotations', () => {
    const held = edit(live, withVersion('1.31.0'));
    const s = shoot(live, { [PENDING_SPEC_ANNOTATION]: JSON.stringify(held), keep: 'me' });
    const applied = withPendingSpecApplied(s);
    expect(applied.spec).toEqual(held);
    expect(applied.metadata.annotations).toEqual({ keep: 'me' });
    expect(s.spec).toEqual(live); // input untouched
  });
  it('removes an emptied annotations map', () => {
    const s = shoot(live, { [PENDING_SPEC_ANNOTATION]: JSON.stringify(live) });
    expect(withPendingSpecApplied(s).metadata.annotations).toBeUndefined();
  });
  it.each([
    ['no held spec', undefined],
    ['an unparsable one', { [PENDING_SPEC_ANNOTATION]: 'nope' }],
  ])('returns an equal copy for %s', (_name, annotations) => {
    const s = shoot(live, annotations);
    const applied = withPendingSpecApplied(s);
    expect(applied).toEqual(s);
    expect(applied).not.toBe(s);
  });
});

describe('confineRollout', () => {
  const held1 = edit(live, withVersion('1.31.0'));
  const A = (held: ShootSpec) => ({ [PENDING_SPEC_ANNOTATION]: JSON.stringify(held) });

  interface Case {
    name: string;
    old: Shoot;
    next: Shoot;
    fromScheduler?: boolean;
    outcome: string;
    reason?: string;
    spec: ShootSpec;
    pending: ShootSpec | undefined;
    needsRetry?: boolean;
  }

  const notConfined = spec({}, false);
  const cases: Case[] = [
    {
      name: 'not confined: untouched',
      old: shoot(notConfined),
      next: shoot(edit(notConfined, withVersion('1.31.0'))),
      outcome: 'not-confined',
      spec: edit(notConfined, withVersion('1.31.0')),
      pending: undefined,
    },
    {
      name: 'confined, metadata-only update: untouched',
      old: shoot(live),
      next: shoot(live, { foo: 'bar' }),
      outcome: 'no-spec-change',
      spec: live,
      pending: undefined,
    },
    {
      name: 'confined spec change: held, spec restored',
      old: shoot(live),
      next: shoot(held1),
      outcome: 'held',
      spec: live,
      pending: held1,
    },
    {
      name: 'switching confinement on is itself held',
      old: shoot(notConfined),
      next: shoot(live),
      outcome: 'held',
      spec: notConfined,
      pending: live,
    },
    {
      name: 'second change composes with the held one (kubectl apply: annotation kept, spec = live + change)',
      old: shoot(live, A(held1)),
      next: shoot(edit(live, withMax(1, 5)), A(held1)),
      outcome: 'held',
      spec: live,
      pending: edit(held1, withMax(1, 5)),
    },
    {
      name: 'second change carrying the first again (cumulative file) composes to the same',
      old: shoot(live, A(held1)),
      next: shoot(edit(held1, withMax(1, 5)), A(held1)),
      outcome: 'held',
      spec: live,
      pending: edit(held1, withMax(1, 5)),
    },
    {
      name: 'a later change of the same field wins',
      old: shoot(live, A(held1)),
      next: shoot(edit(live, withVersion('1.30.5')), A(held1)),
      outcome: 'held',
      spec: live,
      pending: edit(live, withVersion('1.30.5')),
    },
    {
      name: 'without the annotation in the request, the request spec is the whole desired spec',
      old: shoot(live, A(held1)),
      next: shoot(edit(live, withMax(0, 4))),
      outcome: 'held',
      spec: live,
      pending: edit(live, withMax(0, 4)),
    },
    {
      name: 'annotation-only update with a held spec: untouched, still held',
      old: shoot(live, A(held1)),
      next: shoot(live, { ...A(held1), foo: 'bar' }),
      outcome: 'no-spec-change',
      spec: live,
      pending: held1,
    },
    {
      name: 'removing the annotation without a spec change cancels the held change',
      old: shoot(live, A(held1)),
      next: shoot(live),
      outcome: 'no-spec-change',
      spec: live,
      pending: undefined,
    },
    {
      name: 'a request whose annotation already holds its own spec is held as is',
      old: shoot(live),
      next: shoot(edit(live, withVersion('1.31.0')), A(edit(live, withVersion('1.31.0')))),
      outcome: 'held',
      spec: live,
      pending: edit(live, withVersion('1.31.0')),
    },
    {
      name: 'hibernation change releases everything',
      old: shoot(live, A(held1)),
      next: shoot(edit(live, (s) => (s.hibernation = { enabled: true })), A(held1)),
      outcome: 'released',
      reason: RELEASE_REASONS.hibernation,
      spec: edit(held1, (s) => (s.hibernation = { enabled: true })),
      pending: undefined,
    },
    {
      name: 'hibernation change without a held spec rolls out at once',
      old: shoot(live),
      next: shoot(edit(live, (s) => (s.hibernation = { enabled: true }))),
      outcome: 'released',
      reason: RELEASE_REASONS.hibernation,
      spec: edit(live, (s) => (s.hibernation = { enabled: true })),
      pending: undefined,
    },
    {
      name: 'hibernation field added as false is no hibernation change',
      old: shoot(live),
      next: shoot(edit(live, (s) => (s.hibernation = { enabled: false }))),
      outcome: 'held',
      spec: live,
      pending: edit(live, (s) => (s.hibernation = { enabled: false })),
    },
    {
      name: 'newly added reconcile releases the held spec (no spec change)',
      old: shoot(live, A(held1)),
      next: shoot(live, { ...A(held1), [OPERATION_ANNOTATION]: 'reconcile' }),
      outcome: 'released',
      reason: RELEASE_REASONS.reconcile,
      spec: held1,
      pending: undefined,
    },
    {
      name: 'newly added reconcile among other ops releases a new change',
      old: shoot(live),
      next: shoot(held1, { [OPERATION_ANNOTATION]: 'rotate-ssh-keypair;reconcile' }),
      outcome: 'released',
      reason: RELEASE_REASONS.reconcile,
      spec: held1,
      pending: undefined,
    },
    {
      name: 'a stale reconcile (already on the old object) does not release',
      old: shoot(live, { [OPERATION_ANNOTATION]: 'reconcile' }),
      next: shoot(held1, { [OPERATION_ANNOTATION]: 'reconcile' }),
      outcome: 'held',
      spec: live,
      pending: held1,
    },
    {
      name: 'reconcile without anything held or changed: nothing to do',
      old: shoot(live),
      next: shoot(live, { [OPERATION_ANNOTATION]: 'reconcile' }),
      outcome: 'no-spec-change',
      spec: live,
      pending: undefined,
    },
    {
      name: 'switching confinement off rolls out the whole desired spec',
      old: shoot(live, A(held1)),
      next: shoot(edit(live, (s) => delete s.maintenance?.confineSpecUpdateRollout), A(held1)),
      outcome: 'released',
      reason: RELEASE_REASONS.confinementOff,
      spec: edit(held1, (s) => delete s.maintenance?.confineSpecUpdateRollout),
      pending: undefined,
    },
    {
      name: 'the scheduler releases the held spec with its own changes on top',
      old: shoot(live, A(held1)),
      next: shoot(edit(live, (s) => (s.provider.workers![0]!.machine.image!.version = '1.1.0')), A(held1)),
      fromScheduler: true,
      outcome: 'released',
      reason: RELEASE_REASONS.scheduler,
      spec: edit(held1, (s) => (s.provider.workers![0]!.machine.image!.version = '1.1.0')),
      pending: undefined,
    },
    {
      name: 'the scheduler sending the applied spec without the annotation',
      old: shoot(live, A(held1)),
      next: shoot(held1),
      fromScheduler: true,
      outcome: 'released',
      reason: RELEASE_REASONS.scheduler,
      spec: held1,
      pending: undefined,
    },
    {
      name: "the scheduler's metadata patch (forced-update notices) leaves the held spec held",
      old: shoot(live, A(held1)),
      next: shoot(live, { ...A(held1), 'maintenance.gardener.cloud/forced-update-notices': '{"control plane":"1.30.1@2026-12-09T00:00:00Z"}' }),
      fromScheduler: true,
      outcome: 'no-spec-change',
      spec: live,
      pending: held1,
    },
    {
      name: 'held on a Failed shoot: needs-retry set',
      old: shoot(live, undefined, { lastOperation: { type: 'Reconcile', state: 'Failed' } }),
      next: shoot(held1, undefined, { lastOperation: { type: 'Reconcile', state: 'Failed' } }),
      outcome: 'held',
      spec: live,
      pending: held1,
      needsRetry: true,
    },
    {
      name: 'held on a Failed shoot whose status only the old object carries',
      old: shoot(live, undefined, { lastOperation: { type: 'Reconcile', state: 'Failed' } }),
      next: shoot(held1),
      outcome: 'held',
      spec: live,
      pending: held1,
      needsRetry: true,
    },
    {
      name: 'held on an Error shoot: no needs-retry',
      old: shoot(live, undefined, { lastOperation: { type: 'Reconcile', state: 'Error' } }),
      next: shoot(held1, undefined, { lastOperation: { type: 'Reconcile', state: 'Error' } }),
      outcome: 'held',
      spec: live,
      pending: held1,
    },
  ];

  it.each(cases)('$name', (c) => {
    const before = structuredClone(c.next);
    const result = confineRollout({ shoot: c.next, oldShoot: c.old, fromScheduler: c.fromScheduler ?? false });
    expect(result.outcome).toBe(c.outcome);
    expect(result.releaseReason).toBe(c.reason);
    expect(result.shoot.spec).toEqual(c.spec);
    expect(pendingOf(result.shoot)).toEqual(c.pending);
    expect(result.shoot.metadata.annotations?.[NEEDS_RETRY_ANNOTATION]).toBe(c.needsRetry ? 'true' : undefined);
    expect(c.next).toEqual(before); // the input is never mutated
  });

  it('leaves an unparsable annotation for validation to reject', () => {
    const next = shoot(held1, { [PENDING_SPEC_ANNOTATION]: 'garbage' });
    const result = confineRollout({ shoot: next, oldShoot: shoot(live), fromScheduler: false });
    expect(result.outcome).toBe('no-spec-change');
    expect(result.shoot).toEqual(next);
  });
});

describe('heldChangeWarning', () => {
  const windowed = (begin: string, end: string, lastMaintenance?: string): Shoot => ({
    ...shoot(edit(live, (s) => (s.maintenance!.timeWindow = { begin, end }))),
    ...(lastMaintenance
      ? { status: { lastMaintenance: { description: 'd', state: 'Succeeded', triggeredTime: lastMaintenance } } }
      : {}),
  });

  it.each([
    [
      'before today’s window',
      windowed('030000+0000', '040000+0000'),
      '2026-11-24T01:00:00Z',
      'spec change held until the maintenance window starting 2026-11-24T03:00:00Z (confineSpecUpdateRollout)',
    ],
    [
      'after today’s window',
      windowed('030000+0000', '040000+0000'),
      '2026-11-24T05:00:00Z',
      'spec change held until the maintenance window starting 2026-11-25T03:00:00Z (confineSpecUpdateRollout)',
    ],
    [
      'window given in another offset',
      windowed('220000+0100', '230000+0100'),
      '2026-11-24T22:30:00Z',
      'spec change held until the maintenance window starting 2026-11-25T21:00:00Z (confineSpecUpdateRollout)',
    ],
    [
      'inside the effective window, not yet maintained',
      windowed('030000+0000', '040000+0000'),
      '2026-11-24T03:10:00Z',
      'spec change held for the current maintenance window, ending 2026-11-24T03:45:00Z (confineSpecUpdateRollout)',
    ],
    [
      'inside the effective window, already maintained in it',
      windowed('030000+0000', '040000+0000', '2026-11-24T03:05:00Z'),
      '2026-11-24T03:10:00Z',
      'spec change held until the maintenance window starting 2026-11-25T03:00:00Z (confineSpecUpdateRollout)',
    ],
    [
      'inside the configured window but after the effective end',
      windowed('030000+0000', '040000+0000'),
      '2026-11-24T03:50:00Z',
      'spec change held until the maintenance window starting 2026-11-25T03:00:00Z (confineSpecUpdateRollout)',
    ],
  ])('%s', (_name, s, now, expected) => {
    const text = heldChangeWarning(s, new Date(now));
    expect(text).toBe(expected);
    expect(text.length).toBeLessThan(120);
  });
});
