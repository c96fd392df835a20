// The scheduler's Prometheus metrics (prom-client, its own registry). Its API request counter,
// shoot_maintenance_scheduler_api_requests_total, is the client's (src/kube/request-accounting.ts),
// registered here by the command.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface SchedulerMetricsSources {
  queueLength: () => number;
  /** Seconds until the next due shoot; undefined when the queue is empty. */
  secondsUntilNextDue: () => number | undefined;
  isLeader: () => boolean;
}

export class SchedulerMetrics {
  readonly registry = new Registry();
  readonly runs: Counter<'result'>;
  readonly runDuration: Histogram<'result'>;
  /** The planned instant of each notice before a forced update (./forced-update-notifier.ts). */
  readonly forcedUpdate: Gauge<'namespace' | 'name' | 'component'>;

  constructor(sources: SchedulerMetricsSources) {
    collectDefaultMetrics({ register: this.registry });
    this.runs = new Counter({
      name: 'shoot_maintenance_runs_total',
      help: 'Maintenance runs by result',
      labelNames: ['result'],
      registers: [this.registry],
    });
    this.runDuration = new Histogram({
      name: 'shoot_maintenance_run_duration_seconds',
      help: 'Duration of one maintenance run (re-read to Events)',
      labelNames: ['result'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [this.registry],
    });
    this.forcedUpdate = new Gauge({
      name: 'shoot_maintenance_forced_update_timestamp_seconds',
      help: 'When maintenance will force up a version expiring within the notice period (unix seconds, begin of the maintenance window)',
      labelNames: ['namespace', 'name', 'component'],
      registers: [this.registry],
    });
    new Gauge({
      name: 'shoot_maintenance_queue_length',
      help: 'Shoots in the due-time queue (including runs waiting for a concurrency slot)',
      registers: [this.registry],
      collect() {
        this.set(sources.queueLength());
      },
    });
    new Gauge({
      name: 'shoot_maintenance_next_due_seconds',
      help: 'Seconds until the next shoot is due (absent-value -1 when the queue is empty)',
      registers: [this.registry],
      collect() {
        this.set(sources.secondsUntilNextDue() ?? -1);
      },
    });
    new Gauge({
      name: 'shoot_maintenance_leader',
      help: '1 while this replica holds the leader lease and acts, else 0',
      registers: [this.registry],
      collect() {
        this.set(sources.isLeader() ? 1 : 0);
      },
    });
  }
}
