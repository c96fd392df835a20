// The maintenance scheduler: informers on Shoots, CloudProfiles and the maintenance freezes, ONE due-time queue for all
// shoots, runs bounded in number, a token bucket on API requests, leader election on a Lease.
// Every replica keeps its caches and queue warm; only the leader's queue fires.
import http from 'node:http';
import type { Logger } from 'pino';
import { CatalogueCache } from '../catalogue/catalogue-cache.js';
import { NamespacedCatalogueCache } from '../catalogue/namespaced.js';
import { CLOUD_PROFILE_KIND, NAMESPACED_CLOUD_PROFILE_KIND } from '../core/cloudprofile-types.js';
import type { CatalogueIndex } from '../core/cloudprofile.js';
import type { MaintenanceOptions } from '../core/maintenance.js';
import type { ExclusionSet } from '../core/maintenance-exclusion.js';
import type { LastMaintenance, ProfileRef, Shoot } from '../core/shoot.js';
import { CLOUDPROFILES_PATH, NAMESPACEDCLOUDPROFILES_PATH } from '../kube/cloudprofile-informer.js';
import { EventRecorder } from '../kube/event-recorder.js';
import { ExclusionInformerSource } from '../kube/exclusion-informer.js';
import { Informer, keyOf, type KubeObject } from '../kube/informer.js';
import { KubeLeaseStore } from '../kube/lease-store.js';
import { KubeApiError, type KubeRestClient } from '../kube/rest-client.js';
import { SHOOTS_PATH, ShootClient } from '../kube/shoot-client.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { DueQueue, realTimers, type TimerApi } from './due-queue.js';
import { cachedShootOf } from './cached-shoot.js';
import { dueTimeOf, needsReplan, nextWindowDueTime } from './due-time.js';
import { ForcedUpdateNotifier } from './forced-update-notifier.js';
import { LeaderElector } from './leader-election.js';
import { runMaintenance, type RunApi, type RunReport } from './maintenance-run.js';
import { SchedulerMetrics } from './metrics.js';

export interface SchedulerConfig {
  leaseNamespace: string;
  leaseName: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  maxConcurrent: number;
  maintenance: MaintenanceOptions;
  metricsHost: string;
  metricsPort: number;
  /** --forced-update-notice: how long before an expiry the ForcedUpdateScheduled Event is given (absent or 0: never). */
  forcedUpdateNoticeMs?: number;
}

/**
 * Where the scheduler reads the time and how it waits; every field defaults to the real one
 * (Math.random, Date.now, the due queue's unref'd timers, the elector's abortable sleep).
 * Unit tests hand in a fake clock so due times, renew deadlines and back-offs move only when told.
 */
export interface SchedulerRuntime {
  random?: () => number;
  /** Epoch milliseconds: due times, back-offs, the elector's renew deadline, run and Event times. */
  now?: () => number;
  /** The due queue's one timer. */
  timers?: TimerApi;
  /** The elector's waits between lease attempts (resolves early when the signal aborts). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** How often the leader looks at every shoot for notices that came due without a watch event (a version entering the notice period). */
const NOTICE_SWEEP_MS = 10 * 60_000;

const RETRY_MIN_MS = 5_000;
const RETRY_MAX_MS = 5 * 60_000;

class LostLeadershipError extends Error {
  constructor() {
    super('lost leadership: not writing');
  }
}

export class MaintenanceScheduler {
  private readonly shoots: Informer<Shoot>;
  /** Raw CloudProfiles; the catalogue prepares one when a run first needs it (./catalogue). */
  private readonly profiles: Informer<KubeObject>;
  private readonly catalogues: CatalogueCache;
  /** Raw NamespacedCloudProfiles; merged into their parent when a run needs one (src/catalogue/namespaced.ts). */
  private readonly namespacedProfiles: Informer<KubeObject>;
  private readonly namespacedCatalogues: NamespacedCatalogueCache;
  /** Maintenance freezes and namespace labels (docs/design.md, "Maintenance freezes"), read at every run. */
  private readonly exclusions: ExclusionInformerSource;
  private readonly queue: DueQueue<string>;
  private readonly limit: ConcurrencyLimit;
  private readonly elector: LeaderElector;
  readonly metrics: SchedulerMetrics;
  private readonly running = new Set<string>();
  private readonly rerun = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly electionAbort = new AbortController();
  private election: Promise<void> | undefined;
  private metricsServer: http.Server | undefined;
  private leading = false;
  private readonly shootApi: ShootClient;
  private readonly events: EventRecorder;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly notifier: ForcedUpdateNotifier;
  private readonly timers: TimerApi;
  private noticeSweep: unknown;

