// A one-node Kubernetes cluster from processes (`npm run cluster:up -- --node`), after the model of
// Kubernetes' hack/local-up-cluster.sh: etcd and kube-apiserver (cluster.ts), then
// kube-controller-manager, kube-scheduler, containerd (+ runc) with a private config, root, state
// and socket under the cluster directory, kubelet (cgroupfs, cgroup v1 allowed, its own client
// certificate as system:node:<name>), the CNI bridge plugin and kube-proxy in iptables mode.
//
// Network rule: every address is loopback or on the bridge this module creates (BRIDGE, gateway
// GATEWAY), and the Pods' network namespaces behind it. kube-apiserver and kubelet listen on the
// gateway, the Service range is routed to the bridge (so even an unanswered ClusterIP never goes
// to the default route), and mangle-table rules drop anything forwarded to or from another
// interface and anything addressed to the Pod range from outside the host. Nothing leaves the
// machine: no image is pulled (pause and smoke images are built here and imported into containerd).
//
// Host state (sysctls, iptables/nf_tables, mounts, cgroups, default directories) is recorded
// before anything starts (host-state.ts) and restored by stopNode(), which stops every process by
// the PID recorded when it was started (containerd's shims, which containerd starts, by the
// socket address in their command line).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { stringify } from 'yaml';
import { createSignedCertificate } from '../../src/pki/certificates.js';
import { resolveBinaries, resolveNodeBinaries, type NodeBinaries } from './binaries.js';
import { startTestCluster, type TestCluster } from './cluster.js';
import { freePorts } from './free-port.js';
import {
  diffHost,
  kubepodsCgroups,
  nodeProcesses,
  restoreFirewall,
  restoreSysctls,
  snapshotHost,
  type HostDifference,
  type HostSnapshot,
  WATCHED_PATHS,
  zombieProcesses,
} from './host-state.js';
import { runKubectl } from './kubectl.js';
import { importIntoContainerd } from '../image/containerd-import.js';
import { archiveLayout, writeOciLayout } from '../image/oci-layout.js';
import { argvOf, isAlive, spawnLogged, stopPid, tailOf } from './processes.js';

export const BRIDGE = 'shootm0';
export const GATEWAY = '10.88.0.1';
export const POD_CIDR = '10.88.0.0/16';
export const SERVICE_CIDR = '10.0.0.0/24';
export const FIRST_SERVICE_IP = '10.0.0.1';
export const NODE_NAME = 'shoot-maintenance-node';
const CNI_NETWORK = 'shoot-maintenance';
/** The processes startNode starts (stopNode stops them in its own order, any others first). */
const NODE_COMPONENTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'containerd', 'kubelet', 'kube-proxy'];
const MANGLE_FORWARD = 'SHOOTM-FORWARD';
const MANGLE_INPUT = 'SHOOTM-INPUT';
const PATH_ENV = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface NodeProcessRecord {
  name: string;
  pid: number;
  binary: string;
}

/** Everything `cluster:down` needs, written to the state file as soon as it is known. */
export interface NodeState {
  mode: 'node';
  phase: 'starting' | 'up';
  dir: string;
  host: HostSnapshot;
  kubeconfigPath?: string;
  server?: string;
  kubectlPath?: string;
  containerdAddress?: string;
  ctr?: string;
  /** Start order; stopped in reverse (with the Pods drained first). */
  processes: NodeProcessRecord[];
  /** Images imported into containerd, by name. */
  images: Record<string, string>;
  bridgeCreated: boolean;
  firewallRules: boolean;
}

