// Part 3: the scheduler's due-time queue (src/scheduler/due-queue.ts, DueQueue: a binary heap
// plus ONE timer) with 100,000 shoots of random windows: time to enqueue all, cost of a window
// change (re-schedule of a queued key) and of a pop, heap memory per shoot, and the number of
// timers armed (there must be one, never one per shoot).
//
//   node --expose-gc bench/queue.mjs [--json FILE]
import { emitResult, importDist, log, machine, round, timeMs } from './lib/common.mjs';
import { generateShoots, largeCloudProfile, randomWindow, seededRandom } from './lib/generate.mjs';

const PART = 'queue';
const N = 100_000;
const { DueQueue } = await importDist('scheduler/due-queue.js');
const { dueTimeOf } = await importDist('scheduler/due-time.js');

const gc = globalThis.gc;
if (typeof gc !== 'function') log(PART, 'no --expose-gc: memory per shoot is not measured');
const heapUsed = () => {
  if (typeof gc === 'function') {
    gc();
    gc();
  }
  return process.memoryUsage().heapUsed;
};
const activeTimeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

const now = Date.parse('2026-06-15T03:30:00Z');
const random = seededRandom(7);
const shoots = generateShoots(N, largeCloudProfile({ kubernetesVersions: 100, images: 1, imageVersions: 5 }), random);
for (const s of shoots) s.metadata.annotations = {}; // due by window only
const keys = shoots.map((s) => `${s.metadata.namespace}/${s.metadata.name}`);

// Due times as the scheduler computes them (a random instant in the next effective window).
const due = timeMs(() => shoots.map((s) => dueTimeOf(s, new Date(now), random).at.getTime()));
const dueAts = due.value;
log(PART, `dueTimeOf × ${N}: ${round(due.ms)} ms`);

// Real, ref'd timers (the queue's own are unref'd and so invisible to getActiveResourcesInfo),
// counted as they are armed and cleared.
let armed = 0;
let live = 0;
let maxLive = 0;
const countingTimers = {
  setTimeout(fn, ms) {
    armed++;
    live++;
    maxLive = Math.max(maxLive, live);
    return setTimeout(() => {
      live--;
      fn();
    }, ms);
  },
  clearTimeout(handle) {
    live--;
    clearTimeout(handle);
  },
};

let fired = 0;
let clock = now;
const timersBefore = activeTimeouts();
const heapBefore = heapUsed();
const queue = new DueQueue({ onDue: () => fired++, now: () => clock, timers: countingTimers });
queue.start();
const enqueue = timeMs(() => {
  for (let i = 0; i < N; i++) queue.schedule(keys[i], dueAts[i]);
});
const heapAfter = heapUsed();
const timersAfter = activeTimeouts();
const bytesPerShoot = typeof gc === 'function' ? (heapAfter - heapBefore) / N : undefined;
log(PART, `enqueue ${N}: ${round(enqueue.ms)} ms (${round((enqueue.ms * 1e6) / N, 0)} ns each); size ${queue.size}`);
log(PART, `heap: ${bytesPerShoot === undefined ? 'n/a' : `${round(bytesPerShoot, 1)} bytes/shoot`}; active timers ${timersBefore} → ${timersAfter}; armed ${armed}, max live ${maxLive}`);

// No closures per shoot: every heap entry is plain data (inspects the private array at runtime).
const entries = queue.heap;
let closures = 0;
let inspected = false;
if (Array.isArray(entries)) {
  inspected = true;
  for (const e of entries) for (const v of Object.values(e)) if (typeof v === 'function') closures++;
}

// Window change: each shoot gets a new window → a new due time for a queued key.
const newDueAts = shoots.map((s) => {
  s.spec.maintenance.timeWindow = randomWindow(random);
  return dueTimeOf(s, new Date(now), random).at.getTime();
});
const armedBeforeUpdate = armed;
const update = timeMs(() => {
  for (let i = 0; i < N; i++) queue.schedule(keys[i], newDueAts[i]);
});
log(PART, `update ${N}: ${round(update.ms)} ms (${round((update.ms * 1e6) / N, 0)} ns each); timer re-armed ${armed - armedBeforeUpdate} times`);

// Pop: the clock jumps past every due time; fireDue() pops all in due order.
clock = Math.max(...newDueAts) + 1;
const pop = timeMs(() => queue.fireDue());
log(PART, `pop ${fired}: ${round(pop.ms)} ms (${round((pop.ms * 1e6) / fired, 0)} ns each); size now ${queue.size}`);
queue.stop();
const timersAtEnd = activeTimeouts();

emitResult({
  part: PART,
  date: new Date().toISOString(),
  machine: machine(),
  command: 'node bench/run.mjs queue',
  shoots: N,
  dueTimeOfMs: round(due.ms),
  enqueueMs: round(enqueue.ms),
  enqueueNsPerShoot: round((enqueue.ms * 1e6) / N, 0),
  updateNsPerShoot: round((update.ms * 1e6) / N, 0),
  popNsPerShoot: round((pop.ms * 1e6) / fired, 0),
  popped: fired,
  heapBytesPerShoot: bytesPerShoot === undefined ? null : round(bytesPerShoot, 1),
  activeTimers: { before: timersBefore, afterEnqueue: timersAfter, afterStop: timersAtEnd },
  timersArmedDuringEnqueue: armedBeforeUpdate,
  maxLiveTimers: maxLive,
  closuresInHeapEntries: inspected ? closures : null,
});
