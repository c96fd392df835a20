// Part 1: the webhook as deployed (HTTPS, --log-level info, metrics on) under load from a separate
// process, against a bare fastify HTTPS baseline with the same certificate and TLS settings, on the
// same machine. Three bodies × {10, 64} keep-alive connections × {baseline, webhook}, each run
// BENCH_SECONDS long (default 10). Every answer is checked; errors are counted, never hidden.
//
//   node bench/webhook.mjs [--json FILE]          (npm run build first)
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_DIR, benchSeconds, CLI, emitResult, importDist, importTools, log, machine, residentMiB, round, sleep } from './lib/common.mjs';
import { checkAnswer, CLOUD_PROFILE_FILE, scenarios } from './webhook/bodies.mjs';

const PART = 'webhook';
const CONNECTIONS = [10, 64];
const seconds = benchSeconds(10);

const { createCertificateAuthority, createSignedCertificate } = await importDist('pki/certificates.js');
const { spawnLogged, stopProcess, tailOf } = await importTools('processes.js');
const { freePorts } = await importTools('free-port.js');

function post(url, ca, body) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ca, servername: 'localhost', headers: { 'content-type': 'application/json' }, timeout: 5_000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

function get(url, ca) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', ca, servername: 'localhost', timeout: 2_000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function waitReady(url, ca, proc) {
  const deadline = Date.now() + 30_000;
  let last = '';
  while (Date.now() < deadline) {
    if (proc.hasExited()) throw new Error(`${proc.name} exited:\n${tailOf(proc.logPath)}`);
    try {
      const res = await get(url, ca);
      if (res.status === 200) return;
      last = `HTTP ${res.status} ${res.text.slice(0, 200)}`;
    } catch (err) {
      last = err.message;
    }
    await sleep(100);
  }
  throw new Error(`${url} not ready: ${last}\n${tailOf(proc.logPath)}`);
}

