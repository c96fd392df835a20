// The Dockerfile and the image build without Docker (`npm run image:build`, tools/image/) in step:
// the Dockerfile's runtime stage is parsed here and its USER, ENTRYPOINT, CMD, WORKDIR, ENV,
// EXPOSE, what it puts in WORKDIR and its base image's Node major version are compared with what
// tools/image/image-config.ts gives the assembled image. Nothing is built.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { imageConfig, imageName, NODE_PATH, pinnedNodeVersion, WORKDIR, WORKDIR_ENTRIES } from '../../../tools/image/image-config.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

interface Stage {
  from: string;
  name?: string;
  workdir: string;
  env: Array<[string, string]>;
  user?: string;
  entrypoint?: string[];
  cmd?: string[];
  expose: string[];
  /** Image paths each COPY writes, resolved against the WORKDIR of the moment. */
  copied: string[];
  runs: string[];
}

/** JSON (exec) form only: a shell-form ENTRYPOINT would run under /bin/sh, which the image lacks. */
function execForm(keyword: string, args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new Error(`${keyword} is not in exec form: ${args}`);
  return parsed;
}

function parseDockerfile(text: string): Stage[] {
  const instructions: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    if (/^\s*#/.test(raw)) continue;
    pending += raw;
    if (pending.endsWith('\\')) {
      pending = pending.slice(0, -1);
      continue;
    }
    if (pending.trim() !== '') instructions.push(pending.trim());
    pending = '';
  }
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(instruction) ?? [];
    const stage = stages.at(-1);
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const [from = '', as, name] = args.split(/\s+/);
      stages.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, workdir: '/', env: [], expose: [], copied: [], runs: [] });
      continue;
    }
    if (!stage) throw new Error(`${keyword} before FROM`);
    switch (upper) {
      case 'WORKDIR':
        stage.workdir = posix.resolve(stage.workdir, args);
        break;
      case 'ENV':
        // KEY=VALUE pairs, or the legacy `ENV KEY VALUE`
        if (args.includes('=')) for (const pair of args.split(/\s+/)) stage.env.push(pair.split(/=(.*)/s).slice(0, 2) as [string, string]);
        else stage.env.push(args.split(/\s+(.*)/s).slice(0, 2) as [string, string]);
        break;
      case 'USER':
        stage.user = args;
        break;
      case 'ENTRYPOINT':
        stage.entrypoint = execForm(upper, args);
        stage.cmd = undefined; // as Docker does: a new ENTRYPOINT drops the CMD inherited so far
        break;
      case 'CMD':
        stage.cmd = execForm(upper, args);
        break;
      case 'EXPOSE':
        stage.expose.push(...args.split(/\s+/).map((p) => (p.includes('/') ? p : `${p}/tcp`)));
        break;
      case 'COPY': {
        const parts = args.split(/\s+/).filter((p) => !p.startsWith('--'));
        const dest = posix.resolve(stage.workdir, parts.at(-1)!);
        const sources = parts.slice(0, -1);
        const intoDir = parts.at(-1)!.endsWith('/') || sources.length > 1;
        stage.copied.push(...sources.map((s) => (intoDir ? posix.join(dest, posix.basename(s)) : dest)));
        break;
      }
      case 'RUN':
        stage.runs.push(args);
        break;
      case 'LABEL':
      case 'ARG':
        break;
      default:
        throw new Error(`Dockerfile instruction this test does not know: ${keyword} (teach it, and tools/image/, what it does)`);
    }
  }
  return stages;
}

const stages = parseDockerfile(readFileSync(`${repoRoot}/Dockerfile`, 'utf8'));
const runtime = stages.at(-1)!;
const nodeVersion = pinnedNodeVersion(repoRoot);
const config = imageConfig(nodeVersion);

describe('the Dockerfile and the image build without Docker', () => {
  it('parses a multi-stage Dockerfile whose runtime stage sets what an image needs', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(runtime.user).toBeDefined();
    expect(runtime.entrypoint).toBeDefined();
  });

  it('runs as the same numeric user', () => {
    expect(config.User).toBe(runtime.user);
    expect(config.User).toMatch(/^[1-9]\d*:\d+$/);
  });

  it('has the same ENTRYPOINT and CMD (none: the ENTRYPOINT clears the base image CMD)', () => {
    expect(config.Entrypoint).toEqual(runtime.entrypoint);
    expect(config.Cmd).toEqual(runtime.cmd);
  });

  it('has the same working directory', () => {
    expect(config.WorkingDir).toBe(runtime.workdir);
    expect(WORKDIR).toBe(runtime.workdir);
  });

  it("sets every ENV of the runtime stage to the Dockerfile's value, each variable once", () => {
    for (const [key, value] of runtime.env) expect(config.Env).toContain(`${key}=${value}`);
    const names = config.Env.map((e) => e.split('=')[0]);
    expect(new Set(names).size).toBe(names.length);
  });

  it('exposes the same ports', () => {
    expect(Object.keys(config.ExposedPorts ?? {}).sort()).toEqual([...runtime.expose].sort());
  });

  it("puts in WORKDIR what the runtime stage's COPYs and npm ci put there", () => {
    for (const path of runtime.copied) expect(path.startsWith(`${runtime.workdir}/`), `${path} is outside WORKDIR`).toBe(true);
    const fromCopies = runtime.copied.map((p) => posix.relative(runtime.workdir, p).split('/')[0]!);
    const fromRuns = runtime.runs.some((r) => /\bnpm ci\b/.test(r)) ? ['node_modules'] : [];
    expect([...new Set([...fromCopies, ...fromRuns])].sort()).toEqual([...WORKDIR_ENTRIES].sort());
    // and the production install only: the RUN step the image build replays is npm ci --omit=dev
    expect(runtime.runs.filter((r) => /\bnpm ci\b/.test(r)).every((r) => r.includes('--omit=dev'))).toBe(true);
  });

  it("runs the base image's Node major version, the one scripts/node24.sh pins, found on PATH as `node`", () => {
    const baseMajor = /^node:(\d+)[-.]/.exec(runtime.from)?.[1];
    expect(baseMajor, `runtime base image ${runtime.from} is not node:<major>-…`).toBeDefined();
    expect(nodeVersion.split('.')[0]).toBe(baseMajor);
    expect(config.Env).toContain(`NODE_VERSION=${nodeVersion}`);
    expect(config.Entrypoint[0]).toBe(posix.basename(NODE_PATH));
    const path = config.Env.find((e) => e.startsWith('PATH='))!.slice('PATH='.length).split(':');
    expect(path).toContain(posix.dirname(NODE_PATH));
  });

  it('is named as the rendered manifests reference the image', () => {
    const rendered = execFileSync('kubectl', ['kustomize', 'manifests/'], { cwd: repoRoot, encoding: 'utf8' });
    const images = parseAllDocuments(rendered)
      .map((d) => d.toJS() as { kind?: string; spec?: { template?: { spec?: { containers?: Array<{ image: string }> } } } } | null)
      .filter((o) => o?.kind === 'Deployment')
      .flatMap((o) => o!.spec?.template?.spec?.containers?.map((c) => c.image) ?? []);
    expect(images.length).toBeGreaterThan(0);
    expect(new Set(images)).toEqual(new Set([imageName(repoRoot)]));
  });
});
