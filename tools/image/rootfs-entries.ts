// A directory on disk as the tar entries of an image layer: relative paths sorted bytewise
// (parents before children), owner and mtime left to the tar writer, modes normalised so that the
// host's umask and file owners do not change the layer's digest.
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { TarEntry } from './tar.js';

/**
 * Directories 0755, files 0755 when the owner may execute them and 0644 otherwise — what a build
 * under umask 022 gives; the sticky bit (/tmp's 1777) and symlink targets are kept as found.
 */
function normalisedMode(mode: number, isDir: boolean): number {
  const sticky = mode & 0o1000;
  if (isDir) return sticky ? 0o1777 : 0o755;
  return mode & 0o100 ? 0o755 : 0o644;
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * Every directory, regular file and symlink below root, as paths relative to root; `include`
 * decides per top-level relative path (and so for everything below it) whether it belongs here.
 */
export function rootfsEntries(root: string, include: (relativePath: string) => boolean = () => true): TarEntry[] {
  const entries: TarEntry[] = [];
  const walk = (relDir: string): void => {
    for (const name of readdirSync(join(root, relDir))) {
      const rel = relDir === '' ? name : `${relDir}/${name}`;
      if (relDir === '' && !include(rel)) continue;
      const abs = join(root, rel);
      const st = lstatSync(abs);
      if (st.isSymbolicLink()) entries.push({ type: 'symlink', path: rel, target: readlinkSync(abs) });
      else if (st.isDirectory()) {
        entries.push({ type: 'dir', path: rel, mode: normalisedMode(st.mode, true) });
        walk(rel);
      } else if (st.isFile()) entries.push({ type: 'file', path: rel, mode: normalisedMode(st.mode, false), content: { fromFile: abs } });
      else throw new Error(`${abs}: neither a file, a directory nor a symlink; an image layer holds only those here`);
    }
  };
  walk('');
  return entries.sort((a, b) => byteOrder(a.path, b.path));
}
