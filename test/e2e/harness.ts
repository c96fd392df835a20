// Helpers for e2e test files. The cluster (kube-apiserver + etcd on 127.0.0.1), the CRDs, the
// webhook process and its registration, and examples/cloudprofile.yaml (`local`) are set up once
// per run by test/e2e/global-setup.ts; test files reach them only through these helpers:
//
//   ctx()                          the run's E2eContext (kubeconfig, server, webhook port, …)
//   kubectl(args, {input?, kubeconfig?})
//                                  real kubectl (the version matching the API server), admin
//                                  identity unless `kubeconfig` is given; never throws: returns
//                                  { code, stdout, stderr } exactly as a user would see them
//   applyYaml(yaml, {args?, kubeconfig?})
//                                  `kubectl apply -f -` (plus extra args, e.g. --server-side)
//   getJson(resource, name, namespace?)
//                                  `kubectl get -o json`, parsed (name '' lists all); throws
//                                  when kubectl fails
//   uniqueName(prefix)             a DNS-1123 name unique in this run: `<prefix>-<random>`
//   waitFor(fn, timeoutMs)         retries fn until it returns a truthy value (which is returned);
//                                  throws with the last error or value on timeout
//   kubeconfigFor(user, groups?)   kubeconfig for another identity (client cert from the
//                                  cluster CA), e.g. the scheduler's or an RBAC-limited user
//
// Test files must create their own namespaces (uniqueName) and not depend on each other.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { writeUserKubeconfig } from '../../tools/test-cluster/kubeconfig.js';
import { runKubectl, type KubectlResult } from '../../tools/test-cluster/kubectl.js';

export type { KubectlResult } from '../../tools/test-cluster/kubectl.js';

/** What global-setup provides (JSON-serialisable). */
export interface E2eContext {
  /** Admin (system:masters) kubeconfig. */
  kubeconfigPath: string;
  /** https://127.0.0.1:<port> */
  server: string;
  /** The cluster's temp dir (certificates, logs: kube-apiserver.log, etcd.log, webhook-<port>.log). */
  dir: string;
  /** The cluster CA (PEM); its key is `<dir>/ca.key`. */
  caCertPem: string;
  kubectlPath: string;
  webhook: {
    port: number;
    /** https://127.0.0.1:<port> */
    url: string;
    certDir: string;
    /** CA of the webhook's serving certificate (to call /metrics etc. directly). */
    caCertPem: string;
    logPath: string;
    /** The identity passed as --scheduler-user: the scheduler's ServiceAccount. */
    schedulerUser: string;
    /** The webhook runs as its ServiceAccount, with the RBAC of manifests/webhook/rbac.yaml. */
    username: string;
    kubeconfigPath: string;
  };
  /**
   * How the suite runs the scheduler: as its ServiceAccount with the RBAC of
   * manifests/scheduler/rbac.yaml (applied as shipped), so its Lease is the one that Role names.
   */
  scheduler: {
    kubeconfigPath: string;
    username: string;
    leaseNamespace: string;
    leaseName: string;
  };
  /** Name of the CloudProfile from examples/cloudprofile.yaml. */
  cloudProfileName: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    e2e: E2eContext;
  }
}

export function ctx(): E2eContext {
  return inject('e2e');
}

export function kubectl(args: string[], opts: { input?: string; kubeconfig?: string } = {}): Promise<KubectlResult> {
  const c = ctx();
  return runKubectl(c.kubectlPath, opts.kubeconfig ?? c.kubeconfigPath, args, opts.input);
}

export function applyYaml(yaml: string, opts: { args?: string[]; kubeconfig?: string } = {}): Promise<KubectlResult> {
  return kubectl(['apply', ...(opts.args ?? []), '-f', '-'], { input: yaml, kubeconfig: opts.kubeconfig });
}

/** `name` '' lists all (as a `{ items }` list). */
export async function getJson<T = Record<string, unknown>>(resource: string, name: string, namespace?: string): Promise<T> {
  const res = await kubectl(['get', resource, ...(name ? [name] : []), ...(namespace ? ['-n', namespace] : []), '-o', 'json']);
  if (res.code !== 0) throw new Error(`kubectl get ${resource} ${name}: ${res.stderr}`);
  return JSON.parse(res.stdout) as T;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex').slice(0, 6)}`;
}

export async function waitFor<T>(fn: () => T | Promise<T>, timeoutMs: number, intervalMs = 200): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`waitFor: not true after ${timeoutMs} ms (last: ${detail})`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function kubeconfigFor(user: string, groups?: string[]): string {
  const c = ctx();
  const ca = { certPem: c.caCertPem, keyPem: readFileSync(join(c.dir, 'ca.key'), 'utf8') };
  return writeUserKubeconfig({ dir: c.dir, server: c.server, ca, user, groups });
}
