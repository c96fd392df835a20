// Part 2: plan() over generated shoots (three workers each) against a CloudProfile with 300
// Kubernetes versions and 20 machine images of 200 versions each, on one core (one thread).
// The catalogue is indexed once (timed on its own); then shoots planned per second over 10,000
// shoots, and the per-shoot cost at 1,000, 10,000 and 100,000 shoots (all held in memory, as
// in the scheduler's cache).
//
//   node --single-threaded --max-old-space-size=4096 bench/plan.mjs [--json FILE]
import { emitResult, importDist, log, machine, round, timeMs } from './lib/common.mjs';
import { generateShoots, largeCloudProfile, seededRandom } from './lib/generate.mjs';

const PART = 'plan';
const { plan } = await importDist('core/maintenance.js');
const { indexCloudProfile } = await importDist('core/cloudprofile.js');

const options = { forceUpdateVanishedVersions: false };
const now = new Date('2026-06-15T03:30:00Z');
const profile = largeCloudProfile({ kubernetesVersions: 300, images: 20, imageVersions: 200 });

// Index: the first call (cold), then the median of 20 more.
const cold = timeMs(() => indexCloudProfile(profile));
const warm = [];
for (let i = 0; i < 20; i++) warm.push(timeMs(() => indexCloudProfile(profile)).ms);
warm.sort((a, b) => a - b);
const index = cold.value;
log(PART, `indexCloudProfile: cold ${round(cold.ms)} ms, warm median ${round(warm[10])} ms`);

const random = seededRandom(20260615);
const all = generateShoots(100_000, profile, random);

function planAll(shoots) {
  let changed = 0;
  let failed = 0;
  const t = timeMs(() => {
    for (const shoot of shoots) {
      const p = plan(shoot, index, now, options);
      if (p.kubernetes !== null || p.workers.some((w) => w.machineImage !== null || w.kubernetes !== null)) changed++;
      if (p.lastMaintenance.state === 'Failed') failed++;
    }
  });
  return { ms: t.ms, changed, failed };
}

// Warm-up (JIT) on shoots not measured below. --single-threaded compiles on the main thread, so
// a short warm-up leaves optimising compilation inside the measured passes (2,000 shoots of
// warm-up gave passes of 174, 241 and 376 ms for the same 10,000 shoots); the scheduler plans for
// days, so the steady state is the figure.
planAll(all.slice(80_000, 100_000));

// Throughput over 10,000 shoots: three passes, the median reported.
const tenK = all.slice(0, 10_000);
const passes = [planAll(tenK), planAll(tenK), planAll(tenK)].sort((a, b) => a.ms - b.ms);
const median = passes[1];
log(PART, `passes: ${passes.map((p) => round(p.ms)).join(", ")} ms`);
const shootsPerSecond = 10_000 / (median.ms / 1000);
log(PART, `10,000 shoots: ${round(median.ms)} ms → ${round(shootsPerSecond, 0)} shoots/s (changed ${median.changed}, failed ${median.failed})`);

// Growth: per-shoot µs at 1k, 10k, 100k (one pass each over the first N shoots).
const growth = [];
for (const n of [1_000, 10_000, 100_000]) {
  const r = planAll(n === all.length ? all : all.slice(0, n));
  growth.push({ shoots: n, ms: round(r.ms), perShootMicros: round((r.ms * 1000) / n, 2), changed: r.changed, failed: r.failed });
  log(PART, `${n} shoots: ${round(r.ms)} ms, ${round((r.ms * 1000) / n, 2)} µs/shoot`);
}

emitResult({
  part: PART,
  date: new Date().toISOString(),
  machine: machine(),
  command: 'node bench/run.mjs plan',
  catalogue: {
    kubernetesVersions: profile.spec.kubernetes.versions.length,
    machineImages: profile.spec.machineImages.length,
    versionsPerImage: profile.spec.machineImages[0].versions.length,
  },
  indexMs: { cold: round(cold.ms), warmMedian: round(warm[10]) },
  tenThousand: { ms: round(median.ms), shootsPerSecond: round(shootsPerSecond, 0), perShootMicros: round((median.ms * 1000) / 10_000, 2), changed: median.changed, failed: median.failed },
  growth,
  heapUsedMiB: round(process.memoryUsage().heapUsed / 2 ** 20, 1),
});
