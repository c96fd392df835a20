import { describe, expect, it } from 'vitest';
import type { CloudProfile, ExpirableVersion, MachineImageVersion } from '../../../src/core/cloudprofile-types.js';
import { indexCloudProfile } from '../../../src/core/cloudprofile.js';
import { buildMaintenanceMessages } from '../../../src/core/maintenance-messages.js';
import {
  MACHINE_IMAGE_MAINTENANCE_STOPPED,
  type MaintenanceOptions,
  plan,
  planToJson,
  shootChanged,
} from '../../../src/core/maintenance.js';
import {
  MAINTENANCE_OPERATION_ANNOTATION,
  NEEDS_RETRY_ANNOTATION,
  OPERATION_ANNOTATION,
  TASKS_ANNOTATION,
} from '../../../src/core/operations.js';
import { PENDING_SPEC_ANNOTATION } from '../../../src/core/rollout.js';
import { renderPlanText } from '../../../src/commands/plan-text.js';
import type { Shoot, Worker } from '../../../src/core/shoot.js';

const NOW = new Date('2026-03-10T10:20:00Z');
const PAST = '2020-01-01T00:00:00Z';
const FUTURE = '2099-01-01T00:00:00Z';
const DEFAULTS: MaintenanceOptions = { forceUpdateVanishedVersions: false };
const ALL_TASKS =
  'deployInfrastructure,deployDNSRecordInternal,deployDNSRecordExternal,deployDNSRecordIngress,restartControlPlanePods';
const EXPIRED_K8S = 'Kubernetes version expired - force update required';
const AUTO_K8S = 'Automatic update of Kubernetes version configured';
const VANISHED = 'Version does not exist in CloudProfile';

const expired = (version: string): ExpirableVersion => ({ version, expirationDate: PAST });
const v = (version: string): ExpirableVersion => ({ version });
const image = (version: string, extra: Partial<MachineImageVersion> = {}): MachineImageVersion => ({
  version,
  cri: [{ name: 'containerd' }],
  architectures: ['amd64'],
  ...extra,
});

function profile(options: {
  kubernetes?: ExpirableVersion[];
  images?: { name: string; updateStrategy?: string; versions: MachineImageVersion[] }[];
} = {}): CloudProfile {
  return {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'CloudProfile',
    metadata: { name: 'local' },
    spec: {
      kubernetes: { versions: options.kubernetes ?? [v('1.10.0'), v('1.10.5'), v('1.11.0')] },
      machineImages: options.images ?? [{ name: 'coreos', versions: [image('2135.6.0'), image('2191.5.0')] }],
      machineTypes: [{ name: 'm5.large', architecture: 'amd64' }],
    },
  };
}

function worker(name: string, imageVersion = '2135.6.0', extra: Partial<Worker> = {}): Worker {
  return { name, machine: { type: 'm5.large', image: { name: 'coreos', version: imageVersion } }, ...extra };
}

function shoot(options: {
  version?: string;
  autoK8s?: boolean;
  autoImage?: boolean;
  workers?: Worker[];
  annotations?: Record<string, string>;
  lastOperationState?: string | null;
  window?: { begin: string; end: string } | null;
  lastMaintenance?: Shoot['status'] extends infer S ? (S extends { lastMaintenance?: infer L } ? L : never) : never;
} = {}): Shoot {
  const lastOperationState = options.lastOperationState === undefined ? 'Succeeded' : options.lastOperationState;
  const window = options.window === undefined ? { begin: '100000+0000', end: '110000+0000' } : options.window;
  return {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'Shoot',
    metadata: { name: 'demo', namespace: 'garden-dev', ...(options.annotations ? { annotations: options.annotations } : {}) },
    spec: {
      cloudProfileName: 'local',
      kubernetes: { version: options.version ?? '1.10.0' },
      provider: { type: 'local', workers: options.workers ?? [] },
      maintenance: {
        autoUpdate: { kubernetesVersion: options.autoK8s ?? false, machineImageVersion: options.autoImage ?? false },
        ...(window ? { timeWindow: window } : {}),
      },
    },
    status: {
      ...(lastOperationState === null ? {} : { lastOperation: { type: 'Reconcile', state: lastOperationState } }),
      ...(options.lastMaintenance ? { lastMaintenance: options.lastMaintenance } : {}),
    },
  };
}

const run = (s: Shoot, p: CloudProfile = profile(), options: MaintenanceOptions = DEFAULTS, now = NOW) =>
  plan(s, indexCloudProfile(p), now, options);

