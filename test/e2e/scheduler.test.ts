// The maintenance scheduler against a real kube-apiserver with the webhook registered: started as
// `node dist/cli.js scheduler` as its ServiceAccount, with the RBAC of manifests/scheduler/rbac.yaml.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopPid } from '../../tools/test-cluster/processes.js';
import { applyYaml, ctx, getJson, kubectl, uniqueName, waitFor } from './harness.js';
import {
  leaseHolder,
  must,
  schedulerAsDeployed,
  shootYaml as sharedShootYaml,
  windowElsewhere,
  windowEndingIn,
  type SchedulerChild,
} from './scheduler-support.js';

interface ShootJson {
  metadata: { generation: number; resourceVersion: string; annotations?: Record<string, string> };
  spec: { kubernetes: { version: string }; provider: { workers: { machine: { image: { version: string } }; maximum: number }[] } };
  status?: { lastMaintenance?: { description: string; state: string; triggeredTime: string; failureReason?: string } };
}

/** The shared shoot manifest, on the e2e cluster's CloudProfile. */
function shootYaml(o: Omit<Parameters<typeof sharedShootYaml>[0], 'cloudProfile'>): string {
  return sharedShootYaml({ ...o, cloudProfile: ctx().cloudProfileName });
}

const UPDATED =
  'All maintenance operations successful. Control Plane: Updated Kubernetes version from "1.32.0" to "1.32.4". Reason: Automatic update of Kubernetes version configured, ' +
  'Worker pool "worker": Updated machine image "gardenlinux" from "1592.3.0" to "1592.4.0". Reason: Automatic update of the machine image version is configured (image update strategy: major)';

const shootOf = (name: string, namespace: string) => getJson<ShootJson>('shoot', name, namespace);

type Scheduler = SchedulerChild;

/** A scheduler process as deployed, logging at debug level. */
function startScheduler(o: { identity: string; extra?: string[] }): Scheduler {
  return schedulerAsDeployed(o.identity, o.extra);
}

const runsOf = (s: Scheduler, shoot: string) => s.lines().filter((l) => l.msg === 'maintenance run' && l.shoot === shoot);