/** One load run in its own process; killed by PID if it overstays. */
function runLoad(config) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(BENCH_DIR, 'webhook', 'load.mjs'), JSON.stringify(config)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    const guard = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, (config.seconds + 30) * 1000);
    child.on('exit', (code) => {
      clearTimeout(guard);
      if (code !== 0) return reject(new Error(`load generator exited with ${code}: ${out.slice(0, 500)}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()));
      } catch (err) {
        reject(new Error(`load generator output unreadable: ${err.message}: ${out.slice(0, 500)}`));
      }
    });
  });
}

function metricSum(text, name, filter = () => true) {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^(\w+)(\{[^}]*\})?\s+([-+\d.eE]+|NaN)/.exec(line);
    if (m && m[1] === name && filter(m[2] ?? '')) sum += Number(m[3]);
  }
  return sum;
}

const dir = mkdtempSync(join(tmpdir(), 'shoot-maintenance-bench-webhook-'));
const started = [];
try {
  const ca = createCertificateAuthority('shoot-maintenance-bench-ca');
  const serving = createSignedCertificate(ca, { commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server' });
  const caFile = join(dir, 'ca.crt');
  writeFileSync(caFile, ca.certPem);
  writeFileSync(join(dir, 'tls.crt'), serving.certPem);
  writeFileSync(join(dir, 'tls.key'), serving.keyPem, { mode: 0o600 });

  const [webhookPort, baselinePort] = await freePorts(2);
  const webhookArgs = [CLI, 'webhook', '--host', '127.0.0.1', '--port', String(webhookPort), '--cert-dir', dir, '--cloud-profile', CLOUD_PROFILE_FILE, '--log-level', 'info'];
  const webhook = spawnLogged({ name: 'webhook', command: process.execPath, args: webhookArgs, logPath: join(dir, 'webhook.log') });
  started.push(webhook);
  const baseline = spawnLogged({
    name: 'baseline',
    command: process.execPath,
    args: [join(BENCH_DIR, 'webhook', 'baseline-server.mjs'), '--port', String(baselinePort), '--cert-dir', dir],
    logPath: join(dir, 'baseline.log'),
  });
  started.push(baseline);
  const targets = {
    baseline: { url: `https://127.0.0.1:${baselinePort}`, proc: baseline },
    webhook: { url: `https://127.0.0.1:${webhookPort}`, proc: webhook },
  };
  await waitReady(`${targets.webhook.url}/readyz`, ca.certPem, webhook);
  await waitReady(`${targets.baseline.url}/readyz`, ca.certPem, baseline);
  log(PART, `webhook pid ${webhook.pid} on :${webhookPort}, baseline pid ${baseline.pid} on :${baselinePort}; ${seconds} s per run`);

  const list = scenarios();
  const preflight = {};
  for (const s of list) {
    const w = await post(`${targets.webhook.url}${s.route}`, ca.certPem, s.body);
    const b = await post(`${targets.baseline.url}${s.route}`, ca.certPem, s.body);
    preflight[s.name] = { webhook: checkAnswer(s, w.status, w.text) ?? 'ok', baseline: checkAnswer(s, b.status, b.text, { baseline: true }) ?? 'ok' };
    log(PART, `pre-flight ${s.name}: webhook ${preflight[s.name].webhook}; baseline ${preflight[s.name].baseline}`);
  }

  // Warm-up (JIT, TLS session machinery) — not recorded.
  const warm = Math.min(2, seconds);
  for (const [name, t] of Object.entries(targets)) {
    const s = list[0];
    await runLoad({ url: `${t.url}${s.route}`, caFile, body: s.body, uid: s.uid, markers: name === 'baseline' ? ['"allowed":true'] : s.markers, connections: 64, seconds: warm });
  }

  const runs = [];
  for (const s of list) {
    for (const connections of CONNECTIONS) {
      const pair = {};
      for (const [name, t] of Object.entries(targets)) {
        const markers = name === 'baseline' ? ['"allowed":true'] : s.markers;
        const r = await runLoad({ url: `${t.url}${s.route}`, caFile, body: s.body, uid: s.uid, markers, connections, seconds });
        pair[name] = r;
        const problems = r.errors + r.timeouts + r.non2xx + r.mismatches;
        log(
          PART,
          `${s.name.padEnd(22)} c=${String(connections).padStart(2)} ${name.padEnd(8)} ${round(r.requestsPerSecond, 0)} req/s ` +
            `p50 ${round(r.latencyMs.p50)} ms p99 ${round(r.latencyMs.p99)} ms  errors ${problems}`,
        );
      }
      runs.push({
        scenario: s.name,
        title: s.title,
        route: s.route,
        connections,
        webhook: pair.webhook,
        baseline: pair.baseline,
        throughputRatio: pair.webhook.requestsPerSecond / pair.baseline.requestsPerSecond,
      });
    }
  }

  const metrics = await get(`${targets.webhook.url}/metrics`, ca.certPem);
  const counted = metricSum(metrics.text, 'shoot_maintenance_webhook_requests_total');
  const byOutcome = {};
  for (const outcome of ['allowed', 'patched', 'denied', 'malformed']) {
    byOutcome[outcome] = metricSum(metrics.text, 'shoot_maintenance_webhook_requests_total', (labels) => labels.includes(`outcome="${outcome}"`));
  }
  const webhookRssMiB = await residentMiB(webhook.pid);

  emitResult({
    part: PART,
    date: new Date().toISOString(),
    machine: machine(),
    command: 'node bench/run.mjs webhook',
    secondsPerRun: seconds,
    webhookCommand: `node dist/cli.js webhook --host 127.0.0.1 --port <p> --cert-dir <dir> --cloud-profile examples/cloudprofile.yaml --log-level info`,
    bodies: Object.fromEntries(list.map((s) => [s.name, { route: s.route, source: s.source, bytes: Buffer.byteLength(s.body) }])),
    preflight,
    runs,
    webhookMetrics: { requestsCounted: counted, byOutcome },
    webhookRssMiB,
  });
} finally {
  for (const proc of started.reverse()) await stopProcess(proc);
  rmSync(dir, { recursive: true, force: true });
}
