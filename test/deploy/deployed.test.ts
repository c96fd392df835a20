// The deploy e2e suite: manifests/ deployed the way README.md's "Deploy" section tells users, on
// the one-node cluster (`npm run cluster:up -- --node --cert-manager`), with the image built
// without Docker and imported into the node's containerd (`npm run image:build -- --import …`),
// applied through test/deploy/overlay/ (the image reference and imagePullPolicy: Never, nothing
// else). Real kubectl only, against real Pods, behind the real Service, with the CA bundle that
// cert-manager's cainjector injected. Proves:
//   - the Certificate is Ready; both webhook configurations carry the Secret's ca.crt; the webhook
//     Pods are Ready in the namespace that enforces `restricted`, as 65532 with a read-only root
//     file system; the scheduler's Lease has exactly one holder, one of the scheduler Pods;
//   - the README's "Check that the webhook answers" commands and the kubectl texts, through the
//     Service; a confined change held (Warning, generation unchanged); `maintain` on an outdated
//     Shoot → the scheduler Pod maintains it (lastMaintenance Succeeded, version, Event);
//   - under a bounded loop of ≥ 200 Shoot writes: a webhook Pod deleted → 0 failed writes; a
//     rolling restart of the webhook Deployment → 0 failed writes; a forced certificate renewal
//     (cmctl renew's Issuing condition) → 0 failed writes, then each webhook Pod serves the new serial;
//   - the scheduler leader Pod deleted → the standby takes the Lease within the lease duration (by
//     the Lease's acquireTime against the last renewTime seen before the delete)
//     and a Shoot asked to be maintained is maintained exactly once;
//   - each ServiceAccount may do what it needs and none of a list of things it must not
//     (`kubectl auth can-i --as=system:serviceaccount:…`).
// Runs as root (the node). Brings the node up in beforeAll and down in afterAll, also on failure.
// Missing binaries fail the file at load time with the command that builds them.
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, resolveCertManagerBinaries, resolveNodeBinaries, resolveServerBinaries } from '../../tools/test-cluster/binaries.js';
import type { KubectlResult } from '../../tools/test-cluster/kubectl.js';
import type { NodeState } from '../../tools/test-cluster/node.js';
import { shootYaml as e2eShootYaml } from '../e2e/scheduler-support.js';

// At load time: a failing beforeAll would report the tests as skipped.
resolveServerBinaries();
resolveNodeBinaries();
resolveCertManagerBinaries();
if (process.getuid?.() !== 0) throw new Error('the deploy suite runs a node and needs root: sudo -E npm run test:deploy');

const ROOT = repoRoot();
const CLI = join(ROOT, 'build', 'tools', 'test-cluster', 'cluster-cli.js');
const IMAGE_CLI = join(ROOT, 'build', 'tools', 'image', 'build-image.js');
const NS = 'shoot-maintenance';
const WEBHOOK = 'shoot-maintenance-webhook';
const SCHEDULER = 'shoot-maintenance-scheduler';
const SHOOT_NS = 'garden-dev';
const VALIDATE_SHOOTS = 'validate.shoots.maintenance.gardener.cloud';

