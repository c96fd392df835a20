// `shoot-maintenance webhook`: serve the admission routes over HTTPS. CloudProfiles come from
// --cloud-profile files, else from an informer on the cluster in the kubeconfig. The serving
// certificate is reloaded on change, on SIGHUP and every minute; SIGTERM/SIGINT drain gracefully.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { pino, type Logger } from 'pino';
import { DEFAULT_EXPIRY_WARNING_DAYS, DEFAULT_SCHEDULER_USER, type CloudProfileSource } from '../admission/handler-deps.js';
import { loadCloudProfileFiles } from '../catalogue/profile-files.js';
import { CloudProfileInformerSource } from '../kube/cloudprofile-informer.js';
import { loadKubeConfig } from '../kube/config.js';
import { RequestAccounting } from '../kube/request-accounting.js';
import { KubeRestClient } from '../kube/rest-client.js';
import { buildApp, DEFAULT_SHUTDOWN_DELAY_SECONDS, DEFAULT_SHUTDOWN_GRACE_MS } from '../webhook/app.js';
import { ServingCertificateStore } from '../webhook/serving-certificate.js';
import { checkLogLevel, collect, FEATURE_GATES_HELP, LOG_LEVELS, onStopSignals, parseFeatureGates } from './options.js';

export interface WebhookOptions {
  host: string;
  port: number;
  certDir: string;
  cloudProfile: string[];
  kubeconfig?: string;
  schedulerUser: string[];
  expiryWarningDays: number;
  clientCa?: string;
  logLevel: string;
  /** `--feature-gates` as given (parseFeatureGates). */
  featureGates?: string;
  /** Seconds a stopping webhook stays up, not ready, before it closes its listener. */
  shutdownDelay?: number;
  /** Offer HTTP/2 by ALPN besides HTTP/1.1. */
  http2?: boolean;
}

const CERTIFICATE_RELOAD_INTERVAL_MS = 60_000;

function positiveInteger(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} must be a non-negative integer, not ${JSON.stringify(value)}`);
    return n;
  };
}

export interface RunningWebhook {
  url: string;
  reloadCertificate(): void;
  stop(): Promise<void>;
}

/** Starts the server; resolves with a stop function once it listens. */
export async function startWebhook(options: WebhookOptions, logger?: Logger): Promise<RunningWebhook> {
  checkLogLevel(options.logLevel);
  const gates = parseFeatureGates(options.featureGates);
  const log = logger ?? pino({ level: options.logLevel, base: { component: 'webhook' } });
  const clientCaPem = options.clientCa ? readFileSync(options.clientCa, 'utf8') : undefined;
  const certificates = new ServingCertificateStore(options.certDir, log);

  let profiles: CloudProfileSource;
  let cluster: { client: KubeRestClient; informer: CloudProfileInformerSource; accounting: RequestAccounting } | undefined;
  if (options.cloudProfile.length > 0) {
    profiles = loadCloudProfileFiles(options.cloudProfile);
  } else {
    const accounting = new RequestAccounting(
      'shoot_maintenance_webhook_api_requests_total',
      'Requests the webhook made to the API server (its CloudProfile informer), by method and status code',
    );
    const client = await KubeRestClient.fromKubeConfig(loadKubeConfig(options.kubeconfig), {
      ...accounting.clientOptions(),
      userAgent: 'shoot-maintenance-webhook',
    });
    cluster = { client, informer: new CloudProfileInformerSource(client, log), accounting };
    profiles = cluster.informer;
  }

  const app = buildApp({
    profiles,
    now: () => new Date(),
    schedulerUsers: options.schedulerUser.length > 0 ? options.schedulerUser : [DEFAULT_SCHEDULER_USER],
    expiryWarningDays: options.expiryWarningDays,
    versionClassificationLifecycle: gates.VersionClassificationLifecycle,
    logger: log,
    certificates,
    ...(clientCaPem ? { clientCaPem } : {}),
    http2: options.http2 === true,
  });
  cluster?.accounting.register(app.webhook.metrics.registry);
  const url = await app.listen({ host: options.host, port: options.port });
  certificates.watch(CERTIFICATE_RELOAD_INTERVAL_MS);
  if (cluster) void cluster.informer.start();
  log.info({ url, http2: options.http2 === true, cloudProfiles: options.cloudProfile.length > 0 ? 'files' : 'informer', featureGates: gates }, 'webhook listening');

  const stop = async (): Promise<void> => {
    await app.webhook.shutdown(DEFAULT_SHUTDOWN_GRACE_MS, (options.shutdownDelay ?? 0) * 1000);
    certificates.close();
    await cluster?.informer.stop();
    cluster?.client.close();
  };
  return { url, stop, reloadCertificate: () => void certificates.reload('SIGHUP') };
}

export function registerWebhookCommand(program: Command): void {
  program
    .command('webhook')
    .description('serve the admission webhooks (/mutate/shoots, /validate/shoots, /validate/cloudprofiles, /validate/namespacedcloudprofiles) over HTTPS')
    .option('--host <address>', 'address to listen on', '0.0.0.0')
    .option('--port <port>', 'port to listen on', positiveInteger('--port'), 8443)
    .option('--cert-dir <dir>', 'directory with tls.crt and tls.key (reloaded when they change)', 'certs')
    .option('--cloud-profile <file>', 'serve CloudProfiles from this file instead of the cluster (repeatable)', collect, [])
    .option('--kubeconfig <path>', 'kubeconfig for the CloudProfile informer (default: $KUBECONFIG, in-cluster, ~/.kube/config)')
    .option('--scheduler-user <name>', `username whose updates release held specs (repeatable; default ${DEFAULT_SCHEDULER_USER})`, collect, [])
    .option('--expiry-warning-days <days>', 'warn when a used version expires within this many days', positiveInteger('--expiry-warning-days'), DEFAULT_EXPIRY_WARNING_DAYS)
    .option('--client-ca <file>', 'require client certificates signed by this CA on the admission and metrics routes')
    .option('--log-level <level>', `log level (${LOG_LEVELS.join(', ')})`, 'info')
    .option('--feature-gates <gates>', FEATURE_GATES_HELP)
    .option(
      '--shutdown-delay <seconds>',
      'on SIGTERM, report not-ready but keep serving this long before closing the listener',
      positiveInteger('--shutdown-delay'),
      DEFAULT_SHUTDOWN_DELAY_SECONDS,
    )
    .option('--http2', 'offer HTTP/2 (ALPN h2) besides HTTP/1.1; off by default, see bench/RESULTS.md')
    .action(async (options: WebhookOptions) => {
      const log = pino({ level: LOG_LEVELS.includes(options.logLevel) ? options.logLevel : 'info', base: { component: 'webhook' } });
      const server = await startWebhook(options, log);
      onStopSignals((signal) => {
        log.info({ signal }, 'shutting down');
        server.stop().then(
          () => process.exit(0),
          (err: unknown) => {
            log.error({ err: err instanceof Error ? err.message : String(err) }, 'shutdown failed');
            process.exit(1);
          },
        );
      });
      process.on('SIGHUP', () => {
        log.info({}, 'SIGHUP: reloading the serving certificate');
        server.reloadCertificate();
      });
    });
}
