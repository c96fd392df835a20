// The MaintenanceScheduler as a whole against the fake API server: when its queue may fire
// (leading AND both informers synced), that no write leaves once the leader is past its renew
// deadline, and that a run cut off by lost leadership is queued again and done in the next term.
// Time is a FakeClock (due times, the queue's timer, the elector's clock and sleeps), so nothing
// fires unless the test moves the clock; the HTTP is real, so the test waits on conditions.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { parse as parseYaml } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import type { LastMaintenance, Shoot } from '../../../src/core/shoot.js';
import { KubeRestClient } from '../../../src/kube/rest-client.js';
import type { TimerApi } from '../../../src/scheduler/due-queue.js';
import { MaintenanceScheduler, type SchedulerConfig } from '../../../src/scheduler/scheduler.js';
import { eventually, startFakeApiServer, status, type Answer, type FakeApiServer, type RecordedRequest } from '../kube/fake-api-server.js';
import { FakeClock } from './fake-timers.js';

const SHOOTS = '/apis/core.gardener.cloud/v1beta1/shoots';
const PROFILES = '/apis/core.gardener.cloud/v1beta1/cloudprofiles';
const NAMESPACED_PROFILES = '/apis/core.gardener.cloud/v1beta1/namespacedcloudprofiles';
const EXCLUSIONS = '/apis/maintenance.shoot-maintenance.io/v1alpha1/maintenanceexclusions';
const CLUSTER_EXCLUSIONS = '/apis/maintenance.shoot-maintenance.io/v1alpha1/clustermaintenanceexclusions';
const NAMESPACES = '/api/v1/namespaces';
const LEASES = '/apis/coordination.k8s.io/v1/namespaces/sm/leases';
const LEASE = `${LEASES}/scheduler`;
const NAMESPACE = 'garden-dev';
const shootPath = (name: string) => `/apis/core.gardener.cloud/v1beta1/namespaces/${NAMESPACE}/shoots/${name}`;
const MAINTAIN = { 'gardener.cloud/operation': 'maintain' };
// Outside the shoots' window (10:00–11:00 UTC): only `maintain` makes a shoot due now.
const T0 = Date.parse('2026-03-10T15:00:00Z');
// Long enough that the elector's one real-time wait (a hung renewal times out after
// renewDeadline - retryPeriod of real time) never ends within a test.
const TIMING = { leaseDurationMs: 60_000, renewDeadlineMs: 40_000, retryPeriodMs: 10_000 };
const IDENTITY = 'scheduler-0';

const isWatch = (r: RecordedRequest) => r.query.get('watch') === 'true';

/** examples/cloudprofile.yaml: 1.31.0 has expired, 1.31.6 is the latest 1.31 patch. */
function profile(): Record<string, unknown> {
  const p = parseYaml(readFileSync(join(import.meta.dirname, '..', '..', '..', 'examples', 'cloudprofile.yaml'), 'utf8')) as {
    metadata: Record<string, unknown>;
  };
  p.metadata = { ...p.metadata, resourceVersion: '3' };
  return p;
}

function shoot(name: string, annotations: Record<string, string> = {}): Shoot {
  return {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'Shoot',
    metadata: { name, namespace: NAMESPACE, uid: `uid-${name}`, resourceVersion: '5', annotations },
    spec: {
      cloudProfileName: 'local',
      region: 'local',
      kubernetes: { version: '1.31.0' },
      provider: { type: 'local' },
      maintenance: { timeWindow: { begin: '100000+0000', end: '110000+0000' } },
    },
    status: { lastOperation: { type: 'Reconcile', state: 'Succeeded' } },
  };
}

interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: { holderIdentity?: string | null; renewTime?: string | null; [k: string]: unknown };
}

