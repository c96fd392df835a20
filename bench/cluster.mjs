// Part 4: through a real kube-apiserver (the test cluster: etcd + kube-apiserver on 127.0.0.1).
//  a. 1,000 Shoot creates at 16 concurrent clients without the webhooks, then 1,000 with them
//     registered: throughput ratio, and the webhooks' share of the create latency from
//     kube-apiserver's own /metrics.
//  b. A scheduler process (`node dist/cli.js scheduler --qps Q`) with those 1,000 shoots; all
//     made due at once (gardener.cloud/operation=maintain): time until every one has
//     status.lastMaintenance from this trigger, API requests per maintained shoot (deltas of
//     apiserver_request_total by verb/resource, our own requests subtracted; and the scheduler's
//     own request counter), and whether the configured QPS held (the scheduler's counter sampled
//     every 250 ms against its token bucket: requests in any interval ≤ burst + qps × interval).
//  c. The scheduler's resident memory (VmRSS) with 1,000 and with 10,000 shoots in its cache.
//
//   node bench/cluster.mjs [--json FILE]     (npm run build and npm run cluster:build first)
//   BENCH_SHOOTS (1000), BENCH_CACHE_SHOOTS (10000), BENCH_QPS (100), BENCH_BURST (20),
//   BENCH_CONCURRENCY (16) change the sizes.
import { get } from 'node:http';
import { join } from 'node:path';
import { CLI, emitResult, importTools, log, machine, percentile, residentMiB, round, sleep } from './lib/common.mjs';
import { kubeClient, pool } from './lib/kube-http.mjs';
import { groupBy, parseMetrics, sumOf } from './lib/prometheus.mjs';

