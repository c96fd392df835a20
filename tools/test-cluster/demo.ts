#!/usr/bin/env node
// `npm run demo`: a real cluster with this project's CRDs, webhooks and scheduler and the example
// CloudProfile, for trying the behaviour with kubectl. The scheduler runs as deployed: as its
// ServiceAccount (a real token), with the RBAC of manifests/scheduler/rbac.yaml and its Lease in
// that ServiceAccount's namespace. Stays up until Ctrl-C (or SIGTERM), then stops what it
// started, by PID.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Shoot } from '../../src/core/shoot.js';
import { effectiveShootWindow } from '../../src/core/timewindow.js';
import { repoRoot } from './binaries.js';
import { startTestCluster, type TestCluster } from './cluster.js';
import { installCrds } from './crds.js';
import {
  createServiceAccountIdentity,
  SCHEDULER_RBAC_MANIFEST,
  serviceAccountOf,
  type ServiceAccountIdentity,
} from './service-account-identity.js';
import { startSchedulerProcess, type SchedulerProcess } from './scheduler-process.js';
import { startWebhookProcess, type WebhookProcess } from './webhook-process.js';
import { registerWebhooks } from './webhook-registration.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const root = repoRoot();
  const needed = [
    'examples/cloudprofile.yaml',
    'examples/shoots/no-window.yaml',
    'examples/shoots/fifteen-minute-window.yaml',
    'examples/shoots/confined.yaml',
    'examples/shoots/outdated.yaml',
    'examples/shoots/empty-kubernetes.yaml',
  ];
  const missing = needed.filter((file) => !existsSync(join(root, file)));
  if (missing.length > 0) throw new Error(`missing example file(s): ${missing.join(', ')}`);

  let cluster: TestCluster | undefined;
  let webhook: WebhookProcess | undefined;
  let scheduler: SchedulerProcess | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    // The scheduler first, while the API server is still there to release its Lease.
    await scheduler?.stop();
    await webhook?.stop();
    await cluster?.stop();
    process.exit(code);
  };
  // Registered before anything starts, so Ctrl-C during start-up also stops what is running.
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  let identity: ServiceAccountIdentity;
  try {
    cluster = await startTestCluster({ log });
    await installCrds(cluster, { log });
    // The webhook releases held specs for the scheduler's ServiceAccount, as deployed.
    webhook = await startWebhookProcess({ cluster, log, schedulerUser: serviceAccountOf(SCHEDULER_RBAC_MANIFEST, root).username });
    await registerWebhooks(cluster, webhook, { log });
    for (const args of [['apply', '-f', join(root, 'examples', 'cloudprofile.yaml')], ['create', 'namespace', 'garden-dev']]) {
      const res = await cluster.kubectl(args);
      if (res.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${res.stderr}`);
    }
    identity = await createServiceAccountIdentity(cluster, SCHEDULER_RBAC_MANIFEST, { log });
    scheduler = await startSchedulerProcess({ cluster, kubeconfigPath: identity.kubeconfigPath, leaseNamespace: identity.namespace, log });
  } catch (err) {
    log(`demo: ${err instanceof Error ? err.message : String(err)}`);
    await stop(1);
    return;
  }

  const pending = String.raw`{.metadata.generation}{"\n"}{.metadata.annotations.maintenance\.gardener\.cloud/pending-spec}{"\n"}`;
  const versions = String.raw`{.spec.kubernetes.version}{" "}{.spec.provider.workers[0].machine.image.version}{"\n"}`;
  const outdated = parse(readFileSync(join(root, 'examples', 'shoots', 'outdated.yaml'), 'utf8')) as Shoot;
  const outdatedWindow = outdated.spec.maintenance?.timeWindow;
  const windowNow = effectiveShootWindow(outdated).contains(new Date())
    ? ['  # (its window is now: the scheduler may update it by itself before you ask)']
    : [];
  process.stdout.write(
    [
      '',
      'The demo cluster is up (kube-apiserver + etcd on 127.0.0.1, shoot-maintenance webhooks and scheduler, CloudProfile "local").',
      `Scheduler: ${identity.username} (RBAC from ${SCHEDULER_RBAC_MANIFEST}, token from \`kubectl create token\`),`,
      `  Lease in namespace ${identity.namespace}, metrics ${scheduler.metricsUrl}/metrics`,
      `Processes: etcd ${cluster.pids.etcd}, kube-apiserver ${cluster.pids.kubeApiserver}, webhook ${webhook.pid}, scheduler ${scheduler.pid}`,
      `Logs: ${cluster.dir}`,
      '',
      'In another shell, from the repository root:',
      '',
      `  export KUBECONFIG=${cluster.kubeconfigPath}`,
      '',
      '  # 1. a shoot without a maintenance window gets one (one hour, on the full hour, UTC)',
      '  kubectl apply -f examples/shoots/no-window.yaml',
      "  kubectl get shoot dev -n garden-dev -o jsonpath='{.spec.maintenance.timeWindow}{\"\\n\"}'",
      '',
      '  # 2. a 15-minute window is rejected',
      '  kubectl apply -f examples/shoots/fifteen-minute-window.yaml',
      '',
      '  # 3. a change to a confined shoot is held until its window (generation unchanged, spec kept aside)',
      '  kubectl apply -f examples/shoots/confined.yaml',
      `  kubectl patch shoot confined -n garden-dev --type merge -p '{"spec":{"kubernetes":{"version":"1.33.1"}}}'`,
      `  kubectl get shoot confined -n garden-dev -o jsonpath='${pending}'`,
      '',
      `  # 4. maintenance: an outdated shoot (window ${outdatedWindow?.begin ?? '?'}-${outdatedWindow?.end ?? '?'}) is maintained by the scheduler at once when asked`,
      ...windowNow,
      '  kubectl apply -f examples/shoots/outdated.yaml',
      '  kubectl annotate shoot outdated -n garden-dev gardener.cloud/operation=maintain',
      `  kubectl get shoot outdated -n garden-dev -o jsonpath='${versions}'`,
      `  kubectl get shoot outdated -n garden-dev -o jsonpath='{.status.lastMaintenance}{"\\n"}'`,
      '  kubectl get events -n garden-dev',
      '  kubectl get shoots -n garden-dev',
      '',
      '  # 5. a shoot written as Gardener users write it: its `kubernetes:` block empty, the version defaulted',
      '  kubectl apply -f examples/shoots/empty-kubernetes.yaml',
      `  kubectl get shoot defaults -n garden-dev -o jsonpath='{.spec.kubernetes}{"\\n"}'`,
      '',
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  setInterval(() => undefined, 60_000); // stay up until a signal arrives
}

void main();