describe('scheduler, one replica', () => {
  const namespace = uniqueName('sched');
  const inWindow = 'in-window';
  const elsewhere = 'elsewhere';
  const confined = 'confined';
  let scheduler: Scheduler;
  let firstRun: ShootJson;

  beforeAll(async () => {
    await must(kubectl(['create', 'namespace', namespace]));
    await must(applyYaml(shootYaml({ name: inWindow, namespace, window: windowEndingIn(45) })));
    await must(applyYaml(shootYaml({ name: elsewhere, namespace, window: windowElsewhere() })));
    // A confined shoot with a held change (maximum 2 → 3), set up before the scheduler starts.
    const confinedWindow = windowEndingIn(45);
    await must(applyYaml(shootYaml({ name: confined, namespace, window: confinedWindow, confine: true })));
    await must(applyYaml(shootYaml({ name: confined, namespace, window: confinedWindow, confine: true, maximum: 3 })));
    const held = await shootOf(confined, namespace);
    expect(held.metadata.annotations?.['maintenance.gardener.cloud/pending-spec']).toBeDefined();
    expect(held.spec.provider.workers[0]?.maximum).toBe(2);
    scheduler = startScheduler({ identity: 'solo-1' });
  });

  afterAll(async () => {
    await stopPid(scheduler.process.pid);
    await kubectl(['delete', 'namespace', namespace, '--wait=false']);
  });

  it('maintains a shoot whose window contains now, once: spec, generation, lastMaintenance, Events', async () => {
    firstRun = await waitFor(async () => {
      const s = await shootOf(inWindow, namespace);
      return s.status?.lastMaintenance ? s : undefined;
    }, 90_000, 500);
    expect(firstRun.spec.kubernetes.version).toBe('1.32.4');
    expect(firstRun.spec.provider.workers[0]?.machine.image.version).toBe('1592.4.0');
    expect(firstRun.metadata.generation).toBe(2);
    expect(firstRun.status?.lastMaintenance).toMatchObject({ state: 'Succeeded', description: UPDATED });
    expect(firstRun.metadata.annotations?.['shoot.gardener.cloud/tasks']).toBe(
      'deployInfrastructure,deployDNSRecordInternal,deployDNSRecordExternal,deployDNSRecordIngress,restartControlPlanePods',
    );
    const events = await waitFor(async () => {
      const out = await must(
        kubectl(['get', 'events', '-n', namespace, '--field-selector', `involvedObject.name=${inWindow}`, '-o', 'json']),
      );
      const items = (JSON.parse(out) as { items: { reason: string; message: string; type: string; source: { component: string } }[] }).items;
      return items.length >= 2 ? items : undefined;
    }, 20_000);
    expect(events.map((e) => [e.type, e.reason, e.source.component]).sort()).toEqual([
      ['Normal', 'KubernetesVersionMaintenance', 'shoot-maintenance-scheduler'],
      ['Normal', 'MachineImageVersionMaintenance', 'shoot-maintenance-scheduler'],
    ]);
    expect(events.map((e) => e.message)).toContain(
      'Control Plane: Updated Kubernetes version from "1.32.0" to "1.32.4". Reason: Automatic update of Kubernetes version configured.',
    );
    const printed = await must(kubectl(['get', 'events', '-n', namespace]));
    expect(printed).toContain('KubernetesVersionMaintenance');
    expect(runsOf(scheduler, `${namespace}/${inWindow}`).filter((l) => l.result === 'maintained')).toHaveLength(1);
  });

  it('rolls a held spec out in the window (as the scheduler identity)', async () => {
    const s = await waitFor(async () => {
      const c = await shootOf(confined, namespace);
      return c.status?.lastMaintenance ? c : undefined;
    }, 90_000, 500);
    expect(s.metadata.annotations?.['maintenance.gardener.cloud/pending-spec']).toBeUndefined();
    expect(s.spec.provider.workers[0]?.maximum).toBe(3);
    expect(s.spec.kubernetes.version).toBe('1.32.4');
    expect(s.metadata.generation).toBe(2);
    expect(s.status?.lastMaintenance?.state).toBe('Succeeded');
  });

  it('leaves a shoot whose window is elsewhere untouched', async () => {
    const s = await shootOf(elsewhere, namespace);
    expect(s.metadata.generation).toBe(1);
    expect(s.status?.lastMaintenance).toBeUndefined();
    expect(s.spec.kubernetes.version).toBe('1.32.0');
    expect(runsOf(scheduler, `${namespace}/${elsewhere}`)).toHaveLength(0);
    const queued = scheduler.lines().find((l) => l.msg === 'queued' && l.shoot === `${namespace}/${elsewhere}`);
    expect(queued?.reason).toBe('next-window');
  });

  it('`maintain` triggers a run at once; the annotation is gone afterwards', async () => {
    await must(kubectl(['annotate', 'shoot', elsewhere, '-n', namespace, 'gardener.cloud/operation=maintain']));
    const s = await waitFor(async () => {
      const e = await shootOf(elsewhere, namespace);
      return e.status?.lastMaintenance ? e : undefined;
    }, 20_000, 300);
    expect(s.metadata.annotations?.['gardener.cloud/operation']).toBeUndefined();
    expect(s.spec.kubernetes.version).toBe('1.32.4');
    expect(s.status?.lastMaintenance).toMatchObject({ state: 'Succeeded', description: UPDATED });
  });

  it('serves /metrics and /healthz on the metrics port', async () => {
    const started = await waitFor(() => scheduler.lines().find((l) => l.msg === 'scheduler started'), 10_000);
    const base = `http://127.0.0.1:${String(started.metricsPort)}`;
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^shoot_maintenance_leader 1$/m);
    expect(metrics).toMatch(/^shoot_maintenance_runs_total\{result="maintained"\} [1-9]/m);
    expect(metrics).toMatch(/^shoot_maintenance_run_duration_seconds_count\{result="maintained"\} [1-9]/m);
    expect(metrics).toMatch(/^shoot_maintenance_queue_length [0-9]+$/m);
    expect(metrics).toMatch(/^shoot_maintenance_next_due_seconds [0-9.e+]+$/m);
  });

  it('a scheduler restarted inside the window does not maintain again', async () => {
    // A window that is certainly still open at the restart: its effective part ends 25 minutes
    // from now (it began 5 minutes ago). The first run is asked for with `maintain`, inside it.
    const name = 'long-window';
    const effectiveEnd = Date.now() + 25 * 60_000;
    await must(applyYaml(shootYaml({ name, namespace, window: windowEndingIn(25 * 60), annotations: { 'gardener.cloud/operation': 'maintain' } })));
    // The run is over only once its record annotation is removed too (its last write): reading
    // earlier would take that removal for a second run.
    const before = await waitFor(async () => {
      const s = await shootOf(name, namespace);
      const a = s.metadata.annotations ?? {};
      return s.status?.lastMaintenance && !a['gardener.cloud/operation'] && !a['maintenance.gardener.cloud/last-maintenance'] ? s : undefined;
    }, 30_000, 300);
    await stopPid(scheduler.process.pid);
    // SIGTERM released the lease (a failed get throws instead of reading as released).
    expect(await leaseHolder()).toBe('');
    const restartedAt = Date.now();
    expect(restartedAt).toBeLessThan(effectiveEnd); // the premise: the restart is inside the window
    scheduler = startScheduler({ identity: 'solo-2' });
    const queued = await waitFor(() => scheduler.lines().find((l) => l.msg === 'queued' && l.shoot === `${namespace}/${name}`), 30_000);
    expect(queued.reason).toBe('next-window');
    expect(Date.parse(String(queued.dueAt))).toBeGreaterThan(effectiveEnd);
    // The new scheduler acts (it maintains a fresh in-window shoot) but not the maintained one.
    await must(applyYaml(shootYaml({ name: 'fresh', namespace, window: windowEndingIn(30), annotations: { 'gardener.cloud/operation': 'maintain' } })));
    await waitFor(async () => (await shootOf('fresh', namespace)).status?.lastMaintenance, 30_000, 300);
    const after = await shootOf(name, namespace);
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(after.status?.lastMaintenance?.triggeredTime).toBe(before.status?.lastMaintenance?.triggeredTime);
    expect(runsOf(scheduler, `${namespace}/${name}`)).toHaveLength(0);
  });
});

