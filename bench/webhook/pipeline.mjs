// Where one review's time goes inside the webhook process, without HTTP or TLS: for each body of
// the webhook part, the stages the route runs (parse, decode the envelope, the handler, encode)
// next to what the baseline server does (parse, answer a constant), in one process, alternating
// per iteration so both see the same machine. Not part of `npm run bench`: it explains the
// webhook part's figures (bench/RESULTS.md, "What was tried").
//
//   npm run build && node bench/webhook/pipeline.mjs        (BENCH_ITERATIONS, default 20000)
import { Buffer } from 'node:buffer';
import { envInt, importDist, machine } from '../lib/common.mjs';
import { CLOUD_PROFILE_FILE, scenarios } from './bodies.mjs';

const { parseJsonDocument, decodeAdmissionReview, encodeAdmissionReview } = await importDist('admission/review.js');
const { ADMISSION_ROUTES } = await importDist('webhook/routes/admission-routes.js');
const { loadCloudProfileFiles } = await importDist('catalogue/profile-files.js');
const { DEFAULT_SCHEDULER_USER, DEFAULT_EXPIRY_WARNING_DAYS } = await importDist('admission/handler-deps.js');

const ITERATIONS = envInt('BENCH_ITERATIONS', 20_000);
const deps = {
  profiles: loadCloudProfileFiles([CLOUD_PROFILE_FILE]),
  now: () => new Date(),
  schedulerUsers: [DEFAULT_SCHEDULER_USER],
  expiryWarningDays: DEFAULT_EXPIRY_WARNING_DAYS,
  log: { error() {}, debug() {} },
};
const STAGES = ['parse', 'decode', 'handler', 'encode'];

const m = machine();
console.log(`${new Date().toISOString()} on ${m.cores} cores (${m.cpu}), Node ${m.node}; ${ITERATIONS} iterations per body (the first pass warms up)`);
console.log('| body | parse µs | decode µs | handler µs | encode µs | ours in all µs | baseline (parse + answer) µs | ours − baseline µs |');
console.log('|---|--:|--:|--:|--:|--:|--:|--:|');
for (const scenario of scenarios()) {
  const handler = ADMISSION_ROUTES[scenario.route];
  const body = Buffer.from(scenario.body);
  let ns;
  for (let pass = 0; pass < 2; pass++) {
    ns = { parse: 0, decode: 0, handler: 0, encode: 0, baseline: 0 };
    for (let i = 0; i < ITERATIONS; i++) {
      let t0 = process.hrtime.bigint();
      const document = parseJsonDocument(body.toString('utf8'));
      let t1 = process.hrtime.bigint();
      ns.parse += Number(t1 - t0);
      const review = decodeAdmissionReview(document);
      t0 = process.hrtime.bigint();
      ns.decode += Number(t0 - t1);
      const response = handler(review.request, deps);
      t1 = process.hrtime.bigint();
      ns.handler += Number(t1 - t0);
      JSON.stringify(encodeAdmissionReview(response));
      t0 = process.hrtime.bigint();
      ns.encode += Number(t0 - t1);
      const parsed = JSON.parse(body.toString('utf8'));
      JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: parsed.request.uid, allowed: true } });
      ns.baseline += Number(process.hrtime.bigint() - t0);
    }
  }
  const us = (n) => n / ITERATIONS / 1000;
  const ours = STAGES.reduce((sum, stage) => sum + us(ns[stage]), 0);
  const cells = [...STAGES.map((stage) => us(ns[stage])), ours, us(ns.baseline), ours - us(ns.baseline)].map((v) => v.toFixed(1));
  console.log(`| ${scenario.name} | ${cells.join(' | ')} |`);
}
