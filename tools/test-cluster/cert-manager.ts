// cert-manager on a test cluster, as host processes that act on the cluster as its Pods would:
// its CRDs (the release's own files), the controller and the CA injector (built by
// `npm run cluster:build -- cert-manager` from scripts/cert-manager/), each with its own
// ServiceAccount token and the RBAC of cert-manager's Helm chart (cert-manager/*-rbac.yaml),
// leader election on their Leases in kube-system as the chart configures it, metrics and health
// endpoints on 127.0.0.1. Started and stopped by PID; logs and configuration files in the
// cluster's directory.
//
// No Pod runs on the test cluster, so the ACME HTTP-01 solver cannot work here; CA and
// self-signed issuers (what manifests/ uses) need nothing else.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { resolveCertManagerBinaries, type CertManagerBinaries } from './binaries.js';
import { freePorts } from './free-port.js';
import type { KubectlOptions, KubectlResult } from './kubectl.js';
import { spawnLogged, stopProcess, tailOf, type StartedProcess } from './processes.js';
import { createServiceAccountIdentity, type ServiceAccountIdentity } from './service-account-identity.js';

export const CERT_MANAGER_CONTROLLER_RBAC = join('tools', 'test-cluster', 'cert-manager', 'controller-rbac.yaml');
export const CERT_MANAGER_CAINJECTOR_RBAC = join('tools', 'test-cluster', 'cert-manager', 'cainjector-rbac.yaml');

/** The CRDs of a cert-manager release (deploy/crds/ of its Go module). */
export const CERT_MANAGER_CRD_NAMES = [
  'certificates.cert-manager.io',
  'certificaterequests.cert-manager.io',
  'issuers.cert-manager.io',
  'clusterissuers.cert-manager.io',
  'orders.acme.cert-manager.io',
  'challenges.acme.cert-manager.io',
] as const;

/** Where the Helm chart puts both Leases (global.leaderElection.namespace). */
export const CERT_MANAGER_LEADER_ELECTION_NAMESPACE = 'kube-system';
/** The Lease names the release uses. */
export const CERT_MANAGER_LEASES = { controller: 'cert-manager-controller', cainjector: 'cert-manager-cainjector-leader-election' } as const;

interface ClusterLike {
  dir: string;
  server: string;
  caCertPem: string;
  kubectl(args: string[], opts?: KubectlOptions): Promise<KubectlResult>;
}

export interface CertManagerOptions {
  cluster: ClusterLike;
  /** Default: resolveCertManagerBinaries() (throws MissingBinariesError with the build command). */
  binaries?: CertManagerBinaries;
  /** How long to wait for the CRDs, the Leases and the health endpoints (default 120 s). */
  readyTimeoutMs?: number;
  /** Start both in their own process groups so they outlive this process (cluster:up). */
  detached?: boolean;
  /** The controller's `clusterResourceNamespace` (default "cert-manager", the chart's $(POD_NAMESPACE)). */
  clusterResourceNamespace?: string;
  log?: (line: string) => void;
}

export interface CertManagerComponent {
  name: 'cert-manager-controller' | 'cert-manager-cainjector';
  pid: number;
  binary: string;
  logPath: string;
  configPath: string;
  /** Its ServiceAccount and the kubeconfig with its token. */
  identity: ServiceAccountIdentity;
  /** http://127.0.0.1:<port>/metrics */
  metricsUrl: string;
  /** The Lease it holds (namespace/name) and the holder identity it wrote. */
  lease: { namespace: string; name: string; holderIdentity: string };
}

