// Shared helpers for the benchmarks: where things are, how long to run, small statistics, result
// output. Benchmarks print figures; they never fail on speed.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const REPO_ROOT = dirname(BENCH_DIR);
export const DIST = join(REPO_ROOT, 'dist');
export const CLI = join(DIST, 'cli.js');

/** Imports a module of the built project (`npm run build` first), e.g. dist('core/maintenance.js'). */
export async function importDist(relative) {
  try {
    return await import(pathToFileURL(join(DIST, relative)).href);
  } catch (err) {
    throw new Error(`cannot load dist/${relative} (run \`npm run build\` first): ${err.message}`, { cause: err });
  }
}

/** The test-cluster tooling, built apart from the product (`npm run build:tools`) into build/tools/test-cluster/. */
export const TOOLS = join(REPO_ROOT, 'build', 'tools', 'test-cluster');

/** Imports a module of the test-cluster tooling, e.g. importTools('cluster.js'). */
export async function importTools(relative) {
  try {
    return await import(pathToFileURL(join(TOOLS, relative)).href);
  } catch (err) {
    throw new Error(`cannot load build/tools/test-cluster/${relative} (run \`npm run build:tools\` first): ${err.message}`, { cause: err });
  }
}

/** Seconds per load run: BENCH_SECONDS (default `fallback`). */
export function benchSeconds(fallback) {
  const raw = process.env.BENCH_SECONDS;
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > 600) throw new Error(`BENCH_SECONDS must be a number in (0, 600], not ${raw}`);
  return n;
}

export function machine() {
  const list = cpus();
  return {
    cores: list.length,
    cpu: list[0]?.model?.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** A positive integer from the environment (a benchmark's size), or `fallback`. */
export function envInt(name, fallback) {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer`);
  return n;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Percentile (0–100) of an ascending-sorted numeric array (nearest rank). */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function round(n, digits = 2) {
  if (!Number.isFinite(n)) return n;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Elapsed milliseconds of fn() (sync), high resolution. */
export function timeMs(fn) {
  const t0 = process.hrtime.bigint();
  const value = fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, value };
}

export function log(part, line) {
  process.stderr.write(`[bench ${part}] ${line}\n`);
}

/**
 * Hands the part's result to run.mjs: written to the file named by --json <file> (or
 * BENCH_RESULT_FILE), and always printed as one JSON line on stdout for humans and pipes.
 */
export function emitResult(part) {
  const result = { ...part, nodeFlags: process.execArgv };
  const i = process.argv.indexOf('--json');
  const file = i >= 0 ? process.argv[i + 1] : process.env.BENCH_RESULT_FILE;
  const text = JSON.stringify(result, null, 2);
  if (file) writeFileSync(file, `${text}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** VmRSS of a process in MiB, from /proc (Linux only; undefined elsewhere or when gone). */
export async function residentMiB(pid) {
  const { readFile } = await import('node:fs/promises');
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1];
    return kb === undefined ? undefined : round(Number(kb) / 1024, 1);
  } catch {
    return undefined;
  }
}
