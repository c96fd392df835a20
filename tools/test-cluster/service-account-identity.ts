// The identities of the scheduler and the webhook in a test cluster, as deployed: the
// ServiceAccount and the RBAC of manifests/scheduler/rbac.yaml or manifests/webhook/rbac.yaml,
// applied as shipped (after manifests/namespace.yaml), and a kubeconfig holding a real
// ServiceAccount token from the TokenRequest API (`kubectl create token`), which the test
// cluster's kube-apiserver signs and verifies with its service-account key (see cluster.ts).
// Nothing of the RBAC is repeated here: what the manifest grants is what the process gets.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from './binaries.js';
import { tokenKubeconfigYaml } from './kubeconfig.js';
import type { KubectlOptions, KubectlResult } from './kubectl.js';

export const NAMESPACE_MANIFEST = join('manifests', 'namespace.yaml');
export const SCHEDULER_RBAC_MANIFEST = join('manifests', 'scheduler', 'rbac.yaml');
export const WEBHOOK_RBAC_MANIFEST = join('manifests', 'webhook', 'rbac.yaml');

export interface ServiceAccountRef {
  namespace: string;
  name: string;
  /** `system:serviceaccount:<namespace>:<name>`: what the API server authenticates the token as. */
  username: string;
}

export interface ServiceAccountIdentity extends ServiceAccountRef {
  /** Kubeconfig with the ServiceAccount's token. */
  kubeconfigPath: string;
  /** When the token expires (the API server's answer, RFC 3339). */
  tokenExpiresAt: string;
}

interface ClusterLike {
  dir: string;
  server: string;
  caCertPem: string;
  kubectl(args: string[], opts?: KubectlOptions): Promise<KubectlResult>;
}

interface ManifestObject {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  subjects?: { kind?: string; name?: string; namespace?: string }[];
  rules?: { resources?: string[]; resourceNames?: string[] }[];
}

function manifestObjects(path: string): ManifestObject[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((doc) => doc.toJS() as ManifestObject | null)
    .filter((o): o is ManifestObject => o !== null);
}

/** The ServiceAccount that an RBAC manifest defines and binds (read from the file). */
export function serviceAccountOf(manifest: string, root = repoRoot()): ServiceAccountRef {
  const path = join(root, manifest);
  const objects = manifestObjects(path);
  const accounts = objects.filter((o) => o.kind === 'ServiceAccount');
  const account = accounts[0];
  if (accounts.length !== 1 || !account?.metadata?.name || !account.metadata.namespace) {
    throw new Error(`${path}: expected exactly one ServiceAccount with a name and a namespace`);
  }
  const { name, namespace } = account.metadata;
  const bound = objects.some(
    (o) => o.kind === 'ClusterRoleBinding' && o.subjects?.some((s) => s.kind === 'ServiceAccount' && s.name === name && s.namespace === namespace),
  );
  if (!bound) throw new Error(`${path}: no ClusterRoleBinding binds ServiceAccount ${namespace}/${name}`);
  return { namespace, name, username: `system:serviceaccount:${namespace}:${name}` };
}

/** The one Lease manifests/scheduler/rbac.yaml lets the scheduler use (its Role's resourceNames). */
export function schedulerLeaseOf(root = repoRoot()): { leaseNamespace: string; leaseName: string } {
  const path = join(root, SCHEDULER_RBAC_MANIFEST);
  for (const obj of manifestObjects(path)) {
    if (obj.kind !== 'Role' || !obj.metadata?.namespace) continue;
    const rule = obj.rules?.find((r) => r.resources?.includes('leases') && r.resourceNames?.length === 1);
    if (rule?.resourceNames?.[0]) return { leaseNamespace: obj.metadata.namespace, leaseName: rule.resourceNames[0] };
  }
  throw new Error(`${path}: no Role that names one Lease`);
}

async function must(res: Promise<KubectlResult>, what: string): Promise<string> {
  const r = await res;
  if (r.code !== 0) throw new Error(`${what}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

/**
 * Applies the namespace and an RBAC manifest (SCHEDULER_RBAC_MANIFEST, WEBHOOK_RBAC_MANIFEST),
 * requests a token for its ServiceAccount, writes `<cluster dir>/kubeconfig-<account>.yaml` and
 * checks that the API server authenticates it as the ServiceAccount. `tokenDuration` is a kubectl
 * duration (default one year: the token dies with the cluster's service-account key anyway, and
 * the processes read their kubeconfig once, at start).
 */
export async function createServiceAccountIdentity(
  cluster: ClusterLike,
  manifest: string,
  opts: { tokenDuration?: string; log?: (line: string) => void } = {},
): Promise<ServiceAccountIdentity> {
  const started = Date.now();
  const log = (step: string) => opts.log?.(`[identity +${Date.now() - started} ms] ${step}`);
  const root = repoRoot();
  const account = serviceAccountOf(manifest, root);
  await must(
    cluster.kubectl(['apply', '-f', join(root, NAMESPACE_MANIFEST), '-f', join(root, manifest)]),
    `applying ${NAMESPACE_MANIFEST} and ${manifest}`,
  );
  log(`applied ${NAMESPACE_MANIFEST}, ${manifest}`);

  const requested = await must(
    cluster.kubectl(['create', 'token', account.name, '-n', account.namespace, `--duration=${opts.tokenDuration ?? '8760h'}`, '-o', 'json']),
    `kubectl create token ${account.name} -n ${account.namespace}`,
  );
  const status = (JSON.parse(requested) as { status?: { token?: string; expirationTimestamp?: string } }).status;
  if (!status?.token) throw new Error(`kubectl create token returned no token: ${requested}`);
  const kubeconfigPath = join(cluster.dir, `kubeconfig-${account.name}.yaml`);
  writeFileSync(kubeconfigPath, tokenKubeconfigYaml(cluster.server, cluster.caCertPem, account.username, status.token), { mode: 0o600 });

  const whoami = await must(
    cluster.kubectl(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'], { kubeconfig: kubeconfigPath }),
    `kubectl auth whoami with the ${account.name} token`,
  );
  if (whoami.trim() !== account.username) throw new Error(`the ${account.name} token authenticates as ${JSON.stringify(whoami.trim())}, not ${account.username}`);
  log(`token for ${account.username} (expires ${status.expirationTimestamp ?? 'never'}) in ${kubeconfigPath}`);
  return { ...account, kubeconfigPath, tokenExpiresAt: status.expirationTimestamp ?? '' };
}
