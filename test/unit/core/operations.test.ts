import { describe, expect, it } from 'vitest';
import { renderFieldErrors } from '../../../src/core/field-errors.js';
import {
  MAINTENANCE_OPERATION_ANNOTATION,
  NEEDS_RETRY_ANNOTATION,
  OPERATION_ANNOTATION,
  SUPPORTED_OPERATION_VALUES,
  TASKS_ANNOTATION,
  hasOperation,
  parseOperations,
  validateOperationAnnotations,
} from '../../../src/core/operations.js';
import type { Shoot } from '../../../src/core/shoot.js';

const SUPPORTED =
  '"force-in-place-update", "maintain", "reconcile", "retry", "rollout-workers", "rotate-ca-complete", "rotate-ca-start", ' +
  '"rotate-ca-start-without-workers-rollout", "rotate-credentials-complete", "rotate-credentials-start", ' +
  '"rotate-credentials-start-without-workers-rollout", "rotate-etcd-encryption-key", "rotate-etcd-encryption-key-complete", ' +
  '"rotate-etcd-encryption-key-start", "rotate-kubeconfig-credentials", "rotate-observability-credentials", "rotate-rollout-workers", ' +
  '"rotate-serviceaccount-key-complete", "rotate-serviceaccount-key-start", ' +
  '"rotate-serviceaccount-key-start-without-workers-rollout", "rotate-ssh-keypair"';

const OP = `metadata.annotations[${OPERATION_ANNOTATION}]`;
const MOP = `metadata.annotations[${MAINTENANCE_OPERATION_ANNOTATION}]`;

interface ShootOptions {
  op?: string;
  maint?: string;
  version?: string;
  hibernated?: boolean;
  isHibernated?: boolean;
  lastOperation?: { type: string; state: string } | null;
  rotation?: Record<string, string>;
  pending?: { autoInPlaceUpdate?: string[]; manualInPlaceUpdate?: string[] };
  workers?: { name: string; updateStrategy?: string }[];
  deleting?: boolean;
  encryptionSpec?: string[];
  encryptionStatus?: string[];
}

