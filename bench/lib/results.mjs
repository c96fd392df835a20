// Markdown for the benchmark figures, and the rewrite of one part's section of bench/RESULTS.md
// (between <!-- bench:<part>:begin --> and <!-- bench:<part>:end -->; everything else is kept).

const ORDER = ['webhook', 'plan', 'queue', 'cluster', 'node'];
const TITLES = {
  webhook: '1. Webhook under load (HTTPS, against a bare fastify baseline)',
  plan: '2. Planning: `plan()` over many shoots',
  queue: '3. Scheduling at scale: the due-time queue',
  cluster: '4. Through a real kube-apiserver (test cluster)',
  node: '5. Through the Service on the one-node cluster (as deployed)',
};

const n = (v, digits = 0) =>
  v === null || v === undefined || Number.isNaN(v) ? 'n/a' : Number(v).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const yes = (ok) => (ok ? 'met' : '**not met**');

function header(r, command, { note } = {}) {
  const m = r.machine;
  const lines = [
    `Measured ${r.date.slice(0, 16).replace('T', ' ')} UTC on ${m.cores} cores (${m.cpu}, ${m.memoryGiB} GiB), Node ${m.node}, ${m.platform}.`,
    `Command: \`${command}\` (also part of \`npm run bench\`)${r.nodeFlags?.length ? `; the part runs as \`node ${r.nodeFlags.join(' ')}\`` : ''}.`,
  ];
  if (note) lines.push(`**${note[0].toUpperCase()}${note.slice(1)}${note.endsWith('.') ? '' : '.'}**`);
  return `${lines.join('  \n')}\n`;
}

function webhook(r, opts) {
  const env = r.secondsPerRun === 10 ? '' : `BENCH_SECONDS=${r.secondsPerRun} `;
  const out = [header(r, `${env}node bench/run.mjs webhook`, opts)];
  out.push(
    `Server: \`${r.webhookCommand}\`. Baseline: \`bench/webhook/baseline-server.mjs\` (bare fastify, same certificate, TLS ≥ 1.2, same body limit, parses the body, answers a constant \`allowed: true\`). ` +
      `Load: autocannon in a separate process (\`bench/webhook/load.mjs\`), keep-alive, ${r.secondsPerRun} s per run, baseline and webhook alternating; latency per request at full resolution. ` +
      `Every answer is checked (status 200, uid, allowed, patch/warnings where expected); errors = connection errors + timeouts + non-2xx + wrong bodies.\n`,
  );
  out.push('| body | conns | webhook req/s | p50 ms | p99 ms | baseline req/s | p50 ms | p99 ms | ratio | errors (webhook / baseline) |');
  out.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  const problems = (x) => x.errors + x.timeouts + x.non2xx + x.mismatches;
  for (const run of r.runs) {
    const w = run.webhook;
    const b = run.baseline;
    out.push(
      `| ${run.title} | ${run.connections} | ${n(w.requestsPerSecond)} | ${n(w.latencyMs.p50, 2)} | ${n(w.latencyMs.p99, 2)} | ${n(b.requestsPerSecond)} | ${n(b.latencyMs.p50, 2)} | ${n(b.latencyMs.p99, 2)} | ${n(run.throughputRatio, 2)} | ${problems(w)} / ${problems(b)} |`,
    );
  }
  const at64 = r.runs.filter((x) => x.connections === 64);
  const ratioOk = at64.filter((x) => x.throughputRatio >= 0.8).length;
  // The issue's goals (same run, alternating): ≥ 0.8 × the baseline's req/s and p99 ≤ 1.5 × the baseline's p99.
  const p99Ratio = (x) => x.webhook.latencyMs.p99 / x.baseline.latencyMs.p99;
  const p99Ok = at64.filter((x) => p99Ratio(x) <= 1.5).length;
  out.push('');
  out.push(
    `Goals at 64 connections: throughput ≥ 0.8 × baseline — ${yes(ratioOk === at64.length)} (${ratioOk}/${at64.length} bodies: ${at64.map((x) => n(x.throughputRatio, 2)).join(', ')}); ` +
      `p99 ≤ 1.5 × the baseline's p99 — ${yes(p99Ok === at64.length)} (${p99Ok}/${at64.length}: ${at64.map((x) => `${n(p99Ratio(x), 2)}×`).join(', ')}).`,
  );
  const pre = Object.entries(r.preflight).filter(([, v]) => v.webhook !== 'ok' || v.baseline !== 'ok');
  out.push(pre.length === 0 ? 'Pre-flight: every body answered as expected by both servers.' : `Pre-flight problems: ${pre.map(([k, v]) => `${k}: webhook ${v.webhook}, baseline ${v.baseline}`).join('; ')}.`);
  const o = r.webhookMetrics.byOutcome;
  out.push(
    `The webhook's own /metrics counted ${n(r.webhookMetrics.requestsCounted)} reviews (patched ${n(o.patched)}, allowed ${n(o.allowed)}, denied ${n(o.denied)}, malformed ${n(o.malformed)}); its VmRSS at the end: ${n(r.webhookRssMiB, 1)} MiB.`,
  );
  return `${out.join('\n')}\n`;
}

