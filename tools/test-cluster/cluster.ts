// A real Kubernetes control plane for tests and demos: etcd and kube-apiserver on 127.0.0.1,
// in a temp dir, with client-certificate authentication and RBAC. No controller-manager, no
// scheduler, no nodes: objects are stored and admitted (CRDs, webhooks), nothing reconciles.
// Flags follow what controller-runtime's envtest uses (sigs.k8s.io/controller-runtime
// pkg/internal/testing/controlplane/apiserver.go).
//
// Safety: the API server only ever dials 127.0.0.1 (etcd, and webhooks registered by URL);
// nothing here registers a webhook or APIService that refers to a Service.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, createRsaKeyPair, createSignedCertificate } from '../../src/pki/certificates.js';
import { resolveBinaries, type ClusterBinaries } from './binaries.js';
import { freePorts } from './free-port.js';
import { waitForHttpsOk } from './https-probe.js';
import { kubeconfigYaml, writeUserKubeconfig } from './kubeconfig.js';
import { runKubectl, type KubectlOptions, type KubectlResult } from './kubectl.js';
import { forgetDirOnExit, removeDirOnExit, spawnLogged, stopProcess, tailOf, type StartedProcess } from './processes.js';

export { registerWebhooks, type RegisteredWebhooks } from './webhook-registration.js';
export { startWebhookProcess, type WebhookProcess, type WebhookProcessOptions } from './webhook-process.js';
export type { KubectlOptions, KubectlResult } from './kubectl.js';

export interface TestClusterOptions {
  /** Directory for certificates, data and logs (default: a new temp dir). */
  dir?: string;
  /** Progress lines (each step with elapsed ms). */
  log?: (line: string) => void;
  /** Keep `dir` on stop (default: removed, unless it was given). */
  keep?: boolean;
  /** Start etcd and kube-apiserver in their own process groups so they outlive this process (cluster:up). */
  detached?: boolean;
  /** Binaries (default: resolveBinaries()). */
  binaries?: ClusterBinaries;
  /** How long to wait for /readyz (default 60 s). */
  readyTimeoutMs?: number;
  /**
   * Serve a real node (cluster:up --node): listen on and advertise `address` (the CNI bridge's
   * gateway, never loopback: it becomes the endpoint of Service default/kubernetes), authorize
   * with Node,RBAC, keep the ServiceAccount admission plugin, and hold a client certificate for
   * calling kubelets.
   */
  node?: NodeControlPlaneOptions;
}

export interface NodeControlPlaneOptions {
  /** The CNI bridge's gateway address, e.g. 10.88.0.1. */
  address: string;
  /** e.g. 10.0.0.0/24 */
  serviceClusterIpRange: string;
  /** The first address of that range (Service default/kubernetes), e.g. 10.0.0.1. */
  firstServiceIp: string;
}

export interface TestCluster {
  dir: string;
  /** Admin (system:masters) kubeconfig. */
  kubeconfigPath: string;
  /** https://127.0.0.1:<port> */
  server: string;
  caCertPem: string;
  /** The CA's key too: tests sign client certificates for other identities with it. */
  caKeyPem: string;
  kubectlPath: string;
  binaries: ClusterBinaries;
  pids: { etcd: number; kubeApiserver: number };
  ports: { etcdClient: number; etcdPeer: number; apiserver: number };
  /** Runs kubectl with the admin kubeconfig (or `opts.kubeconfig`). */
  kubectl(args: string[], opts?: KubectlOptions): Promise<KubectlResult>;
  /** Writes a kubeconfig with a client certificate for `user` (CN) in `groups` (O); returns its path. */
  kubeconfigFor(user: string, groups?: string[]): string;
  /** SIGTERM then SIGKILL kube-apiserver and etcd (by PID); removes `dir` unless kept. */
  stop(): Promise<void>;
}

function httpOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { timeout: 1_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

async function waitForEtcd(url: string, proc: StartedProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.hasExited()) throw new Error(`etcd exited during start:\n${tailOf(proc.logPath)}`);
    if (await httpOk(`${url}/health`)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`etcd not healthy after ${timeoutMs} ms:\n${tailOf(proc.logPath)}`);
}

