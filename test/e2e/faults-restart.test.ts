// kube-apiserver and etcd restarted under a running webhook and scheduler, on a private control
// plane (so no other test file sees the outage). kube-apiserver is stopped for a few seconds in
// the middle of a maintenance window: the watches resume and every due shoot is maintained exactly
// once. Then etcd is restarted: both components recover without a restart of their own (same PIDs)
// and keep working (a create is defaulted by the webhook, a `maintain` is carried out).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../../tools/test-cluster/cluster.js';
import { installCrds } from '../../tools/test-cluster/crds.js';
import { isAlive, spawnLogged, stopPid, type StartedProcess } from '../../tools/test-cluster/processes.js';
import {
  createServiceAccountIdentity,
  SCHEDULER_RBAC_MANIFEST,
  schedulerLeaseOf,
  WEBHOOK_RBAC_MANIFEST,
  type ServiceAccountIdentity,
} from '../../tools/test-cluster/service-account-identity.js';
import { startWebhookProcess, type WebhookProcess } from '../../tools/test-cluster/webhook-process.js';
import { registerWebhooks } from '../../tools/test-cluster/webhook-registration.js';
import {
  eventCounts,
  maintainedRuns,
  must,
  settledUntilNextWindow,
  shootYaml,
  startScheduler,
  windowElsewhere,
  windowEndingIn,
  type EventJson,
  type SchedulerChild,
  type ShootJson,
} from './scheduler-support.js';
import { waitFor } from './harness.js';

const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let cluster: TestCluster;
let webhook: WebhookProcess;
let scheduler: SchedulerChild | undefined;
let schedulerIdentity: ServiceAccountIdentity;
const restarted: StartedProcess[] = [];
const namespace = 'faults-restart';
const profileName = 'local';

/** SIGTERM a control-plane process by PID, wait `downMs`, start it again with the same command line. */
async function restart(name: string, pid: number, downMs: number): Promise<StartedProcess> {
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
  const [command, ...args] = argv;
  if (!command) throw new Error(`no command line for ${name} (pid ${pid})`);
  await stopPid(pid, 10_000);
  await sleep(downMs);
  const proc = spawnLogged({ name, command, args, logPath: join(cluster.dir, `${name}-restarted.log`) });
  restarted.push(proc);
  return proc;
}

/** The process's start time in clock ticks since boot (/proc/<pid>/stat, field 22). */
function startTimeOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? '';
}

async function apiserverReady(): Promise<boolean> {
  const r = await cluster.kubectl(['get', '--raw', '/readyz']);
  return r.code === 0 && r.stdout.trim() === 'ok';
}

const shoots = async (): Promise<ShootJson[]> => (JSON.parse(await must(cluster.kubectl(['get', 'shoots', '-n', namespace, '-o', 'json']))) as { items: ShootJson[] }).items;
const events = async (): Promise<EventJson[]> => (JSON.parse(await must(cluster.kubectl(['get', 'events', '-n', namespace, '-o', 'json']))) as { items: EventJson[] }).items;

beforeAll(async () => {
  cluster = await startTestCluster({ log });
  await installCrds(cluster, { log });
  // As deployed: both run as their ServiceAccounts with the RBAC of manifests/ as shipped.
  const webhookIdentity = await createServiceAccountIdentity(cluster, WEBHOOK_RBAC_MANIFEST, { log });
  schedulerIdentity = await createServiceAccountIdentity(cluster, SCHEDULER_RBAC_MANIFEST, { log });
  webhook = await startWebhookProcess({ cluster, log, kubeconfigPath: webhookIdentity.kubeconfigPath, schedulerUser: schedulerIdentity.username });
  await registerWebhooks(cluster, webhook, { log });
  await must(cluster.kubectl(['apply', '-f', join(import.meta.dirname, '..', '..', 'examples', 'cloudprofile.yaml')]));
  await must(cluster.kubectl(['create', 'namespace', namespace]));
}, 120_000);