function plan(r, opts) {
  const out = [header(r, 'node bench/run.mjs plan', opts)];
  out.push(
    `CloudProfile: ${r.catalogue.kubernetesVersions} Kubernetes versions, ${r.catalogue.machineImages} machine images × ${r.catalogue.versionsPerImage} versions (a fifth expired, a fifth deprecated). ` +
      `Shoots: three workers each, versions drawn from the catalogue, half with auto-update, random windows (seeded). One thread; \`plan(shoot, index, now, options)\` with the index built once.\n`,
  );
  out.push('| figure | value |');
  out.push('|---|--:|');
  out.push(`| \`indexCloudProfile\` (first call / warm median) | ${n(r.indexMs.cold, 1)} ms / ${n(r.indexMs.warmMedian, 1)} ms |`);
  out.push(`| 10,000 shoots planned (median of 3 passes) | ${n(r.tenThousand.ms, 0)} ms |`);
  out.push(`| **shoots planned per second** (goal ≥ 50,000) | **${n(r.tenThousand.shootsPerSecond)}** — ${yes(r.tenThousand.shootsPerSecond >= 50_000)} |`);
  for (const g of r.growth) out.push(`| per shoot at ${n(g.shoots)} shoots | ${n(g.perShootMicros, 1)} µs |`);
  out.push('');
  out.push(`Of 10,000 shoots, ${n(r.tenThousand.changed)} get a version change and ${n(r.tenThousand.failed)} a failed maintenance.`);
  return `${out.join('\n')}\n`;
}

function queue(r, opts) {
  const out = [header(r, 'node bench/run.mjs queue', opts)];
  out.push(
    `\`DueQueue\` (dist/scheduler/due-queue.js) with ${n(r.shoots)} shoots of random windows; due times from \`dueTimeOf\` (a random instant in the next effective window). ` +
      'Memory: `process.memoryUsage().heapUsed` delta around building the queue, after `global.gc()` (`--expose-gc`); keys and due times exist before (they live in the informer cache anyway). ' +
      "Timers: the queue is given real, ref'd timers (its own are unref'd, which `process.getActiveResourcesInfo()` does not list) and they are counted as they are armed.\n",
  );
  out.push('| figure | value |');
  out.push('|---|--:|');
  out.push(`| **enqueue ${n(r.shoots)}** (goal < 1 s) | **${n(r.enqueueMs, 0)} ms** (${n(r.enqueueNsPerShoot)} ns each) — ${yes(r.enqueueMs < 1000)} |`);
  out.push(`| computing their due times (\`dueTimeOf\`) | ${n(r.dueTimeOfMs, 0)} ms |`);
  out.push(`| window change (re-schedule a queued shoot) | ${n(r.updateNsPerShoot)} ns |`);
  out.push(`| pop (fire one due shoot) | ${n(r.popNsPerShoot)} ns |`);
  out.push(`| heap per queued shoot | ${r.heapBytesPerShoot === null ? 'n/a (no --expose-gc)' : `${n(r.heapBytesPerShoot, 0)} bytes`} |`);
  out.push(`| active timers before / with ${n(r.shoots)} queued / after stop | ${r.activeTimers.before} / ${r.activeTimers.afterEnqueue} / ${r.activeTimers.afterStop} |`);
  out.push(`| timers alive at once (max) / armed while enqueueing | ${r.maxLiveTimers} / ${r.timersArmedDuringEnqueue} |`);
  out.push(`| functions held by queue entries | ${r.closuresInHeapEntries === null ? 'not inspected' : r.closuresInHeapEntries} |`);
  out.push('');
  const noPerShoot = r.maxLiveTimers <= 1 && r.activeTimers.afterEnqueue - r.activeTimers.before <= 1 && (r.closuresInHeapEntries ?? 0) === 0;
  out.push(`No per-shoot timers or closures: ${yes(noPerShoot)}.`);
  return `${out.join('\n')}\n`;
}