  constructor(
    private readonly client: KubeRestClient,
    private readonly config: SchedulerConfig,
    private readonly log: Logger,
    runtime: SchedulerRuntime = {},
  ) {
    this.random = runtime.random ?? Math.random;
    this.now = runtime.now ?? Date.now;
    this.shootApi = new ShootClient(client);
    this.events = new EventRecorder(client, config.identity, () => new Date(this.now()));
    this.queue = new DueQueue<string>({ onDue: (key) => this.onDue(key), now: this.now, timers: runtime.timers });
    this.limit = new ConcurrencyLimit(config.maxConcurrent);
    this.metrics = new SchedulerMetrics({
      queueLength: () => this.queue.size + this.limit.queued,
      secondsUntilNextDue: () => {
        const top = this.queue.peek();
        return top === undefined ? undefined : Math.max(0, (top.dueAt - this.now()) / 1000);
      },
      isLeader: () => this.leading,
    });
    this.timers = runtime.timers ?? realTimers;
    this.notifier = new ForcedUpdateNotifier({
      api: {
        recordEvent: (shoot, event, dedupKey) => {
          this.guard();
          return this.events.record(shoot, event, dedupKey);
        },
        patchAnnotations: async (shoot, annotations) => {
          this.guard();
          await this.shootApi.patchAnnotations(shoot.metadata.namespace ?? '', shoot.metadata.name ?? '', annotations);
        },
      },
      catalogue: (ref) => this.catalogue(ref),
      options: config.maintenance,
      noticePeriodMs: config.forcedUpdateNoticeMs ?? 0,
      exclusions: () => this.exclusionSet(),
      now: () => new Date(this.now()),
      gauge: this.metrics.forcedUpdate,
    });
    this.shoots = new Informer<Shoot>(client, { path: SHOOTS_PATH, transform: cachedShootOf }, {
      onAdd: (shoot) => {
        this.plan(shoot);
        this.notice(shoot);
      },
      onUpdate: (shoot, old) => {
        if (needsReplan(shoot, old)) this.plan(shoot);
        this.notice(shoot);
      },
      onDelete: (shoot) => {
        this.forget(keyOf(shoot));
        this.notifier.forget(keyOf(shoot));
      },
      onSynced: () => this.maybeStartQueue(),
      onError: (err, retryInMs) => this.log.warn({ err: errorText(err), retryInMs }, 'shoot watch failed; restarting'),
    });
    this.catalogues = new CatalogueCache({
      onUnusable: (name, reason) => this.log.error({ cloudProfile: name, reason }, 'CloudProfile cannot be used'),
    });
    this.profiles = new Informer<KubeObject>(client, { path: CLOUDPROFILES_PATH }, {
      // A new profile or a changed expiry changes the notices of the shoots using it.
      onAdd: () => this.sweepNotices(),
      onUpdate: () => this.sweepNotices(),
      onDelete: (profile) => this.catalogues.delete(profile.metadata.name ?? ''),
      onSynced: () => this.maybeStartQueue(),
      onError: (err, retryInMs) => this.log.warn({ err: errorText(err), retryInMs }, 'cloudprofile watch failed; restarting'),
    });
    this.namespacedCatalogues = new NamespacedCatalogueCache({
      onUnusable: (name, reason) => this.log.error({ namespacedCloudProfile: name, reason }, 'NamespacedCloudProfile cannot be used'),
    });
    this.namespacedProfiles = new Informer<KubeObject>(client, { path: NAMESPACEDCLOUDPROFILES_PATH }, {
      onAdd: () => this.sweepNotices(),
      onUpdate: () => this.sweepNotices(),
      onDelete: (profile) => this.namespacedCatalogues.delete(keyOf(profile)),
      onSynced: () => this.maybeStartQueue(),
      onError: (err, retryInMs) => this.log.warn({ err: errorText(err), retryInMs }, 'namespacedcloudprofile watch failed; restarting'),
    });
    this.exclusions = new ExclusionInformerSource(client, log, () => this.maybeStartQueue());
    this.elector = new LeaderElector({
      store: new KubeLeaseStore(client, config.leaseNamespace, config.leaseName),
      identity: config.identity,
      leaseDurationMs: config.leaseDurationMs,
      renewDeadlineMs: config.renewDeadlineMs,
      retryPeriodMs: config.retryPeriodMs,
      now: this.now,
      ...(runtime.sleep ? { sleep: runtime.sleep } : {}),
      onStartedLeading: () => {
        this.leading = true;
        this.log.info('became leader');
        this.maybeStartQueue();
      },
      onStoppedLeading: () => {
        this.leading = false;
        this.queue.stop();
        this.stopNoticeSweep();
        this.notifier.forgetAll();
        this.log.info('stopped leading');
      },
      onError: (err) => this.log.warn({ err: errorText(err) }, 'lease request failed'),
    });
  }

