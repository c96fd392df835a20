// Part 4: through a real kube-apiserver (the test cluster: etcd + kube-apiserver on 127.0.0.1).
//  a. Shoot creates in rounds that alternate three registrations: no webhooks, a no-op webhook pair
//     (bench/webhook/noop-webhook-server.mjs: bare fastify, same certificate, registered exactly
//     like ours), ours, and ours with --http2 (a second process; kube-apiserver offers h2 by ALPN
//     to url: webhooks); at 16 concurrent clients and at 1. Creates/s, client p50/p99, and
//     kube-apiserver's time per webhook call split into the round trip
//     (`rest_client_request_duration_seconds` for the webhook's host:port) and its own work
//     (`apiserver_admission_webhook_admission_duration_seconds` minus that).
//  a2. Webhook calls per 1,000 mixed Shoot writes (bench/lib/mixed-writes.mjs), ours registered
//     without its matchConditions and then with them.
//  b. A scheduler process (`node dist/cli.js scheduler --qps Q`) with 1,000 shoots; all
//     made due at once (gardener.cloud/operation=maintain): time until every one has
//     status.lastMaintenance from this trigger, API requests per maintained shoot (deltas of
//     apiserver_request_total by verb/resource, our own requests subtracted; and the scheduler's
//     own request counter), and whether the configured QPS held (the scheduler's counter sampled
//     every 250 ms against its token bucket: requests in any interval ≤ burst + qps × interval).
//  c. The scheduler's resident memory (VmRSS) and heap with 1,000, 10,000 and 100,000 shoots in
//     its cache, and the memory per shoot between the last two.
//
//   node bench/cluster.mjs [--json FILE]     (npm run build and npm run cluster:build first)
//   BENCH_SHOOTS (1000), BENCH_CACHE_SHOOTS (10000,100000), BENCH_QPS (100), BENCH_BURST (20),
//   BENCH_CONCURRENCY (16), BENCH_ROUND_CREATES (600), BENCH_ROUNDS (3) change the sizes.
import { get } from 'node:http';
import { join } from 'node:path';
import { BENCH_DIR, CLI, emitResult, envInt, importDist, importTools, log, machine, residentMiB, round, sleep } from './lib/common.mjs';
import { kubeClient, pool } from './lib/kube-http.mjs';
import { alternateRounds, summarizeRounds } from './lib/ab-summary.mjs';
import { createShoots as createShootsWith, SHOOTS_API, shootBody } from './lib/creates.mjs';
import { MIXED_WRITES, mixedWrites } from './lib/mixed-writes.mjs';
import { SHOOT_HOOKS, webhookCallSplit } from './lib/webhook-calls.mjs';
import { groupBy, parseMetrics, sumOf } from './lib/prometheus.mjs';

const PART = 'cluster';
const SHOOTS = envInt('BENCH_SHOOTS', 1000);
const CACHE_SHOOTS = String(process.env.BENCH_CACHE_SHOOTS ?? '10000,100000')
  .split(',')
  .map((v) => Number(v))
  .sort((a, b) => a - b);
if (CACHE_SHOOTS.some((v) => !Number.isInteger(v) || v < 1000)) throw new Error('BENCH_CACHE_SHOOTS must be a comma-separated list of integers ≥ 1000');
const ROUND_CREATES = envInt('BENCH_ROUND_CREATES', 600);
const ROUNDS = envInt('BENCH_ROUNDS', 3);
const QPS = envInt('BENCH_QPS', 100);
const BURST = envInt('BENCH_BURST', 20);
const CONCURRENCY = envInt('BENCH_CONCURRENCY', 16);
// The scheduler's --max-concurrent default (runs at once, one request each) plus a lease call.
const MAX_IN_FLIGHT = 4 + 1;

const { startTestCluster, startWebhookProcess } = await importTools('cluster.js');
const { httpsGet, waitForHttpsOk } = await importTools('https-probe.js');
const { webhookConfigurations, MUTATING_CONFIGURATION, VALIDATING_CONFIGURATION, MUTATE_SHOOTS, VALIDATE_SHOOTS } = await importTools('webhook-registration.js');
const { installCrds } = await importTools('crds.js');
const { SCHEDULER_USER } = await importTools('webhook-process.js');
const { spawnLogged, stopProcess, tailOf } = await importTools('processes.js');
const { freePort } = await importTools('free-port.js');