describe('plan: control-plane Kubernetes version (Gardener maintainKubernetesVersion; docs/design.md, difference 6)', () => {
  it.each([
    {
      name: 'user docs: 1.10.0 with 1.10.5 and 1.11.0 → 1.10.5, never 1.11.0',
      shoot: shoot({ version: '1.10.0', autoK8s: true }),
      profile: profile({ kubernetes: [v('1.10.0'), v('1.10.5'), v('1.11.0')] }),
      options: DEFAULTS,
      want: { from: '1.10.0', to: '1.10.5', reason: AUTO_K8S, forced: false },
    },
    {
      name: 'no auto-update, supported version → nothing',
      shoot: shoot({ version: '1.10.0', autoK8s: false }),
      profile: profile({ kubernetes: [v('1.10.0'), v('1.10.5'), v('1.11.0')] }),
      options: DEFAULTS,
      want: null,
    },
    {
      name: 'user docs: expired 1.10.12 → 1.10.13 even with auto-update off',
      shoot: shoot({ version: '1.10.12', autoK8s: false }),
      profile: profile({ kubernetes: [expired('1.10.12'), v('1.10.13'), v('1.11.0')] }),
      options: DEFAULTS,
      want: { from: '1.10.12', to: '1.10.13', reason: EXPIRED_K8S, forced: true },
    },
    {
      name: 'expired, no higher patch → next minor (highest non-expired of it), never skipping a minor',
      shoot: shoot({ version: '1.10.13' }),
      profile: profile({ kubernetes: [expired('1.10.13'), v('1.11.1'), v('1.11.4'), v('1.12.0')] }),
      options: DEFAULTS,
      want: { from: '1.10.13', to: '1.11.4', reason: EXPIRED_K8S, forced: true },
    },
    {
      name: 'user docs: 1.10.12 dropped → 1.10.13 with auto-update on',
      shoot: shoot({ version: '1.10.12', autoK8s: true }),
      profile: profile({ kubernetes: [v('1.10.13'), v('1.11.0')] }),
      options: DEFAULTS,
      want: { from: '1.10.12', to: '1.10.13', reason: VANISHED, forced: false },
    },
    {
      name: 'user docs: 1.10.12 dropped, auto-update off → untouched',
      shoot: shoot({ version: '1.10.12', autoK8s: false }),
      profile: profile({ kubernetes: [v('1.10.13'), v('1.11.0')] }),
      options: DEFAULTS,
      want: null,
    },
    {
      name: '1.10.12 dropped, auto-update off, --force-update-vanished-versions → forced 1.10.13',
      shoot: shoot({ version: '1.10.12', autoK8s: false }),
      profile: profile({ kubernetes: [v('1.10.13'), v('1.11.0')] }),
      options: { forceUpdateVanishedVersions: true },
      want: { from: '1.10.12', to: '1.10.13', reason: VANISHED, forced: true },
    },
    {
      name: 'preview versions are never targets',
      shoot: shoot({ version: '1.10.0', autoK8s: true }),
      profile: profile({ kubernetes: [v('1.10.0'), { version: '1.10.9', classification: 'preview' }, v('1.11.0')] }),
      options: DEFAULTS,
      want: null,
    },
  ])('$name', ({ shoot: s, profile: p, options, want }) => {
    expect(run(s, p, options).kubernetes).toEqual(want);
  });

  it('an expired version without a target fails with the Gardener texts (state Failed, Warning event)', () => {
    const p = run(shoot({ version: '1.10.12' }), profile({ kubernetes: [expired('1.10.12'), v('1.12.0')] }));
    const error =
      'could not determine higher suitable version than "1.10.12": cannot perform forceful update of expired version "1.10.12". No suitable version found in CloudProfile - this is most likely a misconfiguration of the CloudProfile';
    expect(p.kubernetes).toEqual({ from: '1.10.12', reason: EXPIRED_K8S, error });
    expect(p.shoot.spec.kubernetes.version).toBe('1.10.12');
    expect(p.lastMaintenance).toEqual({
      state: 'Failed',
      description: `(0/1) maintenance operations successful. Control Plane: Kubernetes version update failed. Reason for update: ${EXPIRED_K8S}`,
      failureReason: `Control Plane: Kubernetes maintenance failure due to: ${error}`,
    });
    expect(p.events).toEqual([
      {
        type: 'Warning',
        reason: 'KubernetesVersionMaintenance',
        message: `Control Plane: Kubernetes version maintenance failed. Reason for update: ${EXPIRED_K8S}. Error: ${error}`,
      },
    ]);
  });
});

