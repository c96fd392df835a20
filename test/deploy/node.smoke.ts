// Smoke check of the one-node cluster (`npm run cluster:up -- --node`), run as a user would run
// it: the CLI starts it in a state directory of its own, real kubectl drives it, and the CLI
// stops it. Proves, in order:
//   - the Node is Ready (kubelet on cgroup v1 with containerd, CNI bridge, kube-proxy);
//   - every listener of the node is on 127.0.0.1 or the bridge gateway, the isolation rules and
//     the Service route to the bridge are in place;
//   - a Deployment of a locally built image (smoke, imported into containerd, never pulled), under
//     the namespace's `restricted` Pod Security enforcement with readOnlyRootFilesystem, runs and
//     passes its readiness probe, while a privileged Pod is rejected there;
//   - its ClusterIP Service answers from the host and from another Pod; a Pod reaches
//     kube-apiserver through Service default/kubernetes with its ServiceAccount token and the
//     kube-root-ca.crt that kube-controller-manager publishes;
//   - kube-apiserver calls an admission webhook through that Service (kube-proxy's ClusterIP);
//   - the garbage collector removes a deleted Deployment's ReplicaSet and Pods, the namespace
//     controller a deleted namespace;
//   - `cluster:down` leaves no process, mount, cgroup, sysctl, iptables rule, link or route
//     behind, compared with a snapshot this file takes before `up`.
// Not part of `npm test`, `test:e2e` or .ci/run: `npm run test:node-smoke` (root, ~3 min).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, createSignedCertificate } from '../../src/pki/certificates.js';
import { repoRoot, resolveKubectl } from '../../tools/test-cluster/binaries.js';
import { diffHost, nodeProcesses, snapshotHost, zombieProcesses, type HostSnapshot } from '../../tools/test-cluster/host-state.js';
import { runKubectl, type KubectlResult } from '../../tools/test-cluster/kubectl.js';
import { NODE_NAME, type NodeState } from '../../tools/test-cluster/node.js';
import { isAlive, isZombie } from '../../tools/test-cluster/processes.js';