  get isLeader(): boolean {
    return this.leading;
  }

  async start(): Promise<void> {
    await this.startMetricsServer();
    void this.shoots.start();
    void this.profiles.start();
    void this.namespacedProfiles.start();
    void this.exclusions.start();
    this.election = this.elector.run(this.electionAbort.signal);
  }

  /** Stop acting, let runs in flight finish, release the lease, stop watching. */
  async stop(): Promise<void> {
    this.queue.stop();
    this.stopNoticeSweep();
    this.leading = false;
    await Promise.race([Promise.allSettled([...this.inflight]), delay(10_000)]);
    this.electionAbort.abort();
    await this.election;
    await Promise.all([this.shoots.stop(), this.profiles.stop(), this.namespacedProfiles.stop(), this.exclusions.stop()]);
    await new Promise<void>((resolve) => (this.metricsServer ? this.metricsServer.close(() => resolve()) : resolve()));
    this.client.close();
  }

  private maybeStartQueue(): void {
    if (this.leading && this.shoots.hasSynced && this.profiles.hasSynced && this.namespacedProfiles.hasSynced && this.exclusions.synced()) {
      this.queue.start();
      this.sweepNotices();
    }
  }

  /** The maintenance freezes known now (the exclusion informers' caches). */
  private exclusionSet(): ExclusionSet {
    return this.exclusions.set();
  }

  /** The notice before a forced update (./forced-update-notifier.ts): the leader, once the caches are warm. */
  private notice(shoot: Shoot): void {
    if (!this.notifier.enabled || !this.leading || !this.shoots.hasSynced || !this.profiles.hasSynced || !this.namespacedProfiles.hasSynced || !this.exclusions.synced()) return;
    this.notifier.observe(shoot).catch((err: unknown) => {
      if (!(err instanceof LostLeadershipError)) this.log.warn({ shoot: keyOf(shoot), err: errorText(err) }, 'forced-update notice failed');
    });
  }

  /** Every shoot, now and every NOTICE_SWEEP_MS while leading. */
  private sweepNotices(): void {
    if (!this.notifier.enabled || !this.leading) return;
    this.stopNoticeSweep();
    for (const shoot of this.shoots.list()) this.notice(shoot);
    this.noticeSweep = this.timers.setTimeout(() => {
      this.noticeSweep = undefined;
      this.sweepNotices();
    }, NOTICE_SWEEP_MS);
  }

  private stopNoticeSweep(): void {
    if (this.noticeSweep !== undefined) this.timers.clearTimeout(this.noticeSweep);
    this.noticeSweep = undefined;
  }

  private plan(shoot: Shoot): void {
    const key = keyOf(shoot);
    if (this.running.has(key)) {
      this.rerun.add(key);
      return;
    }
    const due = dueTimeOf(shoot, new Date(this.now()), this.random);
    if (due === null) {
      this.forget(key);
      return;
    }
    this.enqueue(key, due.at.getTime(), due.reason);
  }

  /** Every entry into the queue is logged (debug), so the log tells when a shoot is due next and why. */
  private enqueue(key: string, at: number, reason: string): void {
    this.queue.schedule(key, at);
    this.log.debug({ shoot: key, dueAt: new Date(at).toISOString(), reason }, 'queued');
  }

  private forget(key: string): void {
    this.queue.remove(key);
    this.failures.delete(key);
    this.rerun.delete(key);
  }

  /** The profile as the webhook sees it (shape-checked, defaulted, indexed), prepared once per resourceVersion. */
  private catalogue(ref: ProfileRef): CatalogueIndex | undefined {
    if (ref.kind === NAMESPACED_CLOUD_PROFILE_KIND) {
      const namespaced = this.namespacedProfiles.get(`${ref.namespace ?? ''}/${ref.name}`);
      return namespaced ? this.namespacedCatalogues.get(namespaced, (name) => this.catalogue({ kind: CLOUD_PROFILE_KIND, name })) : undefined;
    }
    if (ref.kind !== CLOUD_PROFILE_KIND) return undefined;
    const profile = this.profiles.get(ref.name);
    if (!profile) return undefined;
    const prepared = this.catalogues.prepare(profile);
    return prepared.ok ? prepared.index : undefined;
  }

  private onDue(key: string): void {
    if (this.running.has(key)) {
      this.rerun.add(key);
      return;
    }
    this.running.add(key);
    const task = this.limit
      .run(() => this.runOne(key))
      .catch((err: unknown) => this.log.error({ shoot: key, err: errorText(err) }, 'maintenance run crashed'))
      .finally(() => {
        this.running.delete(key);
        this.inflight.delete(task);
      });
    this.inflight.add(task);
  }

