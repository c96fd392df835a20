import { describe, expect, it } from 'vitest';
import { renderPlanText } from '../../../src/commands/plan-text.js';
import type { CloudProfile } from '../../../src/core/cloudprofile-types.js';
import { indexCloudProfile } from '../../../src/core/cloudprofile.js';
import { credentialRotationsDue } from '../../../src/core/credential-rotation.js';
import { buildMaintenanceEvents, buildMaintenanceMessages } from '../../../src/core/maintenance-messages.js';
import { plan, planToJson } from '../../../src/core/maintenance.js';
import { MAINTENANCE_OPERATION_ANNOTATION, OPERATION_ANNOTATION, validateOperationAnnotations } from '../../../src/core/operations.js';
import type { Shoot } from '../../../src/core/shoot.js';

// Gardener's texts (pkg/controllermanager/controller/shoot/maintenance/reconciler.go,
// computeCredentialsToRotationResults), written out here so that a changed text fails.
const SSH = { ok: true, description: 'SSH keypair rotation started', reason: 'Automatic rotation of SSH keypair configured' };
const OBSERVABILITY = { ok: true, description: 'Observability passwords rotation started', reason: 'Automatic rotation of observability passwords configured' };
const ETCD = { ok: true, description: 'ETCD Encryption key rotation started', reason: 'Automatic rotation of etcd encryption key configured' };
const ETCD_IN_PROGRESS = { ok: false, description: 'Could not start ETCD encryption key rotation', reason: 'ETCD encryption key rotation is already in progress' };

const NOW = new Date('2026-03-10T10:20:00Z');
const hoursBefore = (h: number) => new Date(NOW.getTime() - h * 3600e3).toISOString();

type Periods = { sshKeypair?: string; observability?: string; etcdEncryptionKey?: string };
type Rotation = { lastCompletionTime?: string; phase?: string };

/** The shoot of Gardener's BeforeEach: every period 24h, one worker, no creationTimestamp, no status. */
function shoot(options: {
  periods?: Periods;
  creationTimestamp?: string;
  rotation?: { sshKeypair?: Rotation; observability?: Rotation; etcdEncryptionKey?: Rotation };
  hibernated?: boolean;
  workers?: number;
  sshAccess?: { enabled?: boolean };
  lastOperationState?: string;
  annotations?: Record<string, string>;
} = {}): Shoot {
  const periods = options.periods ?? { sshKeypair: '24h', observability: '24h', etcdEncryptionKey: '24h' };
  const credentials = Object.fromEntries(Object.entries(periods).map(([k, p]) => [k, { rotationPeriod: p }]));
  return {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'Shoot',
    metadata: {
      name: 'shoot',
      namespace: 'garden-dev',
      ...(options.creationTimestamp ? { creationTimestamp: options.creationTimestamp } : {}),
      ...(options.annotations ? { annotations: options.annotations } : {}),
    },
    spec: {
      cloudProfileName: 'local',
      kubernetes: { version: '1.32.0' },
      provider: {
        type: 'local',
        workers: Array.from({ length: options.workers ?? 1 }, (_, i) => ({ name: `worker${i === 0 ? '' : i}`, machine: { type: 'm5.large' } })),
        ...(options.sshAccess ? { workersSettings: { sshAccess: options.sshAccess } } : {}),
      },
      maintenance: {
        autoUpdate: { kubernetesVersion: false, machineImageVersion: false },
        timeWindow: { begin: '100000+0000', end: '110000+0000' },
        autoRotation: { credentials },
      },
      ...(options.hibernated ? { hibernation: { enabled: true } } : {}),
    },
    status: {
      ...(options.lastOperationState ? { lastOperation: { type: 'Reconcile', state: options.lastOperationState } } : {}),
      ...(options.rotation ? { credentials: { rotation: options.rotation } } : {}),
    },
  };
}

const results = (s: Shoot) => Object.fromEntries(credentialRotationsDue(s, NOW).map(({ operation, result }) => [operation, result]));