export interface StartNodeOptions {
  /** The cluster directory (certificates, data, logs, containerd root/state, kubelet root). */
  dir: string;
  log: (line: string) => void;
  /** Called whenever the state changes, so a failed start can still be torn down. */
  save: (state: NodeState) => void;
  /** How long to wait for the Node to be Ready (default 180 s). */
  readyTimeoutMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function sh(cmd: string, args: string[], input?: string): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'], timeout: 30_000, env: { ...process.env, PATH: PATH_ENV } });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${(e.stderr ?? '').trim() || e.message}`, { cause: err });
  }
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined, gaveUp?: () => string | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reason = gaveUp?.();
    if (reason) throw new Error(`${what}: ${reason}`);
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs} ms`);
    await sleep(500);
  }
}

/** Refuses to start when the bridge, kubepods cgroups or another node cluster are already there. */
function preflight(): void {
  if (process.getuid?.() !== 0) throw new Error('cluster:up --node needs root (it creates a bridge, mounts and cgroups)');
  if (existsSync(`/sys/class/net/${BRIDGE}`)) throw new Error(`network interface ${BRIDGE} exists: is another node cluster up? (npm run cluster:down)`);
  const cgroups = kubepodsCgroups();
  if (cgroups.length > 0) throw new Error(`kubepods cgroups exist (${cgroups[0]}): another kubelet runs or ran here`);
  if (!existsSync('/sys/fs/cgroup/memory')) throw new Error('no cgroup v1 memory hierarchy at /sys/fs/cgroup/memory');
  if (!existsSync('/dev/kmsg')) throw new Error('kubelet needs /dev/kmsg (its OOM watcher), which this machine lacks');
}

/** The bridge (before any component: kube-apiserver binds to its gateway), the Service route, isolation rules, ip_forward. */
function prepareNetwork(state: NodeState, log: (l: string) => void): void {
  sh('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
  state.bridgeCreated = true;
  sh('ip', ['addr', 'add', `${GATEWAY}/16`, 'dev', BRIDGE]);
  sh('ip', ['link', 'set', BRIDGE, 'up']);
  // ClusterIPs are virtual: kube-proxy DNATs them. Routed to the bridge with the gateway as
  // source, an unmatched one goes nowhere instead of to the default route.
  sh('ip', ['route', 'add', SERVICE_CIDR, 'dev', BRIDGE, 'src', GATEWAY]);
  log(`bridge ${BRIDGE} ${GATEWAY}/16 up, ${SERVICE_CIDR} routed to it`);

  const forwardWasOff = state.host.sysctls['net.ipv4.ip_forward'] === '0';
  const rules = [
    `*mangle`,
    `:${MANGLE_FORWARD} - [0:0]`,
    `:${MANGLE_INPUT} - [0:0]`,
    `-A ${MANGLE_FORWARD} -i ${BRIDGE} -o ${BRIDGE} -j RETURN`,
    `-A ${MANGLE_FORWARD} -i ${BRIDGE} -j DROP`,
    `-A ${MANGLE_FORWARD} -o ${BRIDGE} -j DROP`,
    // The host forwarded nothing before; keep it so for every other interface.
    ...(forwardWasOff ? [`-A ${MANGLE_FORWARD} -j DROP`] : []),
    `-A ${MANGLE_INPUT} -i lo -j RETURN`,
    `-A ${MANGLE_INPUT} -i ${BRIDGE} -j RETURN`,
    `-A ${MANGLE_INPUT} -j DROP`,
    `-I FORWARD 1 -j ${MANGLE_FORWARD}`,
    `-I INPUT 1 -d ${POD_CIDR} -j ${MANGLE_INPUT}`,
    'COMMIT',
    '',
  ].join('\n');
  state.firewallRules = true;
  sh('iptables-restore', ['--noflush'], rules);
  log(`mangle rules: forwarding only ${BRIDGE}<->${BRIDGE}${forwardWasOff ? ' (all other forwarding dropped, as ip_forward was 0)' : ''}; ${POD_CIDR} reachable only from lo and ${BRIDGE}`);
  // Pod -> ClusterIP -> Pod is routed through the host.
  writeFileSync('/proc/sys/net/ipv4/ip_forward', '1');
  log(`net.ipv4.ip_forward=1 (was ${state.host.sysctls['net.ipv4.ip_forward']}; restored by cluster:down)`);
}

function write(path: string, content: string, mode?: number): string {
  writeFileSync(path, content, mode === undefined ? undefined : { mode });
  return path;
}

function containerdConfig(d: string, pauseImage: string, cniBinDir: string): string {
  return `# containerd for the shoot-maintenance test node: everything under ${d}
