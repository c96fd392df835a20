// Scheduler faults on the shared e2e cluster: the leader SIGKILLed at a seeded random point in a
// burst of maintenance runs (some runs are then between their spec update and their status patch),
// and a conflict storm (another client updating the same Shoot over and over while it is being
// maintained). The invariants, checked for every shoot: maintained exactly once (spec, generation,
// Events, run log lines), nothing of the other client's changes lost. What was lost is reported.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeConfig } from '../../src/kube/config.js';
import { KubeRestClient } from '../../src/kube/rest-client.js';
import { stopPid } from '../../tools/test-cluster/processes.js';
import {
  eventCounts,
  leaseHolder,
  maintainedRuns,
  must,
  schedulerAsDeployed,
  seeded,
  settledUntilNextWindow,
  shootYaml,
  windowElsewhere,
  type EventJson,
  type SchedulerChild,
  type ShootJson,
} from './scheduler-support.js';
import { applyYaml, ctx, getJson, kubectl, uniqueName, waitFor } from './harness.js';

const SEED = Number(process.env.FAULTS_SEED ?? 20261124);

async function setUpNamespace(namespace: string): Promise<void> {
  await must(kubectl(['create', 'namespace', namespace]));
}

async function tearDownNamespace(namespace: string, replicas: SchedulerChild[]): Promise<void> {
  for (const r of replicas) await stopPid(r.process.pid);
  await kubectl(['delete', 'namespace', namespace, '--wait=false']);
}

async function shoots(namespace: string): Promise<ShootJson[]> {
  return (await getJson<{ items: ShootJson[] }>('shoots', '', namespace)).items;
}

async function events(namespace: string): Promise<EventJson[]> {
  return (await getJson<{ items: EventJson[] }>('events', '', namespace)).items;
}

/** kube-apiserver's count of PUT requests on shoots answered 409 (all clients, whole run). */
async function putConflicts(): Promise<number> {
  const text = await must(kubectl(['get', '--raw', '/metrics']));
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    if (line.includes('code="409"') && line.includes('resource="shoots"') && line.includes('verb="PUT"')) total += Number(line.split(' ').pop());
  }
  return total;
}


/**
 * A ValidatingAdmissionPolicy (kube-apiserver's own CEL admission) that refuses the scheduler's
 * writes of shoots/status in one namespace: its runs there land their spec update and then fail
 * at the status patch, so a kill afterwards is certain to cut a run between the two.
 */
function holdStatusPolicy(name: string, namespace: string): string {
  return `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: { name: ${name} }
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
      - { apiGroups: ["core.gardener.cloud"], apiVersions: ["*"], operations: ["UPDATE"], resources: ["shoots/status"] }
  matchConditions:
    - { name: the-scheduler, expression: "request.userInfo.username == '${ctx().scheduler.username}'" }
  validations:
    - { expression: "false", message: "e2e: the scheduler's status writes are held back" }
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: { name: ${name} }
spec:
  policyName: ${name}
  validationActions: [Deny]
  matchResources:
    namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: ${namespace} } }
`;
}

/** Whether the scheduler may write the status of a shoot now: a dry-run status patch sent as the scheduler. */
let schedulerClient: Promise<KubeRestClient> | undefined;
async function schedulerMayWriteStatus(namespace: string, shoot: string): Promise<boolean> {
  schedulerClient ??= KubeRestClient.fromKubeConfig(loadKubeConfig(ctx().scheduler.kubeconfigPath));
  const client = await schedulerClient;
  try {
    await client.request({
      method: 'PATCH',
      path: `/apis/core.gardener.cloud/v1beta1/namespaces/${namespace}/shoots/${shoot}/status`,
      query: { dryRun: 'All' },
      body: { status: { isHibernated: false } },
      contentType: 'application/merge-patch+json',
    });
    return true;
  } catch (err) {
    if (String((err as Error).message).includes('status writes are held back')) return false;
    throw err;
  }
}