export interface CertManager {
  version: string;
  controller: CertManagerComponent;
  cainjector: CertManagerComponent;
  /** SIGTERM (then SIGKILL after 10 s) to both, by PID; they release their Leases on the way out. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function must(res: Promise<KubectlResult>, what: string): Promise<string> {
  const r = await res;
  if (r.code !== 0) throw new Error(`${what}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

/** Installs the release's CRDs (server-side: they are too large for client-side apply) and waits until they are served. */
export async function installCertManagerCrds(cluster: ClusterLike, crdsDir: string, opts: { timeoutSeconds?: number; log?: (line: string) => void } = {}): Promise<void> {
  const started = Date.now();
  await must(cluster.kubectl(['apply', '--server-side', '--force-conflicts', '-f', crdsDir]), `kubectl apply --server-side -f ${crdsDir}`);
  await must(
    cluster.kubectl(['wait', '--for=condition=Established', `--timeout=${opts.timeoutSeconds ?? 60}s`, ...CERT_MANAGER_CRD_NAMES.map((n) => `crd/${n}`)]),
    'cert-manager CRDs not established',
  );
  opts.log?.(`[cert-manager +${Date.now() - started} ms] CRDs established: ${CERT_MANAGER_CRD_NAMES.join(', ')}`);
}

async function httpOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

async function leaseHolder(cluster: ClusterLike, namespace: string, name: string): Promise<string | undefined> {
  const r = await cluster.kubectl(['get', 'lease', name, '-n', namespace, '-o', 'jsonpath={.spec.holderIdentity}']);
  return r.code === 0 && r.stdout.trim() !== '' ? r.stdout.trim() : undefined;
}

interface Pending {
  name: CertManagerComponent['name'];
  proc: StartedProcess;
  binary: string;
  configPath: string;
  identity: ServiceAccountIdentity;
  metricsUrl: string;
  /** A URL that answers 200 once the process serves (the controller's /livez, the injector's /metrics). */
  healthUrl: string;
  leaseName: string;
  /** How the release writes its holder identity: `<hostname>-external-cert-manager-controller`, `<hostname>_<uuid>`. */
  holderPrefix: string;
}

/** Waits until the process serves its health URL and holds its Lease; fails at once if it exits. */
async function waitUntilLeading(cluster: ClusterLike, p: Pending, deadline: number, timeoutMs: number): Promise<string> {
  for (;;) {
    if (p.proc.hasExited()) throw new Error(`${p.name} exited during start (code ${await p.proc.exited}):\n${tailOf(p.proc.logPath, 30)}`);
    if (await httpOk(p.healthUrl)) {
      const holder = await leaseHolder(cluster, CERT_MANAGER_LEADER_ELECTION_NAMESPACE, p.leaseName);
      if (holder?.startsWith(p.holderPrefix)) return holder;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `${p.name} did not serve ${p.healthUrl} and hold Lease ${CERT_MANAGER_LEADER_ELECTION_NAMESPACE}/${p.leaseName} within ${timeoutMs} ms:\n${tailOf(p.proc.logPath, 30)}`,
      );
    }
    await sleep(250);
  }
}

