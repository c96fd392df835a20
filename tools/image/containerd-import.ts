// Loads the image archive into a containerd, where kubelet's CRI finds it: namespace k8s.io, as
// kind loads images into its nodes (`ctr --namespace=k8s.io images import`). ctr unpacks it for
// the default snapshotter (overlayfs), so a Pod with imagePullPolicy IfNotPresent starts without
// any registry. Then reads the image back and checks containerd holds the manifest just built.
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export const CONTAINERD_INSTALL = 'apt-get update && apt-get install -y --no-install-recommends containerd';

export class ImportError extends Error {}

function ctrPath(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    try {
      accessSync(join(dir, 'ctr'), constants.X_OK);
      return join(dir, 'ctr');
    } catch {
      // not in this directory
    }
  }
  throw new ImportError(`ctr (containerd's client) is not on PATH; install containerd with: ${CONTAINERD_INSTALL}`);
}

/** Imports the archive through the containerd socket; returns the digest containerd records. */
export function importIntoContainerd(archive: string, socket: string, name: string, expectedDigest: string, log: (line: string) => void): string {
  const ctr = ctrPath();
  if (!existsSync(socket) || !statSync(socket).isSocket()) throw new ImportError(`${socket} is not a socket: is containerd running there?`);
  const base = [`--address=${socket}`, '--namespace=k8s.io'];
  log(`${ctr} ${base.join(' ')} images import ${archive}`);
  const imported = spawnSync(ctr, [...base, 'images', 'import', archive], { encoding: 'utf8' });
  for (const line of `${imported.stdout}${imported.stderr}`.trim().split('\n')) if (line) log(`  | ${line}`);
  if (imported.status !== 0) throw new ImportError(`ctr images import failed (exit ${imported.status})`);
  // `ctr images ls` columns: REF TYPE DIGEST SIZE PLATFORMS LABELS
  const listed = execFileSync(ctr, [...base, 'images', 'ls', `name==${name}`], { encoding: 'utf8' });
  const row = listed
    .split('\n')
    .map((l) => l.split(/\s+/))
    .find((cols) => cols[0] === name);
  if (!row) throw new ImportError(`containerd lists no image ${name} after the import:\n${listed}`);
  const digest = row[2] ?? '';
  if (digest !== expectedDigest) throw new ImportError(`containerd holds ${name} at ${digest}, not the manifest just built (${expectedDigest})`);
  return digest;
}