const say = (line) => log(PART, line);
const result = {
  part: PART,
  date: new Date().toISOString(),
  machine: machine(),
  command: 'node bench/run.mjs cluster',
  sizes: { shoots: SHOOTS, cacheShoots: CACHE_SHOOTS, qps: QPS, burst: BURST, concurrency: CONCURRENCY, roundCreates: ROUND_CREATES, rounds: ROUNDS },
  notes: [],
};

const createShoots = (client, namespace, count, prefix = 'shoot', concurrency = CONCURRENCY) => createShootsWith(client, namespace, count, prefix, concurrency);

async function apiserverMetrics(client) {
  const res = await client.call('GET', '/metrics');
  if (res.status !== 200) throw new Error(`kube-apiserver /metrics: HTTP ${res.status}`);
  return parseMetrics(res.text);
}

function requestDeltas(before, after) {
  const a = groupBy(after, 'apiserver_request_total', ['verb', 'resource', 'subresource'], { resource: (r) => (r ?? '') !== '' });
  const b = groupBy(before, 'apiserver_request_total', ['verb', 'resource', 'subresource'], { resource: (r) => (r ?? '') !== '' });
  const out = {};
  for (const [key, value] of a) {
    const delta = value - (b.get(key) ?? 0);
    if (delta > 0) out[key] = delta;
  }
  return out;
}

/** The webhook's own /metrics (its serving CA). */
async function webhookMetrics(webhook) {
  const res = await httpsGet(`${webhook.url}/metrics`, { ca: webhook.caCertPem });
  return parseMetrics(res.body);
}