export async function startCertManager(opts: CertManagerOptions): Promise<CertManager> {
  const started = Date.now();
  const log = (step: string) => opts.log?.(`[cert-manager +${String(Date.now() - started).padStart(5)} ms] ${step}`);
  const { cluster } = opts;
  const binaries = opts.binaries ?? resolveCertManagerBinaries();
  const timeoutMs = opts.readyTimeoutMs ?? 120_000;
  log(`${binaries.version}: ${binaries.controller}, ${binaries.cainjector}`);

  await installCertManagerCrds(cluster, binaries.crds, { log: opts.log });
  const controllerIdentity = await createServiceAccountIdentity(cluster, CERT_MANAGER_CONTROLLER_RBAC, { log: opts.log });
  const cainjectorIdentity = await createServiceAccountIdentity(cluster, CERT_MANAGER_CAINJECTOR_RBAC, { log: opts.log });

  const [controllerMetrics, controllerHealthz, cainjectorMetrics] = (await freePorts(3)) as [number, number, number];
  const leaderElectionConfig = { enabled: true, namespace: CERT_MANAGER_LEADER_ELECTION_NAMESPACE };
  const logging = { format: 'text', verbosity: 2 };
  const controllerConfig = join(cluster.dir, 'cert-manager-controller.yaml');
  writeFileSync(
    controllerConfig,
    stringify({
      apiVersion: 'controller.config.cert-manager.io/v1alpha1',
      kind: 'ControllerConfiguration',
      kubeConfig: controllerIdentity.kubeconfigPath,
      clusterResourceNamespace: opts.clusterResourceNamespace ?? controllerIdentity.namespace,
      leaderElectionConfig,
      metricsListenAddress: `127.0.0.1:${controllerMetrics}`,
      healthzListenAddress: `127.0.0.1:${controllerHealthz}`,
      logging,
    }),
  );
  const cainjectorConfig = join(cluster.dir, 'cert-manager-cainjector.yaml');
  writeFileSync(
    cainjectorConfig,
    stringify({
      apiVersion: 'cainjector.config.cert-manager.io/v1alpha1',
      kind: 'CAInjectorConfiguration',
      kubeConfig: cainjectorIdentity.kubeconfigPath,
      leaderElectionConfig,
      metricsListenAddress: `127.0.0.1:${cainjectorMetrics}`,
      logging,
    }),
  );

  const spawn = (name: CertManagerComponent['name'], binary: string, configPath: string) =>
    spawnLogged({ name, command: binary, args: [`--config=${configPath}`], logPath: join(cluster.dir, `${name}.log`), detached: opts.detached });
  const pending: Pending[] = [];
  try {
    const host = hostname();
    const controller = spawn('cert-manager-controller', binaries.controller, controllerConfig);
    pending.push({
      name: 'cert-manager-controller',
      proc: controller,
      binary: binaries.controller,
      configPath: controllerConfig,
      identity: controllerIdentity,
      metricsUrl: `http://127.0.0.1:${controllerMetrics}/metrics`,
      healthUrl: `http://127.0.0.1:${controllerHealthz}/livez`,
      leaseName: CERT_MANAGER_LEASES.controller,
      holderPrefix: `${host}-external-cert-manager-controller`,
    });
    log(`controller started (pid ${controller.pid}) as ${controllerIdentity.username}, log ${controller.logPath}`);
    const cainjector = spawn('cert-manager-cainjector', binaries.cainjector, cainjectorConfig);
    pending.push({
      name: 'cert-manager-cainjector',
      proc: cainjector,
      binary: binaries.cainjector,
      configPath: cainjectorConfig,
      identity: cainjectorIdentity,
      metricsUrl: `http://127.0.0.1:${cainjectorMetrics}/metrics`,
      healthUrl: `http://127.0.0.1:${cainjectorMetrics}/metrics`,
      leaseName: CERT_MANAGER_LEASES.cainjector,
      holderPrefix: `${host}_`,
    });
    log(`cainjector started (pid ${cainjector.pid}) as ${cainjectorIdentity.username}, log ${cainjector.logPath}`);

    const deadline = Date.now() + timeoutMs;
    const components: CertManagerComponent[] = [];
    for (const p of pending) {
      const holderIdentity = await waitUntilLeading(cluster, p, deadline, timeoutMs);
      log(`${p.name} serves ${p.healthUrl} and leads (Lease ${CERT_MANAGER_LEADER_ELECTION_NAMESPACE}/${p.leaseName}, holder ${holderIdentity})`);
      components.push({
        name: p.name,
        pid: p.proc.pid,
        binary: p.binary,
        logPath: p.proc.logPath,
        configPath: p.configPath,
        identity: p.identity,
        metricsUrl: p.metricsUrl,
        lease: { namespace: CERT_MANAGER_LEADER_ELECTION_NAMESPACE, name: p.leaseName, holderIdentity },
      });
    }
    let stopped = false;
    return {
      version: binaries.version,
      controller: components[0] as CertManagerComponent,
      cainjector: components[1] as CertManagerComponent,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        for (const p of [...pending].reverse()) await stopProcess(p.proc, 10_000);
      },
    };
  } catch (err) {
    for (const p of [...pending].reverse()) await stopProcess(p.proc, 10_000);
    throw err;
  }
}