function shoot(o: ShootOptions = {}): Shoot {
  const annotations: Record<string, string> = {};
  if (o.op !== undefined) annotations[OPERATION_ANNOTATION] = o.op;
  if (o.maint !== undefined) annotations[MAINTENANCE_OPERATION_ANNOTATION] = o.maint;
  const rotation: Record<string, { phase: string }> = {};
  for (const [k, v] of Object.entries(o.rotation ?? {})) rotation[k] = { phase: v };
  const status: Record<string, unknown> = {
    credentials: {
      rotation,
      ...(o.encryptionStatus ? { encryptionAtRest: { resources: o.encryptionStatus } } : {}),
    },
  };
  if (o.lastOperation !== null) status.lastOperation = o.lastOperation ?? { type: 'Reconcile', state: 'Succeeded' };
  if (o.isHibernated) status.isHibernated = true;
  if (o.pending) status.inPlaceUpdates = { pendingWorkerUpdates: o.pending };
  return {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'Shoot',
    metadata: {
      name: 's',
      namespace: 'garden-p',
      annotations,
      ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
    spec: {
      kubernetes: {
        version: o.version ?? '1.33.2',
        ...(o.encryptionSpec ? { kubeAPIServer: { encryptionConfig: { resources: o.encryptionSpec } } } : {}),
      },
      provider: {
        type: 'local',
        workers: (o.workers ?? [{ name: 'w1' }, { name: 'w2' }]).map((w) => ({ machine: { type: 'm' }, ...w })),
      },
      ...(o.hibernated ? { hibernation: { enabled: true } } : {}),
    },
    status,
  };
}

describe('constants', () => {
  it('names the four annotations', () => {
    expect([OPERATION_ANNOTATION, MAINTENANCE_OPERATION_ANNOTATION, NEEDS_RETRY_ANNOTATION, TASKS_ANNOTATION]).toEqual([
      'gardener.cloud/operation',
      'maintenance.gardener.cloud/operation',
      'maintenance.shoot.gardener.cloud/needs-retry-operation',
      'shoot.gardener.cloud/tasks',
    ]);
  });
  it('lists the supported values sorted, with rotate-kubeconfig-credentials (docs/design.md, difference 5)', () => {
    expect(SUPPORTED_OPERATION_VALUES.map((v) => `"${v}"`).join(', ')).toBe(SUPPORTED);
  });
});

describe('parseOperations', () => {
  it.each([
    [undefined, []],
    ['', []],
    ['reconcile', ['reconcile']],
    [' reconcile ; rotate-ssh-keypair ', ['reconcile', 'rotate-ssh-keypair']],
    ['a;;b;', ['a', 'b']],
    [';', []],
  ])('%j → %j', (value, expected) => {
    expect(parseOperations(value)).toEqual(expected);
  });
});

describe('hasOperation', () => {
  it.each([
    ['reconcile', 'reconcile', true],
    ['rotate-ssh-keypair; reconcile', 'reconcile', true],
    ['reconciled', 'reconcile', false],
    [undefined, 'reconcile', false],
  ])('%j has %s: %s', (value, op, expected) => {
    expect(hasOperation(shoot({ op: value }), OPERATION_ANNOTATION, op)).toBe(expected);
  });
});

describe('validateOperationAnnotations', () => {
  const FORBIDDEN_HIBERNATED = (op: string, field = OP) => `${field}: Forbidden: operation '${op}' is not permitted when shoot is hibernated or is waking up`;

  it.each<[string, ShootOptions, string[]]>([
    // --- nothing to check
    ['no annotations', {}, []],
    ['empty values', { op: '', maint: ' ; ' }, []],
    ['a known op', { op: 'reconcile' }, []],
    ['kubeconfig rotation alone', { op: 'rotate-kubeconfig-credentials' }, []],
    ['kubeconfig rotation in parallel', { op: 'rotate-kubeconfig-credentials;rotate-ssh-keypair;reconcile' }, []],
    ['maintenance list may hold maintain (same set)', { maint: 'maintain' }, []],
    ['maintenance list may hold retry', { maint: 'retry' }, []],
    ['retry is not restricted to failed shoots', { op: 'retry' }, []],
    // --- item 1: unknown values, first only, gardener list first
    ['unknown op', { op: 'foo' }, [`${OP}: Unsupported value: "foo": supported values: ${SUPPORTED}`]],
    ['only the first unknown op', { op: 'foo-bar;baz' }, [`${OP}: Unsupported value: "foo-bar": supported values: ${SUPPORTED}`]],
    ['unknown maintenance op', { maint: 'bar' }, [`${MOP}: Unsupported value: "bar": supported values: ${SUPPORTED}`]],
    ['gardener list reported before maintenance list', { op: 'foo', maint: 'bar' }, [`${OP}: Unsupported value: "foo": supported values: ${SUPPORTED}`]],
    ['unknown op stops all other checks', { op: 'foo', maint: 'rotate-ca-complete' }, [`${OP}: Unsupported value: "foo": supported values: ${SUPPORTED}`]],
    // --- item 1: parallel
    ['maintain with others', { op: 'maintain;reconcile' }, [`${OP}: Forbidden: operation 'maintain' is not permitted to be run in parallel with other operations`]],
    ['retry with others', { op: 'reconcile;retry' }, [`${OP}: Forbidden: operation 'retry' is not permitted to be run in parallel with other operations`]],
    [
      'force-in-place-update with others in the maintenance list',
      { maint: 'force-in-place-update;reconcile' },
      [`${MOP}: Forbidden: operation 'force-in-place-update' is not permitted to be run in parallel with other operations`],
    ],
    ['duplicate maintain counts as several', { op: 'maintain;maintain' }, [`${OP}: Forbidden: operation 'maintain' is not permitted to be run in parallel with other operations`]],
    // --- item 2: shared op
    [
      'same op in both lists',
      { op: 'reconcile', maint: 'reconcile' },
      [
        `metadata.annotations: Forbidden: annotations ${OP} and ${MOP} must not have any equal operations`,
      ],
    ],
    // --- item 3: Kubernetes 1.34
    [
      'etcd key start on 1.34',
      { op: 'rotate-etcd-encryption-key-start', version: '1.34.0' },
      [
        `${OP}: Forbidden: for Kubernetes versions >= 1.34, operation 'rotate-etcd-encryption-key-start' is no longer supported, please use 'rotate-etcd-encryption-key' instead, which performs a complete etcd encryption key rotation`,
      ],
    ],
    [
      'etcd key complete in the maintenance list on 1.35 is reported on the operation field',
      { maint: 'rotate-etcd-encryption-key-complete', version: '1.35.1', rotation: { etcdEncryptionKey: 'Prepared' } },
      [
        `${OP}: Forbidden: for Kubernetes versions >= 1.34, operation 'rotate-etcd-encryption-key-complete' is no longer supported, please use 'rotate-etcd-encryption-key' instead, which performs a complete etcd encryption key rotation`,
      ],
    ],
    ['etcd key start on 1.33 is fine', { op: 'rotate-etcd-encryption-key-start', version: '1.33.9' }, []],
    // --- item 3: incompatible pairs
    [
      'credentials start with its without-workers variant',
      { op: 'rotate-credentials-start;rotate-credentials-start-without-workers-rollout' },
      [
        `${OP}: Forbidden: operation 'rotate-credentials-start' is not permitted to be run together with rotate-ca-start-without-workers-rollout, rotate-serviceaccount-key-start-without-workers-rollout, rotate-credentials-start-without-workers-rollout operations`,
      ],
    ],
    [
      'CA start pair in the maintenance list',
      { maint: 'rotate-ca-start;rotate-ca-start-without-workers-rollout' },
      [
        `${MOP}: Forbidden: operation 'rotate-ca-start' is not permitted to be run together with rotate-ca-start-without-workers-rollout maintenance operations`,
      ],
    ],
    [
      'without-workers credentials start with CA and SA start',
      { op: 'rotate-credentials-start-without-workers-rollout;rotate-ca-start;rotate-serviceaccount-key-start' },
      [
        `${OP}: Forbidden: operation 'rotate-credentials-start-without-workers-rollout' is not permitted to be run together with rotate-ca-start, rotate-serviceaccount-key-start operations`,
      ],
    ],
    [
      'SA key pair',
      { op: 'rotate-serviceaccount-key-start;rotate-serviceaccount-key-start-without-workers-rollout' },
      [
        `${OP}: Forbidden: operation 'rotate-serviceaccount-key-start' is not permitted to be run together with rotate-serviceaccount-key-start-without-workers-rollout operations`,
      ],
    ],
    [
      'etcd key with etcd key start',
      { op: 'rotate-etcd-encryption-key;rotate-etcd-encryption-key-start' },
      [
        `${OP}: Forbidden: operation 'rotate-etcd-encryption-key' is not permitted to be run together with rotate-etcd-encryption-key-start operations`,
      ],
    ],
    // --- item 3: hibernation
    ['hibernated: CA completion is fine (not in the set)', { op: 'rotate-ca-complete', hibernated: true, rotation: { certificateAuthorities: 'Prepared' } }, []],
    ['hibernated: SA start', { op: 'rotate-serviceaccount-key-start', hibernated: true }, [FORBIDDEN_HIBERNATED('rotate-serviceaccount-key-start')]],
    ['waking up (status.isHibernated): etcd key', { op: 'rotate-etcd-encryption-key', isHibernated: true }, [FORBIDDEN_HIBERNATED('rotate-etcd-encryption-key')]],
    [
      'hibernated: rollout-workers in the maintenance list, plus the hibernation rule does not apply to rollouts',
      { maint: 'rollout-workers=w1', hibernated: true },
      [FORBIDDEN_HIBERNATED('rollout-workers=w1', MOP)],
    ],
    [
      'hibernated: credentials start in the maintenance list (item 6 too)',
      { maint: 'rotate-credentials-start', hibernated: true },
      [
        FORBIDDEN_HIBERNATED('rotate-credentials-start', MOP),
        'spec.hibernation.enabled: Forbidden: shoot cannot be hibernated when maintenance.gardener.cloud/operation annotation contains rotate-credentials-start operation',
      ],
    ],
    // --- item 3: encryption configuration rolling out
    [
      'encryption change rolling out blocks etcd key rotation',
      { op: 'rotate-etcd-encryption-key', encryptionSpec: ['configmaps'], encryptionStatus: [] },
      [`${OP}: Forbidden: operation 'rotate-etcd-encryption-key' is not permitted because a previous encryption configuration change is currently being rolled out`],
    ],
    ['encryption rolled out', { op: 'rotate-etcd-encryption-key', encryptionSpec: ['deployments.apps', 'configmaps'], encryptionStatus: ['configmaps', 'deployments.apps'] }, []],
    ['encryption rolling out does not block CA start', { op: 'rotate-ca-start', encryptionSpec: ['configmaps'] }, []],
    // --- item 4: cross conflicts
    [
      'maintenance credentials start vs CA start and etcd key now',
      { op: 'rotate-etcd-encryption-key;rotate-ca-start', maint: 'rotate-credentials-start' },
      [`${OP}: Forbidden: operation 'rotate-ca-start, rotate-etcd-encryption-key' is not permitted when maintenance operation is 'rotate-credentials-start'`],
    ],
    [
      'maintenance credentials complete vs CA complete now',
      { op: 'rotate-ca-complete', maint: 'rotate-credentials-complete', rotation: { certificateAuthorities: 'Prepared', serviceAccountKey: 'Prepared', etcdEncryptionKey: 'Prepared' } },
      [`${OP}: Forbidden: operation 'rotate-ca-complete' is not permitted when maintenance operation is 'rotate-credentials-complete'`],
    ],
    [
      'credentials start now vs SA start in maintenance',
      { op: 'rotate-credentials-start-without-workers-rollout', maint: 'rotate-serviceaccount-key-start-without-workers-rollout;rotate-ca-start' },
      [
        `${OP}: Forbidden: operation 'rotate-credentials-start-without-workers-rollout' is not permitted when maintenance operation is 'rotate-ca-start, rotate-serviceaccount-key-start-without-workers-rollout'`,
      ],
    ],
    // --- item 5: context
    [
      'credentials start before the shoot was created',
      { op: 'rotate-credentials-start', lastOperation: { type: 'Create', state: 'Processing' } },
      [`${OP}: Forbidden: cannot start rotation of all credentials if shoot was not yet created successfully or is not ready for reconciliation`],
    ],
    ['credentials start after a successful create', { op: 'rotate-credentials-start', lastOperation: { type: 'Create', state: 'Succeeded' } }, []],
    ['CA start after a successful restore', { op: 'rotate-ca-start', lastOperation: { type: 'Restore', state: 'Succeeded' } }, []],
    ['CA start during any reconcile', { op: 'rotate-ca-start', lastOperation: { type: 'Reconcile', state: 'Error' } }, []],
    [
      'CA start without lastOperation',
      { op: 'rotate-ca-start', lastOperation: null },
      [`${OP}: Forbidden: cannot start CA rotation if shoot was not yet created successfully or is not ready for reconciliation`],
    ],
    [
      'credentials start while rotations are in progress and in-place updates pending',
      {
        op: 'rotate-credentials-start',
        rotation: { certificateAuthorities: 'Preparing', serviceAccountKey: 'Prepared', etcdEncryptionKey: 'Completing' },
        pending: { autoInPlaceUpdate: ['w1'], manualInPlaceUpdate: ['w2'] },
      },
      [
        `${OP}: Forbidden: cannot start rotation of all credentials if .status.credentials.rotation.certificateAuthorities.phase is not 'Completed'`,
        `${OP}: Forbidden: cannot start rotation of all credentials if .status.credentials.rotation.serviceAccountKey.phase is not 'Completed'`,
        `${OP}: Forbidden: cannot start rotation of all credentials if .status.credentials.rotation.etcdEncryptionKey.phase is not 'Completed'`,
        `${OP}: Forbidden: cannot start rotation of all credentials if status.inPlaceUpdates.pendingWorkerUpdates.autoInPlaceUpdate is not empty`,
        `${OP}: Forbidden: cannot start rotation of all credentials if status.inPlaceUpdates.pendingWorkerUpdates.manualInPlaceUpdate is not empty`,
      ],
    ],
    [
      'credentials complete when nothing is prepared (1.33 needs etcd too)',
      { op: 'rotate-credentials-complete' },
      [
        `${OP}: Forbidden: cannot complete rotation of all credentials if .status.credentials.rotation.certificateAuthorities.phase is not 'Prepared'`,
        `${OP}: Forbidden: cannot complete rotation of all credentials if .status.credentials.rotation.serviceAccountKey.phase is not 'Prepared'`,
        `${OP}: Forbidden: cannot complete rotation of all credentials if .status.credentials.rotation.etcdEncryptionKey.phase is not 'Prepared'`,
      ],
    ],
    [
      'credentials complete on 1.34 does not need etcd',
      { op: 'rotate-credentials-complete', version: '1.34.1', rotation: { certificateAuthorities: 'Prepared', serviceAccountKey: 'Prepared' } },
      [],
    ],
    [
      'CA complete, SA complete and etcd complete unprepared',
      { op: 'rotate-ca-complete;rotate-serviceaccount-key-complete;rotate-etcd-encryption-key-complete' },
      [
        `${OP}: Forbidden: cannot complete CA rotation if .status.credentials.rotation.certificateAuthorities.phase is not 'Prepared'`,
        `${OP}: Forbidden: cannot complete service account key rotation if .status.credentials.rotation.serviceAccountKey.phase is not 'Prepared'`,
        `${OP}: Forbidden: cannot complete ETCD encryption key rotation if .status.credentials.rotation.etcdEncryptionKey.phase is not 'Prepared'`,
      ],
    ],
    [
      'SA start and etcd start when their rotations run',
      { op: 'rotate-serviceaccount-key-start;rotate-etcd-encryption-key', rotation: { serviceAccountKey: 'Preparing', etcdEncryptionKey: 'Prepared' } },
      [
        `${OP}: Forbidden: cannot start service account key rotation if .status.credentials.rotation.serviceAccountKey.phase is not 'Completed'`,
        `${OP}: Forbidden: cannot start ETCD encryption key rotation if .status.credentials.rotation.etcdEncryptionKey.phase is not 'Completed'`,
      ],
    ],
    [
      'CA start with pending manual in-place updates',
      { op: 'rotate-ca-start', pending: { manualInPlaceUpdate: ['w1'] } },
      [`${OP}: Forbidden: cannot start CA rotation if status.inPlaceUpdates.pendingWorkerUpdates.manualInPlaceUpdate is not empty`],
    ],
    [
      'maintenance op context is checked',
      { maint: 'rotate-ca-complete' },
      [`${MOP}: Forbidden: cannot complete CA rotation if .status.credentials.rotation.certificateAuthorities.phase is not 'Prepared'`],
    ],
    ['maintenance op context is not checked during deletion', { maint: 'rotate-ca-complete', deleting: true }, []],
    [
      'gardener op context is checked during deletion',
      { op: 'rotate-ca-complete', deleting: true },
      [`${OP}: Forbidden: cannot complete CA rotation if .status.credentials.rotation.certificateAuthorities.phase is not 'Prepared'`],
    ],
    // --- item 5: worker rollouts
    ['rotate-rollout-workers while waiting', { op: 'rotate-rollout-workers=w1,w2', rotation: { certificateAuthorities: 'WaitingForWorkersRollout' } }, []],
    [
      'rotate-rollout-workers without waiting phase, unknown and duplicate pools',
      { op: 'rotate-rollout-workers=w1,w1,nope' },
      [
        `${OP}: Forbidden: either .status.credentials.rotation.certificateAuthorities.phase or .status.credentials.rotation.serviceAccountKey.phase must be in 'WaitingForWorkersRollout' in order to trigger workers rollout`,
        `${OP}: Duplicate value: "pool name w1 was specified multiple times"`,
        `${OP}: Invalid value: "nope": worker pool name nope does not exist in .spec.provider.workers[]`,
      ],
    ],
    [
      'rotate-rollout-workers without pools',
      { op: 'rotate-rollout-workers=', rotation: { serviceAccountKey: 'WaitingForWorkersRollout' } },
      [
        `${OP}: Required value: must provide at least one pool name via rotate-rollout-workers=<poolName1>[,<poolName2>,...]`,
        `${OP}: Invalid value: "": worker pool name  does not exist in .spec.provider.workers[]`,
      ],
    ],
    ['rollout-workers=*', { op: 'rollout-workers=*' }, []],
    ['rollout-workers of named pools', { op: 'rollout-workers=w2;reconcile' }, []],
    [
      'rollout-workers mixing * with names',
      { op: 'rollout-workers=*,w1' },
      [
        `${OP}: Forbidden: if '*' is provided, no other pool names are allowed`,
        `${OP}: Invalid value: "*": worker pool name * does not exist in .spec.provider.workers[]`,
      ],
    ],
    [
      'rollout-workers of an in-place pool',
      { op: 'rollout-workers=*', workers: [{ name: 'w1', updateStrategy: 'AutoInPlaceUpdate' }, { name: 'w2' }] },
      [`${OP}: Invalid value: "w1": worker pool w1 is using in-place update strategy; manual worker pool rollout is not supported for such pools`],
    ],
    [
      'rollout-workers= without pools',
      { maint: 'rollout-workers=' },
      [
        `${MOP}: Required value: must provide either '*' or at least one pool name via rollout-workers=<poolName1>[,<poolName2>,...]`,
        `${MOP}: Invalid value: "": worker pool name  does not exist in .spec.provider.workers[]`,
      ],
    ],
    [
      'rollout-workers without "=" takes the whole value as pool list (as Go TrimPrefix does)',
      { maint: 'rollout-workers' },
      [`${MOP}: Invalid value: "rollout-workers": worker pool name rollout-workers does not exist in .spec.provider.workers[]`],
    ],
    // --- item 6 alone
    [
      'hibernation requested while an SA completion is scheduled',
      { maint: 'rotate-serviceaccount-key-complete', hibernated: true, rotation: { serviceAccountKey: 'Prepared' } },
      [
        FORBIDDEN_HIBERNATED('rotate-serviceaccount-key-complete', MOP),
        'spec.hibernation.enabled: Forbidden: shoot cannot be hibernated when maintenance.gardener.cloud/operation annotation contains rotate-serviceaccount-key-complete operation',
      ],
    ],
  ])('%s', (_name, options, expected) => {
    const errors = validateOperationAnnotations(shoot(options));
    expect(errors.map((e) => renderFieldErrors([e]))).toEqual(expected);
  });

  it('reads the status from the old object when the request carries none', () => {
    const live = shoot({ rotation: { certificateAuthorities: 'Prepared' } });
    const update = shoot({ op: 'rotate-ca-complete' });
    delete update.status;
    expect(validateOperationAnnotations(update, live)).toEqual([]);
    expect(validateOperationAnnotations(update)).toHaveLength(1);
  });
});