version = 2
root = "${d}/root"
state = "${d}/state"
oom_score = 0
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = "${d}/containerd.sock"

[ttrpc]
  address = "${d}/containerd.sock.ttrpc"

[debug]
  address = ""

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "${d}/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${pauseImage}"
  # No CAP_SYS_RESOURCE here: nobody may lower oom_score_adj (CRI asks -998 for sandboxes).
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "${d}/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${cniBinDir}"
    conf_dir = "${d}/cni-conf"
    max_conf_num = 1
`;
}

function cniConflist(ipamDir: string): string {
  return JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: CNI_NETWORK,
      plugins: [
        {
          type: 'bridge',
          bridge: BRIDGE,
          isGateway: true,
          // Nothing leaves the machine, so nothing needs masquerading.
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: POD_CIDR, gateway: GATEWAY }]],
            routes: [{ dst: '0.0.0.0/0' }],
            dataDir: ipamDir,
          },
        },
      ],
    },
    null,
    2,
  );
}

/**
 * The pause and smoke images: each one static binary, written as an OCI layout and archive by the
 * image tooling (tools/image/, as `npm run image:build` does for the project's image) and imported
 * into the node's containerd.
 */
async function importNodeImages(bins: NodeBinaries, dir: string, address: string, log: (l: string) => void): Promise<Record<string, string>> {
  const images: Record<string, string> = {};
  const specs = [
    // The tag is the source hash in the binary's file name: a changed source is a new name, so
    // CRI's name cache never serves a stale image.
    { key: 'pause', bin: bins.pauseBin, user: '65535:65535', entrypoint: ['/pause'] },
    { key: 'smoke', bin: bins.smokeBin, user: '65532:65532', entrypoint: ['/smoke', 'serve'] },
  ];
  for (const spec of specs) {
    const name = `localhost/${spec.key}:${basename(spec.bin).slice(spec.key.length + 1)}`;
    const layout = join(dir, `${spec.key}-oci`);
    const written = await writeOciLayout(layout, {
      architecture: 'amd64',
      os: 'linux',
      name,
      config: { User: spec.user, Env: [`PATH=${PATH_ENV}`], Entrypoint: spec.entrypoint, WorkingDir: '/' },
      layers: [{ entries: [{ type: 'file', path: spec.key, mode: 0o755, content: { fromFile: spec.bin } }], createdBy: `COPY ${basename(spec.bin)} /${spec.key}` }],
    });
    const archive = `${layout}.tar`;
    await archiveLayout(layout, archive);
    rmSync(layout, { recursive: true, force: true });
    importIntoContainerd(archive, address, name, written.manifest.digest, () => undefined);
    log(`image ${name} imported into containerd (${written.manifest.digest.slice(0, 19)}…)`);
    images[spec.key] = name;
  }
  return images;
}

export interface StartedNode {
  cluster: TestCluster;
  state: NodeState;
}

export async function startNode(opts: StartNodeOptions): Promise<StartedNode> {
  const started = Date.now();
  const log = (step: string) => opts.log(`[node +${String(Date.now() - started).padStart(6)} ms] ${step}`);
  preflight();
  const binaries = resolveBinaries();
  const bins = resolveNodeBinaries();
  mkdirSync(opts.dir, { recursive: true });
  const nodeDir = join(opts.dir, 'node');
  mkdirSync(nodeDir, { recursive: true });
  const state: NodeState = {
    mode: 'node',
    phase: 'starting',
    dir: opts.dir,
    host: snapshotHost(),
    processes: [],
    images: {},
    bridgeCreated: false,
    firewallRules: false,
  };
  opts.save(state);
  log(`host state recorded (${Object.keys(state.host.sysctls).length} sysctls, iptables, mounts, cgroups)`);
  const save = () => opts.save(state);
  const track = (name: string, pid: number, binary: string) => {
    state.processes.push({ name, pid, binary });
    save();
  };

  prepareNetwork(state, log);
  save();

  const cluster = await startTestCluster({
    dir: join(opts.dir, 'control-plane'),
    keep: true,
    detached: true,
    log: opts.log,
    binaries,
    node: { address: GATEWAY, serviceClusterIpRange: SERVICE_CIDR, firstServiceIp: FIRST_SERVICE_IP },
  });
  track('etcd', cluster.pids.etcd, binaries.etcd);
  track('kube-apiserver', cluster.pids.kubeApiserver, binaries.kubeApiserver);
  Object.assign(state, { kubeconfigPath: cluster.kubeconfigPath, server: cluster.server, kubectlPath: cluster.kubectlPath });
  save();
  const cp = cluster.dir;
  const ca = { certPem: cluster.caCertPem, keyPem: cluster.caKeyPem };
  const caFile = join(cp, 'ca.crt');
  const spawn = (name: string, command: string, args: string[]) => {
    const proc = spawnLogged({ name, command, args, logPath: join(nodeDir, `${name}.log`), detached: true, env: { ...process.env, PATH: PATH_ENV } });
    track(name, proc.pid, command);
    return proc;
  };
  const alive = (proc: { hasExited(): boolean; logPath: string; name: string }) => () =>
    proc.hasExited() ? `${proc.name} exited:\n${tailOf(proc.logPath, 30)}` : undefined;

  // kube-controller-manager and kube-scheduler: no serving port (nothing probes them).
  const kcm = spawn('kube-controller-manager', bins.kubeControllerManager, [
    `--kubeconfig=${cluster.kubeconfigFor('system:kube-controller-manager')}`,
    `--service-account-private-key-file=${join(cp, 'sa.key')}`,
    `--root-ca-file=${caFile}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    '--use-service-account-credentials=true',
    '--controllers=*',
    '--leader-elect=false',
    '--secure-port=0',
    '--cluster-name=shoot-maintenance',
    `--cert-dir=${join(nodeDir, 'kcm-certs')}`,
    // Its default, /usr/libexec/kubernetes/…, would be created on the host.
    `--flex-volume-plugin-dir=${join(nodeDir, 'flexvolume')}`,
  ]);
  const schedulerConfig = write(
    join(nodeDir, 'kube-scheduler.yaml'),
    stringify({
      apiVersion: 'kubescheduler.config.k8s.io/v1',
      kind: 'KubeSchedulerConfiguration',
      clientConnection: { kubeconfig: cluster.kubeconfigFor('system:kube-scheduler') },
      leaderElection: { leaderElect: false },
    }),
  );
  const scheduler = spawn('kube-scheduler', bins.kubeScheduler, [`--config=${schedulerConfig}`, '--secure-port=0', `--cert-dir=${join(nodeDir, 'scheduler-certs')}`]);
  log(`kube-controller-manager (pid ${kcm.pid}) and kube-scheduler (pid ${scheduler.pid}) started`);

  // containerd with a private everything.
  const cdDir = join(nodeDir, 'containerd');
  mkdirSync(join(cdDir, 'cni-conf'), { recursive: true });
  const address = join(cdDir, 'containerd.sock');
  Object.assign(state, { containerdAddress: address, ctr: bins.ctr });
  const pauseName = `localhost/pause:${basename(bins.pauseBin).slice('pause-'.length)}`;
  const cdConfig = write(join(cdDir, 'config.toml'), containerdConfig(cdDir, pauseName, bins.cniBinDir));
  const containerd = spawn('containerd', bins.containerd, ['--config', cdConfig]);
  await until('containerd socket', 30_000, () => {
    try {
      sh(bins.ctr, ['--address', address, 'version']);
      return true;
    } catch {
      return undefined;
    }
  }, alive(containerd));
  log(`containerd ready (pid ${containerd.pid}) on ${address}`);
  state.images = await importNodeImages(bins, nodeDir, address, log);
  save();
  if (state.images.pause !== pauseName) throw new Error(`pause image ${state.images.pause} is not the sandbox_image ${pauseName}`);
  write(join(cdDir, 'cni-conf', '10-shoot-maintenance.conflist'), cniConflist(join(nodeDir, 'cni-ipam')));

  // kubelet: its client certificate as system:node:<name>, a serving certificate for the gateway.
  const kubeletDir = join(nodeDir, 'kubelet');
  const [kubeletPort, kubeletHealthz, proxyHealthz, proxyMetrics] = (await freePorts(4)) as [number, number, number, number];
  mkdirSync(kubeletDir, { recursive: true });
  const serving = createSignedCertificate(ca, { commonName: `system:node:${NODE_NAME}`, organizations: ['system:nodes'], dnsNames: [NODE_NAME], ipAddresses: [GATEWAY], usage: 'server' });
  const kubeletCert = write(join(nodeDir, 'kubelet-serving.crt'), serving.certPem);
  const kubeletKey = write(join(nodeDir, 'kubelet-serving.key'), serving.keyPem, 0o600);
  const resolvConf = write(join(nodeDir, 'resolv.conf'), '# no DNS on the test node: Pods resolve nothing, so ask no server off the machine\n');
  const kubeletConfig = write(
    join(nodeDir, 'kubelet.yaml'),
    stringify({
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      address: GATEWAY,
      port: kubeletPort,
      readOnlyPort: 0,
      healthzBindAddress: '127.0.0.1',
      healthzPort: kubeletHealthz,
      tlsCertFile: kubeletCert,
      tlsPrivateKeyFile: kubeletKey,
      rotateCertificates: false,
      serverTLSBootstrap: false,
      authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: caFile } },
      authorization: { mode: 'Webhook' },
      cgroupDriver: 'cgroupfs',
      cgroupsPerQOS: true,
      failCgroupV1: false,
      failSwapOn: false,
      containerRuntimeEndpoint: `unix://${address}`,
      imageServiceEndpoint: `unix://${address}`,
      podLogsDir: join(nodeDir, 'pod-logs'),
      volumePluginDir: join(nodeDir, 'volume-plugins'),
      resolvConf,
      enforceNodeAllocatable: ['pods'],
      evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '1%', 'imagefs.available': '1%', 'nodefs.inodesFree': '1%' },
      // Imported images cannot be pulled again: never collect them.
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      maxPods: 30,
      runtimeRequestTimeout: '2m',
      registerNode: true,
    }),
  );
  const kubelet = spawn('kubelet', bins.kubelet, [
    `--config=${kubeletConfig}`,
    `--kubeconfig=${cluster.kubeconfigFor(`system:node:${NODE_NAME}`, ['system:nodes'])}`,
    `--root-dir=${kubeletDir}`,
    // Not under --root-dir by default (/var/lib/kubelet/pki), though the serving certificate is given.
    `--cert-dir=${join(kubeletDir, 'pki')}`,
    `--hostname-override=${NODE_NAME}`,
    `--node-ip=${GATEWAY}`,
    `--pod-infra-container-image=${pauseName}`,
    '--v=1',
  ]);
  log(`kubelet started (pid ${kubelet.pid}) on ${GATEWAY}:${kubeletPort}`);

  const proxyConfig = write(
    join(nodeDir, 'kube-proxy.yaml'),
    stringify({
      apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
      kind: 'KubeProxyConfiguration',
      clientConnection: { kubeconfig: cluster.kubeconfigFor('system:kube-proxy') },
      hostnameOverride: NODE_NAME,
      bindAddress: GATEWAY,
      healthzBindAddress: `127.0.0.1:${proxyHealthz}`,
      metricsBindAddress: `127.0.0.1:${proxyMetrics}`,
      mode: 'iptables',
      clusterCIDR: POD_CIDR,
      detectLocalMode: 'ClusterCIDR',
      nodePortAddresses: [`${GATEWAY}/32`],
      // No route_localnet=1 (localhost NodePorts), no conntrack sysctls.
      iptables: { localhostNodePorts: false, masqueradeAll: false, syncPeriod: '30s', minSyncPeriod: '1s' },
      conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s', udpTimeout: '0s', udpStreamTimeout: '0s' },
      oomScoreAdj: 0,
    }),
  );
  const proxy = spawn('kube-proxy', bins.kubeProxy, [`--config=${proxyConfig}`]);
  log(`kube-proxy started (pid ${proxy.pid}, iptables mode)`);

  const kubectl = (args: string[]) => runKubectl(cluster.kubectlPath, cluster.kubeconfigPath, ['--request-timeout=10s', ...args]);
  const dead = () => {
    for (const p of [kcm, scheduler, containerd, kubelet, proxy]) {
      const r = alive(p)();
      if (r) return r;
    }
    return undefined;
  };
  await until(
    `Node ${NODE_NAME} Ready`,
    opts.readyTimeoutMs ?? 180_000,
    async () => {
      const r = await kubectl(['get', 'node', NODE_NAME, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
      return r.code === 0 && r.stdout.trim() === 'True' ? true : undefined;
    },
    dead,
  );
  log(`Node ${NODE_NAME} Ready`);
  await until('ServiceAccount default/default', 60_000, async () => ((await kubectl(['get', 'serviceaccount', 'default', '-n', 'default'])).code === 0 ? true : undefined), dead);
  await until('kube-proxy rules for Service default/kubernetes', 60_000, () => {
    try {
      return sh('iptables-save', ['-t', 'nat']).includes(`-d ${FIRST_SERVICE_IP}/32`) ? true : undefined;
    } catch {
      return undefined;
    }
  }, dead);
  log(`kube-proxy programs ${FIRST_SERVICE_IP}:443 (Service default/kubernetes)`);
  state.phase = 'up';
  save();
  return { cluster, state };
}

/** Unmounts (deepest first) every mount point that appeared since `before` under one of `roots`. */
function unmountNew(before: HostSnapshot, roots: string[], log: (l: string) => void): void {
  for (let round = 0; round < 3; round++) {
    const now = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l !== '').map((l) => l.split(' ')[4] as string);
    const ours = now.filter((m) => !before.mounts.includes(m) && roots.some((r) => m === r || m.startsWith(`${r}/`)));
    if (ours.length === 0) return;
    for (const m of [...new Set(ours)].sort((a, b) => b.length - a.length)) {
      try {
        execFileSync('umount', [m], { stdio: 'pipe', timeout: 10_000 });
      } catch {
        try {
          execFileSync('umount', ['-l', m], { stdio: 'pipe', timeout: 10_000 });
          log(`lazily unmounted ${m}`);
        } catch (err) {
          log(`could not unmount ${m}: ${(err as Error).message}`);
        }
      }
    }
  }
}

