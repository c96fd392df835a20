// Runs the benchmarks (each part in its own process, bounded in time, stopped by PID if it
// overstays) and prints their figures as Markdown. Benchmarks report; they never fail on speed.
//
//   npm run bench                              build, then every part
//   node bench/run.mjs [webhook|plan|queue|cluster ...] [--write-results] [--note TEXT]
//   sudo node bench/run.mjs node [--write-results]   the Service path on the one-node cluster (not in the default set)
//
//   --write-results  rewrite the figures of the parts that ran in bench/RESULTS.md (the history
//                    table and the other parts' figures are kept) and their raw JSON in
//                    bench/results/<part>.json
//   --note TEXT      a line under each rewritten part, e.g. "measured while other work was running"
//   --rerender       run nothing: rewrite RESULTS.md from the saved bench/results/<part>.json
//   BENCH_SECONDS=2  shorter webhook load runs (default 10 s each)
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_DIR } from './lib/common.mjs';
import { FORMATTERS, replacePartSection, resultsSkeleton } from './lib/results.mjs';

const PARTS = {
  webhook: { file: 'webhook.mjs', nodeArgs: [], timeoutS: 900 },
  // --single-threaded: no background GC or compiler threads, so the figure is one core's.
  plan: { file: 'plan.mjs', nodeArgs: ['--single-threaded', '--max-old-space-size=4096'], timeoutS: 900 },
  queue: { file: 'queue.mjs', nodeArgs: ['--expose-gc'], timeoutS: 300 },
  cluster: { file: 'cluster.mjs', nodeArgs: [], timeoutS: 2400 },
  // Root and the one-node cluster's binaries: only when named (sudo node bench/run.mjs node).
  node: { file: 'node-service.mjs', nodeArgs: [], timeoutS: 2400, onlyWhenNamed: true },
};

const args = process.argv.slice(2);
let writeResults = false;
let rerender = false;
let note;
const named = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--write-results') writeResults = true;
  else if (args[i] === '--rerender') rerender = true;
  else if (args[i] === '--note') note = args[++i];
  else if (args[i].startsWith('--')) throw new Error(`unknown flag ${args[i]}`);
  else named.push(args[i]);
}
for (const n of named) if (!(n in PARTS)) throw new Error(`unknown part ${n}; one of ${Object.keys(PARTS).join(', ')}`);
const selected = named.length > 0 ? named : Object.keys(PARTS).filter((p) => !PARTS[p].onlyWhenNamed);

let current;
const forward = (signal) => {
  if (current?.pid !== undefined) {
    try {
      process.kill(current.pid, signal);
    } catch {
      // already gone
    }
  }
};
process.on('SIGINT', () => forward('SIGINT'));
process.on('SIGTERM', () => forward('SIGTERM'));

function runPart(name, jsonFile) {
  const part = PARTS[name];
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [...part.nodeArgs, join(BENCH_DIR, part.file), '--json', jsonFile], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: process.env,
    });
    current = child;
    let overstayed = false;
    const guard = setTimeout(() => {
      overstayed = true;
      process.stderr.write(`[bench] ${name}: over ${part.timeoutS} s, stopping pid ${child.pid}\n`);
      child.kill('SIGTERM');
      setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 10_000).unref();
    }, part.timeoutS * 1000);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      current = undefined;
      const seconds = Math.round((Date.now() - started) / 100) / 10;
      let result;
      if (existsSync(jsonFile)) result = JSON.parse(readFileSync(jsonFile, 'utf8'));
      resolve({ name, code, signal, overstayed, seconds, result });
    });
  });
}

const tmp = mkdtempSync(join(tmpdir(), 'shoot-maintenance-bench-'));
const outcomes = [];
try {
  for (const name of rerender ? [] : selected) {
    process.stderr.write(`[bench] ${name}: starting\n`);
    const outcome = await runPart(name, join(tmp, `${name}.json`));
    process.stderr.write(`[bench] ${name}: done in ${outcome.seconds} s (exit ${outcome.code ?? outcome.signal})\n`);
    outcomes.push(outcome);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
if (rerender) {
  writeResults = true;
  // Every part with saved figures, the named-only ones too.
  for (const name of named.length > 0 ? named : Object.keys(PARTS)) {
    const saved = join(BENCH_DIR, 'results', `${name}.json`);
    if (existsSync(saved)) outcomes.push({ name, result: JSON.parse(readFileSync(saved, 'utf8')) });
  }
}

const sections = [];
for (const o of outcomes) {
  const body = o.result
    ? FORMATTERS[o.name](o.result, { note: note ?? o.result.note })
    : `_No figures: the part exited with ${o.code ?? o.signal}${o.overstayed ? ' after its time limit' : ''}; see its log above._\n`;
  sections.push({ name: o.name, body, result: o.result });
  process.stdout.write(`${body}\n`);
}

if (writeResults) {
  const file = join(BENCH_DIR, 'RESULTS.md');
  let text = existsSync(file) ? readFileSync(file, 'utf8') : resultsSkeleton();
  for (const s of sections) {
    if (!s.result) continue; // keep the previous figures of a part that produced none
    if (note !== undefined) s.result.note = note;
    text = replacePartSection(text, s.name, s.body);
    mkdirSync(join(BENCH_DIR, 'results'), { recursive: true });
    writeFileSync(join(BENCH_DIR, 'results', `${s.name}.json`), `${JSON.stringify(s.result, null, 2)}\n`);
  }
  writeFileSync(file, text);
  process.stderr.write(`[bench] figures written to ${file}\n`);
}