/** The cluster behind the fake API server: shoots, one CloudProfile, the Lease; requests it holds back. */
class FakeCluster {
  readonly shoots = new Map<string, Shoot>();
  /** Served at the freezes' paths when set; unset, they answer 404 (the CRDs not installed). */
  exclusions: Record<string, unknown>[] | undefined;
  lease: Lease | null = null;
  /** 'fail': every Lease request answers 500. */
  leaseMode: 'ok' | 'fail' = 'ok';
  /** Requests matching this are held until released (answered as they would be at release time). */
  holdIf: (r: RecordedRequest) => boolean = () => false;
  readonly held: { request: RecordedRequest; release: (answer?: Answer) => void }[] = [];
  private version = 100;
  /** The CloudProfile the cluster lists. */
  profile: () => Record<string, unknown> = profile;

  constructor(shoots: Shoot[]) {
    for (const s of shoots) this.shoots.set(s.metadata.name ?? '', structuredClone(s));
  }

  nextVersion(): string {
    return String(++this.version);
  }

  handle(r: RecordedRequest): Answer | Promise<Answer> {
    if (this.holdIf(r)) {
      return new Promise((resolve) => this.held.push({ request: r, release: (answer) => resolve(answer ?? this.answer(r)) }));
    }
    return this.answer(r);
  }

  /** Releases the held requests matching `which` (all when omitted), with `answer` or the normal one. */
  release(which: (r: RecordedRequest) => boolean = () => true, answer?: Answer): number {
    const matching = this.held.filter((h) => which(h.request));
    for (const h of matching) {
      this.held.splice(this.held.indexOf(h), 1);
      h.release(answer);
    }
    return matching.length;
  }

  private answer(r: RecordedRequest): Answer {
    const body = r.body === '' ? undefined : (JSON.parse(r.body) as Record<string, unknown>);
    if (r.path === SHOOTS) return isWatch(r) ? 'watch' : { status: 200, body: { metadata: { resourceVersion: '50' }, items: [...this.shoots.values()] } };
    if (r.path === PROFILES) return isWatch(r) ? 'watch' : { status: 200, body: { metadata: { resourceVersion: '60' }, items: [this.profile()] } };
    if (r.path === NAMESPACED_PROFILES) return isWatch(r) ? 'watch' : { status: 200, body: { metadata: { resourceVersion: '61' }, items: [] } };
    if (this.exclusions && (r.path === EXCLUSIONS || r.path === CLUSTER_EXCLUSIONS || r.path === NAMESPACES)) {
      const items = r.path === EXCLUSIONS ? this.exclusions : r.path === NAMESPACES ? [{ metadata: { name: NAMESPACE, resourceVersion: '1' } }] : [];
      return isWatch(r) ? 'watch' : { status: 200, body: { metadata: { resourceVersion: '70' }, items } };
    }
    if (r.path === LEASE || r.path === LEASES) return this.leaseAnswer(r, body as unknown as Lease | undefined);
    if (r.method === 'POST' && r.path === `/api/v1/namespaces/${NAMESPACE}/events`) return { status: 201, body };
    const m = /^\/apis\/core\.gardener\.cloud\/v1beta1\/namespaces\/[^/]+\/shoots\/([^/]+)(\/status)?$/.exec(r.path);
    const current = m ? this.shoots.get(m[1] ?? '') : undefined;
    if (!m || !current) return status(404, 'NotFound', `${r.path} not found`);
    if (r.method === 'GET') return { status: 200, body: current };
    if (r.method === 'PUT') {
      const desired = body as unknown as Shoot;
      if (desired.metadata.resourceVersion !== current.metadata.resourceVersion) return status(409, 'Conflict', 'the object has been modified');
      if (r.query.get('dryRun') === 'All') return { status: 200, body: desired };
      const stored = { ...structuredClone(desired), status: current.status, metadata: { ...desired.metadata, resourceVersion: this.nextVersion() } };
      this.shoots.set(m[1] ?? '', stored);
      return { status: 200, body: stored };
    }
    if (r.method === 'PATCH' && m[2] === '/status') {
      const patch = (body as { status: { lastMaintenance: Record<string, unknown> } }).status.lastMaintenance;
      const lastMaintenance = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== null)) as unknown as LastMaintenance;
      current.status = { ...current.status, lastMaintenance };
      return { status: 200, body: current };
    }
    if (r.method === 'PATCH') {
      const annotations = { ...current.metadata.annotations };
      for (const [k, v] of Object.entries((body as { metadata: { annotations: Record<string, string | null> } }).metadata.annotations)) {
        if (v === null) delete annotations[k];
        else annotations[k] = v;
      }
      current.metadata = { ...current.metadata, annotations, resourceVersion: this.nextVersion() };
      return { status: 200, body: current };
    }
    return status(405, 'MethodNotAllowed', r.method);
  }

  private leaseAnswer(r: RecordedRequest, body: Lease | undefined): Answer {
    if (this.leaseMode === 'fail') return status(500, 'InternalError', 'etcdserver: request timed out');
    if (r.method === 'GET') return this.lease ? { status: 200, body: this.lease } : status(404, 'NotFound', 'leases "scheduler" not found');
    if (r.method === 'POST') {
      if (this.lease) return status(409, 'AlreadyExists', 'leases "scheduler" already exists');
      this.lease = { ...body!, metadata: { ...body!.metadata, resourceVersion: this.nextVersion() } };
      return { status: 201, body: this.lease };
    }
    if (r.method === 'PUT' && body) {
      if (!this.lease || body.metadata.resourceVersion !== this.lease.metadata.resourceVersion) return status(409, 'Conflict', 'the object has been modified');
      this.lease = { ...body, metadata: { ...body.metadata, resourceVersion: this.nextVersion() } };
      return { status: 200, body: this.lease };
    }
    return status(405, 'MethodNotAllowed', r.method);
  }
}