/** rmdir depth-first of every kubepods cgroup (they are empty once their processes are gone). */
function removeCgroups(log: (l: string) => void): void {
  for (let round = 0; round < 5; round++) {
    const dirs = kubepodsCgroups().sort((a, b) => b.length - a.length);
    if (dirs.length === 0) return;
    for (const d of dirs) {
      try {
        rmdirSync(d);
      } catch (err) {
        if (round === 4) log(`could not remove cgroup ${d}: ${(err as Error).message}`);
      }
    }
  }
}

/**
 * Where those directories existed before, only our entries go: kubelet's symlinks in
 * /var/log/containers (hard-coded there) that point into our cluster directory, and the CNI
 * result cache files of our network in /var/lib/cni.
 */
function removeOwnEntries(state: NodeState, log: (l: string) => void): void {
  const remove = (dir: string, match: (name: string, path: string) => boolean) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (match(name, path)) {
        rmSync(path, { recursive: true, force: true });
        log(`removed ${path}`);
      }
    }
  };
  remove('/var/log/containers', (_name, path) => {
    try {
      return readlinkSync(path).startsWith(`${state.dir}/`);
    } catch {
      return false;
    }
  });
  remove('/var/lib/cni/results', (name) => name.startsWith(`${CNI_NETWORK}-`));
}

