// Maintenance freezes (docs/design.md, "Maintenance freezes"): the model of
// src/core/maintenance-exclusion.ts (selectors, coverage, the most restrictive wins, namespaced
// and cluster-wide), plan() under each scope, and the webhook's validation
// (src/core/maintenance-exclusion-validation.ts) with its texts.
import { describe, expect, it } from 'vitest';
import type { CloudProfile, ExpirableVersion, MachineImageVersion } from '../../../src/core/cloudprofile-types.js';
import { indexCloudProfile } from '../../../src/core/cloudprofile.js';
import { renderFieldError } from '../../../src/core/field-errors.js';
import {
  type ExclusionScope,
  type ExclusionSet,
  exclusionsCovering,
  type LabelSelector,
  type MaintenanceExclusion,
  NO_EXCLUSIONS,
  restrictionAt,
  selectorMatches,
} from '../../../src/core/maintenance-exclusion.js';
import { parseRfc3339, validateMaintenanceExclusion } from '../../../src/core/maintenance-exclusion-validation.js';
import { deferralText, excludedRunEvent, type MaintenancePlan, plan } from '../../../src/core/maintenance.js';
import { MAINTENANCE_OPERATION_ANNOTATION, OPERATION_ANNOTATION } from '../../../src/core/operations.js';
import { PENDING_SPEC_ANNOTATION } from '../../../src/core/rollout.js';
import type { Shoot, Worker } from '../../../src/core/shoot.js';
import { shootWith } from './maintenance-shoot-fixture.js';

const NOW = new Date('2026-03-10T10:20:00Z');
const PAST = '2020-01-01T00:00:00Z';
const START = '2026-03-01T00:00:00Z';
const END = '2026-03-20T00:00:00Z';

function exclusion(
  name: string,
  scope: ExclusionScope,
  o: { namespace?: string; cluster?: boolean; start?: string; end?: string; shootSelector?: LabelSelector; namespaceSelector?: LabelSelector; reason?: string } = {},
): MaintenanceExclusion {
  return {
    kind: o.cluster ? 'ClusterMaintenanceExclusion' : 'MaintenanceExclusion',
    metadata: { name, ...(o.cluster ? {} : { namespace: o.namespace ?? 'garden-dev' }) },
    spec: {
      start: o.start ?? START,
      end: o.end ?? END,
      scope,
      ...(o.reason === undefined ? {} : { reason: o.reason }),
      ...(o.shootSelector ? { shootSelector: o.shootSelector } : {}),
      ...(o.namespaceSelector ? { namespaceSelector: o.namespaceSelector } : {}),
    },
  };
}

const setOf = (exclusions: MaintenanceExclusion[], namespaces: Record<string, Record<string, string>> = {}): ExclusionSet => ({
  exclusions,
  namespaceLabels: (ns) => namespaces[ns],
});

function labelled(labels: Record<string, string>, namespace = 'garden-dev'): Shoot {
  const s = shootWith({}, '1.10.0');
  s.metadata = { ...s.metadata, namespace, labels };
  return s;
}

describe('selectorMatches (metav1.LabelSelectorAsSelector)', () => {
  const labels = { team: 'a', tier: 'prod' };
  it.each<[string, LabelSelector | undefined, boolean]>([
    ['absent: everything', undefined, true],
    ['empty: everything', {}, true],
    ['matchLabels equal', { matchLabels: { team: 'a' } }, true],
    ['matchLabels differ', { matchLabels: { team: 'b' } }, false],
    ['matchLabels key missing', { matchLabels: { env: 'x' } }, false],
    ['In, value listed', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['prod', 'stage'] }] }, true],
    ['In, value not listed', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['stage'] }] }, false],
    ['In, key missing', { matchExpressions: [{ key: 'env', operator: 'In', values: ['x'] }] }, false],
    ['NotIn, value listed', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['prod'] }] }, false],
    ['NotIn, key missing: matches', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['x'] }] }, true],
    ['Exists', { matchExpressions: [{ key: 'team', operator: 'Exists' }] }, true],
    ['Exists, key missing', { matchExpressions: [{ key: 'env', operator: 'Exists' }] }, false],
    ['DoesNotExist', { matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, true],
    ['DoesNotExist, key present', { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] }, false],
    ['matchLabels and expressions are ANDed', { matchLabels: { team: 'a' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['prod'] }] }, false],
  ])('%s', (_name, selector, want) => {
    expect(selectorMatches(selector, labels)).toBe(want);
  });
});