describe('plan: worker-pool Kubernetes versions (capped at the control plane, as Gardener)', () => {
  it.each([
    {
      name: 'as in the Gardener maintenance integration test: pool 0.0.5 expired, CP 0.1.1 → capped "0.0.5" to "0.1.1"',
      cp: '0.1.1',
      pool: '0.0.5',
      versions: [expired('0.0.5'), v('0.1.1'), v('0.1.5')],
      autoK8s: false,
      want: { from: '0.0.5', to: '0.1.1', reason: EXPIRED_K8S, forced: true },
      description: 'Worker pool "w1": Updated Kubernetes version from "0.0.5" to "0.1.1". Reason: Kubernetes version expired - force update required',
    },
    {
      name: 'pool follows the shoot auto-update flag, capped at the CP version after CP maintenance',
      cp: '1.10.0',
      pool: '1.10.0',
      versions: [v('1.10.0'), v('1.10.5'), v('1.11.0')],
      autoK8s: true,
      want: { from: '1.10.0', to: '1.10.5', reason: AUTO_K8S, forced: false },
      description: 'Worker pool "w1": Updated Kubernetes version from "1.10.0" to "1.10.5". Reason: Automatic update of Kubernetes version configured',
    },
  ])('$name', ({ cp, pool, versions, autoK8s, want, description }) => {
    const p = run(
      shoot({ version: cp, autoK8s, workers: [worker('w1', '2191.5.0', { kubernetes: { version: pool } })] }),
      profile({ kubernetes: versions }),
    );
    expect(p.workers[0]?.kubernetes).toEqual(want);
    expect(p.shoot.spec.provider.workers?.[0]?.kubernetes?.version).toBe(want.to);
    expect(p.lastMaintenance.description).toContain(description);
  });

  it('a pool without its own version is left alone', () => {
    const p = run(shoot({ version: '1.10.0', autoK8s: true, workers: [worker('w1', '2191.5.0')] }));
    expect(p.workers[0]?.kubernetes).toBeNull();
    expect(p.shoot.spec.provider.workers?.[0]?.kubernetes).toBeUndefined();
  });
});

