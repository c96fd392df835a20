#!/usr/bin/env node
// `npm run cluster:up` / `npm run cluster:down`: a test cluster (kube-apiserver + etcd on
// 127.0.0.1, with this project's CRDs; with --cert-manager also cert-manager's controller and CA
// injector) that outlives the command, for trying things by hand. `up --node` makes it a one-node
// cluster that runs Pods (node.ts): controller-manager, scheduler, containerd, kubelet, CNI bridge
// and kube-proxy, as root.
// `up` prints `export KUBECONFIG=…` on stdout (progress goes to stderr), so
// `eval "$(node dist/testing/cluster-cli.js up)"` works. State (PIDs, paths) is in .cluster/.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { repoRoot } from './binaries.js';
import { startCertManager } from './cert-manager.js';
import { startTestCluster } from './cluster.js';
import { installCrds } from './crds.js';
import { startNode, stopNode, type NodeState } from './node.js';
import { argvOf, stopPid } from './processes.js';

interface ClusterState {
  dir: string;
  kubeconfigPath: string;
  server: string;
  kubectlPath: string;
  processes: { name: string; pid: number; binary: string }[];
}

const log = (line: string) => process.stderr.write(`${line}\n`);

function statePathIn(base: string): string {
  return join(base, 'state.json');
}

function readState(base: string): ClusterState | NodeState | undefined {
  const path = statePathIn(base);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ClusterState | NodeState) : undefined;
}

const isNodeState = (s: ClusterState | NodeState): s is NodeState => (s as NodeState).mode === 'node';

/** Running, and still the binary we started (a PID may have been reused since). */
function isOurs(proc: { pid: number; binary: string }): boolean {
  return argvOf(proc.pid)?.[0] === proc.binary;
}

async function up(base: string, withCrds: boolean, withCertManager: boolean, node: boolean): Promise<void> {
  const existing = readState(base);
  if (existing && existing.processes.every(isOurs) && (!isNodeState(existing) || existing.phase === 'up')) {
    if (node !== isNodeState(existing)) throw new Error(`a cluster ${isNodeState(existing) ? 'with' : 'without'} a node is up in ${base}: npm run cluster:down first`);
    log(`already up: ${existing.server ?? ''}`);
    process.stdout.write(`export KUBECONFIG=${existing.kubeconfigPath ?? ''}\n`);
    return;
  }
  if (existing) await down(base); // half-dead leftovers
  mkdirSync(base, { recursive: true });
  const dir = join(base, 'cluster');
  rmSync(dir, { recursive: true, force: true });
  if (node) {
    const save = (state: NodeState) => writeFileSync(statePathIn(base), `${JSON.stringify(state, null, 2)}\n`);
    let started;
    try {
      started = await startNode({ dir, log, save });
      if (withCrds) await installCrds(started.cluster, { log });
      if (withCertManager) {
        const certManager = await startCertManager({ cluster: started.cluster, detached: true, log });
        for (const c of [certManager.controller, certManager.cainjector]) started.state.processes.push({ name: c.name, pid: c.pid, binary: c.binary });
        save(started.state);
      }
    } catch (err) {
      log(`cluster:up --node failed: ${err instanceof Error ? err.message : String(err)}`);
      log('tearing down what was started');
      await down(base);
      throw err;
    }
    log(`up: ${started.cluster.server}, Node Ready (logs in ${dir}); stop with: npm run cluster:down`);
    log(`kubectl matching the server: ${started.cluster.kubectlPath}`);
    // Nothing is pulled on this node: images reach its containerd this way.
    if (started.state.containerdAddress) log(`images: npm run image:build -- --import ${started.state.containerdAddress}`);
    process.stdout.write(`export KUBECONFIG=${started.cluster.kubeconfigPath}\n`);
    return;
  }
  const cluster = await startTestCluster({ dir, keep: true, detached: true, log });
  const state: ClusterState = {
    dir,
    kubeconfigPath: cluster.kubeconfigPath,
    server: cluster.server,
    kubectlPath: cluster.kubectlPath,
    processes: [
      { name: 'etcd', pid: cluster.pids.etcd, binary: cluster.binaries.etcd },
      { name: 'kube-apiserver', pid: cluster.pids.kubeApiserver, binary: cluster.binaries.kubeApiserver },
    ],
  };
  writeFileSync(statePathIn(base), `${JSON.stringify(state, null, 2)}\n`);
  try {
    if (withCrds) await installCrds(cluster, { log });
    if (withCertManager) {
      const certManager = await startCertManager({ cluster, detached: true, log });
      for (const c of [certManager.controller, certManager.cainjector]) state.processes.push({ name: c.name, pid: c.pid, binary: c.binary });
      writeFileSync(statePathIn(base), `${JSON.stringify(state, null, 2)}\n`);
    }
  } catch (err) {
    await down(base);
    throw err;
  }
  log(`up: ${cluster.server} (logs in ${dir}); stop with: npm run cluster:down`);
  log(`kubectl matching the server: ${cluster.kubectlPath}`);
  process.stdout.write(`export KUBECONFIG=${cluster.kubeconfigPath}\n`);
}