describe('scheduler, two replicas', () => {
  const namespace = uniqueName('sched-ha');
  const timing = ['--lease-duration', '6s', '--renew-deadline', '4s', '--retry-period', '1s'];
  let replicas: Scheduler[] = [];

  beforeAll(async () => {
    await must(kubectl(['create', 'namespace', namespace]));
    replicas = ['ha-a', 'ha-b'].map((identity) => startScheduler({ identity, extra: timing }));
  });

  afterAll(async () => {
    for (const r of replicas) await stopPid(r.process.pid);
    await kubectl(['delete', 'namespace', namespace, '--wait=false']);
  });

  it('only the leader acts; killing it hands the lease over to the standby, which acts', async () => {
    const holder = await waitFor(() => leaseHolder(), 30_000);
    const leader = replicas.find((r) => r.identity === holder)!;
    const standby = replicas.find((r) => r.identity !== holder)!;
    expect(leader).toBeDefined();

    await must(applyYaml(shootYaml({ name: 'one', namespace, window: windowElsewhere(), annotations: { 'gardener.cloud/operation': 'maintain' } })));
    await waitFor(async () => (await shootOf('one', namespace)).status?.lastMaintenance, 30_000, 300);
    await waitFor(() => runsOf(leader, `${namespace}/one`).length > 0, 10_000);
    expect(runsOf(standby, `${namespace}/one`)).toHaveLength(0);

    // Kill the leader without a chance to release the lease.
    const killedAt = Date.now();
    process.kill(leader.process.pid, 'SIGKILL');
    await leader.process.exited;
    // The takeover time is printed, not asserted (bench/ measures speed; the bound is generous).
    await waitFor(async () => (await leaseHolder()) === standby.identity, 60_000, 250);
    process.stdout.write(`[scheduler] takeover ${Date.now() - killedAt} ms after SIGKILL (lease duration 6 s)\n`);

    await must(applyYaml(shootYaml({ name: 'two', namespace, window: windowElsewhere(), annotations: { 'gardener.cloud/operation': 'maintain' } })));
    const two = await waitFor(async () => {
      const s = await shootOf('two', namespace);
      return s.status?.lastMaintenance ? s : undefined;
    }, 30_000, 300);
    expect(two.spec.kubernetes.version).toBe('1.32.4');
    expect(runsOf(standby, `${namespace}/two`).map((l) => l.result)).toEqual(['maintained']);
  });
});