const log = (line: string) => process.stderr.write(`[node-smoke] ${line}\n`);
const cli = join(repoRoot(), 'build', 'tools', 'test-cluster', 'cluster-cli.js');
const NS = 'smoke';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function runCli(args: string[], timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      process.stderr.write(c);
    });
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`cluster-cli ${args.join(' ')} did not finish in ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: 3_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Retries `probe` (at most `tries`, 1 s apart) until it returns a value. */
async function eventually<T>(what: string, tries: number, probe: () => Promise<T | undefined>): Promise<T> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await sleep(1_000);
  }
  throw new Error(`${what}: not after ${tries} tries${last ? ` (last: ${String(last)})` : ''}`);
}

const restrictedPodSecurity = {
  runAsNonRoot: true,
  runAsUser: 65532,
  runAsGroup: 65532,
  seccompProfile: { type: 'RuntimeDefault' },
};
const restrictedContainerSecurity = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};

describe('one-node cluster (cluster:up --node)', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'node-smoke-'));
  let before: HostSnapshot;
  let zombiesBefore: Set<number>;
  let kubeconfig = '';
  let kubectlPath = '';
  let state: NodeState;
  let downDone = false;
  const kubectl = (args: string[], input?: string): Promise<KubectlResult> => runKubectl(kubectlPath, kubeconfig, args, input);
  const apply = async (obj: object) => {
    const r = await kubectl(['apply', '-f', '-'], JSON.stringify(obj));
    if (r.code !== 0) throw new Error(`kubectl apply: ${r.stderr}`);
    return r.stdout.trim();
  };

  beforeAll(async () => {
    before = snapshotHost();
    zombiesBefore = new Set(zombieProcesses().map((p) => p.pid));
    const started = Date.now();
    const up = await runCli(['up', '--node', '--no-crds', '--state-dir', stateDir], 600_000);
    expect(up.code, up.stderr.slice(-3000)).toBe(0);
    const m = /^export KUBECONFIG=(.+)$/m.exec(up.stdout);
    expect(m, up.stdout).not.toBeNull();
    kubeconfig = (m as RegExpExecArray)[1] as string;
    state = JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')) as NodeState;
    kubectlPath = state.kubectlPath ?? resolveKubectl('1.33');
    log(`cluster:up --node took ${Date.now() - started} ms; ${up.stdout.trim()}`);
  }, 660_000);

  afterAll(async () => {
    if (!downDone) await runCli(['down', '--state-dir', stateDir], 300_000).catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  }, 320_000);

  it('the Node is Ready', async () => {
    const r = await kubectl(['get', 'node', NODE_NAME, '-o', 'wide']);
    log(r.stdout.trim());
    const ready = await kubectl(['get', 'node', NODE_NAME, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status} {.status.nodeInfo.kubeletVersion} {.status.nodeInfo.containerRuntimeVersion} {.status.addresses[0].address}']);
    expect(ready.stdout).toMatch(/^True v1\.33\.13 containerd:\/\/\S+ 10\.88\.0\.1$/);
  });

  it('listens only on loopback and the bridge gateway, and forwards only within the bridge', () => {
    // Every TCP/UDP listener of the node's processes (kcm and the scheduler serve nothing);
    // ss names a process by its comm, the executable's name cut to 15 characters.
    const pids = new Set(nodeProcesses(state.dir).map((p) => p.pid));
    const listeners = execFileSync('ss', ['-Hltunp'])
      .toString()
      .split('\n')
      .filter((l) => [...l.matchAll(/pid=(\d+)/g)].some((m) => pids.has(Number(m[1]))))
      .map((l) => {
        const [proto, , , , local] = l.split(/\s+/);
        const proc = /\(\("([^"]+)"/.exec(l)?.[1] ?? '?';
        return { proto, local: local as string, proc };
      });
    log(`listeners: ${listeners.map((l) => `${l.proc} ${l.proto} ${l.local}`).join(', ')}`);
    expect(listeners.map((l) => l.proc)).toEqual(expect.arrayContaining(['etcd-v3.6.16', 'kube-apiserver-', 'kubelet-v1.33.1', 'kube-proxy-v1.3', 'containerd']));
    for (const l of listeners) expect(l.local, `${l.proc} ${l.proto}`).toMatch(/^(127\.0\.0\.1|10\.88\.0\.1|\[::1\]):\d+$/);
    const mangle = execFileSync('iptables', ['-t', 'mangle', '-S']).toString();
    expect(mangle).toContain('-A FORWARD -j SHOOTM-FORWARD');
    expect(mangle).toContain('-A SHOOTM-FORWARD -i shootm0 -o shootm0 -j RETURN');
    expect(mangle).toContain('-A SHOOTM-FORWARD -i shootm0 -j DROP');
    expect(mangle).toContain('-A INPUT -d 10.88.0.0/16 -j SHOOTM-INPUT');
    expect(execFileSync('ip', ['route', 'get', '10.0.0.200']).toString()).toMatch(/dev shootm0 src 10\.88\.0\.1/);
  });

  it('runs a Deployment of a locally built image under restricted Pod Security, behind a ClusterIP Service', async () => {
    const image = state.images.smoke as string;
    expect(image).toMatch(/^localhost\/smoke:/);
    await apply({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: NS, labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' } },
    });
    // The serving certificate of the smoke webhook (test below), as a Secret the Pods mount.
    const ca = createCertificateAuthority('node-smoke-webhook-ca');
    const serving = createSignedCertificate(ca, { commonName: `smoke.${NS}.svc`, dnsNames: [`smoke.${NS}.svc`], usage: 'server' });
    await apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'smoke-tls', namespace: NS },
      type: 'kubernetes.io/tls',
      stringData: { 'tls.crt': serving.certPem, 'tls.key': serving.keyPem },
    });
    (globalThis as { smokeCa?: string }).smokeCa = ca.certPem;
    await apply({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'smoke', namespace: NS },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'smoke' } },
        template: {
          metadata: { labels: { app: 'smoke' } },
          spec: {
            securityContext: restrictedPodSecurity,
            automountServiceAccountToken: false,
            containers: [
              {
                name: 'smoke',
                image,
                imagePullPolicy: 'Never',
                args: ['-https', ':8443', '-tls-dir', '/tls'],
                ports: [{ name: 'http', containerPort: 8080 }, { name: 'https', containerPort: 8443 }],
                readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 2 },
                securityContext: restrictedContainerSecurity,
                resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
                volumeMounts: [{ name: 'tls', mountPath: '/tls', readOnly: true }],
              },
            ],
            volumes: [{ name: 'tls', secret: { secretName: 'smoke-tls' } }],
          },
        },
      },
    });
    await apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'smoke', namespace: NS },
      spec: {
        selector: { app: 'smoke' },
        ports: [
          { name: 'http', port: 80, targetPort: 'http' },
          { name: 'https', port: 443, targetPort: 'https' },
        ],
      },
    });
    const rollout = await kubectl(['rollout', 'status', `deployment/smoke`, '-n', NS, '--timeout=120s']);
    expect(rollout.code, rollout.stderr + (await kubectl(['describe', 'pods', '-n', NS])).stdout).toBe(0);
    log((await kubectl(['get', 'pods', '-n', NS, '-o', 'wide'])).stdout.trim());
    const pods = JSON.parse((await kubectl(['get', 'pods', '-n', NS, '-l', 'app=smoke', '-o', 'json'])).stdout) as {
      items: { status: { podIP: string; containerStatuses: { ready: boolean }[] }; spec: { containers: { securityContext: { readOnlyRootFilesystem: boolean } }[] } }[];
    };
    expect(pods.items).toHaveLength(2);
    for (const pod of pods.items) {
      expect(pod.status.podIP).toMatch(/^10\.88\./);
      expect(pod.status.containerStatuses[0]?.ready).toBe(true);
      expect(pod.spec.containers[0]?.securityContext.readOnlyRootFilesystem).toBe(true);
    }
    // kube-controller-manager's endpoint and endpointslice controllers list both Pods.
    const endpoints = await eventually('Endpoints and EndpointSlice of Service smoke', 30, async () => {
      const ep = (await kubectl(['get', 'endpoints', 'smoke', '-n', NS, '-o', 'jsonpath={.subsets[*].addresses[*].ip}'])).stdout.trim().split(' ');
      const slice = (await kubectl(['get', 'endpointslices', '-n', NS, '-l', 'kubernetes.io/service-name=smoke', '-o', 'jsonpath={.items[*].endpoints[*].addresses[*]}'])).stdout.trim().split(' ');
      return ep.length === 2 && slice.length === 2 ? { ep, slice } : undefined;
    });
    expect([...endpoints.ep].sort()).toEqual(pods.items.map((p) => p.status.podIP).sort());
    expect([...endpoints.slice].sort()).toEqual(pods.items.map((p) => p.status.podIP).sort());
    // The enforcement is real: a privileged Pod is refused in this namespace.
    const privileged = await kubectl(['run', 'privileged', '-n', NS, `--image=${image}`, '--image-pull-policy=Never', '--privileged']);
    expect(privileged.code).not.toBe(0);
    expect(privileged.stderr).toMatch(/violates PodSecurity "restricted:latest"/);
    log(`privileged Pod refused: ${privileged.stderr.trim().split('\n')[0] ?? ''}`);
  }, 180_000);

  it('the Service answers from the host through its ClusterIP', async () => {
    const ip = (await kubectl(['get', 'service', 'smoke', '-n', NS, '-o', 'jsonpath={.spec.clusterIP}'])).stdout.trim();
    expect(ip).toMatch(/^10\.0\.0\.\d+$/);
    const res = await eventually('GET from the host', 30, async () => {
      const r = await httpGet(`http://${ip}/`);
      return r.status === 200 ? r : undefined;
    });
    expect(res.body).toMatch(/^smoke smoke-[a-z0-9]+-[a-z0-9]+\n$/);
    log(`host -> http://${ip}/: ${res.body.trim()}`);
  });

  const runClientPod = async (name: string, args: string[], automount: boolean) => {
    await apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: NS },
      spec: {
        restartPolicy: 'Never',
        automountServiceAccountToken: automount,
        securityContext: restrictedPodSecurity,
        containers: [
          {
            name: 'get',
            image: state.images.smoke,
            imagePullPolicy: 'Never',
            command: ['/smoke', 'get', '-tries', '30', ...args],
            securityContext: restrictedContainerSecurity,
          },
        ],
      },
    });
    const phase = await eventually(`Pod ${name} finished`, 90, async () => {
      const p = (await kubectl(['get', 'pod', name, '-n', NS, '-o', 'jsonpath={.status.phase}'])).stdout.trim();
      return p === 'Succeeded' || p === 'Failed' ? p : undefined;
    });
    const logs = (await kubectl(['logs', name, '-n', NS])).stdout.trim();
    return { phase, logs };
  };

  it('the Service answers from another Pod through its ClusterIP', async () => {
    const ip = (await kubectl(['get', 'service', 'smoke', '-n', NS, '-o', 'jsonpath={.spec.clusterIP}'])).stdout.trim();
    const { phase, logs } = await runClientPod('client', [`http://${ip}/`], false);
    log(`Pod client -> http://${ip}/: ${logs}`);
    expect(phase).toBe('Succeeded');
    expect(logs).toMatch(/^try \d+: smoke smoke-[a-z0-9]+-[a-z0-9]+$/m);
  }, 120_000);

  it('a Pod reaches kube-apiserver through Service default/kubernetes with its ServiceAccount token', async () => {
    const sa = '/var/run/secrets/kubernetes.io/serviceaccount';
    const { phase, logs } = await runClientPod('api-client', ['-ca', `${sa}/ca.crt`, '-bearer-file', `${sa}/token`, 'https://10.0.0.1/version'], true);
    log(`Pod api-client -> https://10.0.0.1/version: ${logs.replace(/\s+/g, ' ').slice(0, 200)}`);
    expect(phase).toBe('Succeeded');
    expect(logs).toMatch(/"gitVersion": "v1\.33\.13"/);
  }, 120_000);

  it('kube-apiserver calls an admission webhook through the Service', async () => {
    const caBundle = Buffer.from((globalThis as { smokeCa?: string }).smokeCa as string).toString('base64');
    await apply({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'node-smoke' },
      webhooks: [
        {
          name: 'smoke.node-smoke.test',
          clientConfig: { service: { namespace: NS, name: 'smoke', port: 443, path: '/validate' }, caBundle },
          rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] }],
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NS } },
          failurePolicy: 'Fail',
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
          timeoutSeconds: 5,
        },
      ],
    });
    const denied = await eventually('webhook denial', 30, async () => {
      const r = await kubectl(['create', 'configmap', 'denied-by-smoke', '-n', NS]);
      return r.code !== 0 && /denied by the smoke webhook/.test(r.stderr) ? r.stderr.trim() : undefined;
    });
    log(`kubectl create configmap denied-by-smoke: ${denied}`);
    expect(denied).toMatch(/admission webhook "smoke\.node-smoke\.test" denied the request: denied by the smoke webhook in pod smoke-/);
    const allowed = await kubectl(['create', 'configmap', 'allowed', '-n', NS]);
    expect(allowed.code, allowed.stderr).toBe(0);
    // It went through kube-proxy's rule for the ClusterIP's https port (only kube-apiserver uses
    // that port here; the host and the client Pod used http).
    const nat = execFileSync('iptables-save', ['-c', '-t', 'nat']).toString();
    const rule = nat.split('\n').find((l) => l.includes(`"${NS}/smoke:https cluster IP"`) && l.includes('-j KUBE-SVC-'));
    expect(rule, nat).toBeDefined();
    const packets = Number(/^\[(\d+):/.exec(rule as string)?.[1]);
    log(`kube-proxy rule for ${NS}/smoke:https matched ${packets} packet(s): ${(rule as string).slice(0, 160)}`);
    expect(packets).toBeGreaterThan(0);
    await kubectl(['delete', 'validatingwebhookconfiguration', 'node-smoke']);
  }, 60_000);

  it('garbage collection and the namespace controller clean up', async () => {
    // Deleting the Deployment: the garbage collector deletes its ReplicaSet and their Pods.
    const del = await kubectl(['delete', 'deployment', 'smoke', '-n', NS, '--wait=false']);
    expect(del.code, del.stderr).toBe(0);
    await eventually('ReplicaSet and Pods of Deployment smoke gone', 60, async () => {
      const r = await kubectl(['get', 'replicasets,pods', '-n', NS, '-l', 'app=smoke', '-o', 'name']);
      return r.code === 0 && r.stdout.trim() === '' ? true : undefined;
    });
    const ns = await kubectl(['delete', 'namespace', NS, '--timeout=90s']);
    expect(ns.code, ns.stderr).toBe(0);
    expect((await kubectl(['get', 'namespace', NS])).stderr).toMatch(/NotFound/);
    log('Deployment deleted -> ReplicaSet and Pods collected; namespace deleted with all it held');
  }, 120_000);

  it('cluster:down stops everything and leaves the host as it was', async () => {
    const down = await runCli(['down', '--state-dir', stateDir], 300_000);
    downDone = true;
    expect(down.stderr).toMatch(/host restored: no process, mount, cgroup, sysctl, iptables, link or route of the node left/);
    expect(down.code).toBe(0);
    // Independently of the CLI's own check: this file's snapshot from before `up`.
    const after = snapshotHost();
    const differences = diffHost(before, after);
    expect(differences).toEqual([]);
    expect(nodeProcesses(state.dir).filter((p) => p.state !== 'Z')).toEqual([]);
    for (const p of state.processes) expect(isAlive(p.pid) && !isZombie(p.pid), `${p.name} (pid ${p.pid})`).toBe(false);
    const ours = new Set(state.processes.map((p) => p.pid));
    const newZombies = zombieProcesses().filter((p) => ours.has(p.pid) && !zombiesBefore.has(p.pid));
    log(`after down: no live process of the node; exited, not yet reaped by PID 1: ${newZombies.map((z) => `${z.pid} ${z.comm} (ppid ${z.ppid})`).join(', ') || 'none'}`);
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
    expect(mounts).not.toContain(state.dir);
    expect(execFileSync('ip', ['-o', 'link', 'show']).toString()).not.toMatch(/shootm0|veth/);
  }, 320_000);
});
