// Installs this project's CRDs (manifests/crds, via kubectl's built-in kustomize) into a test
// cluster and waits until all are Established, i.e. served.
import { join } from 'node:path';
import { repoRoot } from './binaries.js';
import type { KubectlResult } from './kubectl.js';

export const CRD_NAMES = [
  'shoots.core.gardener.cloud',
  'cloudprofiles.core.gardener.cloud',
  'namespacedcloudprofiles.core.gardener.cloud',
  'maintenanceexclusions.maintenance.shoot-maintenance.io',
  'clustermaintenanceexclusions.maintenance.shoot-maintenance.io',
] as const;

export async function installCrds(
  cluster: { kubectl(args: string[]): Promise<KubectlResult> },
  opts: { log?: (line: string) => void } = {},
): Promise<void> {
  const started = Date.now();
  const applied = await cluster.kubectl(['apply', '-k', join(repoRoot(), 'manifests', 'crds')]);
  if (applied.code !== 0) throw new Error(`applying CRDs failed: ${applied.stderr}`);
  const waited = await cluster.kubectl([
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    ...CRD_NAMES.map((name) => `crd/${name}`),
  ]);
  if (waited.code !== 0) throw new Error(`CRDs not established: ${waited.stderr}`);
  opts.log?.(`[crds +${Date.now() - started} ms] ${CRD_NAMES.join(', ')} established`);
}