function etcdArgs(dataDir: string, clientPort: number, peerPort: number): string[] {
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return [
    '--name=test',
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=test=${peer}`,
    '--unsafe-no-fsync',
    '--log-level=warn',
  ];
}

interface PkiFiles {
  caCert: string;
  servingCert: string;
  servingKey: string;
  saPub: string;
  saKey: string;
  kubeletClientCert: string;
  kubeletClientKey: string;
}

function apiserverArgs(files: PkiFiles, dir: string, etcdClientPort: number, port: number, node?: NodeControlPlaneOptions): string[] {
  if (node) {
    // As hack/local-up-cluster.sh runs it for a node, bound to the bridge gateway only.
    return [
      `--etcd-servers=http://127.0.0.1:${etcdClientPort}`,
      `--cert-dir=${dir}`,
      `--tls-cert-file=${files.servingCert}`,
      `--tls-private-key-file=${files.servingKey}`,
      `--secure-port=${port}`,
      `--bind-address=${node.address}`,
      `--advertise-address=${node.address}`,
      `--service-cluster-ip-range=${node.serviceClusterIpRange}`,
      '--authorization-mode=Node,RBAC',
      `--client-ca-file=${files.caCert}`,
      '--enable-admission-plugins=NodeRestriction',
      '--service-account-issuer=https://kubernetes.default.svc',
      '--service-account-jwks-uri=https://kubernetes.default.svc/openid/v1/jwks',
      `--service-account-key-file=${files.saPub}`,
      `--service-account-signing-key-file=${files.saKey}`,
      `--kubelet-client-certificate=${files.kubeletClientCert}`,
      `--kubelet-client-key=${files.kubeletClientKey}`,
      `--kubelet-certificate-authority=${files.caCert}`,
      '--kubelet-preferred-address-types=InternalIP',
      '--allow-privileged=true',
    ];
  }
  return [
    `--etcd-servers=http://127.0.0.1:${etcdClientPort}`,
    `--cert-dir=${dir}`,
    `--tls-cert-file=${files.servingCert}`,
    `--tls-private-key-file=${files.servingKey}`,
    `--secure-port=${port}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    '--service-cluster-ip-range=10.0.0.0/24',
    '--authorization-mode=RBAC',
    `--client-ca-file=${files.caCert}`,
    `--service-account-issuer=https://127.0.0.1:${port}/`,
    `--service-account-key-file=${files.saPub}`,
    `--service-account-signing-key-file=${files.saKey}`,
    // No controller-manager runs, so no namespace ever gets a default ServiceAccount.
    '--disable-admission-plugins=ServiceAccount',
    '--allow-privileged=true',
  ];
}

