// The webhook as the real command (`node dist/cli.js webhook`) in a child process, for the tests
// of "the webhook command": they send signals to it, rotate its certificate files and read its
// peak memory from /proc. Run `npm run build` first (dist/ is what runs).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../tools/test-cluster/free-port.js';
import { EXAMPLES, newCa, servingPair, writePair } from './helpers.js';
import type { KeyPairPem } from '../../src/pki/certificates.js';

export const REPO = join(import.meta.dirname, '..', '..');
export const CLI = join(REPO, 'dist', 'cli.js');

export function requireBuild(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
}

export interface WebhookChild {
  child: ChildProcess;
  pid: number;
  url: string;
  port: number;
  ca: KeyPairPem;
  certDir: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with [code, signal] when the process has exited. */
  exited: Promise<[number | null, NodeJS.Signals | null]>;
  /** Peak resident set size (VmHWM) in KiB, while the process runs. */
  peakRssKiB(): number;
  /** SIGTERM (by PID) and wait; SIGKILL after 10 s. */
  stop(): Promise<void>;
}

/**
 * Writes a pair as kubelet updates a Secret volume: a new `..<n>` dir, then `..data` swapped to
 * it in one rename; `tls.crt`/`tls.key` are symlinks through `..data` (made on the first call).
 */
export function writeSecretVolume(dir: string, pair: KeyPairPem, generation: number): void {
  const target = `..${generation}`;
  mkdirSync(join(dir, target));
  writePair(join(dir, target), pair);
  symlinkSync(target, join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  for (const f of ['tls.crt', 'tls.key']) if (!existsSync(join(dir, f))) symlinkSync(join('..data', f), join(dir, f));
}

export async function startWebhookChild(extraArgs: string[] = [], layout: 'files' | 'secret-volume' = 'files'): Promise<WebhookChild> {
  requireBuild();
  const certDir = mkdtempSync(join(tmpdir(), 'sm-reliability-'));
  const ca = newCa();
  if (layout === 'files') writePair(certDir, servingPair(ca));
  else writeSecretVolume(certDir, servingPair(ca), 0);
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [CLI, 'webhook', '--host', '127.0.0.1', '--port', String(port), '--cert-dir', certDir,
      '--cloud-profile', join(EXAMPLES, 'cloudprofile.yaml'), '--log-level', 'warn', ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start the webhook');
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
  let gone = false;
  void exited.then(() => (gone = true));
  const url = `https://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (gone) throw new Error(`webhook exited during start:\n${out}`);
    const status = await getStatus(url, '/readyz', ca.certPem).catch(() => 0);
    if (status === 200) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`webhook not ready after 15 s:\n${out}`);
    }
    await sleep(50);
  }
  return {
    child,
    pid,
    url,
    port,
    ca,
    certDir,
    output: () => out,
    exited,
    peakRssKiB: () => {
      const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return Number(match?.[1] ?? NaN);
    },
    stop: async () => {
      if (!gone) {
        process.kill(pid, 'SIGTERM');
        const timer = setTimeout(() => !gone && process.kill(pid, 'SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(certDir, { recursive: true, force: true });
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function getStatus(url: string, path: string, ca: string, agent: Agent | false = false): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${url}${path}`, { ca, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}