// Automatic credential rotation (src/core/credential-rotation.ts; Gardener's reconciler.go,
// computeCredentialsToRotationResults): the observability passwords are due (30m period, last
// rotated two hours ago), the ETCD key is due but a rotation of it is in progress.
describe('scheduler, automatic credential rotation', () => {
  const namespace = uniqueName('sched-rot');
  const name = 'rotating';
  let scheduler: Scheduler;

  beforeAll(async () => {
    await must(kubectl(['create', 'namespace', namespace]));
    const manifest = shootYaml({ name, namespace, window: windowElsewhere(), version: '1.32.4', image: '1592.4.0' }).replace(
      '\n  maintenance:\n',
      '\n  maintenance:\n    autoRotation:\n      credentials:\n        observability:\n          rotationPeriod: 30m\n        etcdEncryptionKey:\n          rotationPeriod: 30m\n',
    );
    expect(manifest).toContain('rotationPeriod: 30m');
    await must(applyYaml(manifest));
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const status = {
      lastOperation: { type: 'Reconcile', state: 'Succeeded' },
      credentials: {
        rotation: {
          observability: { lastCompletionTime: twoHoursAgo },
          etcdEncryptionKey: { phase: 'Preparing', lastCompletionTime: twoHoursAgo },
        },
      },
    };
    await must(kubectl(['patch', 'shoot', name, '-n', namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]));
    scheduler = startScheduler({ identity: 'rotation-1' });
  });

  afterAll(async () => {
    await stopPid(scheduler.process.pid);
    await kubectl(['delete', 'namespace', namespace, '--wait=false']);
  });

  it('starts the due rotation through gardener.cloud/operation and reports both in lastMaintenance, without Events', async () => {
    await must(kubectl(['annotate', 'shoot', name, '-n', namespace, 'gardener.cloud/operation=maintain']));
    // Over once the record annotation is removed (the run's last write, after its Events).
    const s = await waitFor(async () => {
      const c = await shootOf(name, namespace);
      const a = c.metadata.annotations ?? {};
      return c.status?.lastMaintenance && !a['maintenance.gardener.cloud/last-maintenance'] ? c : undefined;
    }, 30_000, 300);
    expect(s.metadata.annotations?.['gardener.cloud/operation']).toBe('reconcile;rotate-observability-credentials');
    expect(s.status?.lastMaintenance).toMatchObject({
      state: 'Failed',
      description:
        '(1/2) maintenance operations successful. Credentials "rotate-observability-credentials": Observability passwords rotation started. Reason: Automatic rotation of observability passwords configured, ' +
        'Credentials "rotate-etcd-encryption-key": Automatic rotation failed. Reason for update: ETCD encryption key rotation is already in progress, ' +
        'Added "reconcile;rotate-observability-credentials" operation annotation',
      failureReason: 'Credentials "rotate-etcd-encryption-key": Automatic rotation failure due to: Could not start ETCD encryption key rotation',
    });
    expect(runsOf(scheduler, `${namespace}/${name}`).map((l) => l.result)).toEqual(['maintained']);
    const events = await must(kubectl(['get', 'events', '-n', namespace, '--field-selector', `involvedObject.name=${name}`, '-o', 'json']));
    expect((JSON.parse(events) as { items: unknown[] }).items).toEqual([]);
  });
});