export async function startTestCluster(opts: TestClusterOptions = {}): Promise<TestCluster> {
  const started = Date.now();
  const log = (step: string) => opts.log?.(`[test-cluster +${String(Date.now() - started).padStart(5)} ms] ${step}`);
  const binaries = opts.binaries ?? resolveBinaries();
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'shoot-maintenance-cluster-'));
  const keep = opts.keep ?? opts.dir !== undefined;
  mkdirSync(dir, { recursive: true });
  if (!keep) removeDirOnExit(dir);
  const readyTimeoutMs = opts.readyTimeoutMs ?? 60_000;

  const [etcdClient, etcdPeer, apiserverPort] = (await freePorts(3)) as [number, number, number];
  const node = opts.node;
  const server = `https://${node?.address ?? '127.0.0.1'}:${apiserverPort}`;
  log(`binaries: ${binaries.kubeApiserver}, ${binaries.etcd}, kubectl ${binaries.kubectl}`);

  const ca = createCertificateAuthority('shoot-maintenance-test-cluster-ca');
  const serving = createSignedCertificate(ca, {
    commonName: 'kube-apiserver',
    // For a node, also the names and the Service IP by which Pods reach it.
    dnsNames: node
      ? ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local']
      : ['localhost'],
    ipAddresses: node ? ['127.0.0.1', node.address, node.firstServiceIp] : ['127.0.0.1'],
    usage: 'server',
  });
  // kube-apiserver's identity towards kubelets (logs, exec): kubelet authorizes it by webhook.
  const kubeletClient = createSignedCertificate(ca, { commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'], usage: 'client' });
  const admin = createSignedCertificate(ca, { commonName: 'admin', organizations: ['system:masters'], usage: 'client' });
  const sa = createRsaKeyPair();
  const files: PkiFiles = {
    caCert: join(dir, 'ca.crt'),
    servingCert: join(dir, 'apiserver.crt'),
    servingKey: join(dir, 'apiserver.key'),
    saPub: join(dir, 'sa.pub'),
    saKey: join(dir, 'sa.key'),
    kubeletClientCert: join(dir, 'apiserver-kubelet-client.crt'),
    kubeletClientKey: join(dir, 'apiserver-kubelet-client.key'),
  };
  writeFileSync(files.kubeletClientCert, kubeletClient.certPem);
  writeFileSync(files.kubeletClientKey, kubeletClient.keyPem, { mode: 0o600 });
  writeFileSync(files.caCert, ca.certPem);
  writeFileSync(join(dir, 'ca.key'), ca.keyPem, { mode: 0o600 });
  writeFileSync(files.servingCert, serving.certPem);
  writeFileSync(files.servingKey, serving.keyPem, { mode: 0o600 });
  writeFileSync(files.saPub, sa.publicKeyPem);
  writeFileSync(files.saKey, sa.privateKeyPem, { mode: 0o600 });
  const kubeconfigPath = join(dir, 'kubeconfig.yaml');
  writeFileSync(kubeconfigPath, kubeconfigYaml(server, ca.certPem, 'admin', admin), { mode: 0o600 });
  log('certificates and admin kubeconfig written');

  const processes: StartedProcess[] = [];
  const stopAll = async () => {
    // API server first, so it does not log a storm of etcd connection errors.
    for (const proc of [...processes].reverse()) await stopProcess(proc);
  };
  try {
    const etcd = spawnLogged({
      name: 'etcd',
      command: binaries.etcd,
      args: etcdArgs(join(dir, 'etcd-data'), etcdClient, etcdPeer),
      logPath: join(dir, 'etcd.log'),
      detached: opts.detached,
    });
    processes.push(etcd);
    await waitForEtcd(`http://127.0.0.1:${etcdClient}`, etcd, 30_000);
    log(`etcd healthy on 127.0.0.1:${etcdClient} (pid ${etcd.pid})`);

    const apiserver = spawnLogged({
      name: 'kube-apiserver',
      command: binaries.kubeApiserver,
      args: apiserverArgs(files, dir, etcdClient, apiserverPort, node),
      logPath: join(dir, 'kube-apiserver.log'),
      detached: opts.detached,
    });
    processes.push(apiserver);
    log(`kube-apiserver started (pid ${apiserver.pid}), waiting for /readyz`);
    await waitForHttpsOk(`${server}/readyz`, { ca: ca.certPem, cert: admin.certPem, key: admin.keyPem }, {
      timeoutMs: readyTimeoutMs,
      gaveUp: () => (apiserver.hasExited() ? `kube-apiserver exited:\n${tailOf(apiserver.logPath)}` : undefined),
    });
    log(`kube-apiserver ready at ${server}`);

    let stopped = false;
    return {
      dir,
      kubeconfigPath,
      server,
      caCertPem: ca.certPem,
      caKeyPem: ca.keyPem,
      kubectlPath: binaries.kubectl,
      binaries,
      pids: { etcd: etcd.pid, kubeApiserver: apiserver.pid },
      ports: { etcdClient, etcdPeer, apiserver: apiserverPort },
      kubectl: (args, kopts) => runKubectl(binaries.kubectl, kopts?.kubeconfig ?? kubeconfigPath, args, kopts?.input),
      kubeconfigFor: (user, groups) => writeUserKubeconfig({ dir, server, ca, user, groups }),
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await stopAll();
        if (!keep) {
          rmSync(dir, { recursive: true, force: true });
          forgetDirOnExit(dir);
        }
      },
    };
  } catch (err) {
    await stopAll();
    if (!keep) {
      rmSync(dir, { recursive: true, force: true });
      forgetDirOnExit(dir);
    }
    throw err;
  }
}