const log = (line: string) => process.stderr.write(`[deploy ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs a command (cwd: the repository), bounded in time; progress lines of stderr are echoed. */
function run(cmd: string, args: string[], o: { timeoutMs: number; input?: string; echo?: boolean; env?: NodeJS.ProcessEnv }): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: o.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (o.echo) process.stderr.write(c);
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (o.echo) process.stderr.write(c);
    });
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`${cmd} ${args.join(' ')}: did not finish in ${o.timeoutMs} ms\n${stderr.slice(-2000)}`));
    }, o.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(o.input ?? '');
  });
}

const stateDir = mkdtempSync(join(tmpdir(), 'deploy-suite-'));
let kubeconfig = '';
let kubectlPath = '';
let upDone = false;

/** Real kubectl, as a user runs it from the repository (relative paths as in the README). */
function kubectl(args: string[], input?: string, timeoutMs = 60_000): Promise<KubectlResult> {
  return run(kubectlPath, args, { timeoutMs, input, env: { ...process.env, KUBECONFIG: kubeconfig } });
}
async function must(args: string[], input?: string, timeoutMs?: number): Promise<string> {
  const r = await kubectl(args, input, timeoutMs);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: exit ${r.code}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}
async function json<T>(args: string[]): Promise<T> {
  return JSON.parse(await must([...args, '-o', 'json'])) as T;
}

/** Polls `probe` every 500 ms for at most `timeoutMs`; fails naming `what` and the last state. */
async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, lastState?: () => Promise<string>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      const state = lastState ? await lastState().catch((e: unknown) => String(e)) : '';
      throw new Error(`${what}: not after ${timeoutMs} ms${last ? ` (last error: ${String(last)})` : ''}${state ? `\nlast state:\n${state}` : ''}`);
    }
    await sleep(500);
  }
}

interface PodJson {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { securityContext?: { runAsUser?: number; runAsNonRoot?: boolean }; containers: { securityContext?: { readOnlyRootFilesystem?: boolean; runAsUser?: number }; ports?: { name?: string; containerPort: number }[] }[] };
  status: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { ready: boolean; restartCount: number }[] };
}
const isReady = (p: PodJson) => !p.metadata.deletionTimestamp && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
async function pods(app: string): Promise<PodJson[]> {
  return (await json<{ items: PodJson[] }>(['-n', NS, 'get', 'pods', '-l', `app.kubernetes.io/name=${app}`])).items;
}
const leaseHolder = async () => (await must(['-n', NS, 'get', 'lease', SCHEDULER, '-o', 'jsonpath={.spec.holderIdentity}'])).trim();

const pad = (n: number) => String(n).padStart(2, '0');
/** The e2e suite's Shoot (test/e2e/scheduler-support.ts) in this suite's namespace and profile. */
function shootYaml(name: string, o: { version: string; begin: string; end: string; confine?: boolean; image?: string }): string {
  return e2eShootYaml({ name, namespace: SHOOT_NS, cloudProfile: 'local', window: { begin: o.begin, end: o.end }, version: o.version, image: o.image ?? '1592.4.0', ...(o.confine === undefined ? {} : { confine: o.confine }) });
}
/** A one-hour window starting on the hour, three hours from now (never now). */
function windowAhead(): { begin: string; end: string; startsAt: Date } {
  const startsAt = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 + 3 * 3_600_000);
  const h = startsAt.getUTCHours();
  return { begin: `${pad(h)}0000+0000`, end: `${pad((h + 1) % 24)}0000+0000`, startsAt };
}

interface EventJson {
  reason: string;
  count?: number;
  involvedObject: { name: string };
  source?: { component?: string };
  reportingComponent?: string;
}
async function eventCount(shoot: string, reason: string): Promise<number> {
  const events = (await json<{ items: EventJson[] }>(['-n', SHOOT_NS, 'get', 'events', '--field-selector', `involvedObject.name=${shoot}`])).items;
  return events.filter((e) => e.reason === reason).reduce((n, e) => n + (e.count ?? 1), 0);
}

/**
 * Label patches of `shoot` (each an UPDATE the webhooks admit), one after another, while
 * `disturb` runs; at least `min` writes and until `disturb` has finished, at most `max` writes
 * and `timeoutMs`. Returns the figures and the failures' texts.
 */
async function writeLoop(shoot: string, disturb: () => Promise<void>, o = { min: 200, max: 2_000, timeoutMs: 240_000 }) {
  let done = false;
  let disturbError: unknown;
  const disturbance = (async () => {
    // Starts once the loop is writing.
    await waitFor('the write loop to start', 30_000, async () => (attempted >= 10 ? true : undefined));
    await disturb();
  })()
    .catch((err: unknown) => (disturbError = err))
    .finally(() => (done = true));
  let attempted = 0;
  const failures: string[] = [];
  const started = Date.now();
  while (attempted < o.max && Date.now() - started < o.timeoutMs && (attempted < o.min || !done)) {
    attempted++;
    const r = await kubectl(['-n', SHOOT_NS, 'label', 'shoot', shoot, `write=${attempted}`, '--overwrite'], undefined, 20_000).catch(
      (err: unknown) => ({ code: -1, stdout: '', stderr: String(err) }),
    );
    if (r.code !== 0) failures.push(`write ${attempted}: ${r.stderr.trim()}`);
  }
  await disturbance;
  if (disturbError) throw disturbError instanceof Error ? disturbError : new Error(String(disturbError));
  const seconds = (Date.now() - started) / 1000;
  log(`write loop on shoot/${shoot}: ${attempted} writes attempted, ${failures.length} failed, in ${seconds.toFixed(1)} s`);
  for (const f of failures.slice(0, 5)) log(`  ${f}`);
  if (!done) throw new Error(`the disturbance did not finish within the write loop's ${o.timeoutMs} ms / ${o.max} writes`);
  return { attempted, failures, seconds };
}

