// `shoot-maintenance scheduler`: watch Shoots and CloudProfiles, maintain each shoot once per
// occurrence of its maintenance window, as the elected leader among the replicas.
// SIGTERM/SIGINT: stop acting, let runs in flight finish, release the lease, exit.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { Command } from 'commander';
import { pino } from 'pino';
import { loadKubeConfig } from '../kube/config.js';
import { RequestAccounting } from '../kube/request-accounting.js';
import { KubeRestClient } from '../kube/rest-client.js';
import { TokenBucket } from '../kube/token-bucket.js';
import { MaintenanceScheduler, type SchedulerConfig } from '../scheduler/scheduler.js';
import { checkLogLevel, FEATURE_GATES_HELP, LOG_LEVELS, onStopSignals, parseDurationFlag, parseFeatureGates } from './options.js';

const SERVICE_ACCOUNT_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export interface SchedulerCommandOptions {
  kubeconfig?: string;
  leaseNamespace?: string;
  leaseName: string;
  identity?: string;
  leaseDuration: string;
  renewDeadline: string;
  retryPeriod: string;
  maxConcurrent: number;
  qps: number;
  burst: number;
  metricsHost: string;
  metricsPort: number;
  forceUpdateVanishedVersions: boolean;
  restartControlPlanePods: boolean;
  restartCoreAddons: boolean;
  logLevel: string;
  /** Go duration before an expiry that the ForcedUpdateScheduled Event is given; `0` disables. */
  forcedUpdateNotice: string;
  /** `--feature-gates` as given: checked and logged; maintenance reads lifecycles whatever the gate
   *  (Gardener's gate lives in gardener-apiserver's validation only, pkg/apiserver/features/features.go). */
  featureGates?: string;
}

/** The namespace of the pod's service account, else `shoot-maintenance`. */
export function defaultLeaseNamespace(file = SERVICE_ACCOUNT_NAMESPACE_FILE): string {
  try {
    const ns = readFileSync(file, 'utf8').trim();
    if (ns) return ns;
  } catch {
    // not in a pod
  }
  return 'shoot-maintenance';
}

function number(flag: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min) throw new Error(`${flag} must be a number ≥ ${min}, not ${JSON.stringify(value)}`);
    return n;
  };
}

export function schedulerConfigFrom(o: SchedulerCommandOptions): SchedulerConfig {
  checkLogLevel(o.logLevel);
  parseFeatureGates(o.featureGates);
  const leaseDurationMs = parseDurationFlag(o.leaseDuration);
  const renewDeadlineMs = parseDurationFlag(o.renewDeadline);
  const retryPeriodMs = parseDurationFlag(o.retryPeriod);
  if (!(renewDeadlineMs < leaseDurationMs)) throw new Error('--renew-deadline must be shorter than --lease-duration');
  if (!(retryPeriodMs < renewDeadlineMs)) throw new Error('--retry-period must be shorter than --renew-deadline');
  if (!Number.isInteger(o.maxConcurrent)) throw new Error('--max-concurrent must be an integer');
  const forcedUpdateNoticeMs = durationOf('--forced-update-notice', o.forcedUpdateNotice);
  return {
    leaseNamespace: o.leaseNamespace ?? defaultLeaseNamespace(),
    leaseName: o.leaseName,
    identity: o.identity ?? `${os.hostname()}_${process.pid}`,
    leaseDurationMs,
    renewDeadlineMs,
    retryPeriodMs,
    maxConcurrent: o.maxConcurrent,
    maintenance: {
      forceUpdateVanishedVersions: o.forceUpdateVanishedVersions,
      restartControlPlanePods: o.restartControlPlanePods,
      restartCoreAddons: o.restartCoreAddons,
    },
    metricsHost: o.metricsHost,
    metricsPort: o.metricsPort,
    forcedUpdateNoticeMs,
  };
}

function durationOf(flag: string, value: string): number {
  try {
    return parseDurationFlag(value);
  } catch (err) {
    throw new Error(`${flag}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

export function registerSchedulerCommand(program: Command): void {
  program
    .command('scheduler')
    .description('run the maintenance scheduler against the cluster in the kubeconfig')
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, in-cluster, ~/.kube/config)')
    .option('--lease-namespace <ns>', "namespace of the leader Lease (default: the service account's, else shoot-maintenance)")
    .option('--lease-name <name>', 'name of the leader Lease', 'shoot-maintenance-scheduler')
    .option('--identity <id>', 'this replica in the Lease (default: hostname_pid)')
    .option('--lease-duration <duration>', 'how long a Lease holds without renewal', '15s')
    .option('--renew-deadline <duration>', 'the leader stops acting when it could not renew for this long', '10s')
    .option('--retry-period <duration>', 'interval between acquire/renew attempts', '2s')
    .option('--max-concurrent <n>', 'maintenance runs at once', number('--max-concurrent', 1), 4)
    .option('--qps <n>', 'API requests per second (token bucket rate)', number('--qps', 0.001), 10)
    .option('--burst <n>', 'API request burst (token bucket size)', number('--burst', 1), 20)
    .option('--metrics-host <host>', 'address of /metrics and /healthz', '127.0.0.1')
    .option('--metrics-port <port>', 'port of /metrics and /healthz (0: any free port)', number('--metrics-port', 0), 8080)
    .option('--force-update-vanished-versions', 'treat versions dropped from the CloudProfile as expired', false)
    .option('--restart-control-plane-pods', 'add the restartControlPlanePods task', true)
    .option('--no-restart-control-plane-pods', 'do not add the restartControlPlanePods task')
    .option('--restart-core-addons', 'add the restartCoreAddons task', false)
    .option('--forced-update-notice <duration>', 'give a ForcedUpdateScheduled Event this long before a version of a shoot expires (0: never)', '168h')
    .option('--log-level <level>', `one of ${LOG_LEVELS.join(', ')}`, 'info')
    .option('--feature-gates <gates>', FEATURE_GATES_HELP)
    .action(async (options: SchedulerCommandOptions) => {
      const config = schedulerConfigFrom(options);
      const log = pino({ level: options.logLevel, base: { component: 'scheduler', identity: config.identity } });
      const accounting = new RequestAccounting(
        'shoot_maintenance_scheduler_api_requests_total',
        'Requests the scheduler made to the API server, by method and status code',
        new TokenBucket({ qps: options.qps, burst: options.burst }),
      );
      const client = await KubeRestClient.fromKubeConfig(loadKubeConfig(options.kubeconfig), {
        ...accounting.clientOptions(),
        userAgent: 'shoot-maintenance-scheduler',
      });
      const scheduler = new MaintenanceScheduler(client, config, log);
      accounting.register(scheduler.metrics.registry);
      await scheduler.start();
      log.info(
        { metricsPort: scheduler.metricsPort, lease: `${config.leaseNamespace}/${config.leaseName}`, featureGates: parseFeatureGates(options.featureGates) },
        'scheduler started',
      );
      onStopSignals((signal) => {
        log.info({ signal }, 'stopping');
        void scheduler
          .stop()
          .then(() => {
            log.info('stopped; lease released');
            process.exit(0);
          })
          .catch((err: unknown) => {
            log.error({ err: err instanceof Error ? err.message : String(err) }, 'stop failed');
            process.exit(1);
          });
      });
    });
}