  private guard(): void {
    if (!this.leading || !this.elector.withinRenewDeadline()) throw new LostLeadershipError();
  }

  private api(): RunApi {
    return {
      getShoot: async (namespace, name) => {
        try {
          return await this.shootApi.get(namespace, name);
        } catch (err) {
          if (err instanceof KubeApiError && err.isNotFound) return null;
          throw err;
        }
      },
      updateShoot: (shoot, dryRun) => {
        this.guard();
        return this.shootApi.update(shoot, { dryRun });
      },
      patchLastMaintenance: async (namespace, name, lastMaintenance: LastMaintenance) => {
        this.guard();
        await this.shootApi.patchLastMaintenance(namespace, name, lastMaintenance);
      },
      removeAnnotation: async (shoot, key) => {
        this.guard();
        await this.shootApi.patchAnnotations(shoot.metadata.namespace ?? '', shoot.metadata.name ?? '', { [key]: null });
      },
      recordEvent: (shoot, event, dedupKey) => {
        this.guard();
        return this.events.record(shoot, event, dedupKey);
      },
    };
  }

  private async runOne(key: string): Promise<void> {
    if (!this.leading) {
      // Leadership went away while the run waited for a slot: keep it queued for the next leader term.
      this.enqueue(key, this.now(), 'not-leading');
      return;
    }
    const [namespace = '', name = ''] = key.split('/');
    const started = process.hrtime.bigint();
    let report: RunReport;
    try {
      report = await runMaintenance(
        {
          api: this.api(),
          catalogue: (profile) => this.catalogue(profile),
          now: () => new Date(this.now()),
          options: this.config.maintenance,
          exclusions: () => this.exclusionSet(),
          isConflict: (err) => err instanceof KubeApiError && err.isConflict,
        },
        namespace,
        name,
      );
    } catch (err) {
      report = { result: 'error', changes: [], error: errorText(err) };
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.metrics.runs.inc({ result: report.result });
    this.metrics.runDuration.observe({ result: report.result }, seconds);
    // A run can land its update and still record Failed (an item without a suitable version):
    // the line says which state it recorded, so the log does not read as a plain success.
    const recorded = report.result === 'maintained' || report.result === 'status-only' ? report.plan?.lastMaintenance.state : undefined;
    const line = {
      shoot: key,
      result: report.result,
      ...(recorded ? { lastMaintenance: recorded } : {}),
      changes: report.changes,
      durationMs: Math.round(seconds * 1000),
      ...(report.error ? { error: report.error } : {}),
    };
    if (report.result === 'error' || report.result === 'conflict' || report.result === 'dry-run-failed' || recorded === 'Failed') this.log.warn(line, 'maintenance run');
    else if (report.result === 'not-due') this.log.debug(line, 'maintenance run');
    else this.log.info(line, 'maintenance run');
    this.reschedule(key, report);
  }

  private reschedule(key: string, report: RunReport): void {
    if (report.result === 'gone') {
      this.forget(key);
      return;
    }
    const cached = this.shoots.get(key);
    if (report.result === 'error' || report.result === 'conflict') {
      const failures = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, failures);
      const backoff = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (failures - 1));
      this.enqueue(key, this.now() + backoff, `retry-${report.result}`);
      this.rerun.delete(key);
      return;
    }
    this.failures.delete(key);
    const shoot = report.plan?.shoot ?? cached;
    if (this.rerun.delete(key) && cached) {
      // Something changed during the run (`maintain` or the window): decide afresh.
      const due = dueTimeOf(cached, new Date(this.now()), this.random);
      if (due) this.enqueue(key, due.at.getTime(), due.reason);
      return;
    }
    if (shoot) {
      const next = nextWindowDueTime(shoot, new Date(this.now()), this.random);
      this.enqueue(key, next.at.getTime(), next.reason);
    }
  }

  private async startMetricsServer(): Promise<void> {
    const server = http.createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'GET' && path === '/metrics') {
        this.metrics.registry
          .metrics()
          .then((body) => {
            res.writeHead(200, { 'content-type': this.metrics.registry.contentType });
            res.end(body);
          })
          .catch((err: unknown) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(errorText(err));
          });
      } else if (req.method === 'GET' && path === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.metricsPort, this.config.metricsHost, () => resolve());
    });
    this.metricsServer = server;
  }

  /** The port the metrics server listens on (useful with --metrics-port 0). */
  get metricsPort(): number | undefined {
    const address = this.metricsServer?.address();
    return typeof address === 'object' && address !== null ? address.port : undefined;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