afterAll(async () => {
  if (scheduler) await stopPid(scheduler.process.pid);
  await webhook?.stop();
  for (const p of restarted) await stopPid(p.pid);
  await cluster?.stop();
});

describe('kube-apiserver stopped and restarted during a maintenance window', () => {
  const SHOOTS = 10;

  it('resumes the watches and maintains every due shoot exactly once', { timeout: 180_000 }, async () => {
    // Effective windows ending 100 s from now: each shoot is due at a random instant before that.
    const window = windowEndingIn(100);
    const docs = Array.from({ length: SHOOTS }, (_, i) => shootYaml({ name: `w${i}`, namespace, cloudProfile: profileName, window }));
    await must(cluster.kubectl(['apply', '-f', '-'], { input: docs.join('---\n') }));
    const sched = startScheduler({
      kubeconfig: schedulerIdentity.kubeconfigPath,
      dir: cluster.dir,
      ...schedulerLeaseOf(),
      identity: 'restart-1',
      extra: ['--lease-duration', '6s', '--renew-deadline', '4s', '--retry-period', '1s'],
    });
    scheduler = sched;
    await waitFor(() => sched.lines().some((l) => l.msg === 'became leader'), 30_000);
    // Stop the API server once a few shoots are done, so the outage falls among the runs.
    const before = (
      await waitFor(async () => {
        const done = (await shoots()).filter((s) => s.status?.lastMaintenance);
        return done.length >= 2 ? done : undefined;
      }, 45_000, 500)
    ).length;

    const outageStarted = Date.now();
    const oldApiserver = cluster.pids.kubeApiserver;
    const apiserver = await restart('kube-apiserver', oldApiserver, 6_000);
    await waitFor(apiserverReady, 60_000, 250);
    const outageMs = Date.now() - outageStarted;
    // The fault happened among the runs: another API server process, and shoots still due after it.
    expect(apiserver.pid).not.toBe(oldApiserver);
    const dueAfter = (await shoots()).filter((s) => !s.status?.lastMaintenance).length;
    // A shoot created after the outage (with `maintain`, so it is due whatever the clock) reaches
    // the scheduler only through its resumed watch.
    await must(cluster.kubectl(['apply', '-f', '-'], { input: shootYaml({ name: 'w-after', namespace, cloudProfile: profileName, window: windowElsewhere() }) }));
    await must(cluster.kubectl(['annotate', 'shoot', 'w-after', '-n', namespace, 'gardener.cloud/operation=maintain']));

    // Every shoot maintained once in this window occurrence.
    const all = await waitFor(async () => {
      const xs = await shoots();
      return xs.every((s) => s.status?.lastMaintenance) ? xs : undefined;
    }, 120_000, 1_000);
    // Nothing more to come: every shoot queued for its next window (no late duplicate run).
    await waitFor(() => settledUntilNextWindow(sched, all.map((s) => `${namespace}/${s.metadata.name}`)), 60_000, 500);
    const evs = eventCounts(await events());
    const lines = sched.lines();
    const watchRestarts = lines.filter((l) => l.msg === 'shoot watch failed; restarting').length;
    const failedRuns = lines.filter((l) => l.msg === 'maintenance run' && l.result === 'error').length;
    process.stdout.write(
      `[reliability] kube-apiserver restart: ${SHOOTS} shoots due in the window, ${before} maintained before the stop; ` +
        `API server away ${outageMs} ms (new pid ${apiserver.pid}); shoot watch restarts logged ${watchRestarts}; runs failed during the outage ${failedRuns}; ` +
        `leadership changes ${lines.filter((l) => l.msg === 'became leader').length}; ${dueAfter} shoots still due when it was back\n`,
    );
    expect(dueAfter, 'shoots still due when the API server was back').toBeGreaterThan(0);
    // The scheduler's watch was really cut, and resumed.
    expect(watchRestarts).toBeGreaterThan(0);
    expect(all.map((s) => s.metadata.name)).toContain('w-after');
    for (const s of all) {
      const key = `${namespace}/${s.metadata.name}`;
      expect(s.spec.kubernetes.version, key).toBe('1.32.4');
      expect(s.metadata.generation, key).toBe(2);
      expect(s.status?.lastMaintenance?.state, key).toBe('Succeeded');
      expect(maintainedRuns([sched], key), key).toBe(1);
      expect(evs.get(`${s.metadata.name}/KubernetesVersionMaintenance`), key).toBe(1);
    }
    expect(isAlive(sched.process.pid)).toBe(true);
    expect(isAlive(webhook.pid)).toBe(true);
  });
});