describe('plan: machine images (Gardener maintainMachineImages)', () => {
  const EXPIRED_MAJOR = 'Machine image version expired - force update required (image update strategy: major)';
  it.each([
    {
      name: 'user docs: expired 2135.6.0 → 2191.5.0 under strategy major',
      images: [{ name: 'coreos', updateStrategy: 'major', versions: [image('2135.6.0', { expirationDate: PAST }), image('2191.5.0')] }],
      worker: worker('w1', '2135.6.0'),
      autoImage: false,
      options: DEFAULTS,
      want: { name: 'coreos', from: '2135.6.0', to: '2191.5.0', reason: EXPIRED_MAJOR, forced: true },
    },
    {
      name: 'image name matched case-insensitively',
      images: [{ name: 'coreos', versions: [image('2135.6.0', { expirationDate: PAST }), image('2191.5.0')] }],
      worker: { name: 'w1', machine: { type: 'm5.large', image: { name: 'CoreOS', version: '2135.6.0' } } },
      autoImage: false,
      options: DEFAULTS,
      want: { name: 'coreos', from: '2135.6.0', to: '2191.5.0', reason: EXPIRED_MAJOR, forced: true },
    },
    {
      name: 'auto-update under strategy patch stays in the minor',
      images: [{ name: 'coreos', updateStrategy: 'patch', versions: [image('1.1.0'), image('1.1.3'), image('1.2.0')] }],
      worker: worker('w1', '1.1.0'),
      autoImage: true,
      options: DEFAULTS,
      want: {
        name: 'coreos',
        from: '1.1.0',
        to: '1.1.3',
        reason: 'Automatic update of the machine image version is configured (image update strategy: patch)',
        forced: false,
      },
    },
    {
      name: 'no auto-update, supported version → nothing',
      images: [{ name: 'coreos', versions: [image('2135.6.0'), image('2191.5.0')] }],
      worker: worker('w1', '2135.6.0'),
      autoImage: false,
      options: DEFAULTS,
      want: null,
    },
    {
      name: 'version dropped from the profile, auto-update off → untouched (docs/design.md, difference 6)',
      images: [{ name: 'coreos', versions: [image('2191.5.0')] }],
      worker: worker('w1', '2135.6.0'),
      autoImage: false,
      options: DEFAULTS,
      want: null,
    },
    {
      name: 'version dropped, --force-update-vanished-versions → forced',
      images: [{ name: 'coreos', versions: [image('2191.5.0')] }],
      worker: worker('w1', '2135.6.0'),
      autoImage: false,
      options: { forceUpdateVanishedVersions: true },
      want: { name: 'coreos', from: '2135.6.0', to: '2191.5.0', reason: VANISHED, forced: true },
    },
    {
      name: 'listed but no longer fitting the worker (kubelet constraint) → forced, as in Gardener',
      images: [{ name: 'coreos', versions: [image('2135.6.0', { kubeletVersionConstraint: '< 1.10' }), image('2191.5.0')] }],
      worker: worker('w1', '2135.6.0'),
      autoImage: false,
      options: DEFAULTS,
      want: { name: 'coreos', from: '2135.6.0', to: '2191.5.0', reason: VANISHED, forced: true },
    },
  ])('$name', ({ images, worker: w, autoImage, options, want }) => {
    const p = run(shoot({ autoImage, workers: [w] }), profile({ images }), options);
    expect(p.workers[0]?.machineImage).toEqual(want);
    const written = p.shoot.spec.provider.workers?.[0]?.machine.image?.version;
    expect(written).toBe(want ? want.to : w.machine.image?.version);
  });

  it('kubelet version for the filter is the pool version, else the pre-maintenance CP version', () => {
    const images = [
      {
        name: 'coreos',
        versions: [image('1.0.0'), image('2.0.0', { kubeletVersionConstraint: '>= 1.11' })],
      },
    ];
    // CP 1.10.0: 2.0.0 needs kubelet ≥ 1.11, so it is filtered out.
    const onCp = run(shoot({ version: '1.10.0', autoImage: true, workers: [worker('w1', '1.0.0')] }), profile({ images }));
    expect(onCp.workers[0]?.machineImage).toBeNull();
    const onPool = run(
      shoot({ version: '1.11.0', autoImage: true, workers: [worker('w1', '1.0.0', { kubernetes: { version: '1.10.0' } })] }),
      profile({ images, kubernetes: [v('1.10.0'), v('1.11.0')] }),
    );
    expect(onPool.workers[0]?.machineImage).toBeNull();
    const onCp111 = run(shoot({ version: '1.11.0', autoImage: true, workers: [worker('w1', '1.0.0')] }), profile({ images, kubernetes: [v('1.11.0')] }));
    expect(onCp111.workers[0]?.machineImage).toMatchObject({ from: '1.0.0', to: '2.0.0' });
  });

  it('expired under strategy major with nothing higher fails with the Gardener text', () => {
    const p = run(
      shoot({ workers: [worker('w1', '2191.5.0')] }),
      profile({ images: [{ name: 'coreos', versions: [image('2135.6.0'), image('2191.5.0', { expirationDate: PAST })] }] }),
    );
    const error =
      'failed to update machine image "coreos": failed to determine the target version for maintenance of machine image "coreos" with strategy "major": failed to determine version for forceful update: either the machine image "coreos" is reaching end of life and migration to another machine image is required or there is a misconfiguration in the CloudProfile. If it is the latter, make sure the machine image in the CloudProfile has at least one version that is not expired, not in preview and greater or equal to the current Shoot image version "2191.5.0"';
    expect(p.workers[0]?.machineImage).toEqual({ name: 'coreos', from: '2191.5.0', reason: EXPIRED_MAJOR, error });
    expect(p.lastMaintenance).toEqual({
      state: 'Failed',
      description: `(0/1) maintenance operations successful. Worker pool "w1": machine image version maintenance failed. Reason for update: ${EXPIRED_MAJOR}`,
      failureReason: `Worker pool "w1": ${error}`,
    });
    expect(p.events).toEqual([
      {
        type: 'Warning',
        reason: 'MachineImageVersionMaintenance',
        message: `Worker pool "w1": Machine image version maintenance failed. Reason for update: ${EXPIRED_MAJOR}. Error: ${error}`,
      },
    ]);
  });

  it.each([
    {
      name: 'unknown machine type',
      workers: [worker('w1', '2135.6.0'), { name: 'w2', machine: { type: 'huge', image: { name: 'coreos', version: '2135.6.0' } } }],
      error: 'machine type "huge" of worker "w2" does not exist in cloudprofile',
    },
    {
      // reconciler.go, maintainMachineImages formats with %q: an absent type is "", never "undefined".
      name: 'absent machine type',
      workers: [worker('w1', '2135.6.0'), { name: 'w2', machine: { image: { name: 'coreos', version: '2135.6.0' } } }],
      error: 'machine type "" of worker "w2" does not exist in cloudprofile',
    },
    {
      name: 'unknown image',
      workers: [worker('w1', '2135.6.0'), { name: 'w2', machine: { type: 'm5.large', image: { name: 'flatcar', version: '1.0.0' } } }],
      error:
        'failure while determining the default machine image in the CloudProfile: no machineImage with name "flatcar" (specified in shoot) could be found in the cloudProfile "local"',
    },
  ])('$name stops image maintenance of every worker, reported on each', ({ workers, error }) => {
    const images = [{ name: 'coreos', versions: [image('2135.6.0', { expirationDate: PAST }), image('2191.5.0')] }];
    const p = run(shoot({ workers }), profile({ images }));
    expect(p.workers.map((w) => w.machineImage)).toEqual(
      workers.map((w) => ({ name: w.machine.image?.name, from: w.machine.image?.version, reason: MACHINE_IMAGE_MAINTENANCE_STOPPED, error })),
    );
    expect(p.shoot.spec.provider.workers?.map((w) => w.machine.image?.version)).toEqual(workers.map((w) => w.machine.image?.version));
    // Gardener only logs it: lastMaintenance does not count it.
    expect(p.lastMaintenance).toEqual({ state: 'Succeeded', description: 'All maintenance operations successful.' });
  });
});