// The cases of Gardener's reconciler_test.go, Describe("#computeCredentialsToRotationResults").
describe('credentialRotationsDue (Gardener computeCredentialsToRotationResults)', () => {
  it.each<{ name: string; shoot: Shoot; want: Record<string, unknown> }>([
    {
      name: 'empty results if no credentials rotation is required (all periods 0)',
      shoot: shoot({ periods: { sshKeypair: '0', observability: '0s', etcdEncryptionKey: '0h' } }),
      want: {},
    },
    {
      name: 'successful results for all credentials rotation (no creationTimestamp: Go zero time)',
      shoot: shoot(),
      want: { 'rotate-ssh-keypair': SSH, 'rotate-observability-credentials': OBSERVABILITY, 'rotate-etcd-encryption-key': ETCD },
    },
    {
      name: 'successful results only when the rotation period has passed (last completions 48h, 72h, 96h ago)',
      shoot: shoot({
        rotation: {
          sshKeypair: { lastCompletionTime: hoursBefore(48) },
          observability: { lastCompletionTime: hoursBefore(72) },
          etcdEncryptionKey: { lastCompletionTime: hoursBefore(96) },
        },
      }),
      want: { 'rotate-ssh-keypair': SSH, 'rotate-observability-credentials': OBSERVABILITY, 'rotate-etcd-encryption-key': ETCD },
    },
    {
      name: 'successful results when the rotation period has passed for a newly created Shoot (created 48h ago, no status)',
      shoot: shoot({ creationTimestamp: hoursBefore(48) }),
      want: { 'rotate-ssh-keypair': SSH, 'rotate-observability-credentials': OBSERVABILITY, 'rotate-etcd-encryption-key': ETCD },
    },
    {
      name: 'fails the etcd encryption key rotation when one is in progress (phase Prepared)',
      shoot: shoot({ periods: { sshKeypair: '0', observability: '0', etcdEncryptionKey: '24h' }, rotation: { etcdEncryptionKey: { phase: 'Prepared' } } }),
      want: { 'rotate-etcd-encryption-key': ETCD_IN_PROGRESS },
    },
    {
      name: 'no etcd encryption key rotation when the shoot is hibernated',
      shoot: shoot({ periods: { sshKeypair: '0', observability: '0', etcdEncryptionKey: '24h' }, hibernated: true }),
      want: {},
    },
    {
      name: 'no results when the rotation period has not passed (completed now, 1h, 4h ago; created 48h ago)',
      shoot: shoot({
        creationTimestamp: hoursBefore(48),
        rotation: {
          sshKeypair: { lastCompletionTime: hoursBefore(0) },
          observability: { lastCompletionTime: hoursBefore(1) },
          etcdEncryptionKey: { lastCompletionTime: hoursBefore(4) },
        },
      }),
      want: {},
    },
    {
      name: 'no results when the Shoot is newly created (creationTimestamp = now)',
      shoot: shoot({ creationTimestamp: hoursBefore(0) }),
      want: {},
    },
    // Beyond Gardener's table, from the helpers it calls (pkg/api/core/v1beta1/helper/shoot.go).
    {
      name: 'strict Before: a last completion exactly one period ago is not due yet',
      shoot: shoot({ creationTimestamp: hoursBefore(100), rotation: { sshKeypair: { lastCompletionTime: hoursBefore(24) }, observability: { lastCompletionTime: hoursBefore(24) }, etcdEncryptionKey: { lastCompletionTime: hoursBefore(24) } } }),
      want: {},
    },
    {
      name: 'one second more than a period ago is due',
      shoot: shoot({
        creationTimestamp: hoursBefore(100),
        periods: { observability: '24h' },
        rotation: { observability: { lastCompletionTime: new Date(NOW.getTime() - 24 * 3600e3 - 1000).toISOString() } },
      }),
      want: { 'rotate-observability-credentials': OBSERVABILITY },
    },
    {
      name: 'the ETCD key after a completed rotation (phase Completed) starts again',
      shoot: shoot({ periods: { etcdEncryptionKey: '24h' }, rotation: { etcdEncryptionKey: { phase: 'Completed', lastCompletionTime: hoursBefore(25) } } }),
      want: { 'rotate-etcd-encryption-key': ETCD },
    },
    {
      name: 'ShootEnablesSSHAccess: no SSH keypair rotation for a workerless shoot',
      shoot: shoot({ periods: { sshKeypair: '24h' }, workers: 0 }),
      want: {},
    },
    {
      name: 'ShootEnablesSSHAccess: sshAccess.enabled false',
      shoot: shoot({ periods: { sshKeypair: '24h' }, sshAccess: { enabled: false } }),
      want: {},
    },
    {
      name: 'ShootEnablesSSHAccess: sshAccess {} (enabled is a Go bool: false)',
      shoot: shoot({ periods: { sshKeypair: '24h' }, sshAccess: {} }),
      want: {},
    },
    {
      name: 'ShootEnablesSSHAccess: sshAccess.enabled true',
      shoot: shoot({ periods: { sshKeypair: '24h' }, sshAccess: { enabled: true } }),
      want: { 'rotate-ssh-keypair': SSH },
    },
    {
      name: 'hibernation skips only the ETCD key',
      shoot: shoot({ hibernated: true }),
      want: { 'rotate-ssh-keypair': SSH, 'rotate-observability-credentials': OBSERVABILITY },
    },
  ])('$name', ({ shoot: s, want }) => {
    expect(results(s)).toEqual(want);
  });

  it('a rotation config without rotationPeriod has Gardener\'s default of 7d (defaults_shoot.go, SetDefaults_MaintenanceRotationConfig)', () => {
    const s = shoot({ periods: {}, creationTimestamp: hoursBefore(200) });
    s.spec.maintenance = { ...s.spec.maintenance, autoRotation: { credentials: { observability: {} } } };
    expect(results(s)).toEqual({ 'rotate-observability-credentials': OBSERVABILITY });
    s.metadata.creationTimestamp = hoursBefore(7 * 24);
    expect(results(s)).toEqual({});
  });

  it('an unreadable lastCompletionTime starts no rotation', () => {
    expect(results(shoot({ periods: { observability: '24h' }, rotation: { observability: { lastCompletionTime: 'yesterday' } } }))).toEqual({});
  });
});