describe('coverage and the most restrictive exclusion', () => {
  const shoot = labelled({ team: 'a' });

  it.each([
    ['at start: covered', '2026-03-01T00:00:00Z', true],
    ['just before start', '2026-02-28T23:59:59Z', false],
    ['inside', '2026-03-10T10:20:00Z', true],
    ['just before end', '2026-03-19T23:59:59Z', true],
    ['at end: not covered ([start, end))', '2026-03-20T00:00:00Z', false],
  ])('%s', (_name, at, covered) => {
    expect(restrictionAt(shoot, new Date(at), setOf([exclusion('x', 'NoUpgrades')])) !== undefined).toBe(covered);
  });

  it('an exclusion whose times do not parse covers nothing', () => {
    expect(restrictionAt(shoot, NOW, setOf([exclusion('x', 'NoUpgrades', { start: 'x' })]))).toBeUndefined();
  });

  it('the most restrictive wins, whatever the order', () => {
    const set = setOf([exclusion('minor', 'NoMinorUpgrades'), exclusion('all', 'NoUpgrades'), exclusion('images', 'NoMinorOrImageUpgrades')]);
    expect(restrictionAt(shoot, NOW, set)).toMatchObject({ scope: 'NoUpgrades', exclusion: { metadata: { name: 'all' } } });
    expect(exclusionsCovering(shoot, NOW, set).map((e) => e.spec.scope)).toEqual(['NoUpgrades', 'NoMinorOrImageUpgrades', 'NoMinorUpgrades']);
  });

  it('among equally restrictive ones, the one ending last, then by name', () => {
    const set = setOf([
      exclusion('b', 'NoMinorUpgrades'),
      exclusion('a', 'NoMinorUpgrades'),
      exclusion('later', 'NoMinorUpgrades', { end: '2026-03-25T00:00:00Z' }),
    ]);
    expect(exclusionsCovering(shoot, NOW, set).map((e) => e.metadata.name)).toEqual(['later', 'a', 'b']);
  });

  it('a MaintenanceExclusion covers its own namespace only, by shootSelector', () => {
    const own = exclusion('own', 'NoUpgrades', { shootSelector: { matchLabels: { team: 'a' } } });
    const other = exclusion('other', 'NoUpgrades', { namespace: 'garden-other' });
    expect(restrictionAt(shoot, NOW, setOf([own]))?.exclusion.metadata.name).toBe('own');
    expect(restrictionAt(labelled({ team: 'b' }), NOW, setOf([own]))).toBeUndefined();
    expect(restrictionAt(shoot, NOW, setOf([other]))).toBeUndefined();
  });

  it('a ClusterMaintenanceExclusion covers every namespace its namespaceSelector matches', () => {
    const cluster = exclusion('year-end', 'NoMinorUpgrades', { cluster: true, namespaceSelector: { matchLabels: { stage: 'prod' } } });
    const namespaces = { 'garden-dev': { stage: 'dev' }, 'garden-prod': { stage: 'prod' } };
    expect(restrictionAt(labelled({}, 'garden-prod'), NOW, setOf([cluster], namespaces))?.scope).toBe('NoMinorUpgrades');
    expect(restrictionAt(labelled({}, 'garden-dev'), NOW, setOf([cluster], namespaces))).toBeUndefined();
    // A namespace the cache does not know is not matched by a namespaceSelector.
    expect(restrictionAt(labelled({}, 'garden-new'), NOW, setOf([cluster], namespaces))).toBeUndefined();
    // Without namespaceSelector: every namespace, by shootSelector.
    const everywhere = exclusion('all', 'NoUpgrades', { cluster: true, shootSelector: { matchLabels: { team: 'a' } } });
    expect(restrictionAt(labelled({ team: 'a' }, 'garden-new'), NOW, setOf([everywhere]))?.scope).toBe('NoUpgrades');
    expect(restrictionAt(labelled({ team: 'b' }, 'garden-new'), NOW, setOf([everywhere]))).toBeUndefined();
  });

  it('cluster and namespaced together: the most restrictive of both', () => {
    const set = setOf([exclusion('ns', 'NoMinorUpgrades'), exclusion('cluster', 'NoMinorOrImageUpgrades', { cluster: true })]);
    expect(restrictionAt(shoot, NOW, set)?.exclusion.kind).toBe('ClusterMaintenanceExclusion');
    expect(restrictionAt(shoot, NOW, NO_EXCLUSIONS)).toBeUndefined();
  });
});

