// Where the test cluster's binaries are: kube-apiserver, etcd, cert-manager's CRDs and (built on
// request) cert-manager's controller and cainjector, from the cache that
// scripts/test-cluster/build.sh fills (its `--check` mode is the one place that knows the
// versions and paths), and the kubectl whose minor version matches the API server.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ClusterBinaries {
  kubeApiserver: string;
  etcd: string;
  kubectl: string;
}

/** The repository root (the directory holding this package's package.json). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'scripts', 'test-cluster'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (package.json with scripts/test-cluster)');
    dir = parent;
  }
}

export class MissingBinariesError extends Error {}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The paths `build.sh --check [group]` prints (KUBE_APISERVER, ETCD, CERT_MANAGER_CRDS; for the
 * cert-manager group CERT_MANAGER_VERSION, CERT_MANAGER_CONTROLLER, CERT_MANAGER_CAINJECTOR);
 * throws when any of the group is missing.
 */
function cachedPaths(group: 'e2e' | 'cert-manager' | 'node' = 'e2e'): Record<string, string> {
  const script = join(repoRoot(), 'scripts', 'test-cluster', 'build.sh');
  const buildCommand = group === 'e2e' ? 'npm run cluster:build' : `npm run cluster:build -- ${group}`;
  try {
    const out = execFileSync('bash', [script, '--check', group], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return Object.fromEntries(
      out
        .split('\n')
        .map((line) => line.split('='))
        .filter((parts): parts is [string, string] => parts.length === 2 && parts[0] !== '' && parts[1] !== ''),
    );
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new MissingBinariesError(`the test cluster's binaries are not built.\n${stderr.trim()}\nBuild them once with: ${buildCommand}`);
  }
}

/**
 * kube-apiserver and etcd: `KUBE_APISERVER` / `ETCD` when set, else the build cache as reported
 * by `build.sh --check`. Builds nothing; throws MissingBinariesError with the way to build them.
 */
export function resolveServerBinaries(): { kubeApiserver: string; etcd: string } {
  const fromEnv = { kubeApiserver: process.env.KUBE_APISERVER, etcd: process.env.ETCD };
  const found = !fromEnv.kubeApiserver || !fromEnv.etcd ? cachedPaths() : {};
  const kubeApiserver = fromEnv.kubeApiserver ?? found.KUBE_APISERVER;
  const etcd = fromEnv.etcd ?? found.ETCD;
  for (const [name, path] of [['kube-apiserver', kubeApiserver], ['etcd', etcd]] as const) {
    if (!path || !isExecutable(path)) {
      throw new MissingBinariesError(`${name} not found or not executable: ${path ?? '(unset)'}; build with: npm run cluster:build`);
    }
  }
  return { kubeApiserver: kubeApiserver as string, etcd: etcd as string };
}

/** The folder of cert-manager's CRD files (from its Go module, by build.sh): `CERT_MANAGER_CRDS` when set. */
export function resolveCertManagerCrds(): string {
  const dir = process.env.CERT_MANAGER_CRDS ?? cachedPaths().CERT_MANAGER_CRDS;
  if (!dir || !existsSync(dir)) throw new MissingBinariesError(`cert-manager CRDs not found: ${dir ?? '(unset)'}; fetch them with: npm run cluster:build`);
  return dir;
}

export interface CertManagerBinaries {
  /** The release, e.g. v1.19.5 (the version scripts/cert-manager/go.mod pins). */
  version: string;
  controller: string;
  cainjector: string;
  /** The folder of the same release's CRD files. */
  crds: string;
}

/**
 * cert-manager's controller and cainjector (built by `npm run cluster:build -- cert-manager` from
 * scripts/cert-manager/) and its CRDs, from the build cache; `CERT_MANAGER_CONTROLLER`,
 * `CERT_MANAGER_CAINJECTOR` and `CERT_MANAGER_CRDS` override them (all three, or none).
 * Builds nothing; throws MissingBinariesError with the way to build them.
 */
export function resolveCertManagerBinaries(): CertManagerBinaries {
  const env = process.env;
  const found =
    env.CERT_MANAGER_CONTROLLER && env.CERT_MANAGER_CAINJECTOR && env.CERT_MANAGER_CRDS
      ? { CERT_MANAGER_CONTROLLER: env.CERT_MANAGER_CONTROLLER, CERT_MANAGER_CAINJECTOR: env.CERT_MANAGER_CAINJECTOR, CERT_MANAGER_CRDS: env.CERT_MANAGER_CRDS }
      : cachedPaths('cert-manager');
  const fix = 'build with: npm run cluster:build -- cert-manager';
  for (const name of ['CERT_MANAGER_CONTROLLER', 'CERT_MANAGER_CAINJECTOR'] as const) {
    const path = found[name];
    if (!path || !isExecutable(path)) throw new MissingBinariesError(`${name}: not found or not executable: ${path ?? '(unset)'}; ${fix}`);
  }
  const crds = found.CERT_MANAGER_CRDS;
  if (!crds || !existsSync(crds)) throw new MissingBinariesError(`cert-manager CRDs not found: ${crds ?? '(unset)'}; ${fix}`);
  const version = found.CERT_MANAGER_VERSION ?? /-(v\d+\.\d+\.\d+)/.exec(found.CERT_MANAGER_CONTROLLER ?? '')?.[1] ?? 'unknown';
  return { version, controller: found.CERT_MANAGER_CONTROLLER as string, cainjector: found.CERT_MANAGER_CAINJECTOR as string, crds };
}

/** "1.33" from ".../kube-apiserver-v1.33.13". */
export function minorOf(kubeApiserverPath: string): string | undefined {
  return /v(\d+\.\d+)\.\d+/.exec(kubeApiserverPath)?.[1];
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/**
 * kubectl: `KUBECTL` when set; else the versioned `kubectl.<minor>` beside the real kubectl on
 * PATH (the Google Cloud SDK ships kubectl.1.27 … kubectl.1.33 next to its dispatcher), so the
 * client is within kubectl's version skew of our API server; else plain kubectl.
 */
export function resolveKubectl(minor: string | undefined): string {
  if (process.env.KUBECTL) return process.env.KUBECTL;
  const kubectl = onPath('kubectl');
  if (!kubectl) throw new MissingBinariesError('kubectl not found on PATH (set KUBECTL to its path)');
  if (minor) {
    const versioned = join(dirname(realpathSync(kubectl)), `kubectl.${minor}`);
    if (isExecutable(versioned)) return versioned;
  }
  return kubectl;
}

export function resolveBinaries(): ClusterBinaries {
  const servers = resolveServerBinaries();
  return { ...servers, kubectl: resolveKubectl(minorOf(servers.kubeApiserver)) };
}

/** What a one-node cluster runs besides kube-apiserver and etcd (`npm run cluster:build -- node`). */
export interface NodeBinaries {
  kubelet: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kubeProxy: string;
  /** Static binaries packed into the pause and smoke images. */
  pauseBin: string;
  smokeBin: string;
  /** Debian's, installed by scripts/test-cluster/node-packages.sh. */
  containerd: string;
  ctr: string;
  cniBinDir: string;
}

/** The node's binaries from the build cache (`build.sh --check node`); builds nothing. */
export function resolveNodeBinaries(): NodeBinaries {
  const found = cachedPaths('node');
  const packages = (() => {
    try {
      const out = execFileSync('bash', [join(repoRoot(), 'scripts', 'test-cluster', 'node-packages.sh'), '--check'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      return Object.fromEntries(out.split('\n').map((l) => l.split('=')).filter((p) => p.length === 2)) as Record<string, string>;
    } catch (err) {
      throw new MissingBinariesError(((err as { stderr?: string }).stderr ?? '').trim());
    }
  })();
  const bins: NodeBinaries = {
    kubelet: found.KUBELET ?? '',
    kubeControllerManager: found.KUBE_CONTROLLER_MANAGER ?? '',
    kubeScheduler: found.KUBE_SCHEDULER ?? '',
    kubeProxy: found.KUBE_PROXY ?? '',
    pauseBin: found.PAUSE_BIN ?? '',
    smokeBin: found.SMOKE_BIN ?? '',
    containerd: packages.CONTAINERD ?? '',
    ctr: packages.CTR ?? '',
    cniBinDir: packages.CNI_BIN_DIR ?? '',
  };
  for (const [name, path] of Object.entries(bins)) {
    if (path === '' || !existsSync(path)) throw new MissingBinariesError(`${name} not found: ${path || '(unset)'}; build with: npm run cluster:build -- node`);
  }
  return bins;
}
