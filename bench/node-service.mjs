// Part 5 (run as root, not in the default set): the webhook through its Service on the one-node
// cluster, deployed as users deploy it (`cluster:up --node --cert-manager`, the image built and
// imported into containerd, `kubectl apply -k test/deploy/overlay/`). kube-apiserver reaches a
// Service webhook by its ClusterIP (kube-proxy DNATs it to a Pod) and speaks HTTP/1.1 to it.
// Shoot creates in rounds that alternate three states of the same Service and configurations:
//   none  the two webhook configurations deleted;
//   noop  two Pods of bench/webhook/noop-webhook-server.mjs (same image, same cert-manager Secret,
//         same Pod hardening, the label the Service selects) scaled up and the webhook's scaled to
//         0, configurations restored;
//   ours  the webhook's two Pods back, the no-op Pods scaled to 0.
// Switching by scaling, not by the Service's selector: kube-apiserver keeps its connections to a
// ClusterIP, which stay on the Pod they were DNATed to until that Pod closes them.
// At 16 clients and at 1: creates/s, client p50/p99, kube-apiserver's time per webhook call and of
// it the round trip (`rest_client_request_duration_seconds` for the Service's host name).
//
//   sudo node bench/run.mjs node          (npm run build, npm run build:tools, npm run cluster:build -- all first)
//   BENCH_ROUND_CREATES (600), BENCH_ROUNDS (3), BENCH_CONCURRENCY (16) change the sizes.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_DIR, emitResult, envInt, log, machine, REPO_ROOT, round, sleep } from './lib/common.mjs';
import { createShoots, SHOOTS_API, shootBody } from './lib/creates.mjs';
import { alternateRounds, summarizeRounds } from './lib/ab-summary.mjs';
import { kubeClient, pool } from './lib/kube-http.mjs';
import { parseMetrics } from './lib/prometheus.mjs';
import { webhookCallSplit } from './lib/webhook-calls.mjs';

const PART = 'node';
const ROUND_CREATES = envInt('BENCH_ROUND_CREATES', 600);
const ROUNDS = envInt('BENCH_ROUNDS', 3);
const CONCURRENCY = envInt('BENCH_CONCURRENCY', 16);
const ROOT = REPO_ROOT;
const CLUSTER_CLI = join(ROOT, 'build', 'tools', 'test-cluster', 'cluster-cli.js');
const IMAGE_CLI = join(ROOT, 'build', 'tools', 'image', 'build-image.js');
const NS = 'shoot-maintenance';
const SERVICE = 'shoot-maintenance-webhook';
const CONFIGURATIONS = ['mutatingwebhookconfiguration/shoot-maintenance', 'validatingwebhookconfiguration/shoot-maintenance'];
const NOOP = 'bench-noop-webhook';
/** Dry-run creates after each switch, before the round (new Pods start cold). */
const WARM_UP_CREATES = 1000;

if (process.getuid?.() !== 0) throw new Error('the node part runs a node and needs root: sudo node bench/run.mjs node');
const say = (line) => log(PART, line);
const result = {
  part: PART,
  date: new Date().toISOString(),
  machine: machine(),
  command: 'sudo node bench/run.mjs node',
  sizes: { concurrency: CONCURRENCY, roundCreates: ROUND_CREATES, rounds: ROUNDS },
  notes: [],
};

/** A command (cwd: the repository), bounded in time. */
function run(cmd, args, { timeoutMs, input, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`${cmd} ${args.join(' ')}: did not finish in ${timeoutMs} ms\n${stderr.slice(-2000)}`));
    }, timeoutMs ?? 120_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

const stateDir = mkdtempSync(join(tmpdir(), 'bench-node-'));
let kubeconfig;
let kubectlPath;
let upStarted = false;
let client;

async function kubectl(args, input, timeoutMs = 60_000) {
  const r = await run(kubectlPath, args, { timeoutMs, input, env: { ...process.env, KUBECONFIG: kubeconfig } });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: exit ${r.code}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}
const getJson = async (...args) => JSON.parse(await kubectl([...args, '-o', 'json']));

async function waitFor(what, check, timeoutMs = 120_000) {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    if (await check().catch(() => false)) return;
    await sleep(250);
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
}