async function schedulerMetrics(port) {
  const text = await new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: '/metrics', timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`scheduler /metrics: HTTP ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('scheduler /metrics: timeout')));
    req.on('error', reject);
  });
  return parseMetrics(text);
}

const cleanup = [];
let cluster;
try {
  const timings = {};
  const t = Date.now();
  cluster = await startTestCluster({ log: say });
  cleanup.push(() => cluster.stop());
  await installCrds(cluster, { log: say });
  for (const ns of ['bench-warm', 'ab-none', 'ab-noop', 'ab-ours', 'ab-ours-h2', 'mixed-unconditioned', 'mixed-conditioned', 'bench', 'bench-cache']) {
    const r = await cluster.kubectl(['create', 'namespace', ns]);
    if (r.code !== 0) throw new Error(`namespace ${ns}: ${r.stderr}`);
  }
  const profile = await cluster.kubectl(['apply', '-f', join(process.cwd(), 'examples', 'cloudprofile.yaml')]);
  if (profile.code !== 0) throw new Error(`CloudProfile: ${profile.stderr}`);
  const webhook = await startWebhookProcess({ cluster, log: say });
  cleanup.unshift(() => webhook.stop());
  timings.setupSeconds = round((Date.now() - t) / 1000, 1);

  const client = kubeClient(cluster.kubeconfigPath, { maxSockets: CONCURRENCY + 2 });
  cleanup.unshift(async () => client.close());

  // Warm-up of kube-apiserver and the client (not recorded), then removed.
  await createShoots(client, 'bench-warm', 200, 'warm');
  await client.call('DELETE', `${SHOOTS_API}/namespaces/bench-warm/shoots`);

  // a. Creates, alternating no webhooks / the no-op pair / ours, at CONCURRENCY clients and at 1.
  const noopPort = await freePort();
  const noop = spawnLogged({
    name: 'noop-webhook',
    command: process.execPath,
    args: [join(BENCH_DIR, 'webhook', 'noop-webhook-server.mjs'), '--port', String(noopPort), '--cert-dir', webhook.certDir],
    logPath: join(cluster.dir, 'noop-webhook.log'),
  });
  cleanup.unshift(() => stopProcess(noop, 5_000));
  await waitForHttpsOk(`https://127.0.0.1:${noopPort}/readyz`, { ca: webhook.caCertPem }, { timeoutMs: 30_000, gaveUp: () => (noop.hasExited() ? 'exited' : undefined) });
  // The HTTP/2 A/B: a second process of ours with --http2 (its own certificates), for the Shoot webhooks only.
  const webhookH2 = await startWebhookProcess({ cluster, log: say, certDir: join(cluster.dir, 'webhook-h2-certs'), extraArgs: ['--http2'] });
  cleanup.unshift(() => webhookH2.stop());
  const configurationsFor = (port, caPem = webhook.caCertPem) =>
    webhookConfigurations(port, caPem).map((c) => ({ ...c, webhooks: c.webhooks.filter((w) => port === webhook.port || SHOOT_HOOKS.has(w.name)) }));
  const registrations = {
    none: undefined,
    // Only the Shoot webhooks point at the no-op server (nothing else is written during the rounds).
    noop: configurationsFor(noopPort),
    ours: configurationsFor(webhook.port),
    'ours-h2': configurationsFor(webhookH2.port, webhookH2.caCertPem),
  };
  const hosts = { none: undefined, noop: `127.0.0.1:${noopPort}`, ours: `127.0.0.1:${webhook.port}`, 'ours-h2': `127.0.0.1:${webhookH2.port}` };

  async function reviewCounts() {
    const routes = async (w) => {
      const m = await webhookMetrics(w);
      const route = (r) => sumOf(m, 'shoot_maintenance_webhook_request_duration_seconds_count', { route: r });
      return [route('/mutate/shoots'), route('/validate/shoots')];
    };
    const noopCounts = JSON.parse((await httpsGet(`https://127.0.0.1:${noopPort}/counts`, { ca: webhook.caCertPem })).body);
    return { ours: await routes(webhook), 'ours-h2': await routes(webhookH2), noop: [noopCounts.mutate, noopCounts.validate] };
  }
  /** Registers `mode` and waits until a dry-run create reaches exactly its pair (both webhooks), twice in a row. */
  async function switchTo(mode) {
    const docs = registrations[mode];
    const r = docs
      ? await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: docs }) })
      : await cluster.kubectl(['delete', `mutatingwebhookconfiguration/${MUTATING_CONFIGURATION}`, `validatingwebhookconfiguration/${VALIDATING_CONFIGURATION}`, '--ignore-not-found']);
    if (r.code !== 0) throw new Error(`registering ${mode}: ${r.stderr}`);
    const want = Object.fromEntries(['ours', 'ours-h2', 'noop'].map((m) => [m, mode === m ? [1, 1] : [0, 0]]));
    await untilSeenTwice(`registration "${mode}"`, () => client.call('POST', `${SHOOTS_API}/namespaces/default/shoots?dryRun=All`, shootBody('default', 'registration-probe')), 201, want);
  }
  /**
   * Sends `request` until, twice in a row, it is answered `status` and the servers in `want` answered
   * exactly the reviews given there ([mutate, validate]); kube-apiserver loads registrations through
   * an informer, so a change takes effect a little later.
   */
  async function untilSeenTwice(what, request, status, want) {
    let inARow = 0;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
      const before = await reviewCounts();
      const res = await request();
      const after = await reviewCounts();
      const seen = Object.fromEntries(Object.keys(want).map((m) => [m, after[m].map((v, i) => v - before[m][i])]));
      const ok = res.status === status && JSON.stringify(seen) === JSON.stringify(want);
      inARow = ok ? inARow + 1 : 0;
      if (inARow === 2) return;
      if (!ok) await sleep(200);
    }
    throw new Error(`${what} not in effect within 60 s`);
  }

  const MODES = ['none', 'noop', 'ours', 'ours-h2'];
  const served = { '/mutate/shoots': { requests: 0, seconds: 0 }, '/validate/shoots': { requests: 0, seconds: 0 } };
  let sample;
  const { rounds, pooled } = await alternateRounds({
    modes: MODES,
    clientCounts: [CONCURRENCY, 1],
    rounds: ROUNDS,
    switchTo,
    say,
    measure: async (mode, clients, r) => {
      const m0 = await apiserverMetrics(client);
      const w0 = mode === 'ours' ? await webhookMetrics(webhook) : undefined;
      const res = await createShoots(client, `ab-${mode}`, ROUND_CREATES, `c${clients}-r${r}`, clients);
      const m1 = await apiserverMetrics(client);
      if (w0) {
        const w1 = await webhookMetrics(webhook);
        for (const route of Object.keys(served)) {
          const d = (name) => sumOf(w1, name, { route }) - sumOf(w0, name, { route });
          served[route].requests += d('shoot_maintenance_webhook_request_duration_seconds_count');
          served[route].seconds += d('shoot_maintenance_webhook_request_duration_seconds_sum');
        }
        sample ??= res.sample;
      }
      const del = await client.call('DELETE', `${SHOOTS_API}/namespaces/ab-${mode}/shoots`);
      if (del.status !== 200) throw new Error(`deleting the round's shoots: HTTP ${del.status}`);
      return { ...res, apiserver: webhookCallSplit(m0, m1, hosts[mode]) };
    },
  });
  const summary = summarizeRounds(rounds, pooled, MODES);
  for (const clients of Object.keys(summary)) {
    const c = summary[clients];
    c.oursOverNoop = round(c.ours.perSecond / c.noop.perSecond, 3);
    c.noopOverNone = round(c.noop.perSecond / c.none.perSecond, 3);
    c.oursOverNone = round(c.ours.perSecond / c.none.perSecond, 3);
    c.addedP50OverNoopMs = round(c.ours.p50 - c.noop.p50, 2);
    c.h2OverHttp1 = round(c['ours-h2'].perSecond / c.ours.perSecond, 3);
    c.h2AddedP50Ms = round(c['ours-h2'].p50 - c.ours.p50, 2);
    say(`${clients} client(s): none ${c.none.perSecond}/s, noop ${c.noop.perSecond}/s, ours ${c.ours.perSecond}/s, ours --http2 ${c['ours-h2'].perSecond}/s; ours/noop ${c.oursOverNoop}; p50 ours − noop ${c.addedP50OverNoopMs} ms; h2/http1 ${c.h2OverHttp1}`);
  }
  // Whether kube-apiserver spoke HTTP/2 to the --http2 process at all (sessions it opened).
  const h2Sessions = sumOf(await webhookMetrics(webhookH2), 'shoot_maintenance_webhook_http2_sessions_total');
  const mutated = sample?.spec?.maintenance?.autoUpdate !== undefined;
  if (!mutated) result.notes.push('the created shoots show no defaulting: the mutating webhook may not have acted');
  result.creates = {
    roundCreates: ROUND_CREATES,
    rounds,
    summary,
    mutationVisible: mutated,
    http2SessionsOpenedByApiserver: h2Sessions,
    webhookServerSide: Object.fromEntries(Object.entries(served).map(([route, x]) => [route, { requests: x.requests, meanMs: x.requests ? round((x.seconds / x.requests) * 1000, 3) : null }])),
  };
  // a2. Webhook calls per 1,000 mixed writes: ours registered without its matchConditions, then with
  // them (bench/lib/mixed-writes.mjs). Counted by the webhook itself and by kube-apiserver.
  const unconditioned = registrations.ours.map((c) => ({ ...c, webhooks: c.webhooks.map((w) => Object.fromEntries(Object.entries(w).filter(([k]) => k !== 'matchConditions'))) }));
  const labelProbe = 'conditions-probe';
  const probeCreate = await client.call('POST', `${SHOOTS_API}/namespaces/default/shoots`, shootBody('default', labelProbe));
  if (probeCreate.status !== 201) throw new Error(`probe shoot: HTTP ${probeCreate.status}`);
  /** Registers ours with or without conditions; waits until a dry-run label change reaches both webhooks (without) or neither (with), twice in a row. */
  async function switchConditions(withConditions) {
    const docs = withConditions ? registrations.ours : unconditioned;
    const r = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: docs }) });
    if (r.code !== 0) throw new Error(`registering ours (conditions ${withConditions}): ${r.stderr}`);
    let n = 0;
    const patch = () => client.call('PATCH', `${SHOOTS_API}/namespaces/default/shoots/${labelProbe}?dryRun=All`, { metadata: { labels: { probe: String(n++) } } }, 'application/merge-patch+json');
    await untilSeenTwice(`ours with conditions ${withConditions}`, patch, 200, { ours: withConditions ? [0, 0] : [1, 1] });
  }
  const hookCalls = (m) => ({
    mutate: sumOf(m, 'apiserver_admission_webhook_request_total', { name: MUTATE_SHOOTS }),
    validate: sumOf(m, 'apiserver_admission_webhook_request_total', { name: VALIDATE_SHOOTS }),
  });
  const excluded = (m) => sumOf(m, 'apiserver_admission_match_condition_exclusions_total', { name: (v) => SHOOT_HOOKS.has(v) });
  result.mixedWrites = { writes: MIXED_WRITES };
  for (const withConditions of [false, true]) {
    await switchConditions(withConditions);
    const label = withConditions ? 'conditioned' : 'unconditioned';
    const [s0, m0] = [await reviewCounts(), await apiserverMetrics(client)];
    const run = await mixedWrites(client, `mixed-${label}`, 'mixed');
    const [s1, m1] = [await reviewCounts(), await apiserverMetrics(client)];
    const [h0, h1] = [hookCalls(m0), hookCalls(m1)];
    const served = s1.ours[0] - s0.ours[0] + (s1.ours[1] - s0.ours[1]);
    const writes = Object.values(run.accepted).reduce((x, y) => x + y, 0);
    result.mixedWrites[label] = {
      accepted: run.accepted,
      firstFailure: run.firstFailure ?? null,
      reviewsServed: served,
      apiserverCalls: { mutate: h1.mutate - h0.mutate, validate: h1.validate - h0.validate },
      excludedByConditions: excluded(m1) - excluded(m0),
      callsPer1000Writes: writes ? round((served / writes) * 1000, 0) : null,
    };
    // Gone before the scheduler starts: it would maintain nothing here, but it would list them.
    const removed = await client.call('DELETE', `${SHOOTS_API}/namespaces/mixed-${label}/shoots`);
    if (removed.status !== 200) throw new Error(`deleting the mixed writes' shoots: HTTP ${removed.status}`);
    say(`mixed writes, ${label}: ${writes} writes accepted, ${served} reviews served (${result.mixedWrites[label].callsPer1000Writes} per 1,000 writes), ${result.mixedWrites[label].excludedByConditions} skipped by matchConditions${run.firstFailure ? `; first failure: ${run.firstFailure}` : ''}`);
  }
  await client.call('DELETE', `${SHOOTS_API}/namespaces/default/shoots/${labelProbe}`);

  // Ours registered from here on (the scheduler's updates go through it, as in a cluster).
  await switchTo('ours');
  const scheduled = await createShoots(client, 'bench', SHOOTS);
  if (scheduled.errors > 0) throw new Error(`creating the scheduler's shoots: ${scheduled.errors} errors, first: ${scheduled.firstError}`);
  // One created shoot as kube-apiserver returns it, and what the scheduler's cache keeps of it.
  const { cachedShootOf } = await importDist('scheduler/cached-shoot.js');
  const asStored = scheduled.sample;
  result.cachedShootJsonBytes = asStored ? { asServed: JSON.stringify(asStored).length, cached: JSON.stringify(cachedShootOf(asStored)).length } : null;

  // b. The scheduler.
  const kubeconfig = cluster.kubeconfigFor(SCHEDULER_USER, ['system:masters']);
  const metricsPort = await freePort();
  const scheduler = spawnLogged({
    name: 'scheduler',
    command: process.execPath,
    args: [CLI, 'scheduler', '--kubeconfig', kubeconfig, '--qps', String(QPS), '--burst', String(BURST), '--lease-namespace', 'default', '--metrics-port', String(metricsPort), '--log-level', 'info'],
    logPath: join(cluster.dir, 'scheduler.log'),
  });
  cleanup.unshift(() => stopProcess(scheduler, 15_000));
  const schedulerCommand = `node dist/cli.js scheduler --kubeconfig <scheduler kubeconfig> --qps ${QPS} --burst ${BURST} --lease-namespace default --metrics-port <p>`;
  let ready = false;
  const readyBy = Date.now() + 60_000;
  while (Date.now() < readyBy && !scheduler.hasExited()) {
    try {
      const m = await schedulerMetrics(metricsPort);
      if (sumOf(m, 'shoot_maintenance_leader') === 1 && sumOf(m, 'shoot_maintenance_queue_length') >= SHOOTS) {
        ready = true;
        break;
      }
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  if (!ready) {
    result.notes.push(`scheduler not ready (leader with ${SHOOTS} shoots queued) within 60 s: ${tailOf(scheduler.logPath, 5)}`);
    throw new Error('scheduler not ready');
  }
  await sleep(2_000); // let the cache settle before the first memory figure
  const rssIdle1k = await residentMiB(scheduler.pid);
  say(`scheduler ready (pid ${scheduler.pid}), VmRSS ${rssIdle1k} MiB with ${SHOOTS} shoots`);

  const requestsOf = (m) => sumOf(m, 'shoot_maintenance_scheduler_api_requests_total');
  const runsOf = (m) => sumOf(m, 'shoot_maintenance_runs_total');
  const a0 = await apiserverMetrics(client);
  const s0 = await schedulerMetrics(metricsPort);
  const samples = [{ t: Date.now(), requests: requestsOf(s0), runs: runsOf(s0) }];
  const triggerMs = Date.now();
  const triggerSecond = Math.floor(triggerMs / 1000) * 1000;
  const patches = await pool(SHOOTS, CONCURRENCY, (i) =>
    client.call('PATCH', `${SHOOTS_API}/namespaces/bench/shoots/shoot-${String(i).padStart(5, '0')}`, { metadata: { annotations: { 'gardener.cloud/operation': 'maintain' } } }, 'application/merge-patch+json'),
  );
  const patchErrors = patches.filter((r) => r.status !== 200).length;
  say(`maintain annotation set on ${SHOOTS - patchErrors} shoots in ${round((Date.now() - triggerMs) / 1000, 2)} s`);

  let lists = 0;
  let maintained = 0;
  let states = {};
  let doneMs;
  const deadline = triggerMs + Math.max(120_000, ((SHOOTS * 8) / QPS) * 1000 + 60_000);
  let lastList = 0;
  while (Date.now() < deadline) {
    await sleep(250);
    const m = await schedulerMetrics(metricsPort);
    samples.push({ t: Date.now(), requests: requestsOf(m), runs: runsOf(m) });
    const runs = samples.at(-1).runs - samples[0].runs;
    if (runs < SHOOTS && Date.now() - lastList < 5_000) continue;
    lastList = Date.now();
    const listed = await client.call('GET', `${SHOOTS_API}/namespaces/bench/shoots`);
    lists++;
    const items = listed.json().items;
    states = {};
    maintained = 0;
    for (const s of items) {
      const lm = s.status?.lastMaintenance;
      if (lm?.triggeredTime && Date.parse(lm.triggeredTime) >= triggerSecond) {
        maintained++;
        states[lm.state] = (states[lm.state] ?? 0) + 1;
      }
    }
    if (maintained >= SHOOTS) {
      // The moment the runs counter first reached the count (sampled every 250 ms).
      doneMs = samples.find((s) => s.runs - samples[0].runs >= SHOOTS)?.t ?? Date.now();
      break;
    }
  }
  const a1 = await apiserverMetrics(client);
  const s1 = await schedulerMetrics(metricsPort);
  samples.push({ t: Date.now(), requests: requestsOf(s1), runs: runsOf(s1) });

  const deltas = requestDeltas(a0, a1);
  // Ours: the maintain PATCHes and the LISTs of the poll loop.
  const ours = { 'PATCH|shoots|': SHOOTS, 'LIST|shoots|': lists };
  const theirs = {};
  for (const [key, value] of Object.entries(deltas)) {
    const v = value - (ours[key] ?? 0);
    if (v > 0) theirs[key] = v;
  }
  // Per-shoot work: requests on shoots and events (leases and endpoints are also renewed by
  // kube-apiserver itself, so they are listed but not counted per shoot).
  const theirTotal = Object.entries(theirs)
    .filter(([key]) => /^[A-Z]+\|(shoots|events)\|/.test(key))
    .reduce((x, [, y]) => x + y, 0);
  const schedulerRequests = requestsOf(s1) - requestsOf(s0);
  // Token bucket check over every pair of samples.
  let worstExcess = -Infinity;
  let maxRate1s = 0;
  for (let i = 0; i < samples.length; i++) {
    for (let j = i + 1; j < samples.length; j++) {
      const dt = (samples[j].t - samples[i].t) / 1000;
      const dr = samples[j].requests - samples[i].requests;
      worstExcess = Math.max(worstExcess, dr - (BURST + QPS * dt));
      if (dt >= 1 && j === samples.findIndex((s, k) => k > i && (s.t - samples[i].t) / 1000 >= 1)) maxRate1s = Math.max(maxRate1s, dr / dt);
    }
  }
  const activeSeconds = doneMs ? (doneMs - triggerMs) / 1000 : undefined;
  result.maintenance = {
    schedulerCommand,
    maintained,
    states,
    patchErrors,
    secondsUntilAllMaintained: activeSeconds === undefined ? null : round(activeSeconds, 2),
    shootsPerSecond: activeSeconds ? round(SHOOTS / activeSeconds, 1) : null,
    apiRequestsByVerbResource: theirs,
    apiRequestsPerShoot: round(theirTotal / SHOOTS, 2),
    schedulerCountedRequests: schedulerRequests,
    schedulerRequestsPerShoot: round(schedulerRequests / SHOOTS, 2),
    runsByResult: Object.fromEntries(groupBy(s1, 'shoot_maintenance_runs_total', ['result'])),
    qps: {
      configured: QPS,
      burst: BURST,
      averageDuringRun: activeSeconds ? round(schedulerRequests / activeSeconds, 1) : null,
      maxOver1s: round(maxRate1s, 1),
      worstExcessOverBucket: round(worstExcess, 1),
      // The counter moves when a response arrives, the bucket gates when a request starts: up to
      // the requests in flight (one per concurrent run, default 4, plus a lease call) can land in a
      // later sample than their token. That is the resolution of this check.
      resolution: MAX_IN_FLIGHT,
      neverExceeded: worstExcess <= MAX_IN_FLIGHT,
      samples: samples.length,
    },
  };
  if (maintained < SHOOTS) result.notes.push(`only ${maintained} of ${SHOOTS} shoots maintained before the deadline`);
  say(`maintained ${maintained}/${SHOOTS} in ${result.maintenance.secondsUntilAllMaintained} s; ${result.maintenance.apiRequestsPerShoot} API requests/shoot (apiserver), ${result.maintenance.schedulerRequestsPerShoot} (scheduler's counter); max 1 s rate ${result.maintenance.qps.maxOver1s}/s vs qps ${QPS}`);
  await sleep(2_000);
  const rss1k = await residentMiB(scheduler.pid);

  // c. The scheduler's memory with more shoots in its cache. The webhooks are removed first: they
  // play no part in what the cache holds, and the creates go twice as fast without them.
  await switchTo('none');
  const memory = [{ shoots: SHOOTS, vmRssMiB: rss1k, heapUsedMiB: round(sumOf(await schedulerMetrics(metricsPort), 'nodejs_heap_size_used_bytes') / 2 ** 20, 1), queued: SHOOTS }];
  let inCache = SHOOTS;
  for (const size of CACHE_SHOOTS) {
    if (size <= inCache) continue;
    const more = size - inCache;
    const extra = await createShoots(client, 'bench-cache', more, `cache${size}`, 2 * CONCURRENCY);
    inCache = size;
    say(`${more} more shoots created (${extra.perSecond}/s, errors ${extra.errors}); waiting for the scheduler's cache to hold ${size}`);
    let queued = 0;
    const cacheBy = Date.now() + 180_000;
    while (Date.now() < cacheBy) {
      queued = sumOf(await schedulerMetrics(metricsPort), 'shoot_maintenance_queue_length');
      if (queued >= size) break;
      await sleep(500);
    }
    await sleep(3_000);
    // Heap used moves with every collection: the lowest of ten samples over 5 s is the closest to
    // what is live.
    let heap = Infinity;
    for (let i = 0; i < 10; i++) {
      heap = Math.min(heap, sumOf(await schedulerMetrics(metricsPort), 'nodejs_heap_size_used_bytes'));
      await sleep(500);
    }
    const rss = await residentMiB(scheduler.pid);
    memory.push({ shoots: size, vmRssMiB: rss, heapUsedMiB: round(heap / 2 ** 20, 1), queued, createErrors: extra.errors });
    say(`scheduler with ${size} shoots: VmRSS ${rss} MiB, heap used ${round(heap / 2 ** 20, 1)} MiB (queue ${queued})`);
  }
  const [a, b] = memory.slice(-2);
  result.schedulerMemory = {
    idleWith1kMiB: rssIdle1k,
    bySize: memory,
    // The slope between the two largest sizes: what one more shoot costs beyond the process's base.
    perShootBytes: b && a && b.shoots > a.shoots
      ? { vmRss: Math.round(((b.vmRssMiB - a.vmRssMiB) * 2 ** 20) / (b.shoots - a.shoots)), heapUsed: Math.round(((b.heapUsedMiB - a.heapUsedMiB) * 2 ** 20) / (b.shoots - a.shoots)), between: [a.shoots, b.shoots] }
      : null,
  };
} catch (err) {
  result.error = err.message;
  say(`stopped early: ${err.message}`);
} finally {
  for (const stop of cleanup) {
    try {
      await stop();
    } catch (err) {
      say(`cleanup: ${err.message}`);
    }
  }
}
emitResult(result);