// ---- plan() under each scope ------------------------------------------------------------------

const image = (version: string, extra: Partial<MachineImageVersion> = {}): MachineImageVersion => ({
  version,
  cri: [{ name: 'containerd' }],
  architectures: ['amd64'],
  ...extra,
});

/** 1.10.0 expired with no higher 1.10 patch (forced minor update to 1.11.2); 1.11.0 expired (forced patch 1.11.2); image 2135.6.0 expired. */
const PROFILE: CloudProfile = {
  apiVersion: 'core.gardener.cloud/v1beta1',
  kind: 'CloudProfile',
  metadata: { name: 'local' },
  spec: {
    kubernetes: { versions: [{ version: '1.10.0', expirationDate: PAST }, { version: '1.11.0', expirationDate: PAST }, { version: '1.11.2' }] as ExpirableVersion[] },
    machineImages: [{ name: 'coreos', versions: [image('2135.6.0', { expirationDate: PAST }), image('2191.5.0')] }],
    machineTypes: [{ name: 'm5.large', architecture: 'amd64' }],
  },
};
const INDEX = indexCloudProfile(PROFILE);

function shootAt(version: string, o: { workerVersion?: string; annotations?: Record<string, string>; rotation?: boolean } = {}): Shoot {
  const worker: Worker = {
    name: 'pool',
    machine: { type: 'm5.large', image: { name: 'coreos', version: '2135.6.0' } },
    ...(o.workerVersion ? { kubernetes: { version: o.workerVersion } } : {}),
  };
  const s = shootWith({ provider: { type: 'local', workers: [worker] } }, version);
  s.spec.maintenance = { ...s.spec.maintenance, autoUpdate: { kubernetesVersion: false, machineImageVersion: false } };
  if (o.rotation) s.spec.maintenance = { ...s.spec.maintenance, autoRotation: { credentials: { sshKeypair: { rotationPeriod: '24h' } } } };
  if (o.annotations) s.metadata.annotations = o.annotations;
  return s;
}

const planUnder = (s: Shoot, scope: ExclusionScope | undefined, now = NOW): MaintenancePlan => {
  const restriction = scope && restrictionAt(s, now, setOf([exclusion('release', scope, { reason: 'release week' })]));
  return plan(s, INDEX, now, { forceUpdateVanishedVersions: false }, restriction ? { restriction } : {});
};

const RESTRICTION = (scope: ExclusionScope) => ({ scope, exclusion: 'MaintenanceExclusion "garden-dev/release"', reason: 'release week', end: END });