function cluster(r, opts) {
  const s = r.sizes;
  const cacheDefault = Array.isArray(s.cacheShoots) && s.cacheShoots.join(',') === '10000,100000';
  const env = [
    s.shoots !== 1000 ? `BENCH_SHOOTS=${s.shoots}` : '',
    !cacheDefault ? `BENCH_CACHE_SHOOTS=${[s.cacheShoots].flat().join(',')}` : '',
    s.qps !== 100 ? `BENCH_QPS=${s.qps}` : '',
    s.roundCreates !== undefined && s.roundCreates !== 600 ? `BENCH_ROUND_CREATES=${s.roundCreates}` : '',
    s.rounds !== undefined && s.rounds !== 3 ? `BENCH_ROUNDS=${s.rounds}` : '',
  ].filter(Boolean);
  const out = [header(r, `${env.length ? `${env.join(' ')} ` : ''}node bench/run.mjs cluster`, opts)];
  out.push(
    `etcd + kube-apiserver (the test cluster), webhooks as processes registered by URL on 127.0.0.1, shoots created with the admin client certificate by keep-alive clients. ` +
      `Each shoot has three workers and a one-hour window 12 h away, so only the \`maintain\` trigger makes it due.\n`,
  );
  if (r.creates?.summary) {
    const c = r.creates;
    out.push(
      `**Creates: no webhooks vs a no-op webhook pair vs ours**, ${n(c.roundCreates)} creates per round, ${n(s.rounds)} rounds of each at each client count, the three alternating (each round starts with the next one). ` +
        `The no-op pair is \`bench/webhook/noop-webhook-server.mjs\` (bare fastify, same certificate, registered exactly like ours: \`allowed\`, a one-operation patch for mutate). ` +
        `Creates/s: median of the rounds (all rounds in brackets); latencies pooled over the rounds. kube-apiserver's time per webhook call (\`apiserver_admission_webhook_admission_duration_seconds\`) is split into the round trip (\`rest_client_request_duration_seconds\` for the webhook's host:port) and the rest, its own work (building the review, decoding the answer, applying the patch).\n`,
    );
    out.push('| clients | registered | creates/s | client p50 ms | client p99 ms | apiserver create ms | per webhook call ms | of it round trip ms | of it apiserver work ms | errors |');
    out.push('|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|');
    const label = { none: 'no webhooks', noop: 'no-op pair', ours: 'ours', 'ours-h2': 'ours, `--http2`' };
    for (const [clients, byMode] of Object.entries(c.summary).sort((x, y) => Number(y[0]) - Number(x[0]))) {
      for (const mode of ['none', 'noop', 'ours', 'ours-h2']) {
        const m = byMode[mode];
        if (!m) continue;
        out.push(
          `| ${clients} | ${label[mode]} | ${n(m.perSecond, 1)} (${m.rounds.map((v) => n(v, 0)).join(', ')}) | ${n(m.p50, 2)} | ${n(m.p99, 2)} | ${n(m.meanCreateMs, 2)} | ${mode === 'none' ? '–' : n(m.meanCallMs, 2)} | ${mode === 'none' ? '–' : n(m.meanRoundTripMs, 2)} | ${mode === 'none' ? '–' : n(m.meanOwnWorkMs, 2)} | ${m.errors} |`,
        );
      }
    }
    out.push('');
    const hi = c.summary[String(s.concurrency)] ?? Object.values(c.summary)[0];
    const one = c.summary['1'];
    const served = c.webhookServerSide ?? {};
    out.push(
      `Ours / no-op pair, creates/s at ${s.concurrency} clients: **${n(hi.oursOverNoop, 2)}** (goal ≥ 0.95) — ${yes(hi.oursOverNoop >= 0.95)}` +
        (one ? `; at 1 client ${n(one.oursOverNoop, 2)}. Added p50 over the no-op pair at 1 client: **${n(one.addedP50OverNoopMs, 2)} ms** (goal ≤ 0.5 ms) — ${yes(one.addedP50OverNoopMs <= 0.5)}. ` : '. ') +
        `The no-op pair reaches ${n(hi.noopOverNone, 2)} of the creates/s without webhooks at ${s.concurrency} clients, ours ${n(hi.oursOverNone, 2)}. ` +
        `Inside our webhook server (its own histogram, rounds with ours): mutate ${n(served['/mutate/shoots']?.meanMs, 2)} ms, validate ${n(served['/validate/shoots']?.meanMs, 2)} ms per review. ` +
        `Defaulting visible on the created shoots: ${c.mutationVisible ? 'yes' : 'no'}.\n`,
    );
    if (hi['ours-h2']) {
      out.push(
        `**HTTP/2 A/B** (a second process of ours with \`--http2\`, registered the same way, alternating with the others): creates/s h2 / HTTP/1.1 ${n(hi.h2OverHttp1, 2)} at ${s.concurrency} clients` +
          (one?.['ours-h2'] ? `, ${n(one.h2OverHttp1, 2)} at 1 client (p50 ${one.h2AddedP50Ms >= 0 ? '+' : ''}${n(one.h2AddedP50Ms, 2)} ms)` : '') +
          `; HTTP/2 sessions kube-apiserver opened to it: ${n(c.http2SessionsOpenedByApiserver)}. HTTP/2 stays off by default unless this says it is faster.\n`,
      );
    }
  }
  if (r.mixedWrites?.conditioned && r.mixedWrites?.unconditioned) {
    const mw = r.mixedWrites;
    out.push(
      `**Webhook calls per 1,000 mixed Shoot writes** (\`bench/lib/mixed-writes.mjs\`: ${Object.entries(mw.writes).map(([k, v]) => `${n(v)} ${k}`).join(', ')}), ours registered without and with its matchConditions (\`src/admission/match-conditions.ts\`); reviews counted by the webhook, calls by kube-apiserver.\n`,
    );
    out.push('| registered | writes accepted | reviews served | kube-apiserver calls (mutate + validate) | skipped by matchConditions | calls per 1,000 writes |');
    out.push('|---|--:|--:|--:|--:|--:|');
    for (const label of ['unconditioned', 'conditioned']) {
      const x = mw[label];
      const accepted = Object.values(x.accepted).reduce((a, b) => a + b, 0);
      out.push(`| ${label === 'conditioned' ? 'with matchConditions' : 'without'} | ${n(accepted)} | ${n(x.reviewsServed)} | ${n(x.apiserverCalls.mutate)} + ${n(x.apiserverCalls.validate)} | ${n(x.excludedByConditions)} | **${n(x.callsPer1000Writes)}** |`);
    }
    out.push('');
    for (const label of ['unconditioned', 'conditioned']) if (mw[label].firstFailure) out.push(`Note: a write failed (${label}): ${mw[label].firstFailure}\n`);
  }
  if (r.maintenance) {
    const m = r.maintenance;
    out.push(`**All ${n(s.shoots)} due at once** — \`${m.schedulerCommand}\`\n`);
    out.push('| figure | value |');
    out.push('|---|--:|');
    out.push(`| shoots maintained (status.lastMaintenance from this trigger) | ${n(m.maintained)} / ${n(s.shoots)} (${Object.entries(m.states).map(([k, v]) => `${k} ${v}`).join(', ')}) |`);
    out.push(`| time until every one was maintained | ${m.secondsUntilAllMaintained === null ? 'not reached' : `${n(m.secondsUntilAllMaintained, 1)} s (${n(m.shootsPerSecond, 1)} shoots/s)`} |`);
    out.push(`| **API requests per maintained shoot** (apiserver_request_total deltas on shoots + events, ours subtracted; goal ≤ 4) | **${n(m.apiRequestsPerShoot, 2)}** — ${yes(m.apiRequestsPerShoot <= 4)} |`);
    out.push(`| the same from the scheduler's own counter (all its requests, leases included) | ${n(m.schedulerRequestsPerShoot, 2)} |`);
    if (m.shootsPerSecond && m.apiRequestsPerShoot) {
      const bound = m.qps.configured / m.apiRequestsPerShoot;
      out.push(`| **shoots/s against what the QPS allows** (qps / requests per shoot = ${n(bound, 1)}/s; goal ≥ 0.95) | **${n(m.shootsPerSecond / bound, 2)}** — ${yes(m.shootsPerSecond / bound >= 0.95)} |`);
    }
    out.push(`| requests by verb/resource/subresource | ${Object.entries(m.apiRequestsByVerbResource).map(([k, v]) => `${k.replace(/\|$/, '').replaceAll('|', ' ')}: ${v}`).join(', ')} |`);
    out.push(`| runs by result | ${Object.entries(m.runsByResult).map(([k, v]) => `${k} ${v}`).join(', ')} |`);
    out.push(`| QPS: configured / average / highest over 1 s | ${m.qps.configured} (burst ${m.qps.burst}) / ${n(m.qps.averageDuringRun, 1)} / ${n(m.qps.maxOver1s, 1)} |`);
    const resolution = m.qps.resolution === undefined ? '' : `, within the ${m.qps.resolution} requests that can be in flight: the counter moves at the response, the bucket gates the start`;
    const margin =
      m.qps.worstExcessOverBucket <= 0
        ? `closest: ${n(-m.qps.worstExcessOverBucket, 1)} requests below the bound`
        : `at most ${n(m.qps.worstExcessOverBucket, 1)} requests over the bound${resolution}`;
    out.push(
      `| token bucket never exceeded (requests between any two of ${m.qps.samples} samples of the scheduler's counter, 250 ms apart, ≤ burst + qps × interval) | ${m.qps.neverExceeded ? 'yes' : '**no**'} (${margin}) |`,
    );
    out.push('');
  }
  if (r.schedulerMemory?.bySize) {
    const mem = r.schedulerMemory;
    out.push(`**Scheduler memory** (VmRSS from /proc, heap used from its /metrics; the webhooks unregistered while the cache is filled)\n`);
    out.push('| shoots in its cache | VmRSS MiB | heap used MiB | queued |');
    out.push('|--:|--:|--:|--:|');
    for (const row of mem.bySize) out.push(`| ${n(row.shoots)} | ${n(row.vmRssMiB, 1)} | ${n(row.heapUsedMiB, 1)} | ${n(row.queued)} |`);
    out.push('');
    const bytes = r.cachedShootJsonBytes;
    if (bytes) out.push(`One of these shoots as kube-apiserver serves it: ${n(bytes.asServed)} bytes of JSON; what the cache keeps of it (\`src/scheduler/cached-shoot.ts\`): ${n(bytes.cached)} bytes.\n`);
    const per = mem.perShootBytes;
    if (per) {
      out.push(
        `Per shoot beyond the process's base (slope between ${n(per.between[0])} and ${n(per.between[1])} shoots): **${n(per.vmRss / 1024, 2)} KiB** VmRSS (goal ≤ 2 KiB) — ${yes(per.vmRss <= 2048)}; heap used ${n(per.heapUsed / 1024, 2)} KiB.\n`,
      );
    }
  }
  if (r.error) out.push(`Stopped early: ${r.error}\n`);
  for (const note of r.notes ?? []) out.push(`Note: ${note}\n`);
  return `${out.join('\n')}\n`;
}