describe('the leader SIGKILLed in the middle of a burst of maintenance runs', () => {
  const namespace = uniqueName('faults-kill');
  const ROUNDS = 3;
  const PER_ROUND = 16;
  const timing = ['--lease-duration', '6s', '--renew-deadline', '4s', '--retry-period', '1s'];
  const replicas: SchedulerChild[] = [];
  const all: SchedulerChild[] = [];
  const start = (identity: string) => {
    const r = schedulerAsDeployed(identity, timing);
    replicas.push(r);
    all.push(r);
  };

  beforeAll(async () => {
    await setUpNamespace(namespace);
    const docs = Array.from({ length: ROUNDS * PER_ROUND }, (_, i) =>
      shootYaml({ name: `r${Math.floor(i / PER_ROUND)}-s${String(i % PER_ROUND).padStart(2, '0')}`, namespace, cloudProfile: ctx().cloudProfileName, window: windowElsewhere() }),
    );
    await must(applyYaml(docs.join('---\n')));
    start('kill-0a');
    start('kill-0b');
  });

  afterAll(() => tearDownNamespace(namespace, all));

  it('the standby takes over; no shoot is maintained twice', { timeout: 240_000 }, async () => {
    const random = seeded(SEED);
    const rounds: string[] = [];
    let caughtBetween = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const holder = await waitFor(() => leaseHolder(), 30_000);
      const leader = replicas.find((r) => r.identity === holder);
      const standby = replicas.find((r) => r.identity !== holder);
      if (!leader || !standby) throw new Error(`unexpected lease holder ${holder}`);
      // Both replicas have listed the shoots (warm caches) before the burst starts.
      await waitFor(() => replicas.every((r) => r.lines().some((l) => l.msg === 'queued')), 30_000);

      // The burst: `maintain` on this round's shoots at once (4 runs at a time, 10 qps).
      const names = Array.from({ length: PER_ROUND }, (_, i) => `r${round}-s${String(i).padStart(2, '0')}`);
      // Round 0 makes the cut certain: the leader's status writes are refused, and it is killed
      // once runs have landed their spec update without a status. The other rounds kill it at a
      // seeded random point of the burst.
      const cut = round === 0;
      const policy = `${namespace}-hold-status`;
      if (cut) {
        await must(applyYaml(holdStatusPolicy(policy, namespace)));
        await waitFor(async () => !(await schedulerMayWriteStatus(namespace, names[0] as string)), 30_000, 250);
      }
      await must(kubectl(['annotate', 'shoots', ...names, '-n', namespace, 'gardener.cloud/operation=maintain']));
      let killAfterMs = 0;
      if (cut) {
        await waitFor(async () => {
          const xs = (await shoots(namespace)).filter((x) => names.includes(x.metadata.name));
          return xs.some((x) => x.metadata.generation === 2 && !x.status?.lastMaintenance);
        }, 60_000, 100);
      } else {
        await waitFor(() => leader.lines().some((l) => l.msg === 'maintenance run' && String(l.shoot).includes(`/r${round}-`)), 30_000, 20);
        killAfterMs = Math.floor(random() * 2_500);
        await new Promise((resolve) => setTimeout(resolve, killAfterMs));
      }
      const killedAt = Date.now();
      process.kill(leader.process.pid, 'SIGKILL');
      await leader.process.exited;
      replicas.splice(replicas.indexOf(leader), 1);

      // What the kill left behind, before the standby acts.
      const atKill = (await shoots(namespace)).filter((x) => names.includes(x.metadata.name));
      const between = atKill.filter((x) => x.metadata.generation === 2 && !x.status?.lastMaintenance).map((x) => x.metadata.name);
      caughtBetween += between.length;
      const untouched = atKill.filter((x) => x.metadata.generation === 1).length;
      // The standby may write statuses again (it cannot act before the dead leader's lease expires).
      if (cut) {
        await must(kubectl(['delete', 'validatingadmissionpolicybinding,validatingadmissionpolicy', policy]));
        await waitFor(() => schedulerMayWriteStatus(namespace, names[0] as string), 30_000, 250);
      }

      await waitFor(async () => (await leaseHolder()) === standby.identity, 60_000, 250);
      const takeoverMs = Date.now() - killedAt; // printed, not asserted
      rounds.push(`round ${round}: killed ${cut ? 'with status writes held back' : `${killAfterMs} ms after the first run`}, ${untouched}/${PER_ROUND} untouched, ${between.length} between update and status (${between.join(' ')}), takeover ${takeoverMs} ms`);
      // The killed replica comes back as the new standby.
      start(`kill-${round + 1}`);
    }

    // Settled: no `maintain` left, every shoot rolled out, and the last leader has each shoot
    // queued for its next window (so no run is in flight and none can come late).
    await waitFor(async () => {
      const xs = await shoots(namespace);
      return xs.every((x) => x.metadata.generation >= 2 && !x.metadata.annotations?.['gardener.cloud/operation']);
    }, 90_000, 500);
    const holder = await leaseHolder();
    const finalLeader = replicas.find((r) => r.identity === holder);
    if (!finalLeader) throw new Error('no replica holds the lease at the end');
    const keys = (await shoots(namespace)).map((x) => `${namespace}/${x.metadata.name}`);
    await waitFor(() => settledUntilNextWindow(finalLeader, keys), 90_000, 500);
    const settled = await shoots(namespace);
    const evs = eventCounts(await events(namespace));

    const twice: string[] = [];
    const lostStatus: string[] = [];
    const withoutEvent: string[] = [];
    for (const x of settled) {
      const key = `${namespace}/${x.metadata.name}`;
      expect(x.spec.kubernetes.version, x.metadata.name).toBe('1.32.4');
      expect(x.spec.provider.workers[0]?.machine.image.version, x.metadata.name).toBe('1592.4.0');
      // One rollout: the generation rose once.
      expect(x.metadata.generation, x.metadata.name).toBe(2);
      expect(x.status?.lastMaintenance?.state ?? 'none', x.metadata.name).not.toBe('Processing');
      const eventsOf = evs.get(`${x.metadata.name}/KubernetesVersionMaintenance`) ?? 0;
      if (eventsOf > 1 || maintainedRuns(all, key) > 1) twice.push(x.metadata.name);
      if (eventsOf === 0) withoutEvent.push(x.metadata.name);
      expect(x.metadata.annotations?.['maintenance.gardener.cloud/last-maintenance'], x.metadata.name).toBeUndefined();
      if (!x.status?.lastMaintenance) lostStatus.push(x.metadata.name);
    }
    process.stdout.write(
      `[reliability] leader kill, seed ${SEED}, ${ROUNDS} rounds × ${PER_ROUND} shoots:\n${rounds.map((r) => `  ${r}\n`).join('')}` +
        `  runs caught between update and status: ${caughtBetween}; maintained twice: ${twice.length}; ` +
        `without lastMaintenance afterwards: ${lostStatus.length} (${lostStatus.join(' ')}); without a KubernetesVersionMaintenance Event: ${withoutEvent.length} (${withoutEvent.join(' ')})\n`,
    );
    // The fault happened: runs were cut between their spec update and their status patch.
    expect(caughtBetween).toBeGreaterThan(0);
    expect(twice).toEqual([]);
    // A run cut between its spec update and its status patch must not lose its record: the
    // record rides in the update (maintenance.gardener.cloud/last-maintenance) and the next
    // leader finishes it (RELIABILITY.md, item 4).
    expect(lostStatus).toEqual([]);
    // Events come before the record is removed, so a kill cannot lose them either.
    expect(withoutEvent).toEqual([]);
  });
});

