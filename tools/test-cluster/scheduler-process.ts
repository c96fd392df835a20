// Runs this project's scheduler (`node dist/cli.js scheduler`) against a test cluster with a
// given kubeconfig (its identity, e.g. service-account-identity.ts), metrics on 127.0.0.1, and waits
// until it holds its Lease, i.e. until it acts.
import { join } from 'node:path';
import { repoRoot } from './binaries.js';
import { freePort } from './free-port.js';
import { spawnLogged, stopProcess, tailOf } from './processes.js';

export interface SchedulerProcessOptions {
  cluster: { dir: string };
  /** The scheduler's identity. */
  kubeconfigPath: string;
  /** Namespace of its Lease (`--lease-namespace`); the Lease name stays the default. */
  leaseNamespace: string;
  /** Default: a free port. */
  metricsPort?: number;
  /** Default: <repo>/dist/cli.js (run `npm run build` first). */
  cliPath?: string;
  extraArgs?: string[];
  /** How long to wait until it leads (default 30 s). */
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface SchedulerProcess {
  pid: number;
  /** http://127.0.0.1:<port>: /metrics, /healthz */
  metricsUrl: string;
  logPath: string;
  stop(): Promise<void>;
}

async function metricsText(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2_000) });
    return res.ok ? await res.text() : undefined;
  } catch {
    return undefined;
  }
}

export async function startSchedulerProcess(opts: SchedulerProcessOptions): Promise<SchedulerProcess> {
  const started = Date.now();
  const log = (step: string) => opts.log?.(`[scheduler +${String(Date.now() - started).padStart(5)} ms] ${step}`);
  const port = opts.metricsPort ?? (await freePort());
  const cli = opts.cliPath ?? join(repoRoot(), 'dist', 'cli.js');
  const proc = spawnLogged({
    name: 'scheduler',
    command: process.execPath,
    args: [
      cli,
      'scheduler',
      '--kubeconfig',
      opts.kubeconfigPath,
      '--lease-namespace',
      opts.leaseNamespace,
      '--metrics-host',
      '127.0.0.1',
      '--metrics-port',
      String(port),
      ...(opts.extraArgs ?? []),
    ],
    logPath: join(opts.cluster.dir, `scheduler-${port}.log`),
  });
  const metricsUrl = `http://127.0.0.1:${port}`;
  log(`started ${cli} (pid ${proc.pid}), metrics on ${metricsUrl}, waiting until it leads`);
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  for (;;) {
    if ((await metricsText(metricsUrl))?.match(/^shoot_maintenance_leader 1$/m)) break;
    const reason = proc.hasExited() ? 'scheduler exited' : Date.now() >= deadline ? `scheduler not leading after ${opts.readyTimeoutMs ?? 30_000} ms` : undefined;
    if (reason) {
      await stopProcess(proc);
      throw new Error(`${reason}\n--- scheduler log ---\n${tailOf(proc.logPath)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  log(`leading (its Lease is in namespace ${opts.leaseNamespace})`);
  return { pid: proc.pid, metricsUrl, logPath: proc.logPath, stop: () => stopProcess(proc) };
}