describe('plan: operation annotations (Gardener maintainOperation) and tasks (maintainTasks)', () => {
  it.each([
    {
      name: '`maintain` removes the whole annotation; lastOperation nil → nothing else, maintenance ops kept',
      annotations: { [OPERATION_ANNOTATION]: 'maintain', [MAINTENANCE_OPERATION_ANNOTATION]: 'rotate-ssh-keypair' },
      lastOperationState: null,
      want: { [MAINTENANCE_OPERATION_ANNOTATION]: 'rotate-ssh-keypair' },
      operations: [],
    },
    {
      name: 'plain run: reconcile, no operation text',
      annotations: {},
      lastOperationState: 'Succeeded',
      want: { [OPERATION_ANNOTATION]: 'reconcile' },
      operations: [],
    },
    {
      name: 'maintenance ops move over with reconcile appended; the text names them',
      annotations: { [OPERATION_ANNOTATION]: 'maintain', [MAINTENANCE_OPERATION_ANNOTATION]: 'rotate-ssh-keypair;rotate-observability-credentials' },
      lastOperationState: 'Processing',
      want: { [OPERATION_ANNOTATION]: 'rotate-ssh-keypair;rotate-observability-credentials;reconcile' },
      operations: ['Added "rotate-ssh-keypair;rotate-observability-credentials;reconcile" operation annotation'],
    },
    {
      name: 'reconcile already among the maintenance ops is not added twice',
      annotations: { [MAINTENANCE_OPERATION_ANNOTATION]: 'reconcile' },
      lastOperationState: 'Succeeded',
      want: { [OPERATION_ANNOTATION]: 'reconcile' },
      operations: [],
    },
    {
      name: 'Failed + needs-retry → retry, needs-retry removed, maintenance ops left for later',
      annotations: { [NEEDS_RETRY_ANNOTATION]: 'true', [MAINTENANCE_OPERATION_ANNOTATION]: 'rotate-ssh-keypair' },
      lastOperationState: 'Failed',
      want: { [OPERATION_ANNOTATION]: 'retry', [MAINTENANCE_OPERATION_ANNOTATION]: 'rotate-ssh-keypair' },
      operations: [],
    },
    {
      name: 'Failed without needs-retry → nothing set',
      annotations: { [NEEDS_RETRY_ANNOTATION]: 'false' },
      lastOperationState: 'Failed',
      want: { [NEEDS_RETRY_ANNOTATION]: 'false' },
      operations: [],
    },
  ])('$name', ({ annotations, lastOperationState, want, operations }) => {
    const p = run(shoot({ annotations: annotations as Record<string, string>, lastOperationState }));
    const { [TASKS_ANNOTATION]: tasks, ...rest } = p.shoot.metadata.annotations ?? {};
    expect(rest).toEqual(want);
    expect(tasks).toBe(ALL_TASKS);
    expect(p.operations).toEqual(operations);
    if (operations.length > 0) expect(p.lastMaintenance.description).toBe(`All maintenance operations successful. ${operations.join(', ')}`);
  });

  it.each([
    { name: 'defaults add the four deploy tasks and restartControlPlanePods', existing: undefined, options: DEFAULTS, want: ALL_TASKS },
    {
      name: 'existing tasks kept in order, only missing ones appended',
      existing: 'foo,deployDNSRecordIngress',
      options: DEFAULTS,
      want: 'foo,deployDNSRecordIngress,deployInfrastructure,deployDNSRecordInternal,deployDNSRecordExternal,restartControlPlanePods',
    },
    {
      name: 'restartControlPlanePods off, restartCoreAddons on',
      existing: undefined,
      options: { forceUpdateVanishedVersions: false, restartControlPlanePods: false, restartCoreAddons: true },
      want: 'deployInfrastructure,deployDNSRecordInternal,deployDNSRecordExternal,deployDNSRecordIngress,restartCoreAddons',
    },
  ])('tasks: $name', ({ existing, options, want }) => {
    const p = run(shoot({ annotations: existing ? { [TASKS_ANNOTATION]: existing } : {} }), profile(), options);
    expect(p.shoot.metadata.annotations?.[TASKS_ANNOTATION]).toBe(want);
  });
});

