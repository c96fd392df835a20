// Shared pieces of the scheduler e2e tests (scheduler, faults-*, intent): Shoot manifests, the
// scheduler as a child process with the scheduler's identity as deployed (its ServiceAccount and
// manifests/scheduler/rbac.yaml, never a copy of its rules), its Lease, and the checks of
// "maintained exactly once" (spec, generation, status.lastMaintenance, Events, run log lines).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../tools/test-cluster/binaries.js';
import { spawnLogged, type StartedProcess } from '../../tools/test-cluster/processes.js';
import type { KubectlResult } from '../../tools/test-cluster/kubectl.js';
import { ctx, kubectl } from './harness.js';

export const CLI = join(repoRoot(), 'dist', 'cli.js');

export interface ShootJson {
  metadata: { name: string; generation: number; resourceVersion: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec: {
    kubernetes: { version: string };
    hibernation?: { enabled?: boolean };
    maintenance?: { confineSpecUpdateRollout?: boolean };
    provider: { workers: { name: string; machine: { image: { version: string } }; minimum: number; maximum: number }[] };
  };
  status?: { lastMaintenance?: { description: string; state: string; triggeredTime: string; failureReason?: string } };
}

const pad = (n: number) => String(n).padStart(2, '0');
const hhmmss = (d: Date) => `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}+0000`;

/** A one-hour window six hours from now: runs only on `maintain`. */
export function windowElsewhere(): { begin: string; end: string } {
  const begin = new Date(Date.now() + 6 * 3600 * 1000);
  return { begin: hhmmss(begin), end: hhmmss(new Date(begin.getTime() + 3600 * 1000)) };
}

/** A 45-minute window whose effective part (end − 15 min) ends `secondsLeft` from now. */
export function windowEndingIn(secondsLeft: number): { begin: string; end: string } {
  const end = new Date(Date.now() + (15 * 60 + secondsLeft) * 1000);
  const begin = new Date(end.getTime() - 45 * 60 * 1000);
  return { begin: hhmmss(begin), end: hhmmss(end) };
}

export function shootYaml(o: {
  name: string;
  namespace: string;
  cloudProfile: string;
  window: { begin: string; end: string };
  confine?: boolean;
  maximum?: number;
  annotations?: Record<string, string>;
  /** Defaults: 1.32.0 and gardenlinux 1592.3.0, both outdated in examples/cloudprofile.yaml. */
  version?: string;
  image?: string;
}): string {
  const annotations = Object.entries(o.annotations ?? {})
    .map(([k, v]) => `\n    ${k}: "${v}"`)
    .join('');
  return `apiVersion: core.gardener.cloud/v1beta1
kind: Shoot
metadata:
  name: ${o.name}
  namespace: ${o.namespace}${annotations ? `\n  annotations:${annotations}` : ''}
spec:
  cloudProfileName: ${o.cloudProfile}
  region: local
  kubernetes:
    version: ${o.version ?? '1.32.0'}
  maintenance:
    confineSpecUpdateRollout: ${o.confine ?? false}
    autoUpdate:
      kubernetesVersion: true
      machineImageVersion: true
    timeWindow:
      begin: "${o.window.begin}"
      end: "${o.window.end}"
  provider:
    type: local
    workers:
      - name: worker
        machine:
          type: m5.large
          image:
            name: gardenlinux
            version: ${o.image ?? '1592.3.0'}
        minimum: 1
        maximum: ${o.maximum ?? 2}
`;
}

export interface SchedulerChild {
  process: StartedProcess;
  identity: string;
  log(): string;
  lines(): Record<string, unknown>[];
}

/**
 * A scheduler process at debug level. Its identity and Lease are what the cluster granted: in the
 * shared e2e cluster the scheduler's ServiceAccount with manifests/scheduler/rbac.yaml as shipped
 * (ctx().scheduler: schedulerAsDeployed), which allows that one Lease only.
 */
export function startScheduler(o: { kubeconfig: string; dir: string; leaseNamespace: string; leaseName: string; identity: string; extra?: string[] }): SchedulerChild {
  const logPath = join(o.dir, `scheduler-${o.identity}.log`);
  const proc = spawnLogged({
    name: `scheduler-${o.identity}`,
    command: process.execPath,
    args: [CLI, 'scheduler', '--kubeconfig', o.kubeconfig, '--lease-namespace', o.leaseNamespace, '--lease-name', o.leaseName,
      '--identity', o.identity, '--metrics-port', '0', '--log-level', 'debug', ...(o.extra ?? [])],
    logPath,
  });
  const log = () => {
    try {
      return readFileSync(logPath, 'utf8');
    } catch {
      return '';
    }
  };
  const lines = () =>
    log()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return {};
        }
      });
  return { process: proc, identity: o.identity, log, lines };
}

/** `maintenance run` log lines with result `maintained` for one shoot key, over all replicas. */
export function maintainedRuns(replicas: SchedulerChild[], key: string): number {
  return replicas.reduce((n, r) => n + r.lines().filter((l) => l.msg === 'maintenance run' && l.shoot === key && l.result === 'maintained').length, 0);
}

export interface EventJson {
  reason: string;
  message: string;
  count?: number;
  involvedObject: { name: string };
}

/** Sum of Event counts per involved object and reason. */
export function eventCounts(events: EventJson[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of events) {
    const key = `${e.involvedObject.name}/${e.reason}`;
    out.set(key, (out.get(key) ?? 0) + (e.count ?? 1));
  }
  return out;
}

export async function must(p: Promise<KubectlResult>): Promise<string> {
  const r = await p;
  if (r.code !== 0) throw new Error(r.stderr || r.stdout);
  return r.stdout;
}

/** A small seeded PRNG (mulberry32) so that "random" kill points are reproducible. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A scheduler of the shared e2e cluster, as deployed (its ServiceAccount, the shipped RBAC, its Lease). */
export function schedulerAsDeployed(identity: string, extra?: string[]): SchedulerChild {
  const { kubeconfigPath, leaseNamespace, leaseName } = ctx().scheduler;
  return startScheduler({ kubeconfig: kubeconfigPath, dir: ctx().dir, leaseNamespace, leaseName, identity, ...(extra ? { extra } : {}) });
}

/** The holder of the shared cluster's scheduler Lease: '' when free or not created yet; a failed get throws. */
export async function leaseHolder(): Promise<string> {
  const { leaseNamespace, leaseName } = ctx().scheduler;
  const r = await kubectl(['get', 'lease', leaseName, '-n', leaseNamespace, '-o', 'jsonpath={.spec.holderIdentity}']);
  if (r.code !== 0 && r.stderr.includes('NotFound')) return '';
  if (r.code !== 0) throw new Error(`kubectl get lease ${leaseNamespace}/${leaseName}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/**
 * The replica has nothing more to do for these shoots until their next window: for each, its
 * last word is `queued` with a due time at least `aheadMs` away (no run in flight, none due).
 * This is what "no late duplicate run" waits for, instead of a quiet period.
 */
export function settledUntilNextWindow(replica: SchedulerChild, keys: string[], aheadMs = 30 * 60_000): boolean {
  const last = new Map<string, Record<string, unknown>>();
  for (const l of replica.lines()) {
    if (typeof l.shoot === 'string' && (l.msg === 'queued' || l.msg === 'maintenance run')) last.set(l.shoot, l);
  }
  const horizon = Date.now() + aheadMs;
  return keys.every((key) => {
    const l = last.get(key);
    return l?.msg === 'queued' && Date.parse(String(l.dueAt)) > horizon;
  });
}