/** The serial number of the certificate served at `host:port` (TLS as kube-apiserver connects: SNI of the Service's DNS name). */
function serialAt(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, servername: `${WEBHOOK}.${NS}.svc`, rejectUnauthorized: false, timeout: 5_000 }, () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.end();
      resolve(serial.toUpperCase());
    });
    socket.once('timeout', () => socket.destroy(new Error(`TLS to ${host}:${port} timed out`)));
    socket.once('error', reject);
  });
}
/** The serial the webhook Service serves (its ClusterIP, through kube-proxy: one of the Pods). */
async function servedSerial(): Promise<string> {
  const ip = (await must(['-n', NS, 'get', 'service', WEBHOOK, '-o', 'jsonpath={.spec.clusterIP}'])).trim();
  return serialAt(ip, 443);
}
/**
 * The serial each Ready webhook Pod serves, by Pod name (its Pod IP and container port): the
 * Service picks one Pod per connection, so only asking every Pod tells that all have the new one.
 */
async function podSerials(): Promise<Record<string, string>> {
  const ready = (await pods(WEBHOOK)).filter(isReady);
  const httpsPort = (p: PodJson) => p.spec.containers.flatMap((c) => c.ports ?? []).find((port) => port.name === 'https')?.containerPort as number;
  const entries = await Promise.all(ready.map(async (p) => [p.metadata.name, await serialAt(p.status.podIP as string, httpsPort(p))] as const));
  return Object.fromEntries(entries);
}
async function secretSerial(): Promise<string> {
  const crt = (await must(['-n', NS, 'get', 'secret', `${WEBHOOK}-tls`, '-o', 'jsonpath={.data.tls\\.crt}'])).trim();
  return new X509Certificate(Buffer.from(crt, 'base64')).serialNumber.toUpperCase();
}