/** Two Pods of the no-op server: the webhook Deployment's Pod template with another command and label. */
async function deployNoop() {
  const script = readFileSync(join(BENCH_DIR, 'webhook', 'noop-webhook-server.mjs'), 'utf8');
  await kubectl(['-n', NS, 'create', 'configmap', NOOP, `--from-literal=noop.mjs=${script}`]);
  const webhook = await getJson('-n', NS, 'get', `deployment/${SERVICE}`);
  const pod = JSON.parse(JSON.stringify(webhook.spec.template));
  // The Service's label (so it selects these Pods too) and a role of their own; the webhook's
  // ReplicaSet selects by its pod-template-hash as well, so it never adopts them.
  const labels = { ...webhook.spec.selector.matchLabels, 'bench.shoot-maintenance.io/role': 'noop' };
  pod.metadata = { labels };
  const container = pod.spec.containers[0];
  const certDir = container.args.find((a) => a.startsWith('--cert-dir=')).slice('--cert-dir='.length);
  container.name = 'noop';
  // Under /app, so that `fastify` resolves from the image's node_modules.
  container.command = ['node', '/app/bench-noop/noop.mjs'];
  container.args = ['--host', '0.0.0.0', '--port', '8443', '--cert-dir', certDir];
  container.volumeMounts = [...(container.volumeMounts ?? []), { name: 'noop-script', mountPath: '/app/bench-noop', readOnly: true }];
  pod.spec.volumes = [...(pod.spec.volumes ?? []), { name: 'noop-script', configMap: { name: NOOP } }];
  // Its readiness: plain /readyz over HTTPS on the same port; no liveness probe needed for a bench.
  delete container.livenessProbe;
  container.readinessProbe = { httpGet: { scheme: 'HTTPS', path: '/readyz', port: 8443 }, periodSeconds: 2 };
  delete pod.spec.affinity;
  delete pod.spec.topologySpreadConstraints;
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: NOOP, namespace: NS },
    spec: { replicas: 0, selector: { matchLabels: labels }, template: pod },
  };
  await kubectl(['apply', '-f', '-'], JSON.stringify(deployment));
  return webhook.spec.replicas;
}

async function apiserverMetrics() {
  const res = await client.call('GET', '/metrics');
  if (res.status !== 200) throw new Error(`kube-apiserver /metrics: HTTP ${res.status}`);
  return parseMetrics(res.text);
}