describe('plan: lastMaintenance texts (Gardener buildMaintenanceMessages) and events', () => {
  it('orders control plane, worker Kubernetes, worker images, then operations', () => {
    const p = run(
      shoot({
        version: '1.10.12',
        annotations: { [MAINTENANCE_OPERATION_ANNOTATION]: 'rotate-ssh-keypair' },
        workers: [worker('w1', '2135.6.0', { kubernetes: { version: '1.10.12' } })],
      }),
      profile({
        kubernetes: [expired('1.10.12'), v('1.10.13')],
        images: [{ name: 'coreos', versions: [image('2135.6.0', { expirationDate: PAST }), image('2191.5.0')] }],
      }),
    );
    expect(p.lastMaintenance).toEqual({
      state: 'Succeeded',
      description:
        'All maintenance operations successful. ' +
        'Control Plane: Updated Kubernetes version from "1.10.12" to "1.10.13". Reason: Kubernetes version expired - force update required, ' +
        'Worker pool "w1": Updated Kubernetes version from "1.10.12" to "1.10.13". Reason: Kubernetes version expired - force update required, ' +
        'Worker pool "w1": Updated machine image "coreos" from "2135.6.0" to "2191.5.0". Reason: Machine image version expired - force update required (image update strategy: major), ' +
        'Added "rotate-ssh-keypair;reconcile" operation annotation',
    });
    expect(p.events.map((e) => [e.type, e.reason, e.message])).toEqual([
      ['Normal', 'KubernetesVersionMaintenance', 'Control Plane: Updated Kubernetes version from "1.10.12" to "1.10.13". Reason: Kubernetes version expired - force update required.'],
      ['Normal', 'KubernetesVersionMaintenance', 'Worker pool "w1": Updated Kubernetes version from "1.10.12" to "1.10.13". Reason: Kubernetes version expired - force update required.'],
      [
        'Normal',
        'MachineImageVersionMaintenance',
        'Worker pool "w1": Updated machine image "coreos" from "2135.6.0" to "2191.5.0". Reason: Machine image version expired - force update required (image update strategy: major).',
      ],
    ]);
    expect(p.shoot.status?.lastMaintenance).toEqual({ ...p.lastMaintenance, triggeredTime: '2026-03-10T10:20:00Z' });
  });

  it.each([
    { name: 'nothing at all', ok: 0, failed: 0, ops: [], want: 'All maintenance operations successful.' },
    { name: 'partial failure counts', ok: 1, failed: 1, ops: ['Added "x;reconcile" operation annotation'], want: '(1/2) maintenance operations successful. Control Plane: d. Reason: r, Worker pool "p": Kubernetes version maintenance failed. Reason for update: r, Added "x;reconcile" operation annotation' },
  ])('buildMaintenanceMessages: $name', ({ ok, failed, ops, want }) => {
    const msgs = buildMaintenanceMessages({
      controlPlane: ok ? { ok: true, description: 'd', reason: 'r' } : undefined,
      workerKubernetes: failed ? [{ pool: 'p', result: { ok: false, description: 'e', reason: 'r' } }] : [],
      workerMachineImages: [],
      credentials: [],
      operations: ops,
    });
    expect(msgs.description).toBe(want);
    expect(msgs.failureReason).toBe(failed ? 'Worker pool "p": Kubernetes maintenance failure due to: e' : '');
  });

  it.each([
    { name: 'after a failed maintenance, a clean run says "Maintenance succeeded"', previous: 'Failed' as const, want: 'Maintenance succeeded' },
    { name: 'otherwise a clean run is "All maintenance operations successful."', previous: 'Succeeded' as const, want: 'All maintenance operations successful.' },
  ])('$name', ({ previous, want }) => {
    const p = run(
      shoot({ lastMaintenance: { description: 'x', state: previous, triggeredTime: PAST, ...(previous === 'Failed' ? { failureReason: 'y' } : {}) } }),
    );
    expect(p.requiresPatch).toBe(false);
    expect(p.lastMaintenance).toEqual({ description: want, state: 'Succeeded' });
  });
});

