// Runs this project's webhook (`node dist/cli.js webhook`) as a real HTTPS server on 127.0.0.1,
// with a serving certificate from its own small CA, pointed at a test cluster.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeDevelopmentCertificates } from '../../src/commands/certs.js';
import { repoRoot } from './binaries.js';
import { freePort } from './free-port.js';
import { waitForHttpsOk } from './https-probe.js';
import { spawnLogged, stopProcess, tailOf } from './processes.js';

/** The identity the scheduler runs as in tests (its updates release held specs). */
export const SCHEDULER_USER = 'shoot-maintenance-scheduler';

export interface WebhookProcessOptions {
  cluster: { dir: string; kubeconfigPath: string };
  /** The webhook's own kubeconfig (e.g. its ServiceAccount's: service-account-identity.ts); default the cluster's. */
  kubeconfigPath?: string;
  extraArgs?: string[];
  /** `--scheduler-user`: whose updates release held specs (default SCHEDULER_USER). */
  schedulerUser?: string;
  /** Default: <cluster dir>/webhook-certs. */
  certDir?: string;
  /** Default: a free port. */
  port?: number;
  /** Default: <repo>/dist/cli.js (run `npm run build` first). */
  cliPath?: string;
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface WebhookProcess {
  pid: number;
  port: number;
  /** https://127.0.0.1:<port> */
  url: string;
  certDir: string;
  /** PEM of the CA that signed the serving certificate (the webhook configurations' caBundle). */
  caCertPem: string;
  logPath: string;
  stop(): Promise<void>;
}

export async function startWebhookProcess(opts: WebhookProcessOptions): Promise<WebhookProcess> {
  const started = Date.now();
  const log = (step: string) => opts.log?.(`[webhook +${String(Date.now() - started).padStart(5)} ms] ${step}`);
  const certDir = opts.certDir ?? join(opts.cluster.dir, 'webhook-certs');
  // The same files `shoot-maintenance certs` writes: ca.crt, tls.crt, tls.key (SANs localhost, 127.0.0.1).
  const caCertPem = readFileSync(writeDevelopmentCertificates(certDir).caPath, 'utf8');

  const port = opts.port ?? (await freePort());
  const cli = opts.cliPath ?? join(repoRoot(), 'dist', 'cli.js');
  const args = [
    cli,
    'webhook',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--cert-dir',
    certDir,
    '--kubeconfig',
    opts.kubeconfigPath ?? opts.cluster.kubeconfigPath,
    '--scheduler-user',
    opts.schedulerUser ?? SCHEDULER_USER,
    // Nothing routes to a test webhook but kube-apiserver by URL: no reason to linger on stop.
    '--shutdown-delay',
    '0',
    ...(opts.extraArgs ?? []),
  ];
  const proc = spawnLogged({
    name: 'webhook',
    command: process.execPath,
    args,
    logPath: join(opts.cluster.dir, `webhook-${port}.log`),
  });
  log(`started ${cli} (pid ${proc.pid}) on 127.0.0.1:${port}, waiting for /readyz`);
  const url = `https://127.0.0.1:${port}`;
  try {
    await waitForHttpsOk(`${url}/readyz`, { ca: caCertPem }, {
      timeoutMs: opts.readyTimeoutMs ?? 30_000,
      gaveUp: () => (proc.hasExited() ? `webhook exited:\n${tailOf(proc.logPath)}` : undefined),
    });
  } catch (err) {
    await stopProcess(proc);
    throw new Error(`${(err as Error).message}\n--- webhook log ---\n${tailOf(proc.logPath)}`, { cause: err });
  }
  log('webhook ready');
  return { pid: proc.pid, port, url, certDir, caCertPem, logPath: proc.logPath, stop: () => stopProcess(proc) };
}