/** The due queue's timer on the fake clock, with the set of timers armed now. */
class QueueTimers implements TimerApi {
  readonly armed = new Set<unknown>();
  constructor(private readonly clock: FakeClock) {}
  setTimeout(fn: () => void, ms: number): unknown {
    const handle = this.clock.setTimeout(() => {
      this.armed.delete(handle);
      fn();
    }, ms);
    this.armed.add(handle);
    return handle;
  }
  clearTimeout(handle: unknown): void {
    this.armed.delete(handle);
    this.clock.clearTimeout(handle);
  }
}

interface LogLine {
  msg: string;
  path?: string;
  shoot?: string;
  reason?: string;
  dueAt?: string;
  result?: string;
  error?: string;
}

let stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.reverse()) await stop();
  stops = [];
});

async function start(
  shoots: Shoot[],
  options: {
    maxConcurrent?: number;
    lease?: Lease;
    holdIf?: (r: RecordedRequest) => boolean;
    cluster?: FakeCluster;
    forcedUpdateNoticeMs?: number;
    exclusions?: Record<string, unknown>[];
  } = {},
) {
  const clock = new FakeClock(T0);
  const timers = new QueueTimers(clock);
  const cluster = options.cluster ?? new FakeCluster(shoots);
  if (options.lease) cluster.lease = options.lease;
  if (options.holdIf) cluster.holdIf = options.holdIf;
  if (options.exclusions) cluster.exclusions = options.exclusions;
  const fake: FakeApiServer = await startFakeApiServer((r) => cluster.handle(r));
  const client = await KubeRestClient.fromKubeConfig(fake.kubeConfig());
  const lines: LogLine[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  let sleeping = 0;
  // The elector's wait between lease attempts, on the fake clock.
  const sleep = (ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      sleeping++;
      const done = () => {
        sleeping--;
        clock.clearTimeout(handle);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const handle = clock.setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  const config: SchedulerConfig = {
    leaseNamespace: 'sm',
    leaseName: 'scheduler',
    identity: IDENTITY,
    ...TIMING,
    maxConcurrent: options.maxConcurrent ?? 4,
    maintenance: { forceUpdateVanishedVersions: false },
    metricsHost: '127.0.0.1',
    metricsPort: 0,
    ...(options.forcedUpdateNoticeMs === undefined ? {} : { forcedUpdateNoticeMs: options.forcedUpdateNoticeMs }),
  };
  const scheduler = new MaintenanceScheduler(client, config, log, { random: () => 0.5, now: clock.now, timers, sleep });
  await scheduler.start();
  stops.push(async () => {
    // Nothing may hang the stop: the lease refuses (no new term), every held request is answered.
    cluster.leaseMode = 'fail';
    cluster.holdIf = () => false;
    cluster.release((r) => r.path === LEASE, status(500, 'InternalError', 'stopping'));
    cluster.release();
    await scheduler.stop();
    await fake.close();
  });
  const stop = stops.at(-1)!;
  const key = (name: string) => `${NAMESPACE}/${name}`;
  return {
    /** Stops this scheduler now (a restart: start again with the same cluster). */
    stop: async () => {
      stops.splice(stops.indexOf(stop), 1);
      await stop();
    },
    clock,
    timers,
    cluster,
    fake,
    scheduler,
    lines,
    electorAsleep: () => sleeping > 0,
    watching: (path: string) => fake.watches.some((w) => w.request.path === path),
    queued: (name: string, reason: string) => lines.some((l) => l.msg === 'queued' && l.shoot === key(name) && l.reason === reason),
    lastQueued: (name: string) => lines.filter((l) => l.msg === 'queued' && l.shoot === key(name)).at(-1),
    ran: (name: string, result?: string) => lines.some((l) => l.msg === 'maintenance run' && l.shoot === key(name) && (result === undefined || l.result === result)),
    /** Requests about one shoot (reads and writes), from request number `from` on. */
    shootRequests: (name: string, from = 0) => fake.requests.slice(from).filter((r) => r.path.startsWith(shootPath(name))),
    queueLength: async () => (await scheduler.metrics.registry.getSingleMetric('shoot_maintenance_queue_length')!.get()).values[0]?.value,
  };
}

type Harness = Awaited<ReturnType<typeof start>>;

/** The run's effect as the API server keeps it: the expired 1.31.0 updated, the maintenance recorded. */
function expectMaintained(h: Harness, name: string): void {
  const stored = h.cluster.shoots.get(name);
  expect(stored?.spec.kubernetes.version, `${name}: kubernetes version`).toBe('1.31.6');
  expect(stored?.status?.lastMaintenance?.state, `${name}: lastMaintenance.state`).toBe('Succeeded');
  expect(stored?.metadata.annotations?.['gardener.cloud/operation'], `${name}: operation`).not.toBe('maintain');
}

const WRITES = new Set(['PUT', 'PATCH', 'POST', 'DELETE']);
// Above every wait's 5 s, so a condition that never holds fails with its own message.
const TEST_TIMEOUT_MS = 20_000;

describe('MaintenanceScheduler: when the queue fires', { timeout: TEST_TIMEOUT_MS }, () => {
  it('a due shoot is not run while the CloudProfile list is outstanding, though leading with the shoots synced; it is run once the list is answered', async () => {
    const h = await start([shoot('a', MAINTAIN)], { holdIf: (r) => r.path === PROFILES && !isWatch(r) });
    await eventually(
      () => h.scheduler.isLeader && h.watching(SHOOTS) && h.cluster.held.length === 1,
      5_000,
      'leading, shoots listed and watched, the CloudProfile list held',
    );
    expect(h.queued('a', 'maintain')).toBe(true);
    // The queue is not running: no timer for the due entry, and the clock moving on fires nothing.
    expect(h.timers.armed.size, 'queue timers armed before the CloudProfile list').toBe(0);
    h.clock.advance(1_000);
    expect(await h.queueLength(), 'shoots still queued').toBe(1);
    expect(h.shootRequests('a')).toEqual([]);

    const answeredAt = h.fake.requests.length;
    h.cluster.holdIf = () => false;
    expect(h.cluster.release()).toBe(1);
    await eventually(() => h.timers.armed.size === 1, 5_000, 'the queue armed its timer after the CloudProfile list');
    h.clock.advance(0);
    await eventually(() => h.ran('a'), 5_000, 'the run of a');
    expect(h.lines.find((l) => l.msg === 'maintenance run')?.result).toBe('maintained');
    expectMaintained(h, 'a');
    expect(h.shootRequests('a', 0).length).toBe(h.shootRequests('a', answeredAt).length);
  });

  it('a due shoot is not run while another replica holds the lease, though both informers synced; it is run once this replica leads', async () => {
    const other: Lease = {
      metadata: { name: 'scheduler', namespace: 'sm', resourceVersion: '7' },
      spec: { holderIdentity: 'scheduler-1', leaseDurationSeconds: 60, renewTime: '2026-03-10T15:00:00.000000Z', leaseTransitions: 0 },
    };
    const h = await start([shoot('a', MAINTAIN)], { lease: other });
    await eventually(
      () => h.watching(SHOOTS) && h.watching(PROFILES) && h.watching(NAMESPACED_PROFILES) && h.electorAsleep() && h.fake.requests.some((r) => r.path === LEASE),
      5_000,
      'both informers watching, the elector waiting as a candidate',
    );
    expect(h.scheduler.isLeader).toBe(false);
    expect(h.queued('a', 'maintain')).toBe(true);
    expect(h.timers.armed.size, 'queue timers armed while not leading').toBe(0);
    h.clock.advance(1_000); // less than a retry period: the elector stays a candidate
    expect(await h.queueLength(), 'shoots still queued').toBe(1);
    expect(h.shootRequests('a')).toEqual([]);

    // The other replica releases the lease (holder cleared); the next attempt takes it.
    h.cluster.lease = { ...other, metadata: { ...other.metadata, resourceVersion: h.cluster.nextVersion() }, spec: { ...other.spec, holderIdentity: '' } };
    const ledAt = h.fake.requests.length;
    h.clock.advance(TIMING.retryPeriodMs * 1.2); // the candidate's wait is retryPeriod plus up to 20 % jitter
    await eventually(() => h.scheduler.isLeader && h.timers.armed.size === 1, 5_000, 'leading, and the queue armed its timer');
    h.clock.advance(0);
    await eventually(() => h.ran('a'), 5_000, 'the run of a');
    expectMaintained(h, 'a');
    expect(h.shootRequests('a', 0).length).toBe(h.shootRequests('a', ledAt).length);
  });
});

describe('MaintenanceScheduler: writes only within the renew deadline', { timeout: TEST_TIMEOUT_MS }, () => {
  it('past the renew deadline (the renewal hangs, still "leading") a run reads but writes nothing, records no failure, and is queued for a retry', async () => {
    const h = await start([shoot('a')]); // not due: its next window is tomorrow
    await eventually(
      () => h.scheduler.isLeader && h.watching(SHOOTS) && h.watching(PROFILES) && h.watching(NAMESPACED_PROFILES) && h.electorAsleep(),
      5_000,
      'leading with both informers watching',
    );
    h.cluster.holdIf = (r) => r.path === LEASE; // renewals hang from now on
    h.clock.advance(TIMING.retryPeriodMs); // the leader wakes to renew
    await eventually(() => h.cluster.held.some((x) => x.request.path === LEASE), 5_000, 'a renewal hanging at the API server');
    // Past the renew deadline on the elector's clock, while it still waits for the hung renewal.
    h.clock.advance(TIMING.renewDeadlineMs);
    const pastDeadline = h.fake.requests.length;

    const annotated = shoot('a', MAINTAIN);
    annotated.metadata.resourceVersion = h.cluster.nextVersion();
    h.cluster.shoots.set('a', structuredClone(annotated));
    h.fake.send({ type: 'MODIFIED', object: annotated }, SHOOTS);
    await eventually(() => h.queued('a', 'maintain') && h.timers.armed.size === 1, 5_000, 'a queued as due for `maintain`');
    h.clock.advance(0);
    await eventually(() => h.ran('a'), 5_000, 'the run of a');

    // Still leading as far as the elector's loop goes: the renew deadline alone refused the writes.
    expect(h.scheduler.isLeader).toBe(true);
    const after = h.fake.requests.slice(pastDeadline);
    expect(after.filter((r) => WRITES.has(r.method)).map((r) => `${r.method} ${r.path}`), 'writes past the renew deadline').toEqual([]);
    expect(after.some((r) => r.method === 'GET' && r.path === shootPath('a'))).toBe(true); // the run did start
    expect(h.cluster.shoots.get('a')?.status?.lastMaintenance).toBeUndefined(); // no Failed recorded
    expect(h.lines.find((l) => l.msg === 'maintenance run')).toMatchObject({ result: 'error', error: expect.stringMatching(/lost leadership/) });
    // Retried after the first back-off (docs/design.md: "5 s doubling to 5 min").
    expect(h.lastQueued('a')).toMatchObject({ reason: 'retry-error', dueAt: new Date(h.clock.ms + 5_000).toISOString() });
  });
});

describe('MaintenanceScheduler: lost leadership', { timeout: TEST_TIMEOUT_MS }, () => {
  it('a run waiting for a slot when leadership is lost is queued again without touching the shoot; both shoots are maintained in the next term', async () => {
    let heldOne = false;
    const h = await start([shoot('a', MAINTAIN), shoot('b', MAINTAIN)], {
      maxConcurrent: 1,
      // The first run's read is held, so the other run waits for the one slot.
      holdIf: (r) => {
        if (heldOne || r.method !== 'GET' || !r.path.startsWith(shootPath(''))) return false;
        heldOne = true;
        return true;
      },
    });
    await eventually(
      () => h.scheduler.isLeader && h.timers.armed.size === 1 && h.electorAsleep(),
      5_000,
      'leading with the queue armed',
    );
    h.clock.advance(0);
    await eventually(() => h.cluster.held.length === 1, 5_000, "the first run's read held");
    const running = h.cluster.held[0]!.request.path === shootPath('a') ? 'a' : 'b';
    const waiting = running === 'a' ? 'b' : 'a';

    // Renewals fail; past the renew deadline the elector stops leading.
    h.cluster.leaseMode = 'fail';
    h.clock.advance(TIMING.renewDeadlineMs + 1);
    await eventually(() => !h.scheduler.isLeader && h.electorAsleep(), 5_000, 'leadership lost, the elector a candidate again');

    h.cluster.release();
    await eventually(
      () => h.queued(running, 'retry-error') && h.queued(waiting, 'not-leading'),
      5_000,
      `${running} queued for a retry, ${waiting} queued again as not leading`,
    );
    // The waiting run never started: no request about it, no run reported; nothing was written.
    expect(h.shootRequests(waiting).map((r) => `${r.method} ${r.path}`), 'requests about the waiting shoot').toEqual([]);
    expect(h.ran(waiting)).toBe(false);
    expect(h.fake.requests.filter((r) => WRITES.has(r.method) && r.path !== LEASE && r.path !== LEASES).map((r) => `${r.method} ${r.path}`), 'writes').toEqual([]);

    // The lease answers again: this replica renews its own record and leads a new term.
    h.cluster.leaseMode = 'ok';
    const newTerm = h.fake.requests.length;
    h.clock.advance(TIMING.retryPeriodMs * 1.2); // the candidate's wait is retryPeriod plus up to 20 % jitter
    await eventually(() => h.scheduler.isLeader && h.timers.armed.size === 1, 5_000, 'leading again with the queue armed');
    h.clock.advance(0); // both are due by now: the re-queued one at once, the retry after its 5 s
    await eventually(() => h.ran(waiting) && h.ran(running, 'maintained'), 5_000, 'both shoots run in the new term');
    expect(h.lines.filter((l) => l.msg === 'maintenance run' && l.shoot === `${NAMESPACE}/${waiting}`).map((l) => l.result)).toEqual(['maintained']);
    expectMaintained(h, waiting);
    expectMaintained(h, running);
    expect(h.shootRequests(waiting, newTerm).length).toBe(h.shootRequests(waiting).length);
  });
});

describe('MaintenanceScheduler: maintenance freezes', { timeout: TEST_TIMEOUT_MS }, () => {
  /** In its window at T0 (15:00; effective until 15:00:20), due at 15:00:10 with random 0.5 (within the renew deadline). */
  function inWindow(name: string): Shoot {
    const s = shoot(name);
    s.spec.maintenance = { timeWindow: { begin: '143000+0000', end: '151520+0000' } };
    return s;
  }

  it('without the freezes\' CRDs (404 on list) it logs once per collection and maintains as without freezes', async () => {
    const h = await start([inWindow('a')]);
    await eventually(() => h.scheduler.isLeader && h.timers.armed.size === 1, 5_000, 'leading, the queue armed');
    h.clock.advance(10_000);
    await eventually(() => h.ran('a'), 5_000, 'the run of a');
    expectMaintained(h, 'a');
    const missing = h.lines.filter((l) => l.msg.includes('not served'));
    expect(missing.map((l) => l.path).sort()).toEqual([CLUSTER_EXCLUSIONS, EXCLUSIONS, NAMESPACES].sort());
  });

  it('a NoUpgrades freeze in the cluster holds a due shoot back: nothing written, one MaintenanceDeferred Event, queued for the next occurrence', async () => {
    const freeze = {
      apiVersion: 'maintenance.shoot-maintenance.io/v1alpha1',
      kind: 'MaintenanceExclusion',
      metadata: { name: 'release', namespace: NAMESPACE, resourceVersion: '9' },
      spec: { start: '2026-03-01T00:00:00Z', end: '2026-03-20T00:00:00Z', scope: 'NoUpgrades' },
    };
    const h = await start([inWindow('a')], { exclusions: [freeze] });
    await eventually(() => h.scheduler.isLeader && h.timers.armed.size === 1, 5_000, 'leading, the queue armed');
    h.clock.advance(10_000);
    await eventually(() => h.ran('a', 'excluded'), 5_000, 'the excluded run of a');
    expect(h.cluster.shoots.get('a')?.spec.kubernetes.version).toBe('1.31.0');
    expect(h.shootRequests('a').map((r) => r.method)).toEqual(['GET']);
    const events = h.fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/events')).map((r) => JSON.parse(r.body) as { reason: string; message: string });
    expect(events.map((e) => [e.reason, e.message])).toEqual([
      ['MaintenanceDeferred', `Deferred by MaintenanceExclusion "${NAMESPACE}/release" (NoUpgrades) until 2026-03-20T00:00:00Z: control plane: Kubernetes version "1.31.0" to "1.31.6"`],
    ]);
    expect(h.lastQueued('a')).toMatchObject({ reason: 'next-window', dueAt: '2026-03-11T14:45:10.000Z' });
  });
});

describe('MaintenanceScheduler: notice before a forced update', { timeout: TEST_TIMEOUT_MS }, () => {
  const NOTICES = 'maintenance.gardener.cloud/forced-update-notices';
  const WEEK_MS = 7 * 24 * 3600_000;
  const eventPosts = (h: Harness) => h.fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/events'));
  const gauge = async (h: Harness) =>
    (await h.scheduler.metrics.registry.getSingleMetric('shoot_maintenance_forced_update_timestamp_seconds')!.get()).values.map((v) => [v.labels, v.value]);
  /** The gauge once it has `count` series: it is set after the annotation patch is answered, not with it. */
  const gaugeWith = async (h: Harness, count: number) => {
    let series: unknown[] = [];
    const poll = setInterval(() => void gauge(h).then((v) => (series = v)), 5);
    await eventually(() => series.length === count, 5_000, `the gauge has ${count} series`).finally(() => clearInterval(poll));
    return series;
  };

  /** 1.32.0 expires on 2026-03-14 (four days after T0): maintenance forces 1.32.4 in the window of 2026-03-14, 10:00 UTC. */
  function expiringProfile(): Record<string, unknown> {
    const p = profile() as { spec: { kubernetes: { versions: { version: string; expirationDate?: string }[] } } };
    for (const v of p.spec.kubernetes.versions) if (v.version === '1.32.0') v.expirationDate = '2026-03-14T00:00:00Z';
    return p as unknown as Record<string, unknown>;
  }
  function expiringShoot(): Shoot {
    const s = shoot('a');
    s.spec.kubernetes.version = '1.32.0';
    return s;
  }
  /** What a stop left behind (the lease refusing, the lease held): a fresh cluster state for the next scheduler. */
  const restartable = (cluster: FakeCluster) => {
    cluster.leaseMode = 'ok';
    cluster.lease = null;
  };
  const MESSAGE =
    'Kubernetes version of the control plane expires 2026-03-14T00:00:00Z: forced update from "1.32.0" to "1.32.4" in the maintenance window starting 2026-03-14T10:00:00Z';

  it('one Event, the annotation and the gauge; after a restart against the same cluster no second Event; pruned when the version changes', async () => {
    const cluster = new FakeCluster([expiringShoot()]);
    cluster.profile = expiringProfile;
    const first = await start([], { cluster, forcedUpdateNoticeMs: WEEK_MS });
    await eventually(() => cluster.shoots.get('a')?.metadata.annotations?.[NOTICES] !== undefined, 5_000, 'the notices annotation written');
    const events = eventPosts(first).map((r) => JSON.parse(r.body) as { reason: string; type: string; message: string; involvedObject: { name: string } });
    expect(events.map((e) => [e.type, e.reason, e.involvedObject.name, e.message])).toEqual([['Normal', 'ForcedUpdateScheduled', 'a', MESSAGE]]);
    expect(JSON.parse(cluster.shoots.get('a')!.metadata.annotations![NOTICES]!)).toEqual({ 'control plane': '1.32.0@2026-03-14T00:00:00Z' });
    // The patch is metadata only: a merge patch of the one annotation.
    const patch = first.shootRequests('a').find((r) => r.method === 'PATCH');
    expect(patch?.headers['content-type']).toBe('application/merge-patch+json');
    expect(JSON.parse(patch!.body)).toEqual({ metadata: { annotations: { [NOTICES]: '{"control plane":"1.32.0@2026-03-14T00:00:00Z"}' } } });
    expect(await gaugeWith(first, 1)).toEqual([[{ namespace: NAMESPACE, name: 'a', component: 'control plane' }, Date.parse('2026-03-14T10:00:00Z') / 1000]]);
    await first.stop();
    restartable(cluster);

    // A restart: the new scheduler lists the shoot with the annotation and records nothing again.
    const second = await start([], { cluster, forcedUpdateNoticeMs: WEEK_MS });
    await gaugeWith(second, 1);
    expect(eventPosts(second)).toEqual([]);
    expect(second.shootRequests('a').filter((r) => WRITES.has(r.method))).toEqual([]);

    // The version no longer expires (the operator moved the date away): the annotation is pruned and the series removed.
    cluster.profile = profile;
    cluster.shoots.get('a')!.spec.kubernetes.version = '1.32.4';
    await second.stop();
    restartable(cluster);
    const third = await start([], { cluster, forcedUpdateNoticeMs: WEEK_MS });
    await eventually(() => cluster.shoots.get('a')?.metadata.annotations?.[NOTICES] === undefined, 5_000, 'the notices annotation pruned');
    expect(await gauge(third)).toEqual([]);
    expect(eventPosts(third)).toEqual([]);
  });

  it('0 disables: no Event, no annotation, no series', async () => {
    const cluster = new FakeCluster([expiringShoot()]);
    cluster.profile = expiringProfile;
    const h = await start([], { cluster, forcedUpdateNoticeMs: 0 });
    await eventually(() => h.scheduler.isLeader && h.watching(SHOOTS) && h.watching(PROFILES) && h.watching(NAMESPACED_PROFILES), 5_000, 'leading and synced');
    expect(eventPosts(h)).toEqual([]);
    expect(await gauge(h)).toEqual([]);
    expect(h.shootRequests('a').filter((r) => WRITES.has(r.method))).toEqual([]);
  });
});