const cleanup = [];
try {
  const t0 = Date.now();
  say(`cluster:up --node --cert-manager (state in ${stateDir})`);
  upStarted = true;
  const up = await run(process.execPath, [CLUSTER_CLI, 'up', '--node', '--cert-manager', '--state-dir', stateDir], { timeoutMs: 600_000 });
  if (up.code !== 0) throw new Error(`cluster:up failed (exit ${up.code}):\n${up.stderr.slice(-3000)}`);
  kubeconfig = /^export KUBECONFIG=(.+)$/m.exec(up.stdout)?.[1];
  if (!kubeconfig) throw new Error(`cluster:up printed no export KUBECONFIG line:\n${up.stdout}`);
  const state = JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8'));
  kubectlPath = state.kubectlPath;
  say(`node up in ${round((Date.now() - t0) / 1000, 1)} s; building and importing the image`);
  const image = await run(process.execPath, [IMAGE_CLI, '--import', state.containerdAddress], { timeoutMs: 600_000 });
  if (image.code !== 0) throw new Error(`image:build --import failed (exit ${image.code}):\n${(image.stdout + image.stderr).slice(-3000)}`);
  await kubectl(['apply', '-k', 'test/deploy/overlay/']);
  await kubectl(['-n', NS, 'wait', '--for=condition=Ready', `certificate/${SERVICE}`, '--timeout=2m'], undefined, 150_000);
  await kubectl(['-n', NS, 'rollout', 'status', `deployment/${SERVICE}`, '--timeout=3m'], undefined, 200_000);
  // The scheduler would only list and watch here; it is stopped so that it takes no CPU from the rounds.
  await kubectl(['-n', NS, 'scale', 'deployment/shoot-maintenance-scheduler', '--replicas=0']);
  await kubectl(['apply', '-f', 'examples/cloudprofile.yaml']);
  for (const ns of ['ab-none', 'ab-noop', 'ab-ours']) await kubectl(['create', 'namespace', ns]);
  const replicas = await deployNoop();
  say(`deployed (webhook, cert-manager, no-op Pods) in ${round((Date.now() - t0) / 1000, 1)} s`);

  // The configurations as cert-manager's CA injector left them, to restore after `none`.
  await waitFor('caBundle injected', async () => {
    const docs = await Promise.all(CONFIGURATIONS.map((c) => getJson('get', c)));
    return docs.every((d) => d.webhooks.every((w) => (w.clientConfig.caBundle ?? '') !== ''));
  });
  const saved = [];
  for (const c of CONFIGURATIONS) {
    const doc = await getJson('get', c);
    doc.metadata = { name: doc.metadata.name, annotations: doc.metadata.annotations };
    saved.push(doc);
  }
  const service = await getJson('-n', NS, 'get', `service/${SERVICE}`);
  // kube-apiserver's REST client for a Service webhook is labelled with the Service's DNS name
  // (it dials the ClusterIP through its service resolver).
  const host = `${SERVICE}.${NS}.svc:${service.spec.ports[0].port}`;
  const pods = { ours: { deployment: SERVICE, selector: 'app.kubernetes.io/component=webhook' }, noop: { deployment: NOOP, selector: 'bench.shoot-maintenance.io/role=noop' } };
  // The node cluster's kube-apiserver listens on the node bridge's gateway, an address of this host.
  client = kubeClient(kubeconfig, { maxSockets: CONCURRENCY + 2, localAddress: true });
  cleanup.push(async () => client.close());

  /** Scales `side` up (ready) and the other one to 0 (its Pods gone, so their connections are closed). */
  let serving = 'ours';
  async function serve(side) {
    if (serving === side) return;
    const other = side === 'ours' ? 'noop' : 'ours';
    await kubectl(['-n', NS, 'scale', `deployment/${pods[side].deployment}`, `--replicas=${replicas}`]);
    await kubectl(['-n', NS, 'rollout', 'status', `deployment/${pods[side].deployment}`, '--timeout=3m'], undefined, 200_000);
    await kubectl(['-n', NS, 'scale', `deployment/${pods[other].deployment}`, '--replicas=0']);
    await waitFor(`the ${other} Pods gone`, async () => (await getJson('-n', NS, 'get', 'pods', '-l', pods[other].selector)).items.length === 0);
    serving = side;
  }
  /** What a dry-run create meets: ours defaults (autoUpdate), the no-op pair calls but changes nothing, none calls nothing. */
  const probe = async () => {
    const m0 = await apiserverMetrics();
    const res = await client.call('POST', `${SHOOTS_API}/namespaces/default/shoots?dryRun=All`, shootBody('default', 'service-probe'));
    const m1 = await apiserverMetrics();
    const calls = webhookCallSplit(m0, m1, host).webhookCalls;
    if (res.status !== 201) return `HTTP ${res.status}`;
    const defaulted = res.json().spec?.maintenance?.autoUpdate !== undefined;
    return calls === 0 ? 'none' : defaulted ? 'ours' : 'noop';
  };
  let configured = true;
  async function switchTo(mode) {
    if (mode === 'none') {
      if (configured) await kubectl(['delete', ...CONFIGURATIONS, '--ignore-not-found']);
      configured = false;
    } else {
      await serve(mode);
      if (!configured) await kubectl(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: saved }));
      configured = true;
    }
    // kube-proxy and kube-apiserver's webhook informer follow asynchronously: three probes in a row.
    let inARow = 0;
    let last;
    await waitFor(`"${mode}" in effect`, async () => {
      last = await probe();
      inARow = last === mode ? inARow + 1 : 0;
      return inARow >= 3;
    }, 90_000).catch((err) => {
      throw new Error(`${err.message} (last probe: ${last})`);
    });
    // Scaling starts new Pods: warm them (and kube-apiserver's connections to them) with dry-run
    // creates, so that a round measures a running webhook, not its JIT compiling.
    if (mode !== 'none') {
      await pool(WARM_UP_CREATES, CONCURRENCY, (i) => client.call('POST', `${SHOOTS_API}/namespaces/default/shoots?dryRun=All`, shootBody('default', `warm-${i}`)));
    }
  }

  // Its warm-up (switchTo's dry-run creates) is also kube-apiserver's.
  await switchTo('ours');

  const MODES = ['none', 'noop', 'ours'];
  const { rounds, pooled } = await alternateRounds({
    modes: MODES,
    clientCounts: [CONCURRENCY, 1],
    rounds: ROUNDS,
    switchTo,
    say,
    measure: async (mode, clients, r) => {
      const m0 = await apiserverMetrics();
      const res = await createShoots(client, `ab-${mode}`, ROUND_CREATES, `c${clients}-r${r}`, clients);
      const m1 = await apiserverMetrics();
      const del = await client.call('DELETE', `${SHOOTS_API}/namespaces/ab-${mode}/shoots`);
      if (del.status !== 200) throw new Error(`deleting the round's shoots: HTTP ${del.status}`);
      return { ...res, apiserver: webhookCallSplit(m0, m1, host) };
    },
  });
  const summary = summarizeRounds(rounds, pooled, MODES);
  for (const clients of Object.keys(summary)) {
    const c = summary[clients];
    c.oursOverNoop = round(c.ours.perSecond / c.noop.perSecond, 3);
    c.noopOverNone = round(c.noop.perSecond / c.none.perSecond, 3);
    c.addedP50OverNoopMs = round(c.ours.p50 - c.noop.p50, 2);
    say(`${clients} client(s): none ${c.none.perSecond}/s, noop ${c.noop.perSecond}/s, ours ${c.ours.perSecond}/s; ours/noop ${c.oursOverNoop}; p50 ours − noop ${c.addedP50OverNoopMs} ms`);
  }
  result.service = { host, rounds, summary };
} catch (err) {
  result.error = err instanceof Error ? err.message : String(err);
  say(`stopped early: ${result.error}`);
} finally {
  for (const step of cleanup) await Promise.resolve(step()).catch(() => undefined);
  if (upStarted) {
    const down = await run(process.execPath, [CLUSTER_CLI, 'down', '--state-dir', stateDir], { timeoutMs: 300_000 }).catch((err) => ({ code: -1, stderr: String(err) }));
    if (down.code === 0) rmSync(stateDir, { recursive: true, force: true });
    else result.notes.push(`cluster:down did not finish cleanly; state kept in ${stateDir} (npm run cluster:down -- --state-dir ${stateDir}): ${down.stderr.slice(-500)}`);
  }
}
emitResult(result);