describe('plan: held spec (docs/design.md, difference 1)', () => {
  it('the held spec becomes the base spec, maintenance applies on top, the annotation is removed', () => {
    const held = shoot({ version: '1.10.12', autoK8s: false, workers: [worker('w1', '2191.5.0'), worker('w2', '2191.5.0')] }).spec;
    const s = shoot({ version: '1.10.0', workers: [worker('w1', '2191.5.0')], annotations: { [PENDING_SPEC_ANNOTATION]: JSON.stringify(held) } });
    const p = run(s, profile({ kubernetes: [v('1.10.0'), expired('1.10.12'), v('1.10.13')] }));
    expect(p.heldSpecReleased).toBe(true);
    expect(p.shoot.metadata.annotations?.[PENDING_SPEC_ANNOTATION]).toBeUndefined();
    expect(p.shoot.spec.provider.workers?.map((w) => w.name)).toEqual(['w1', 'w2']);
    expect(p.kubernetes).toEqual({ from: '1.10.12', to: '1.10.13', reason: EXPIRED_K8S, forced: true });
    expect(p.shoot.spec.kubernetes.version).toBe('1.10.13');
    expect(shootChanged(p, s)).toBe(true);
    expect(renderPlanText(p)).toContain('Held spec (maintenance.gardener.cloud/pending-spec): rolled out');
  });
});