function profile(): CloudProfile {
  return {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'CloudProfile',
    metadata: { name: 'local' },
    spec: { kubernetes: { versions: [{ version: '1.32.0' }] }, machineImages: [], machineTypes: [{ name: 'm5.large' }] },
  };
}
const run = (s: Shoot) => plan(s, indexCloudProfile(profile()), NOW, { forceUpdateVanishedVersions: false });

// Gardener's reconciler_test.go, DescribeTable("#getOperation"), for the entries that come from
// rotation results; here the results come from the shoot. Gardener iterates a map (its test uses
// ConsistOf); this project adds the rotations in the order of the checks.
describe('plan: the operation annotation with rotations (Gardener maintainOperation, getOperation)', () => {
  const only = (periods: Periods, extra: Parameters<typeof shoot>[0] = {}) => shoot({ periods, lastOperationState: 'Succeeded', ...extra });
  const maintenanceOp = (op: string) => ({ annotations: { [MAINTENANCE_OPERATION_ANNOTATION]: op } });
  it.each<{ name: string; shoot: Shoot; want: string }>([
    { name: 'rotate-ssh-keypair maintenance op, observability due', shoot: only({ observability: '24h' }, maintenanceOp('rotate-ssh-keypair')), want: 'rotate-ssh-keypair;reconcile;rotate-observability-credentials' },
    { name: 'rotate-observability-credentials maintenance op, etcd key due', shoot: only({ etcdEncryptionKey: '24h' }, maintenanceOp('rotate-observability-credentials')), want: 'rotate-observability-credentials;reconcile;rotate-etcd-encryption-key' },
    { name: 'rotate-ssh-keypair maintenance op and due: appended again, no de-duplication', shoot: only({ sshKeypair: '24h' }, maintenanceOp('rotate-ssh-keypair')), want: 'rotate-ssh-keypair;reconcile;rotate-ssh-keypair' },
    { name: 'rotate-credentials-start maintenance op, observability due', shoot: only({ observability: '24h' }, maintenanceOp('rotate-credentials-start')), want: 'rotate-credentials-start;reconcile;rotate-observability-credentials' },
    { name: 'no rotate-etcd-encryption-key beside rotate-etcd-encryption-key-start', shoot: only({ etcdEncryptionKey: '24h' }, maintenanceOp('rotate-etcd-encryption-key-start')), want: 'rotate-etcd-encryption-key-start;reconcile' },
    { name: 'a failed rotation adds nothing: reconcile only', shoot: only({ etcdEncryptionKey: '24h' }, { rotation: { etcdEncryptionKey: { phase: 'Preparing' } } }), want: 'reconcile' },
    { name: 'all operations', shoot: only({ sshKeypair: '24h', observability: '24h', etcdEncryptionKey: '24h' }, maintenanceOp('rotate-credentials-start')), want: 'rotate-credentials-start;reconcile;rotate-ssh-keypair;rotate-observability-credentials;rotate-etcd-encryption-key' },
  ])('$name', ({ shoot: s, want }) => {
    const p = run(s);
    expect(p.operationAnnotation.to).toBe(want);
    expect(p.shoot.metadata.annotations?.[MAINTENANCE_OPERATION_ANNOTATION]).toBeUndefined();
    expect(p.operations).toEqual(want === 'reconcile' ? [] : [`Added "${want}" operation annotation`]);
  });

  it('a failed last operation: no rotation is added to the annotation, the texts still report it (as Gardener)', () => {
    const p = run(shoot({ periods: { observability: '24h' }, lastOperationState: 'Failed' }));
    expect(p.operationAnnotation.to).toBeUndefined();
    expect(p.lastMaintenance.description).toBe(
      'All maintenance operations successful. Credentials "rotate-observability-credentials": Observability passwords rotation started. Reason: Automatic rotation of observability passwords configured',
    );
  });

  it('the annotation the run writes passes the validating webhook\'s operation rules', () => {
    const p = run(shoot({ lastOperationState: 'Succeeded' }));
    expect(p.shoot.metadata.annotations?.[OPERATION_ANNOTATION]).toBe('reconcile;rotate-ssh-keypair;rotate-observability-credentials;rotate-etcd-encryption-key');
    expect(validateOperationAnnotations(p.shoot)).toEqual([]);
  });
});

