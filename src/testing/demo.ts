#!/usr/bin/env node
// `npm run demo`: a real cluster with this project's CRDs and webhooks and the example
// CloudProfile, for trying the behaviour with kubectl. Stays up until Ctrl-C.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './binaries.js';
import { startTestCluster, type TestCluster } from './cluster.js';
import { installCrds } from './crds.js';
import { startWebhookProcess, type WebhookProcess } from './webhook-process.js';
import { registerWebhooks } from './webhook-registration.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const root = repoRoot();
  const needed = ['examples/cloudprofile.yaml', 'examples/shoots/no-window.yaml', 'examples/shoots/fifteen-minute-window.yaml', 'examples/shoots/confined.yaml'];
  const missing = needed.filter((file) => !existsSync(join(root, file)));
  if (missing.length > 0) throw new Error(`missing example file(s): ${missing.join(', ')}`);

  let cluster: TestCluster | undefined;
  let webhook: WebhookProcess | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    await webhook?.stop();
    await cluster?.stop();
    process.exit(code);
  };
  // Registered before anything starts, so Ctrl-C during start-up also stops what is running.
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    cluster = await startTestCluster({ log });
    await installCrds(cluster, { log });
    webhook = await startWebhookProcess({ cluster, log });
    await registerWebhooks(cluster, webhook, { log });
    for (const args of [['apply', '-f', join(root, 'examples', 'cloudprofile.yaml')], ['create', 'namespace', 'garden-dev']]) {
      const res = await cluster.kubectl(args);
      if (res.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${res.stderr}`);
    }
  } catch (err) {
    log(`demo: ${err instanceof Error ? err.message : String(err)}`);
    await stop(1);
    return;
  }

  const pending = String.raw`{.metadata.generation}{"\n"}{.metadata.annotations.maintenance\.gardener\.cloud/pending-spec}{"\n"}`;
  process.stdout.write(
    [
      '',
      'The demo cluster is up (kube-apiserver + etcd on 127.0.0.1, shoot-maintenance webhooks, CloudProfile "local").',
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
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  setInterval(() => undefined, 60_000); // stay up until a signal arrives
}

void main();