describe('plan() under a freeze', () => {
  it('without a freeze: the minor update, the image update, the rotation', () => {
    const p = planUnder(shootAt('1.10.0', { rotation: true }), undefined);
    expect(p.restriction).toBeNull();
    expect(p.deferred).toEqual([]);
    expect(p.kubernetes).toMatchObject({ from: '1.10.0', to: '1.11.2', forced: true });
    expect(p.workers[0]?.machineImage).toMatchObject({ from: '2135.6.0', to: '2191.5.0' });
    expect(p.credentialRotations.map((r) => r.operation)).toEqual(['rotate-ssh-keypair']);
  });

  it('NoMinorUpgrades defers a forced minor update, applies the image update and the rotation; lastMaintenance and the Event say so', () => {
    const p = planUnder(shootAt('1.10.0', { rotation: true }), 'NoMinorUpgrades');
    expect(p.due).toBe(true);
    expect(p.restriction).toEqual(RESTRICTION('NoMinorUpgrades'));
    expect(p.kubernetes).toBeNull();
    expect(p.shoot.spec.kubernetes.version).toBe('1.10.0');
    expect(p.workers[0]?.machineImage).toMatchObject({ to: '2191.5.0' });
    expect(p.credentialRotations.map((r) => r.operation)).toEqual(['rotate-ssh-keypair']);
    expect(p.deferred).toEqual([{ component: 'control plane', change: 'Kubernetes version "1.10.0" to "1.11.2"', forced: true }]);
    const text = 'Deferred by MaintenanceExclusion "garden-dev/release" (NoMinorUpgrades) until 2026-03-20T00:00:00Z: control plane: Kubernetes version "1.10.0" to "1.11.2"';
    expect(p.lastMaintenance.description.endsWith(` ${text}`)).toBe(true);
    expect(p.lastMaintenance.description).toContain('Updated machine image "coreos" from "2135.6.0" to "2191.5.0"');
    expect(p.events.filter((e) => e.reason === 'MaintenanceDeferred')).toEqual([{ type: 'Normal', reason: 'MaintenanceDeferred', message: text }]);
    expect(excludedRunEvent(p)).toBeUndefined();
  });

  it('NoMinorUpgrades applies a forced patch update (control plane and pool)', () => {
    const p = planUnder(shootAt('1.11.0', { workerVersion: '1.11.0' }), 'NoMinorUpgrades');
    expect(p.kubernetes).toMatchObject({ from: '1.11.0', to: '1.11.2', forced: true });
    expect(p.workers[0]?.kubernetes).toMatchObject({ from: '1.11.0', to: '1.11.2' });
    expect(p.deferred).toEqual([]);
    expect(p.events.map((e) => e.reason)).not.toContain('MaintenanceDeferred');
  });

  it('NoMinorUpgrades defers a pool minor update', () => {
    const p = planUnder(shootAt('1.11.0', { workerVersion: '1.10.0' }), 'NoMinorUpgrades');
    expect(p.deferred).toContainEqual({ component: 'worker pool "pool"', change: 'Kubernetes version "1.10.0" to "1.11.2"', forced: true });
    expect(p.shoot.spec.provider.workers?.[0]?.kubernetes?.version).toBe('1.10.0');
  });

  it('NoMinorOrImageUpgrades defers images and rotations, keeps patch updates and operations', () => {
    // A user's operation for the window (maintenance.gardener.cloud/operation) is not an automatic rotation: it still moves.
    const p = planUnder(shootAt('1.11.0', { rotation: true, annotations: { [MAINTENANCE_OPERATION_ANNOTATION]: 'rotate-observability-credentials' } }), 'NoMinorOrImageUpgrades');
    expect(p.due).toBe(true);
    expect(p.kubernetes).toMatchObject({ from: '1.11.0', to: '1.11.2' });
    expect(p.workers[0]?.machineImage).toBeNull();
    expect(p.credentialRotations).toEqual([]);
    expect(p.operations).toEqual(['Added "rotate-observability-credentials;reconcile" operation annotation']);
    expect(p.deferred).toEqual([
      { component: 'worker pool "pool"', change: 'machine image "coreos" "2135.6.0" to "2191.5.0"', forced: true },
      { component: 'credentials', change: 'rotation "rotate-ssh-keypair"', forced: false },
    ]);
    expect(p.shoot.spec.provider.workers?.[0]?.machine.image?.version).toBe('2135.6.0');
  });

  it('NoMinorOrImageUpgrades still rolls a held spec out (the user’s own change; only NoUpgrades keeps it held)', () => {
    const s = shootAt('1.11.0');
    s.metadata.annotations = { [PENDING_SPEC_ANNOTATION]: JSON.stringify({ ...s.spec, region: 'other' }) };
    const p = planUnder(s, 'NoMinorOrImageUpgrades');
    expect(p.heldSpecReleased).toBe(true);
    expect(p.shoot.spec.region).toBe('other');
    expect(p.deferred.some((d) => d.component === 'held spec')).toBe(false);
  });

  it('NoUpgrades: not due (excluded), deferred lists everything, the shoot unchanged; the MaintenanceDeferred Event text', () => {
    const p = planUnder(shootAt('1.10.0', { rotation: true }), 'NoUpgrades');
    expect(p.due).toBe(false);
    expect(p.dueReason).toBe('excluded');
    expect(p.restriction).toEqual(RESTRICTION('NoUpgrades'));
    expect(p.deferred).toEqual([
      { component: 'control plane', change: 'Kubernetes version "1.10.0" to "1.11.2"', forced: true },
      { component: 'worker pool "pool"', change: 'machine image "coreos" "2135.6.0" to "2191.5.0"', forced: true },
      { component: 'credentials', change: 'rotation "rotate-ssh-keypair"', forced: false },
    ]);
    expect(excludedRunEvent(p)).toEqual({
      type: 'Normal',
      reason: 'MaintenanceDeferred',
      message:
        'Deferred by MaintenanceExclusion "garden-dev/release" (NoUpgrades) until 2026-03-20T00:00:00Z: control plane: Kubernetes version "1.10.0" to "1.11.2"; ' +
        'worker pool "pool": machine image "coreos" "2135.6.0" to "2191.5.0"; credentials: rotation "rotate-ssh-keypair"',
    });
    expect(excludedRunEvent(p)?.message).toBe(deferralText(p.restriction!, p.deferred));
  });

  it('NoUpgrades with nothing to do still names the freeze', () => {
    const s = shootAt('1.11.2');
    s.spec.provider.workers = [];
    const p = planUnder(s, 'NoUpgrades');
    expect(p.dueReason).toBe('excluded');
    expect(excludedRunEvent(p)?.message).toBe(
      'Deferred by MaintenanceExclusion "garden-dev/release" (NoUpgrades) until 2026-03-20T00:00:00Z: the maintenance run (nothing else was due)',
    );
  });

  it('NoUpgrades outside the window: outside-window, not excluded', () => {
    const p = planUnder(shootAt('1.10.0'), 'NoUpgrades', new Date('2026-03-10T15:00:00Z'));
    expect(p.dueReason).toBe('outside-window');
    expect(excludedRunEvent(p)).toBeUndefined();
  });

  it.each<ExclusionScope>(['NoUpgrades', 'NoMinorOrImageUpgrades', 'NoMinorUpgrades'])('`maintain` ignores a %s freeze', (scope) => {
    const p = planUnder(shootAt('1.10.0', { annotations: { [OPERATION_ANNOTATION]: 'maintain' } }), scope);
    expect(p.dueReason).toBe('maintain-requested');
    expect(p.restriction).toBeNull();
    expect(p.deferred).toEqual([]);
    expect(p.kubernetes).toMatchObject({ to: '1.11.2' });
    expect(p.workers[0]?.machineImage).toMatchObject({ to: '2191.5.0' });
  });

  it('the deferred forced update lands in the first occurrence after the freeze ends', () => {
    const s = shootAt('1.10.0');
    const set = setOf([exclusion('release', 'NoUpgrades')]);
    const lastFrozen = new Date('2026-03-19T10:20:00Z');
    const firstAfter = new Date('2026-03-20T10:20:00Z');
    expect(plan(s, INDEX, lastFrozen, { forceUpdateVanishedVersions: false }, { restriction: restrictionAt(s, lastFrozen, set)! }).dueReason).toBe('excluded');
    expect(restrictionAt(s, firstAfter, set)).toBeUndefined();
    const p = plan(s, INDEX, firstAfter, { forceUpdateVanishedVersions: false });
    expect(p.due).toBe(true);
    expect(p.kubernetes).toMatchObject({ from: '1.10.0', to: '1.11.2', forced: true });
  });
});