describe('plan: status.lastMaintenance, Events and the plan output of rotations', () => {
  it('describes every rotation after the version items; a rotation in progress fails the run (buildMaintenanceMessages)', () => {
    const p = run(shoot({ lastOperationState: 'Succeeded', rotation: { etcdEncryptionKey: { phase: 'Preparing' } } }));
    expect(p.requiresPatch).toBe(true);
    expect(p.lastMaintenance).toEqual({
      state: 'Failed',
      description:
        '(2/3) maintenance operations successful. Credentials "rotate-ssh-keypair": SSH keypair rotation started. Reason: Automatic rotation of SSH keypair configured, ' +
        'Credentials "rotate-observability-credentials": Observability passwords rotation started. Reason: Automatic rotation of observability passwords configured, ' +
        'Credentials "rotate-etcd-encryption-key": Automatic rotation failed. Reason for update: ETCD encryption key rotation is already in progress, ' +
        'Added "reconcile;rotate-ssh-keypair;rotate-observability-credentials" operation annotation',
      failureReason: 'Credentials "rotate-etcd-encryption-key": Automatic rotation failure due to: Could not start ETCD encryption key rotation',
    });
    // Gardener records no Event for credential rotations.
    expect(p.events).toEqual([]);
  });

  it('plan -o json lists the rotations; -o text shows one line each', () => {
    const p = run(shoot({ periods: { observability: '24h', etcdEncryptionKey: '24h' }, lastOperationState: 'Succeeded', rotation: { etcdEncryptionKey: { phase: 'Prepared' } } }));
    expect(planToJson(p).credentialRotations).toEqual([
      { operation: 'rotate-observability-credentials', description: OBSERVABILITY.description, reason: OBSERVABILITY.reason },
      { operation: 'rotate-etcd-encryption-key', reason: ETCD_IN_PROGRESS.reason, error: ETCD_IN_PROGRESS.description },
    ]);
    const text = renderPlanText(p);
    expect(text).toContain('  Credentials "rotate-observability-credentials": Observability passwords rotation started (Automatic rotation of observability passwords configured)\n');
    expect(text).toContain('  Credentials "rotate-etcd-encryption-key": ERROR: Could not start ETCD encryption key rotation (ETCD encryption key rotation is already in progress)\n');
    expect(text).toContain('  Annotation gardener.cloud/operation: (none) -> reconcile;rotate-observability-credentials\n');
  });

  it('nothing due: no rotation lines and an empty list', () => {
    const p = run(shoot({ creationTimestamp: hoursBefore(1), lastOperationState: 'Succeeded' }));
    expect(p.credentialRotations).toEqual([]);
    expect(renderPlanText(p)).not.toContain('Credentials');
  });
});

// Gardener's reconciler_test.go, Describe("#buildMaintenanceMessages"): the credentials entries.
describe('buildMaintenanceMessages: credentials (Gardener reconciler_test.go)', () => {
  const none = { controlPlane: undefined, workerKubernetes: [], workerMachineImages: [], operations: [] };
  it.each([
    {
      name: 'successful credentials rotation',
      credentials: [{ operation: 'ssh-keypair', result: { ok: true as const, description: 'Rotated SSH keypair', reason: 'Rotation period elapsed' } }],
      description: 'All maintenance operations successful. Credentials "ssh-keypair": Rotated SSH keypair. Reason: Rotation period elapsed',
      failureReason: '',
    },
    {
      name: 'failed credentials rotation',
      credentials: [{ operation: 'ssh-keypair', result: { ok: false as const, description: 'rotation prerequisites not met', reason: 'Rotation period elapsed' } }],
      description: '(0/1) maintenance operations successful. Credentials "ssh-keypair": Automatic rotation failed. Reason for update: Rotation period elapsed',
      failureReason: 'Credentials "ssh-keypair": Automatic rotation failure due to: rotation prerequisites not met',
    },
  ])('$name', ({ credentials, description, failureReason }) => {
    expect(buildMaintenanceMessages({ ...none, credentials })).toEqual({ description, failureReason });
    expect(buildMaintenanceEvents({ ...none, credentials })).toEqual([]);
  });
});