function ctrList(ctr: string, address: string, what: 'tasks' | 'containers'): string[] {
  try {
    return sh(ctr, ['--address', address, '-n', 'k8s.io', what, 'ls', '-q']).split('\n').map((l) => l.trim()).filter((l) => l !== '');
  } catch {
    return [];
  }
}

function isOurs(proc: NodeProcessRecord): boolean {
  const argv = argvOf(proc.pid);
  return argv !== undefined && argv[0] === proc.binary;
}

export interface StopNodeResult {
  /** What still differs from the host as recorded before `up`. */
  differences: HostDifference[];
  /** Processes of the node still alive. */
  leftovers: { pid: number; argv0: string; why: string }[];
  /** Exited processes of the node that PID 1 has not reaped yet ("pid comm"). */
  zombies: string[];
}

export async function stopNode(state: NodeState, log: (line: string) => void): Promise<StopNodeResult> {
  const byName = new Map(state.processes.map((p) => [p.name, p]));
  const stop = async (name: string, graceMs = 10_000) => {
    const proc = byName.get(name);
    if (!proc) return;
    if (isOurs(proc)) {
      await stopPid(proc.pid, graceMs);
      log(`stopped ${name} (pid ${proc.pid})`);
    } else {
      log(`${name} (pid ${proc.pid}) is not running`);
    }
  };
  const apiserver = byName.get('kube-apiserver');
  const kubelet = byName.get('kubelet');
  // 0. What was started on top of the node (cluster:up --node --cert-manager), last first.
  for (const proc of [...state.processes].reverse()) if (!NODE_COMPONENTS.includes(proc.name)) await stop(proc.name);
  // 1. No new Pods, then the kubelet tears the Pods down (containers, CNI DEL, volume unmounts).
  await stop('kube-controller-manager');
  await stop('kube-scheduler');
  if (apiserver && isOurs(apiserver) && kubelet && isOurs(kubelet) && state.kubectlPath && state.kubeconfigPath) {
    const kubectl = (args: string[]) => runKubectl(state.kubectlPath as string, state.kubeconfigPath as string, ['--request-timeout=10s', ...args]);
    await kubectl(['delete', 'pods', '--all', '--all-namespaces', '--grace-period=1', '--wait=false']);
    const deadline = Date.now() + 90_000;
    let left = '';
    while (Date.now() < deadline) {
      const r = await kubectl(['get', 'pods', '--all-namespaces', '--no-headers', '-o', 'name']);
      left = r.stdout.trim();
      if (r.code === 0 && left === '') break;
      await sleep(1_000);
    }
    log(left === '' ? 'all Pods deleted by the kubelet' : `Pods still there after 90 s (removed below through containerd): ${left.replace(/\n/g, ' ')}`);
  }
  await stop('kube-proxy');
  await stop('kubelet');
  // 2. What containerd still holds: kill and delete tasks and containers through its own API.
  const containerd = byName.get('containerd');
  if (containerd && isOurs(containerd) && state.ctr && state.containerdAddress) {
    const [ctr, address] = [state.ctr, state.containerdAddress];
    for (const id of ctrList(ctr, address, 'tasks')) {
      try {
        sh(ctr, ['--address', address, '-n', 'k8s.io', 'tasks', 'kill', '-s', 'SIGKILL', id]);
      } catch {
        // already stopped
      }
    }
    await sleep(500);
    for (const id of ctrList(ctr, address, 'tasks')) {
      try {
        sh(ctr, ['--address', address, '-n', 'k8s.io', 'tasks', 'delete', '-f', id]);
      } catch (err) {
        log(`ctr tasks delete ${id}: ${(err as Error).message}`);
      }
    }
    const containers = ctrList(ctr, address, 'containers');
    for (const id of containers) {
      try {
        sh(ctr, ['--address', address, '-n', 'k8s.io', 'containers', 'delete', id]);
      } catch (err) {
        log(`ctr containers delete ${id}: ${(err as Error).message}`);
      }
    }
    log(`containerd: ${containers.length} container(s) deleted`);
  }
  await stop('containerd');
  // 3. containerd's shims (and anything in a kubepods cgroup) outlive it: stop them by PID,
  //    found by the cluster directory in their command line (-address) or their cgroup.
  //    Containers first, so that no shim is gone while its container still runs.
  const strays = nodeProcesses(state.dir).filter((p) => p.state !== 'Z' && (p.why === 'shim' || p.why === 'kubepods cgroup'));
  const ourPids = new Set([...state.processes.map((p) => p.pid), ...strays.map((p) => p.pid)]);
  for (const p of [...strays.filter((p) => p.why === 'kubepods cgroup'), ...strays.filter((p) => p.why === 'shim')]) {
    await stopPid(p.pid, 3_000);
    log(`stopped ${p.argv0} (pid ${p.pid}, ${p.why})`);
  }
  await stop('kube-apiserver');
  await stop('etcd');

  // 4. Host state back as recorded.
  unmountNew(state.host, [state.dir, '/run/netns', '/var/run/netns', '/run/containerd', '/var/lib/kubelet'], log);
  removeCgroups(log);
  if (state.bridgeCreated && existsSync(`/sys/class/net/${BRIDGE}`)) {
    try {
      sh('ip', ['link', 'delete', BRIDGE]);
      log(`bridge ${BRIDGE} deleted`);
    } catch (err) {
      log((err as Error).message);
    }
  }
  // Leftover veths of the bridge (their netns are gone with the Pods; this is a safety net).
  for (const link of readdirSync('/sys/class/net')) {
    if (!state.host.links.includes(link) && link.startsWith('veth')) {
      try {
        sh('ip', ['link', 'delete', link]);
        log(`deleted leftover ${link}`);
      } catch {
        // gone with its peer
      }
    }
  }
  restoreFirewall(state.host, log);
  const sysctls = restoreSysctls(state.host, log);
  if (sysctls.length > 0) log(`sysctls restored: ${sysctls.join(', ')}`);
  for (const path of WATCHED_PATHS) {
    if (state.host.paths[path] === false && existsSync(path)) {
      rmSync(path, { recursive: true, force: true });
      log(`removed ${path} (created while the node ran)`);
    }
  }
  removeOwnEntries(state, log);
  // Never delete through a mount point.
  const stillMounted = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(`${state.dir}/`));
  if (stillMounted.length === 0) rmSync(state.dir, { recursive: true, force: true });
  else log(`kept ${state.dir}: still mounted: ${stillMounted.join(', ')}`);

  const leftovers = nodeProcesses(state.dir);
  return {
    differences: diffHost(state.host, snapshotHost()),
    leftovers: leftovers.filter((p) => p.state !== 'Z').map(({ pid, argv0, why }) => ({ pid, argv0, why })),
    zombies: zombieProcesses().filter((z) => ourPids.has(z.pid)).map((z) => `${z.pid} ${z.comm}`),
  };
}

export { isAlive };
