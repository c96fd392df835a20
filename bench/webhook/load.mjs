// The load generator of the webhook benchmark, run as its own process (so it never shares a core's
// event loop with the server it measures): autocannon through its API, keep-alive connections,
// one body, for a bounded time against 127.0.0.1 only. Latencies are recorded here at full
// resolution (autocannon's own histogram has 1 ms steps). Prints one JSON line.
//
//   node bench/webhook/load.mjs '{"url":"https://127.0.0.1:P/route","caFile":"…","body":"…",
//                                 "connections":64,"seconds":10,"markers":["\"allowed\":true"]}'
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const config = JSON.parse(process.argv[2] ?? '{}');
const url = new URL(config.url);
if (url.hostname !== '127.0.0.1') throw new Error(`load only ever targets 127.0.0.1, not ${url.hostname}`);
const seconds = Number(config.seconds);
const connections = Number(config.connections);
if (!(seconds > 0 && seconds <= 600) || !(connections > 0 && connections <= 1024)) {
  throw new Error('seconds must be in (0, 600] and connections in (0, 1024]');
}

const latencies = [];
let mismatches = 0;
const instance = autocannon({
  url: config.url,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: config.body,
  connections,
  pipelining: 1,
  duration: seconds,
  timeout: 10,
  tlsOptions: { ca: readFileSync(config.caFile, 'utf8'), servername: 'localhost' },
  // A correct answer always contains the markers and the uid; cheap enough not to load the client.
  verifyBody: (body) => {
    const ok = body.includes(config.uid) && config.markers.every((m) => body.includes(m));
    if (!ok) mismatches++;
    return ok;
  },
});
instance.on('response', (_client, statusCode, _bytes, responseTime) => {
  if (statusCode === 200) latencies.push(responseTime);
});

const result = await new Promise((resolve, reject) => {
  instance.on('done', resolve);
  instance.on('error', reject);
});

latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil((p / 100) * latencies.length) - 1))];
const ok = latencies.length;
process.stdout.write(
  `${JSON.stringify({
    connections,
    seconds: result.duration,
    requests: result.requests.total,
    ok200: ok,
    requestsPerSecond: ok / result.duration,
    latencyMs: { p50: pct(50), p90: pct(90), p99: pct(99), max: latencies[latencies.length - 1], mean: latencies.reduce((a, b) => a + b, 0) / (ok || 1) },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    mismatches: result.mismatches ?? mismatches,
    statusCodes: result.statusCodeStats,
  })}\n`,
);