beforeAll(async () => {
  const t0 = Date.now();
  log(`cluster:up --node --cert-manager (state in ${stateDir})`);
  const up = await run(process.execPath, [CLI, 'up', '--node', '--cert-manager', '--state-dir', stateDir], { timeoutMs: 600_000, echo: true });
  upDone = true; // from here on afterAll runs `down`, whatever `up` left
  if (up.code !== 0) throw new Error(`cluster:up --node --cert-manager failed (exit ${up.code}):\n${up.stderr.slice(-3000)}`);
  const m = /^export KUBECONFIG=(.+)$/m.exec(up.stdout);
  if (!m) throw new Error(`cluster:up printed no export KUBECONFIG line:\n${up.stdout}`);
  kubeconfig = m[1] as string;
  const state = JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')) as NodeState;
  kubectlPath = state.kubectlPath as string;
  const socket = state.containerdAddress as string;
  log(`${up.stdout.trim()} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

  log(`image:build --import ${socket}`);
  const image = await run(process.execPath, [IMAGE_CLI, '--import', socket], { timeoutMs: 600_000, echo: true });
  if (image.code !== 0) throw new Error(`npm run image:build -- --import ${socket} failed (exit ${image.code}):\n${(image.stdout + image.stderr).slice(-3000)}`);

  const applied = await must(['apply', '-k', 'test/deploy/overlay/']);
  log(`kubectl apply -k test/deploy/overlay/:\n${applied.trim()}`);
  // The README's waits, each bounded.
  for (const args of [
    ['-n', NS, 'wait', '--for=condition=Ready', `certificate/${WEBHOOK}`, '--timeout=2m'],
    ['-n', NS, 'rollout', 'status', `deployment/${WEBHOOK}`, '--timeout=3m'],
    ['-n', NS, 'rollout', 'status', `deployment/${SCHEDULER}`, '--timeout=3m'],
  ]) {
    const r = await kubectl(args, undefined, 200_000);
    log(`kubectl ${args.join(' ')}:\n${(r.stdout + r.stderr).trim()}`);
    if (r.code !== 0) {
      const podsNow = await kubectl(['-n', NS, 'get', 'pods,certificates,events', '-o', 'wide']);
      throw new Error(`kubectl ${args.join(' ')} failed (exit ${r.code}): ${r.stderr}\n${podsNow.stdout}`);
    }
  }
  log(`deployed in ${((Date.now() - t0) / 1000).toFixed(1)} s after cluster:up began`);
}, 1_500_000);

afterAll(async () => {
  if (!upDone) return;
  if (kubeconfig) {
    const r = await kubectl(['-n', NS, 'get', 'pods', '-o', 'wide'], undefined, 15_000).catch(() => undefined);
    if (r) log(`pods at the end:\n${(r.stdout + r.stderr).trim()}`);
  }
  const down = await run(process.execPath, [CLI, 'down', '--state-dir', stateDir], { timeoutMs: 300_000, echo: true }).catch((err: unknown) => {
    log(`cluster:down: ${String(err)}`);
    return undefined;
  });
  if (down?.code === 0) rmSync(stateDir, { recursive: true, force: true });
  else log(`cluster:down did not finish cleanly; state kept in ${stateDir} (npm run cluster:down -- --state-dir ${stateDir})`);
}, 320_000);

describe('deployed as the README says, on a real node', () => {
  it('the Certificate is Ready and cainjector put its CA into both webhook configurations', async () => {
    expect((await must(['-n', NS, 'get', 'certificate', WEBHOOK, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])).trim()).toBe('True');
    const secretName = (await must(['-n', NS, 'get', 'certificate', WEBHOOK, '-o', 'jsonpath={.spec.secretName}'])).trim();
    const ca = (await must(['-n', NS, 'get', 'secret', secretName, '-o', 'jsonpath={.data.ca\\.crt}'])).trim();
    expect(Buffer.from(ca, 'base64').toString()).toMatch(/^-----BEGIN CERTIFICATE-----/);
    for (const kind of ['mutatingwebhookconfiguration', 'validatingwebhookconfiguration']) {
      const bundles = (await must(['get', kind, 'shoot-maintenance', '-o', 'jsonpath={range .webhooks[*]}{.clientConfig.caBundle}{"\\n"}{end}'])).trim().split('\n');
      expect(bundles.length, kind).toBeGreaterThan(0);
      for (const b of bundles) expect(b, kind).toBe(ca);
    }
  });

  it('the webhook Pods are Ready under restricted enforcement, as 65532 with a read-only root file system', async () => {
    expect((await must(['get', 'namespace', NS, '-o', 'jsonpath={.metadata.labels.pod-security\\.kubernetes\\.io/enforce}'])).trim()).toBe('restricted');
    for (const app of [WEBHOOK, SCHEDULER]) {
      const list = (await pods(app)).filter((p) => !p.metadata.deletionTimestamp);
      expect(list.length, app).toBe(2);
      for (const p of list) {
        expect(isReady(p), `${p.metadata.name} Ready`).toBe(true);
        const uid = p.spec.containers[0]?.securityContext?.runAsUser ?? p.spec.securityContext?.runAsUser;
        expect(uid, p.metadata.name).toBe(65532);
        expect(p.spec.containers[0]?.securityContext?.readOnlyRootFilesystem, p.metadata.name).toBe(true);
        expect(p.status.containerStatuses?.[0]?.restartCount, `${p.metadata.name} restarts`).toBe(0);
      }
    }
    // The Service routes to both webhook Pods.
    const addresses = (await must(['-n', NS, 'get', 'endpoints', WEBHOOK, '-o', 'jsonpath={.subsets[*].addresses[*].ip}'])).trim().split(/\s+/);
    expect(addresses).toHaveLength(2);
  });

  it("the scheduler's Lease has exactly one holder, one of the scheduler Pods", async () => {
    const names = (await pods(SCHEDULER)).map((p) => p.metadata.name);
    const holder = await waitFor('a holder of the scheduler Lease', 60_000, async () => (await leaseHolder()) || undefined);
    expect(names).toContain(holder);
    const leases = (await must(['-n', NS, 'get', 'leases', '-o', 'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}'])).trim().split('\n');
    expect(leases).toEqual([SCHEDULER]);
    log(`Lease ${SCHEDULER} held by ${holder} (Pods: ${names.join(', ')})`);
  });

  it('the README\'s "Check that the webhook answers" commands, through the Service', async () => {
    expect((await must(['apply', '-f', 'examples/cloudprofile.yaml'])).trim()).toMatch(/^cloudprofile\.core\.gardener\.cloud\/local (created|configured|unchanged)$/);
    expect((await must(['create', 'namespace', SHOOT_NS])).trim()).toBe(`namespace/${SHOOT_NS} created`);
    const defaulted = await must(['apply', '--dry-run=server', '-f', 'examples/shoots/no-window.yaml', '-o', 'yaml']);
    const lines = defaulted.split('\n');
    const i = lines.findIndex((l) => l.trim() === 'timeWindow:');
    expect(i, defaulted).toBeGreaterThan(0);
    log(`defaulted window:\n${lines.slice(i, i + 3).join('\n')}`);
    expect(lines[i + 1]).toMatch(/^\s+begin: \d{6}\+0000$/);
    expect(lines[i + 2]).toMatch(/^\s+end: \d{6}\+0000$/);
    const denied = await kubectl(['apply', '--dry-run=server', '-f', 'examples/shoots/fifteen-minute-window.yaml']);
    expect(denied.code).toBe(1);
    expect(denied.stdout).toBe('');
    expect(denied.stderr).toBe(
      'Error from server (Forbidden): error when creating "examples/shoots/fifteen-minute-window.yaml": ' +
        `admission webhook "${VALIDATE_SHOOTS}" denied the request: ` +
        'spec.maintenance.timeWindow: Invalid value: 900000000000: time window must not be smaller than 30m0s\n',
    );
    // Dry runs stored nothing.
    expect((await must(['-n', SHOOT_NS, 'get', 'shoots', '-o', 'name'])).trim()).toBe('');
  });

  it('a confined change is held until the window: the Warning, generation unchanged', async () => {
    const w = windowAhead();
    expect((await must(['apply', '-f', '-'], shootYaml('confined', { version: '1.32.4', begin: w.begin, end: w.end, confine: true }))).trim()).toBe(
      'shoot.core.gardener.cloud/confined created',
    );
    const before = await json<{ metadata: { generation: number } }>(['-n', SHOOT_NS, 'get', 'shoot', 'confined']);
    const r = await kubectl(['-n', SHOOT_NS, 'patch', 'shoot', 'confined', '--type=merge', '-p', '{"spec":{"provider":{"workers":[{"name":"worker","machine":{"type":"m5.large","image":{"name":"gardenlinux","version":"1592.4.0"}},"minimum":1,"maximum":3}]}}}']);
    expect(r.code, r.stderr).toBe(0);
    const when = w.startsAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
    expect(r.stderr).toBe(`Warning: spec change held until the maintenance window starting ${when} (confineSpecUpdateRollout)\n`);
    const after = await json<{ metadata: { generation: number; annotations?: Record<string, string> }; spec: { provider: { workers: { maximum: number }[] } } }>([
      '-n', SHOOT_NS, 'get', 'shoot', 'confined',
    ]);
    expect(after.metadata.generation).toBe(before.metadata.generation);
    expect(after.spec.provider.workers[0]?.maximum).toBe(2);
    expect(after.metadata.annotations?.['maintenance.gardener.cloud/pending-spec']).toBeDefined();
  });

  it('maintain on an outdated Shoot: the scheduler Pod maintains it (lastMaintenance, version, Event)', async () => {
    await maintainOnce('outdated');
  });
});

/** Applies an outdated Shoot, asks for `maintain`, waits for the leader to maintain it; asserts exactly one KubernetesVersionMaintenance. */
async function maintainOnce(name: string): Promise<void> {
  const w = windowAhead();
  expect((await must(['apply', '-f', '-'], shootYaml(name, { version: '1.32.0', image: '1592.3.0', begin: w.begin, end: w.end }))).trim()).toBe(
    `shoot.core.gardener.cloud/${name} created`,
  );
  expect((await must(['-n', SHOOT_NS, 'get', 'shoot', name, '-o', 'jsonpath={.spec.kubernetes.version}'])).trim()).toBe('1.32.0');
  const asked = Date.now();
  expect((await must(['-n', SHOOT_NS, 'annotate', 'shoot', name, 'gardener.cloud/operation=maintain'])).trim()).toBe(`shoot.core.gardener.cloud/${name} annotated`);
  const last = await waitFor(
    `shoot/${name} maintained by the scheduler Pod`,
    90_000,
    async () => {
      const s = await json<{ spec: { kubernetes: { version: string } }; status?: { lastMaintenance?: { state: string; description: string } } }>(['-n', SHOOT_NS, 'get', 'shoot', name]);
      return s.status?.lastMaintenance?.state === 'Succeeded' && s.spec.kubernetes.version === '1.32.4' ? s.status.lastMaintenance : undefined;
    },
    async () => (await kubectl(['-n', SHOOT_NS, 'get', 'shoot', name, '-o', 'yaml'])).stdout + (await kubectl(['-n', NS, 'logs', '-l', `app.kubernetes.io/name=${SCHEDULER}`, '--tail=20'])).stdout,
  );
  log(`shoot/${name} maintained ${Date.now() - asked} ms after the annotation: ${last.description}`);
  expect(last.description).toContain('Updated Kubernetes version from "1.32.0" to "1.32.4"');
  expect((await must(['-n', SHOOT_NS, 'get', 'shoot', name, '-o', 'jsonpath={.metadata.annotations.gardener\\.cloud/operation}'])).trim()).toBe('');
  await waitFor(`a KubernetesVersionMaintenance Event for shoot/${name}`, 30_000, async () => ((await eventCount(name, 'KubernetesVersionMaintenance')) > 0 ? true : undefined));
  expect(await eventCount(name, 'KubernetesVersionMaintenance')).toBe(1);
}

describe('faults under load', () => {
  it('every write of the loop passes through the webhooks: UPDATE of shoots matched, failurePolicy Fail', async () => {
    for (const kind of ['mutatingwebhookconfiguration', 'validatingwebhookconfiguration']) {
      const cfg = await json<{ webhooks: { name: string; failurePolicy: string; rules: { operations: string[]; resources: string[] }[] }[] }>(['get', kind, 'shoot-maintenance']);
      const forShoots = cfg.webhooks.filter((w) => w.rules.some((r) => r.resources.includes('shoots') && r.operations.includes('UPDATE')));
      expect(forShoots.length, kind).toBeGreaterThan(0);
      for (const w of forShoots) expect(w.failurePolicy, w.name).toBe('Fail');
    }
  });

  it('a webhook Pod deleted during ≥ 200 Shoot writes: 0 failed writes', async () => {
    const [victim] = (await pods(WEBHOOK)).filter(isReady);
    expect(victim).toBeDefined();
    const { attempted, failures } = await writeLoop('confined', async () => {
      log(`deleting webhook Pod ${victim?.metadata.name}`);
      await must(['-n', NS, 'delete', 'pod', victim?.metadata.name as string, '--wait=true', '--timeout=90s'], undefined, 100_000);
      await waitFor('two Ready webhook Pods again', 120_000, async () => ((await pods(WEBHOOK)).filter(isReady).length === 2 ? true : undefined), async () => (await kubectl(['-n', NS, 'get', 'pods', '-o', 'wide'])).stdout);
      log('two webhook Pods Ready again');
    });
    expect(attempted).toBeGreaterThanOrEqual(200);
    expect(failures).toEqual([]);
  });

  it('a rolling restart of the webhook Deployment during ≥ 200 Shoot writes: 0 failed writes', async () => {
    const before = (await pods(WEBHOOK)).map((p) => p.metadata.name);
    const { attempted, failures } = await writeLoop('confined', async () => {
      log(`kubectl rollout restart deployment/${WEBHOOK}`);
      await must(['-n', NS, 'rollout', 'restart', `deployment/${WEBHOOK}`]);
      const r = await kubectl(['-n', NS, 'rollout', 'status', `deployment/${WEBHOOK}`, '--timeout=3m'], undefined, 200_000);
      if (r.code !== 0) throw new Error(`rollout status after the restart: ${r.stderr}`);
      log(r.stdout.trim());
    });
    const after = (await pods(WEBHOOK)).filter(isReady).map((p) => p.metadata.name);
    expect(after).toHaveLength(2);
    for (const n of after) expect(before).not.toContain(n);
    expect(attempted).toBeGreaterThanOrEqual(200);
    expect(failures).toEqual([]);
  });

  it('a forced certificate renewal during ≥ 200 Shoot writes: 0 failed writes, then both webhook Pods serve the new certificate', async () => {
    const oldSerial = await secretSerial();
    expect(await servedSerial()).toBe(oldSerial);
    const revision = Number((await must(['-n', NS, 'get', 'certificate', WEBHOOK, '-o', 'jsonpath={.status.revision}'])).trim());
    const generation = Number((await must(['-n', NS, 'get', 'certificate', WEBHOOK, '-o', 'jsonpath={.metadata.generation}'])).trim());
    let newSerial = '';
    const { attempted, failures } = await writeLoop('confined', async () => {
      // As `cmctl renew` does it: the Issuing condition on the Certificate's status.
      const condition = { type: 'Issuing', status: 'True', reason: 'ManuallyTriggered', message: 'Certificate re-issuance manually triggered', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), observedGeneration: generation };
      log(`renewing certificate/${WEBHOOK} (revision ${revision})`);
      await must(['-n', NS, 'patch', 'certificate', WEBHOOK, '--subresource=status', '--type=json', '-p', JSON.stringify([{ op: 'add', path: '/status/conditions/-', value: condition }])]);
      await must(['-n', NS, 'wait', `--for=jsonpath={.status.revision}=${revision + 1}`, '--timeout=90s', `certificate/${WEBHOOK}`], undefined, 100_000);
      newSerial = await secretSerial();
      log(`revision ${revision + 1} issued: serial ${oldSerial} -> ${newSerial}`);
      const t = Date.now();
      // kubelet refreshes the mounted Secret on its own sync (per Pod, not at the same moment);
      // each webhook Pod reloads it from disk.
      const allNew = (served: Record<string, string>) => Object.keys(served).length === 2 && Object.values(served).every((s) => s === newSerial);
      await waitFor(`both webhook Pods to serve serial ${newSerial}`, 180_000, async () => (allNew(await podSerials()) ? true : undefined), async () => `served: ${JSON.stringify(await podSerials())}`);
      log(`both webhook Pods serve the new certificate ${((Date.now() - t) / 1000).toFixed(1)} s after issuance`);
    });
    expect(newSerial).not.toBe(oldSerial);
    const served = await podSerials();
    expect(Object.keys(served)).toHaveLength(2);
    for (const serial of Object.values(served)) expect(serial).toBe(newSerial);
    expect(await servedSerial()).toBe(newSerial);
    expect(attempted).toBeGreaterThanOrEqual(200);
    expect(failures).toEqual([]);
  });

  it('the scheduler leader Pod deleted: the standby takes the Lease, and a Shoot is then maintained exactly once', async () => {
    const leader = await leaseHolder();
    const standby = (await pods(SCHEDULER)).map((p) => p.metadata.name).find((n) => n !== leader);
    expect(standby, `a standby next to ${leader}`).toBeDefined();
    type Lease = { spec: { holderIdentity?: string; leaseDurationSeconds: number; acquireTime?: string; renewTime?: string } };
    const lease = () => json<Lease>(['-n', NS, 'get', 'lease', SCHEDULER]);
    const before = (await lease()).spec;
    const t = Date.now();
    await must(['-n', NS, 'delete', 'pod', leader, '--wait=false']);
    const holder = await waitFor(`the standby ${standby} to take the Lease from ${leader}`, 120_000, async () => {
      const h = await leaseHolder();
      return h !== leader && h !== '' ? h : undefined;
    });
    const after = (await lease()).spec;
    // Within the lease duration, by the Lease's own record: the new holder's acquireTime is at
    // most leaseDurationSeconds after the last renewal seen before the delete (the old leader
    // releases the Lease as it shuts down, so the standby need not wait for it to expire).
    const takeoverMs = Date.parse(after.acquireTime as string) - Date.parse(before.renewTime as string);
    log(`Lease taken over by ${holder}: acquireTime ${(takeoverMs / 1000).toFixed(1)} s after ${leader}'s last renewal seen (lease duration ${before.leaseDurationSeconds} s); ${((Date.now() - t) / 1000).toFixed(1)} s after the delete`);
    expect(holder).toBe(standby);
    expect(takeoverMs).toBeLessThanOrEqual(before.leaseDurationSeconds * 1000);
    await maintainOnce('after-takeover');
    // The replacement Pod comes up as the new standby; still one maintenance.
    const r = await kubectl(['-n', NS, 'rollout', 'status', `deployment/${SCHEDULER}`, '--timeout=2m'], undefined, 130_000);
    expect(r.code, r.stderr).toBe(0);
    expect(await leaseHolder()).toBe(standby);
    expect(await eventCount('after-takeover', 'KubernetesVersionMaintenance')).toBe(1);
  });

  it('least privilege: each ServiceAccount may do what it needs and nothing on the list it must not', async () => {
    const can = async (sa: string, verb: string, resource: string, ns?: string) => {
      const r = await kubectl(['auth', 'can-i', `--as=system:serviceaccount:${NS}:${sa}`, verb, resource, ...(ns ? ['-n', ns] : ['--all-namespaces'])]);
      return r.stdout.trim();
    };
    const table: [string, string, string, string | undefined, 'yes' | 'no'][] = [
      [WEBHOOK, 'get', 'cloudprofiles.core.gardener.cloud', undefined, 'yes'],
      [WEBHOOK, 'list', 'cloudprofiles.core.gardener.cloud', undefined, 'yes'],
      [WEBHOOK, 'watch', 'cloudprofiles.core.gardener.cloud', undefined, 'yes'],
      [WEBHOOK, 'update', 'cloudprofiles.core.gardener.cloud', undefined, 'no'],
      [WEBHOOK, 'watch', 'namespacedcloudprofiles.core.gardener.cloud', undefined, 'yes'],
      [WEBHOOK, 'update', 'namespacedcloudprofiles.core.gardener.cloud', SHOOT_NS, 'no'],
      [WEBHOOK, 'get', 'shoots.core.gardener.cloud', SHOOT_NS, 'no'],
      [WEBHOOK, 'get', 'secrets', NS, 'no'],
      [WEBHOOK, 'create', 'pods', NS, 'no'],
      [WEBHOOK, 'create', 'events', SHOOT_NS, 'no'],
      [SCHEDULER, 'list', 'shoots.core.gardener.cloud', undefined, 'yes'],
      [SCHEDULER, 'watch', 'shoots.core.gardener.cloud', undefined, 'yes'],
      [SCHEDULER, 'update', 'shoots.core.gardener.cloud', SHOOT_NS, 'yes'],
      [SCHEDULER, 'patch', 'shoots.core.gardener.cloud/status', SHOOT_NS, 'yes'],
      [SCHEDULER, 'list', 'cloudprofiles.core.gardener.cloud', undefined, 'yes'],
      [SCHEDULER, 'list', 'namespacedcloudprofiles.core.gardener.cloud', undefined, 'yes'],
      [SCHEDULER, 'update', 'namespacedcloudprofiles.core.gardener.cloud', SHOOT_NS, 'no'],
      [SCHEDULER, 'watch', 'maintenanceexclusions.maintenance.shoot-maintenance.io', undefined, 'yes'],
      [SCHEDULER, 'list', 'clustermaintenanceexclusions.maintenance.shoot-maintenance.io', undefined, 'yes'],
      [SCHEDULER, 'update', 'maintenanceexclusions.maintenance.shoot-maintenance.io', SHOOT_NS, 'no'],
      [SCHEDULER, 'watch', 'namespaces', undefined, 'yes'],
      [SCHEDULER, 'update', 'namespaces', undefined, 'no'],
      [SCHEDULER, 'create', 'events', SHOOT_NS, 'yes'],
      [SCHEDULER, 'update', `leases.coordination.k8s.io/${SCHEDULER}`, NS, 'yes'],
      [SCHEDULER, 'delete', 'shoots.core.gardener.cloud', SHOOT_NS, 'no'],
      [SCHEDULER, 'create', 'shoots.core.gardener.cloud', SHOOT_NS, 'no'],
      [SCHEDULER, 'update', 'cloudprofiles.core.gardener.cloud', undefined, 'no'],
      [SCHEDULER, 'get', 'secrets', NS, 'no'],
      [SCHEDULER, 'update', 'leases.coordination.k8s.io/other', NS, 'no'],
      [SCHEDULER, 'update', `leases.coordination.k8s.io/${SCHEDULER}`, 'kube-system', 'no'],
      [SCHEDULER, 'create', 'pods', NS, 'no'],
    ];
    const got = await Promise.all(table.map(async ([sa, verb, res, ns]) => `${sa} ${verb} ${res}${ns ? ` -n ${ns}` : ''}: ${await can(sa, verb, res, ns)}`));
    const want = table.map(([sa, verb, res, ns, answer]) => `${sa} ${verb} ${res}${ns ? ` -n ${ns}` : ''}: ${answer}`);
    expect(got).toEqual(want);
  });
});