describe('a conflict storm: another client updates the Shoot all through its maintenance', () => {
  const namespace = uniqueName('faults-storm');
  let scheduler: SchedulerChild | undefined;

  beforeAll(async () => {
    await setUpNamespace(namespace);
    scheduler = schedulerAsDeployed('storm-1');
    await waitFor(() => scheduler?.lines().some((l) => l.msg === 'became leader'), 30_000);
  });

  afterAll(() => tearDownNamespace(namespace, scheduler ? [scheduler] : []));

  it('lands maintenance exactly once and keeps every change of the other client', { timeout: 300_000 }, async () => {
    // Six writers, each setting its own label to an increasing counter as fast as the API server
    // takes it (merge PATCH: never a conflict for them; each one passes the webhooks), from before
    // `maintain` until the maintenance has landed. The scheduler's update is a PUT with
    // resourceVersion: kube-apiserver's own counter of 409s on PUT shoots shows how often it was
    // refused. A storm that happened not to hit the scheduler's update is repeated on a fresh
    // shoot (at most ROUNDS), so the fault this test is about is certain to have happened.
    const ROUNDS = 5;
    const client = await KubeRestClient.fromKubeConfig(loadKubeConfig(ctx().kubeconfigPath));
    const reports: string[] = [];
    let conflicts = 0;
    try {
      for (let round = 0; round < ROUNDS && conflicts === 0; round++) {
        const name = `stormy-${round}`;
        await must(applyYaml(shootYaml({ name, namespace, cloudProfile: ctx().cloudProfileName, window: windowElsewhere() })));
        await waitFor(() => scheduler?.lines().some((l) => l.msg === 'queued' && l.shoot === `${namespace}/${name}`), 30_000, 100);
        const conflictsBefore = await putConflicts();
        const path = `/apis/core.gardener.cloud/v1beta1/namespaces/${namespace}/shoots/${name}`;
        const writes = new Map<string, number>();
        // The storm lasts until the scheduler's update has been refused at least once (or the
        // maintenance landed without that): a storm that never ends would starve any optimistic
        // writer, which is not the property under test.
        let calm = false;
        const MAX_WRITES = 5_000; // per writer: a bound, should neither ever happen
        const writer = async (id: string) => {
          for (let i = 1; i <= MAX_WRITES && !calm; i++) {
            await client.request({ method: 'PATCH', path, body: { metadata: { labels: { [`storm-${id}`]: String(i) } } }, contentType: 'application/merge-patch+json' });
            writes.set(id, i);
          }
        };
        const storm = Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map(writer));
        const landed = async () => {
          const x = await getJson<ShootJson>('shoot', name, namespace);
          const a = x.metadata.annotations ?? {};
          // Over once its record annotation is gone too: the Events come before that removal.
          return x.status?.lastMaintenance && !a['gardener.cloud/operation'] && !a['maintenance.gardener.cloud/last-maintenance'] ? x : undefined;
        };
        try {
          // `maintain` once the storm is under way (a count of writes, not a guessed delay).
          await waitFor(() => [...writes.values()].reduce((a, b) => a + b, 0) >= 30, 30_000, 20);
          await must(kubectl(['annotate', 'shoot', name, '-n', namespace, '--overwrite', 'gardener.cloud/operation=maintain']));
          await waitFor(async () => (await putConflicts()) > conflictsBefore || (await landed()) !== undefined, 60_000, 100);
        } finally {
          calm = true;
          await storm;
        }
        const s = await waitFor(landed, 120_000, 200);
        // The run's Events are written before its record is removed: they are there by now.
        const key = `${namespace}/${name}`;
        const runs = scheduler?.lines().filter((l) => l.msg === 'maintenance run' && l.shoot === key) ?? [];
        const evs = eventCounts(await events(namespace));
        const after = await getJson<ShootJson>('shoot', name, namespace);
        conflicts = (await putConflicts()) - conflictsBefore;
        reports.push(
          `${name}: ${[...writes.values()].reduce((a, b) => a + b, 0)} label updates (merge PATCH) by 6 writers; ` +
            `${conflicts} scheduler updates refused with 409 Conflict; runs: ${JSON.stringify(runs.map((l) => l.result))}; ` +
            `generation ${s.metadata.generation}; lastMaintenance ${s.status?.lastMaintenance?.state}`,
        );
        expect(s.spec.kubernetes.version).toBe('1.32.4');
        expect(s.spec.provider.workers[0]?.machine.image.version).toBe('1592.4.0');
        expect(s.metadata.generation).toBe(2);
        expect(s.status?.lastMaintenance?.state).toBe('Succeeded');
        // Every writer's last change is there (read after the storm ended).
        for (const [id, last] of writes) expect(after.metadata.labels?.[`storm-${id}`], `writer ${id}`).toBe(String(last));
        expect(runs.filter((l) => l.result === 'maintained')).toHaveLength(1);
        expect(evs.get(`${name}/KubernetesVersionMaintenance`)).toBe(1);
      }
    } finally {
      client.close();
      process.stdout.write(`[reliability] conflict storm:\n${reports.map((r) => `  ${r}\n`).join('')}`);
    }
    // It was a storm: the scheduler's update was refused at least once.
    expect(conflicts, `no 409 on the scheduler's update in ${reports.length} storms`).toBeGreaterThan(0);
  });
});