// ---- validation -------------------------------------------------------------------------------

describe('validateMaintenanceExclusion (the webhook)', () => {
  const valid = { start: '2026-12-20T00:00:00Z', end: '2027-01-05T00:00:00Z', scope: 'NoUpgrades' };
  const texts = (kind: string, spec: Record<string, unknown>) =>
    validateMaintenanceExclusion(kind, { spec }).map(renderFieldError);
  const NS = 'MaintenanceExclusion';
  const CLUSTER = 'ClusterMaintenanceExclusion';
  const KEY_REGEX =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

  it.each<[string, string, Record<string, unknown>, string[]]>([
    ['valid', NS, valid, []],
    ['valid with offset and fraction', NS, { ...valid, start: '2026-12-20T01:00:00.5+01:00' }, []],
    ['valid cluster-wide with both selectors', CLUSTER, { ...valid, namespaceSelector: { matchLabels: { stage: 'prod' } }, shootSelector: { matchExpressions: [{ key: 'example.com/team', operator: 'Exists' }] } }, []],
    ['start not RFC 3339', NS, { ...valid, start: 'x' }, ['spec.start: Invalid value: "x": must be an RFC 3339 time such as "2026-12-20T00:00:00Z"']],
    ['a date only', NS, { ...valid, end: '2027-01-05' }, ['spec.end: Invalid value: "2027-01-05": must be an RFC 3339 time such as "2026-12-20T00:00:00Z"']],
    ['no such day', NS, { ...valid, start: '2026-02-30T00:00:00Z' }, ['spec.start: Invalid value: "2026-02-30T00:00:00Z": must be an RFC 3339 time such as "2026-12-20T00:00:00Z"']],
    ['start missing', NS, { end: valid.end, scope: 'NoUpgrades' }, ['spec.start: Required value: an RFC 3339 time such as "2026-12-20T00:00:00Z"']],
    ['end before start', NS, { ...valid, end: '2026-12-19T00:00:00Z' }, ['spec.end: Invalid value: "2026-12-19T00:00:00Z": must be after spec.start']],
    ['end equal to start', NS, { ...valid, end: valid.start }, ['spec.end: Invalid value: "2026-12-20T00:00:00Z": must be after spec.start']],
    ['NoUpgrades: 30 days is the limit', NS, { ...valid, end: '2027-01-19T00:00:00Z' }, []],
    ['NoUpgrades: over 30 days', NS, { ...valid, end: '2027-01-19T00:00:01Z' }, ['spec.end: Invalid value: "2027-01-19T00:00:01Z": must be at most 30 days after spec.start for scope "NoUpgrades"']],
    ['NoMinorUpgrades: 180 days', NS, { ...valid, scope: 'NoMinorUpgrades', end: '2027-06-18T00:00:00Z' }, []],
    ['NoMinorOrImageUpgrades: over 180 days', NS, { ...valid, scope: 'NoMinorOrImageUpgrades', end: '2027-06-18T00:00:01Z' }, ['spec.end: Invalid value: "2027-06-18T00:00:01Z": must be at most 180 days after spec.start for scope "NoMinorOrImageUpgrades"']],
    ['scope unknown', NS, { ...valid, scope: 'NoPatches' }, ['spec.scope: Unsupported value: "NoPatches": supported values: "NoMinorUpgrades", "NoMinorOrImageUpgrades", "NoUpgrades"']],
    ['scope missing', NS, { start: valid.start, end: valid.end }, ['spec.scope: Required value']],
    ['In without values', NS, { ...valid, shootSelector: { matchExpressions: [{ key: 'team', operator: 'In' }] } }, ["spec.shootSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"]],
    ['NotIn with empty values', NS, { ...valid, shootSelector: { matchExpressions: [{ key: 'team', operator: 'NotIn', values: [] }] } }, ["spec.shootSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"]],
    ['Exists with values', NS, { ...valid, shootSelector: { matchExpressions: [{ key: 'team', operator: 'Exists', values: ['a'] }] } }, ["spec.shootSelector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"]],
    ['unknown operator', NS, { ...valid, shootSelector: { matchExpressions: [{ key: 'team', operator: 'Equals', values: ['a'] }] } }, ['spec.shootSelector.matchExpressions[0].operator: Invalid value: "Equals": not a valid selector operator']],
    ['invalid key', NS, { ...valid, shootSelector: { matchExpressions: [{ key: '-team', operator: 'Exists' }] } }, [`spec.shootSelector.matchExpressions[0].key: Invalid value: "-team": ${KEY_REGEX}`]],
    ['invalid matchLabels key and value', CLUSTER, { ...valid, namespaceSelector: { matchLabels: { 'a b': 'x y' } } }, [
      `spec.namespaceSelector.matchLabels: Invalid value: "a b": ${KEY_REGEX}`,
      "spec.namespaceSelector.matchLabels: Invalid value: \"x y\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ]],
    ['namespaceSelector on the namespaced kind', NS, { ...valid, namespaceSelector: { matchLabels: { stage: 'prod' } } }, ['spec.namespaceSelector: Forbidden: a MaintenanceExclusion applies to its own namespace; use a ClusterMaintenanceExclusion to select namespaces']],
  ])('%s', (_name, kind, spec, want) => {
    expect(texts(kind, spec)).toEqual(want);
  });

  it('no spec at all', () => {
    expect(validateMaintenanceExclusion(NS, {}).map(renderFieldError)).toEqual(['spec: Required value']);
  });

  it('parseRfc3339: the layout, real days, offsets', () => {
    expect(parseRfc3339('2026-12-20T00:00:00Z')).toBe(Date.parse('2026-12-20T00:00:00Z'));
    expect(parseRfc3339('2026-12-20t01:00:00+01:00')).toBe(Date.parse('2026-12-20T00:00:00Z'));
    expect(parseRfc3339('2028-02-29T00:00:00Z')).toBeDefined();
    for (const bad of ['2026-12-20 00:00:00Z', '2026-12-20T00:00:00', '2026-13-01T00:00:00Z', '2027-02-29T00:00:00Z', '2026-12-20T24:00:00Z', '20261220T000000Z']) {
      expect(parseRfc3339(bad), bad).toBeUndefined();
    }
  });
});