describe('plan: window, due, nextRun', () => {
  it.each([
    {
      name: 'inside the effective window',
      window: { begin: '100000+0000', end: '110000+0000' },
      now: '2026-03-10T10:20:00Z',
      annotations: {},
      want: { begin: '100000+0000', end: '110000+0000', effectiveEnd: '104500+0000', inWindow: true },
      due: true,
      nextRun: { earliest: '2026-03-11T10:00:00.000Z', latest: '2026-03-11T10:45:00.000Z' },
    },
    {
      name: 'in the last 15 minutes: outside the effective window',
      window: { begin: '100000+0000', end: '110000+0000' },
      now: '2026-03-10T10:50:00Z',
      annotations: {},
      want: { begin: '100000+0000', end: '110000+0000', effectiveEnd: '104500+0000', inWindow: false },
      due: false,
      nextRun: { earliest: '2026-03-11T10:00:00.000Z', latest: '2026-03-11T10:45:00.000Z' },
    },
    {
      name: 'outside but `maintain` asked',
      window: { begin: '220000+0000', end: '230000+0000' },
      now: '2026-03-10T10:20:00Z',
      annotations: { [OPERATION_ANNOTATION]: 'maintain' },
      want: { begin: '220000+0000', end: '230000+0000', effectiveEnd: '224500+0000', inWindow: false },
      due: true,
      nextRun: { earliest: '2026-03-10T22:00:00.000Z', latest: '2026-03-10T22:45:00.000Z' },
    },
    {
      name: 'window across midnight, now after midnight',
      window: { begin: '233000+0000', end: '003000+0000' },
      now: '2026-03-10T00:10:00Z',
      annotations: {},
      want: { begin: '233000+0000', end: '003000+0000', effectiveEnd: '001500+0000', inWindow: true },
      due: true,
      nextRun: { earliest: '2026-03-10T23:30:00.000Z', latest: '2026-03-11T00:15:00.000Z' },
    },
    {
      name: 'no window: always (no 15-minute cut)',
      window: null,
      now: '2026-03-10T10:20:00Z',
      annotations: {},
      want: { begin: '000000+0000', end: '235959+0000', effectiveEnd: '235959+0000', inWindow: true },
      due: true,
      nextRun: { earliest: '2026-03-11T00:00:00.000Z', latest: '2026-03-11T23:59:59.000Z' },
    },
  ])('$name', ({ window, now, annotations, want, due, nextRun }) => {
    const p = run(shoot({ window, annotations: annotations as Record<string, string> }), profile(), DEFAULTS, new Date(now));
    // Without the schedule annotations: no zone, every day, local = the window's own offset (+0000 here).
    expect(p.window).toEqual({ ...want, timeZone: null, days: null });
    expect(p.due).toBe(due);
    const local = (iso: string) => iso.replace('.000Z', 'Z');
    expect(p.nextRun).toEqual({ ...nextRun, localEarliest: local(nextRun.earliest), localLatest: local(nextRun.latest) });
  });

  // As the scheduler decides (due-time.ts, dueTimeOf; maintenance-run.ts, `not-due`): once per occurrence.
  it.each([
    { name: 'in the window, never maintained', annotations: {}, triggered: undefined, now: '2026-03-10T10:20:00Z', due: true, dueReason: 'in-window' },
    { name: 'in the window, maintained earlier in this occurrence', annotations: {}, triggered: '2026-03-10T10:05:00Z', now: '2026-03-10T10:20:00Z', due: false, dueReason: 'maintained-in-this-occurrence' },
    { name: 'maintained in this occurrence but `maintain` asked', annotations: { [OPERATION_ANNOTATION]: 'maintain' }, triggered: '2026-03-10T10:05:00Z', now: '2026-03-10T10:20:00Z', due: true, dueReason: 'maintain-requested' },
    { name: 'in the window, maintained in the previous occurrence', annotations: {}, triggered: '2026-03-09T10:05:00Z', now: '2026-03-10T10:20:00Z', due: true, dueReason: 'in-window' },
    { name: 'outside the window, maintained in the last occurrence', annotations: {}, triggered: '2026-03-10T10:05:00Z', now: '2026-03-10T12:00:00Z', due: false, dueReason: 'outside-window' },
    { name: 'an unreadable triggeredTime does not count', annotations: {}, triggered: 'yesterday', now: '2026-03-10T10:20:00Z', due: true, dueReason: 'in-window' },
  ])('dueReason: $name', ({ annotations, triggered, now, due, dueReason }) => {
    const lastMaintenance = triggered === undefined ? undefined : { description: 'x', state: 'Succeeded' as const, triggeredTime: triggered };
    const s = shoot({ window: { begin: '100000+0000', end: '110000+0000' }, annotations: annotations as Record<string, string>, ...(lastMaintenance ? { lastMaintenance } : {}) });
    const p = run(s, profile(), DEFAULTS, new Date(now));
    expect({ due: p.due, dueReason: p.dueReason }).toEqual({ due, dueReason });
    expect(planToJson(p)).toMatchObject({ due, dueReason });
    expect(p.maintainedAt).toBe(dueReason === 'maintained-in-this-occurrence' ? triggered : undefined);
    if (dueReason === 'maintained-in-this-occurrence') {
      expect(renderPlanText(p)).toContain(`due: no (already maintained in this window occurrence at ${triggered})`);
    }
  });

  it('plan -o json carries exactly the contract keys', () => {
    const p = run(shoot());
    expect(Object.keys(planToJson(p))).toEqual(['window', 'due', 'dueReason', 'nextRun', 'kubernetes', 'workers', 'credentialRotations', 'operations', 'lastMaintenance', 'shoot', 'restriction', 'deferred']);
  });

  it('renderPlanText marks forced changes', () => {
    const p = run(shoot({ version: '1.10.12' }), profile({ kubernetes: [expired('1.10.12'), v('1.10.13')] }));
    expect(renderPlanText(p)).toContain('Control plane: Kubernetes 1.10.12 -> 1.10.13 FORCED (Kubernetes version expired - force update required)');
  });

  it('leaves a future expiry alone', () => {
    const p = run(shoot({ version: '1.10.12' }), profile({ kubernetes: [{ version: '1.10.12', expirationDate: FUTURE }, v('1.10.13')] }));
    expect(p.kubernetes).toBeNull();
  });
});