const PART = 'cluster';
const envInt = (name, fallback) => {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer`);
  return n;
};
const SHOOTS = envInt('BENCH_SHOOTS', 1000);
const CACHE_SHOOTS = envInt('BENCH_CACHE_SHOOTS', 10_000);
const QPS = envInt('BENCH_QPS', 100);
const BURST = envInt('BENCH_BURST', 20);
const CONCURRENCY = envInt('BENCH_CONCURRENCY', 16);
// The scheduler's --max-concurrent default (runs at once, one request each) plus a lease call.
const MAX_IN_FLIGHT = 4 + 1;
const GROUP = 'core.gardener.cloud';
const SHOOTS_API = '/apis/core.gardener.cloud/v1beta1';

const { startTestCluster, startWebhookProcess, registerWebhooks } = await importTools('cluster.js');
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
  sizes: { shoots: SHOOTS, cacheShoots: CACHE_SHOOTS, qps: QPS, burst: BURST, concurrency: CONCURRENCY },
  notes: [],
};

// A window 12 hours away from now (UTC, one hour long), so no shoot is in its window by chance
// and only the `maintain` trigger makes them due.
const farHour = (new Date().getUTCHours() + 12) % 24;
const two = (n) => String(n).padStart(2, '0');
const farWindow = { begin: `${two(farHour)}0000+0000`, end: `${two((farHour + 1) % 24)}0000+0000` };

function shootBody(namespace, name) {
  return {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'Shoot',
    metadata: { name, namespace },
    spec: {
      cloudProfileName: 'local',
      region: 'local',
      kubernetes: { version: '1.32.4' },
      maintenance: { timeWindow: farWindow },
      provider: {
        type: 'local',
        workers: ['a', 'b', 'c'].map((s) => ({
          name: `pool-${s}`,
          machine: { type: 'm5.large', image: { name: 'gardenlinux', version: '1592.4.0' } },
          minimum: 1,
          maximum: 3,
        })),
      },
    },
  };
}

async function createShoots(client, namespace, count, prefix = 'shoot') {
  const latencies = [];
  const failures = [];
  const started = process.hrtime.bigint();
  const created = await pool(count, CONCURRENCY, async (i) => {
    const t0 = process.hrtime.bigint();
    const res = await client.call('POST', `${SHOOTS_API}/namespaces/${namespace}/shoots`, shootBody(namespace, `${prefix}-${String(i).padStart(5, '0')}`));
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (res.status !== 201) failures.push(`${res.status} ${res.text.slice(0, 200)}`);
    return res.status === 201 ? res.json() : undefined;
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return {
    count,
    seconds: round(seconds, 2),
    perSecond: round(count / seconds, 1),
    latencyMs: { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)) },
    errors: failures.length,
    firstError: failures[0],
    sample: created.find((c) => c !== undefined),
  };
}

async function apiserverMetrics(client) {
  const res = await client.call('GET', '/metrics');
  if (res.status !== 200) throw new Error(`kube-apiserver /metrics: HTTP ${res.status}`);
  return parseMetrics(res.text);
}

const shootCreates = { verb: 'POST', resource: 'shoots', group: GROUP, subresource: (v) => (v ?? '') === '' };

function admissionShare(before, after) {
  const d = (name, match) => sumOf(after, name, match) - sumOf(before, name, match);
  const createDuration = { sum: d('apiserver_request_duration_seconds_sum', shootCreates), count: d('apiserver_request_duration_seconds_count', shootCreates) };
  const ours = { operation: 'CREATE', name: (n) => typeof n === 'string' && n.endsWith('.maintenance.gardener.cloud') };
  const webhooks = {};
  for (const type of ['admit', 'validating']) {
    webhooks[type] = {
      sum: d('apiserver_admission_webhook_admission_duration_seconds_sum', { ...ours, type }),
      count: d('apiserver_admission_webhook_admission_duration_seconds_count', { ...ours, type }),
    };
  }
  const webhookSeconds = webhooks.admit.sum + webhooks.validating.sum;
  return {
    createRequests: createDuration.count,
    meanCreateMs: createDuration.count ? round((createDuration.sum / createDuration.count) * 1000) : null,
    meanMutatingWebhookMs: webhooks.admit.count ? round((webhooks.admit.sum / webhooks.admit.count) * 1000) : null,
    meanValidatingWebhookMs: webhooks.validating.count ? round((webhooks.validating.sum / webhooks.validating.count) * 1000) : null,
    webhookCalls: webhooks.admit.count + webhooks.validating.count,
    webhookShareOfCreateLatency: createDuration.sum ? round(webhookSeconds / createDuration.sum, 3) : null,
  };
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
  const { httpsGet } = await importTools('https-probe.js');
  const res = await httpsGet(`${webhook.url}/metrics`, { ca: webhook.caCertPem });
  return parseMetrics(res.body);
}

/** Mean time inside the webhook server per admission route (its own latency histogram). */
function webhookServerTime(before, after) {
  const out = {};
  for (const route of ['/mutate/shoots', '/validate/shoots']) {
    const d = (name) => sumOf(after, name, { route }) - sumOf(before, name, { route });
    const count = d('shoot_maintenance_webhook_request_duration_seconds_count');
    out[route] = { requests: count, meanMs: count ? round((d('shoot_maintenance_webhook_request_duration_seconds_sum') / count) * 1000, 3) : null };
  }
  return out;
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
  for (const ns of ['bench-warm', 'bench-plain', 'bench', 'bench-cache']) {
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

  // a. Without the webhooks, then with them.
  const plain0 = await apiserverMetrics(client);
  const without = await createShoots(client, 'bench-plain', SHOOTS);
  const plain1 = await apiserverMetrics(client);
  say(`without webhooks: ${without.perSecond} creates/s, p50 ${without.latencyMs.p50} ms, p99 ${without.latencyMs.p99} ms, errors ${without.errors}`);
  await registerWebhooks(cluster, webhook, { log: say });
  const hooked0 = await apiserverMetrics(client);
  const served0 = await webhookMetrics(webhook);
  const withHooks = await createShoots(client, 'bench', SHOOTS);
  const hooked1 = await apiserverMetrics(client);
  const served1 = await webhookMetrics(webhook);
  say(`with webhooks:    ${withHooks.perSecond} creates/s, p50 ${withHooks.latencyMs.p50} ms, p99 ${withHooks.latencyMs.p99} ms, errors ${withHooks.errors}`);
  const mutated = withHooks.sample?.spec?.maintenance?.autoUpdate !== undefined;
  if (!mutated) result.notes.push('the created shoots show no defaulting: the mutating webhook may not have acted');
  result.creates = {
    withoutWebhooks: { ...without, sample: undefined, apiserver: admissionShare(plain0, plain1) },
    withWebhooks: { ...withHooks, sample: undefined, apiserver: admissionShare(hooked0, hooked1) },
    throughputRatio: round(withHooks.perSecond / without.perSecond, 3),
    mutationVisible: mutated,
    webhookServerSide: webhookServerTime(served0, served1),
  };
  say(`ratio ${result.creates.throughputRatio}; webhook share of create latency ${result.creates.withWebhooks.apiserver.webhookShareOfCreateLatency}`);
  await client.call('DELETE', `${SHOOTS_API}/namespaces/bench-plain/shoots`);

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

  // c. 10,000 shoots in the cache.
  const more = CACHE_SHOOTS - SHOOTS;
  const extra = await createShoots(client, 'bench-cache', more, 'cache');
  say(`${more} more shoots created (${extra.perSecond}/s, errors ${extra.errors}); waiting for the scheduler's cache`);
  let queued = 0;
  const cacheBy = Date.now() + 120_000;
  while (Date.now() < cacheBy) {
    queued = sumOf(await schedulerMetrics(metricsPort), 'shoot_maintenance_queue_length');
    if (queued >= CACHE_SHOOTS) break;
    await sleep(500);
  }
  await sleep(3_000);
  const rss10k = await residentMiB(scheduler.pid);
  const heap10k = sumOf(await schedulerMetrics(metricsPort), 'nodejs_heap_size_used_bytes');
  result.schedulerMemory = {
    vmRssMiB: { idleWith1k: rssIdle1k, afterMaintainingWith1k: rss1k, with10k: rss10k },
    queuedAt10k: queued,
    heapUsedMiBAt10k: round(heap10k / 2 ** 20, 1),
  };
  say(`scheduler VmRSS: ${rss1k} MiB with ${SHOOTS}, ${rss10k} MiB with ${CACHE_SHOOTS} (queue ${queued})`);
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
