// vitest globalSetup of the e2e project: one real control plane for the whole run.
// Binaries are never built here: kube-apiserver and etcd come from the cache of
// scripts/test-cluster/build.sh (missing → the run fails with how to build them; in CI as
// everywhere, never a skip), and dist/cli.js must exist (`npm run build` before `npm run test:e2e`).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { parseAllDocuments } from 'yaml';
import { MissingBinariesError, repoRoot, resolveBinaries } from '../../tools/test-cluster/binaries.js';
import { startTestCluster, type TestCluster } from '../../tools/test-cluster/cluster.js';
import { installCrds } from '../../tools/test-cluster/crds.js';
import {
  createServiceAccountIdentity,
  SCHEDULER_RBAC_MANIFEST,
  schedulerLeaseOf,
  WEBHOOK_RBAC_MANIFEST,
  type ServiceAccountIdentity,
} from '../../tools/test-cluster/service-account-identity.js';
import { startWebhookProcess, type WebhookProcess } from '../../tools/test-cluster/webhook-process.js';
import { registerWebhooks } from '../../tools/test-cluster/webhook-registration.js';
import type { E2eContext } from './harness.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

function cloudProfileNameIn(path: string): string {
  for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
    const obj = doc.toJS() as { kind?: string; metadata?: { name?: string } } | null;
    if (obj?.kind === 'CloudProfile' && obj.metadata?.name) return obj.metadata.name;
  }
  throw new Error(`${path} holds no CloudProfile`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  let binaries;
  try {
    binaries = resolveBinaries();
  } catch (err) {
    if (err instanceof MissingBinariesError) {
      const where = process.env.CI === 'true' ? 'CI: the e2e job must build or restore them first.' : 'Locally:';
      throw new Error(`e2e needs kube-apiserver and etcd. ${where}\n${err.message}`, { cause: err });
    }
    throw err;
  }
  const root = repoRoot();
  const cli = join(root, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` before the e2e tests`);

  const exampleProfile = join(root, 'examples', 'cloudprofile.yaml');
  if (!existsSync(exampleProfile)) throw new Error(`${exampleProfile} is missing`);
  const cloudProfileName = cloudProfileNameIn(exampleProfile);

  let cluster: TestCluster | undefined;
  let webhook: WebhookProcess | undefined;
  let webhookIdentity: ServiceAccountIdentity | undefined;
  let schedulerIdentity: ServiceAccountIdentity | undefined;
  const teardown = async () => {
    await webhook?.stop();
    await cluster?.stop();
  };
  try {
    cluster = await startTestCluster({ binaries, log, keep: process.env.E2E_KEEP_CLUSTER_DIR === 'true' });
    await installCrds(cluster, { log });
    // Both processes run as deployed: their ServiceAccounts, with the RBAC of manifests/ as shipped.
    webhookIdentity = await createServiceAccountIdentity(cluster, WEBHOOK_RBAC_MANIFEST, { log });
    schedulerIdentity = await createServiceAccountIdentity(cluster, SCHEDULER_RBAC_MANIFEST, { log });
    webhook = await startWebhookProcess({ cluster, log, kubeconfigPath: webhookIdentity.kubeconfigPath, schedulerUser: schedulerIdentity.username });
    await registerWebhooks(cluster, webhook, { log });
    const profile = await cluster.kubectl(['apply', '-f', exampleProfile]);
    if (profile.code !== 0) throw new Error(`applying examples/cloudprofile.yaml failed:\n${profile.stderr}`);
    log(`[e2e] ready in ${Date.now() - started} ms (cluster dir ${cluster.dir})`);
  } catch (err) {
    if (cluster) log(`[e2e] setup failed; logs were in ${cluster.dir}`);
    await teardown();
    throw err;
  }

  const context: E2eContext = {
    kubeconfigPath: cluster.kubeconfigPath,
    server: cluster.server,
    dir: cluster.dir,
    caCertPem: cluster.caCertPem,
    kubectlPath: cluster.kubectlPath,
    webhook: {
      port: webhook.port,
      url: webhook.url,
      certDir: webhook.certDir,
      caCertPem: webhook.caCertPem,
      logPath: webhook.logPath,
      schedulerUser: schedulerIdentity.username,
      username: webhookIdentity.username,
      kubeconfigPath: webhookIdentity.kubeconfigPath,
    },
    scheduler: {
      kubeconfigPath: schedulerIdentity.kubeconfigPath,
      username: schedulerIdentity.username,
      ...schedulerLeaseOf(root),
    },
    cloudProfileName,
  };
  project.provide('e2e', context);
  return teardown;
}