describe('etcd restarted', () => {
  it('both components recover without a restart of their own', { timeout: 180_000 }, async () => {
    const sched = scheduler;
    if (!sched) throw new Error('the scheduler of the previous test is not running');
    // "Without a restart of their own": the same processes, by PID and kernel start time (a
    // restarted process would have another start time, even if it got the PID back).
    const schedulerStart = startTimeOf(sched.process.pid);
    const webhookStart = startTimeOf(webhook.pid);
    const etcdStarted = Date.now();
    const oldEtcd = cluster.pids.etcd;
    const etcd = await restart('etcd', oldEtcd, 4_000);
    expect(etcd.pid).not.toBe(oldEtcd);
    await waitFor(apiserverReady, 60_000, 250);
    const outageMs = Date.now() - etcdStarted;

    // The webhook's CloudProfile informer still follows the cluster: a profile created after the
    // restart is known to it (a shoot naming it is admitted, not refused as unknown), and the
    // create is defaulted (a window is added), through the restarted store.
    const newProfile = 'after-etcd';
    const profileYaml = readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'cloudprofile.yaml'), 'utf8').replace(/^ {2}name: local$/m, `  name: ${newProfile}`);
    expect(profileYaml).toContain(`name: ${newProfile}`);
    await waitFor(async () => (await cluster.kubectl(['apply', '-f', '-'], { input: profileYaml })).code === 0, 30_000, 1_000);
    const created = await waitFor(async () => {
      const r = await cluster.kubectl(['apply', '-f', '-'], {
        input: shootYaml({ name: 'after-etcd', namespace, cloudProfile: newProfile, window: windowElsewhere() }).replace(/ {4}timeWindow:\n.*\n.*\n/, ''),
      });
      return r.code === 0;
    }, 30_000, 1_000);
    expect(created).toBe(true);
    const fresh = JSON.parse(await must(cluster.kubectl(['get', 'shoot', 'after-etcd', '-n', namespace, '-o', 'json']))) as { spec: { maintenance: { timeWindow?: { begin: string } } } };
    expect(fresh.spec.maintenance.timeWindow?.begin).toMatch(/^\d{2}0000\+0000$/);

    // The scheduler's watch saw the new shoot and carries out a `maintain`.
    await must(cluster.kubectl(['annotate', 'shoot', 'after-etcd', '-n', namespace, 'gardener.cloud/operation=maintain']));
    const maintained = await waitFor(async () => {
      const x = JSON.parse(await must(cluster.kubectl(['get', 'shoot', 'after-etcd', '-n', namespace, '-o', 'json']))) as ShootJson;
      return x.status?.lastMaintenance ? x : undefined;
    }, 60_000, 500);
    process.stdout.write(`[reliability] etcd restart: API server ready again after ${outageMs} ms (etcd pid ${etcd.pid}); webhook and scheduler kept their PIDs\n`);
    expect(maintained.spec.kubernetes.version).toBe('1.32.4');
    expect(maintained.status?.lastMaintenance?.state).toBe('Succeeded');
    expect(isAlive(sched.process.pid)).toBe(true);
    expect(startTimeOf(sched.process.pid)).toBe(schedulerStart);
    expect(isAlive(webhook.pid)).toBe(true);
    expect(startTimeOf(webhook.pid)).toBe(webhookStart);
    // Old shoots were not maintained again by the recovered scheduler.
    for (const s of await shoots()) if (s.metadata.name !== 'after-etcd') expect(maintainedRuns([sched], `${namespace}/${s.metadata.name}`)).toBe(1);
  });
});