async function down(base: string): Promise<void> {
  const state = readState(base);
  if (!state) {
    log(`no cluster state in ${base}: nothing to stop`);
    return;
  }
  if (isNodeState(state)) {
    const result = await stopNode(state, log);
    rmSync(statePathIn(base), { force: true });
    for (const d of result.differences) log(`host differs from before cluster:up: ${d.what}: ${d.detail}`);
    for (const p of result.leftovers) log(`still running: pid ${p.pid} ${p.argv0} (${p.why})`);
    if (result.zombies.length > 0) log(`exited, not yet reaped by PID 1: ${result.zombies.join(', ')}`);
    if (result.differences.length === 0 && result.leftovers.length === 0) log('host restored: no process, mount, cgroup, sysctl, iptables, link or route of the node left');
    else process.exitCode = 1;
    return;
  }
  // Last started first (cert-manager, the API server, then etcd); only PIDs that still run the
  // binary we started.
  for (const proc of [...state.processes].reverse()) {
    if (isOurs(proc)) {
      await stopPid(proc.pid);
      log(`stopped ${proc.name} (pid ${proc.pid})`);
    } else {
      log(`${proc.name} (pid ${proc.pid}) is not running`);
    }
  }
  rmSync(state.dir, { recursive: true, force: true });
  rmSync(statePathIn(base), { force: true });
}

function status(base: string): void {
  const state = readState(base);
  if (!state) {
    log('down');
    process.exitCode = 1;
    return;
  }
  for (const proc of state.processes) log(`${proc.name} (pid ${proc.pid}): ${isOurs(proc) ? 'running' : 'gone'}`);
  process.stdout.write(`export KUBECONFIG=${state.kubeconfigPath ?? ''}\n`);
  if (!state.processes.every(isOurs)) process.exitCode = 1;
}

const program = new Command().name('cluster').description('a local test cluster: kube-apiserver + etcd on 127.0.0.1');
const baseOption = ['--state-dir <dir>', 'where the state and the cluster live', join(repoRoot(), '.cluster')] as const;
program
  .command('up')
  .description('start the cluster in the background (with the CRDs) and print `export KUBECONFIG=…`')
  .option(...baseOption)
  .option('--no-crds', 'do not install the Shoot and CloudProfile CRDs')
  .option('--cert-manager', "also run cert-manager's controller and cainjector (npm run cluster:build -- cert-manager first)")
  .option('--node', 'also run a node: controller-manager, scheduler, containerd, kubelet, CNI bridge, kube-proxy (as root; npm run cluster:build -- node first)')
  .action((opts: { stateDir: string; crds: boolean; certManager?: boolean; node?: boolean }) =>
    up(resolve(opts.stateDir), opts.crds, opts.certManager ?? false, opts.node ?? false),
  );
program
  .command('down')
  .description('stop the cluster started by `up` (by the PIDs in the state file) and remove it')
  .option(...baseOption)
  .action((opts: { stateDir: string }) => down(resolve(opts.stateDir)));
program
  .command('status')
  .description('say whether the cluster is running')
  .option(...baseOption)
  .action((opts: { stateDir: string }) => status(resolve(opts.stateDir)));

program.parseAsync(process.argv).catch((err: unknown) => {
  log(`cluster: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