function node(r, opts) {
  const out = [header(r, 'sudo node bench/run.mjs node', opts).replace(' (also part of `npm run bench`)', ' (not in the default set: root and the one-node cluster)')];
  out.push(
    'The one-node cluster (`cluster:up --node --cert-manager`: kubelet, containerd, kube-proxy in iptables mode, cert-manager), the image built and imported, `kubectl apply -k test/deploy/overlay/` (manifests/ as shipped). ' +
      'kube-apiserver reaches the webhook through its Service (ClusterIP, HTTP/1.1). The no-op pair is `bench/webhook/noop-webhook-server.mjs` in two Pods of the same image, Secret and hardening; for "no webhooks" the configurations are deleted. The sides are switched by scaling (kube-apiserver keeps its ClusterIP connections on the Pod they reached), and after each switch 1,000 dry-run creates warm the new Pods before the round. The scheduler is scaled to 0.\n',
  );
  const sv = r.service;
  if (sv?.summary) {
    out.push(`${n(s(r).roundCreates)} creates per round, ${n(s(r).rounds)} rounds of each at each client count, alternating. The round trip is \`rest_client_request_duration_seconds\` for ${sv.host}.\n`);
    out.push('| clients | registered | creates/s | client p50 ms | client p99 ms | per webhook call ms | of it round trip ms | of it apiserver work ms | errors |');
    out.push('|--:|---|--:|--:|--:|--:|--:|--:|--:|');
    const label = { none: 'no webhooks', noop: 'no-op pair', ours: 'ours' };
    for (const [clients, byMode] of Object.entries(sv.summary).sort((x, y) => Number(y[0]) - Number(x[0]))) {
      for (const mode of ['none', 'noop', 'ours']) {
        const m = byMode[mode];
        out.push(`| ${clients} | ${label[mode]} | ${n(m.perSecond, 1)} (${m.rounds.map((v) => n(v, 0)).join(', ')}) | ${n(m.p50, 2)} | ${n(m.p99, 2)} | ${mode === 'none' ? '–' : n(m.meanCallMs, 2)} | ${mode === 'none' ? '–' : n(m.meanRoundTripMs, 2)} | ${mode === 'none' ? '–' : n(m.meanOwnWorkMs, 2)} | ${m.errors} |`);
      }
    }
    out.push('');
    const hi = sv.summary[String(s(r).concurrency)] ?? Object.values(sv.summary)[0];
    const one = sv.summary['1'];
    out.push(
      `Ours / no-op pair through the Service, creates/s at ${s(r).concurrency} clients: **${n(hi.oursOverNoop, 2)}** (goal ≥ 0.95) — ${yes(hi.oursOverNoop >= 0.95)}` +
        (one ? `; at 1 client ${n(one.oursOverNoop, 2)}. Added p50 over the no-op pair at 1 client: **${n(one.addedP50OverNoopMs, 2)} ms** (goal ≤ 0.5 ms) — ${yes(one.addedP50OverNoopMs <= 0.5)}. ` : '. ') +
        `The no-op pair reaches ${n(hi.noopOverNone, 2)} of the creates/s without webhooks at ${s(r).concurrency} clients.\n`,
    );
  }
  if (r.error) out.push(`Stopped early: ${r.error}\n`);
  for (const note of r.notes ?? []) out.push(`Note: ${note}\n`);
  return `${out.join('\n')}\n`;
}
const s = (r) => r.sizes;

export const FORMATTERS = { webhook, plan, queue, cluster, node };

const begin = (part) => `<!-- bench:${part}:begin -->`;
const end = (part) => `<!-- bench:${part}:end -->`;

export function resultsSkeleton() {
  const parts = ORDER.map((p) => `### ${TITLES[p]}\n\n${begin(p)}\n_Not measured yet._\n${end(p)}\n`).join('\n');
  return `# Benchmark results\n\n## Figures\n\n${parts}\n## History\n\n| date | change | figure that moved |\n|---|---|---|\n`;
}

/** Replaces the text between the part's markers (adds the section before ## History when missing). */
export function replacePartSection(text, part, body) {
  const b = text.indexOf(begin(part));
  const e = text.indexOf(end(part));
  if (b >= 0 && e > b) return `${text.slice(0, b + begin(part).length)}\n${body}${text.slice(e)}`;
  const section = `### ${TITLES[part]}\n\n${begin(part)}\n${body}${end(part)}\n\n`;
  const history = text.indexOf('## History');
  return history >= 0 ? `${text.slice(0, history)}${section}${text.slice(history)}` : `${text}\n${section}`;
}
