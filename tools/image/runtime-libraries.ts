// The shared libraries a dynamically linked binary (node) needs, taken from this Debian host the
// way a Debian base image holds them: readelf names what the binary asks for (its NEEDED entries
// and its interpreter), ldd resolves those and their own dependencies to files, and each path is
// copied into the image together with the symlinks on its way (Debian's merged /usr: lib64 ->
// usr/lib64, lib -> usr/lib; libstdc++.so.6 -> libstdc++.so.6.0.30), ending at the real file.
// The Debian copyright file of every package they come from goes along (glibc is LGPL, libgcc and
// libstdc++ GPL with the runtime exception: shipping them means shipping their notices).
import { execFileSync } from 'node:child_process';
import { copyFileSync, lstatSync, mkdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';

/** What readelf says the binary needs: its NEEDED sonames and its program interpreter. */
export function neededByBinary(binary: string): { needed: string[]; interpreter: string | null } {
  const dynamic = execFileSync('readelf', ['-d', binary], { encoding: 'utf8' });
  const needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]!);
  const program = execFileSync('readelf', ['-l', binary], { encoding: 'utf8' });
  const interpreter = /Requesting program interpreter: ([^\]]+)\]/.exec(program)?.[1] ?? null;
  return { needed, interpreter };
}

/**
 * The host paths the dynamic loader uses for binary (ldd: every library, transitively, and the
 * loader); fails when one is not found or readelf names one that ldd did not resolve.
 */
export function libraryPaths(binary: string): string[] {
  const { needed, interpreter } = neededByBinary(binary);
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  const missing = [...out.matchAll(/^\s*(\S+) => not found/gm)].map((m) => m[1]);
  if (missing.length > 0) throw new Error(`${binary} needs libraries this host lacks: ${missing.join(', ')}`);
  const resolved = new Map<string, string>(); // soname → path
  for (const [, soname, path] of out.matchAll(/^\s*(\S+) => (\/\S+) \(0x/gm)) resolved.set(soname!, path!);
  for (const [, path] of out.matchAll(/^\s*(\/\S+) \(0x/gm)) resolved.set(posix.basename(path!), path!); // the loader itself
  for (const soname of needed) if (!resolved.has(soname)) throw new Error(`ldd did not resolve ${soname}, which readelf lists for ${binary}`);
  if (interpreter && ![...resolved.values()].includes(interpreter)) resolved.set(posix.basename(interpreter), interpreter);
  return [...new Set(resolved.values())].sort();
}

export type HostEntry = { type: 'dir'; path: string } | { type: 'symlink'; path: string; target: string } | { type: 'file'; path: string };

/**
 * The directories, symlinks and final file that make `path` resolve inside an image exactly as it
 * does on this host (each symlink kept as it is, followed to its real file).
 */
export function pathChain(path: string, out = new Map<string, HostEntry>(), depth = 0): Map<string, HostEntry> {
  if (depth > 40) throw new Error(`${path}: too many levels of symbolic links`);
  const parts = path.split('/').filter(Boolean);
  let current = '';
  for (const [i, part] of parts.entries()) {
    const next = `${current}/${part}`;
    const st = lstatSync(next);
    if (st.isSymbolicLink()) {
      const target = readlinkSync(next);
      out.set(next, { type: 'symlink', path: next, target });
      const resolved = posix.resolve(current || '/', target);
      return pathChain(posix.join(resolved, ...parts.slice(i + 1)), out, depth + 1);
    }
    const last = i === parts.length - 1;
    if (!last && !st.isDirectory()) throw new Error(`${next}: not a directory`);
    if (last && !st.isFile() && !st.isDirectory()) throw new Error(`${next}: neither a file nor a directory`);
    out.set(next, { type: last && st.isFile() ? 'file' : 'dir', path: next });
    current = next;
  }
  return out;
}

/** The Debian packages owning these files (dpkg knows a file by the path its package installed). */
export function owningPackages(paths: string[]): Map<string, string> {
  const packages = new Map<string, string>(); // package → version
  for (const path of paths) {
    const candidates = [path, join(realDir(path), posix.basename(path))];
    for (const candidate of candidates) {
      let owner: string;
      try {
        owner = execFileSync('dpkg-query', ['-S', candidate], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(':')[0]!;
      } catch {
        continue;
      }
      const version = execFileSync('dpkg-query', ['-W', '-f', '${Version}', owner], { encoding: 'utf8' });
      packages.set(owner, version);
      break;
    }
  }
  return packages;
}

function realDir(path: string): string {
  return execFileSync('realpath', [dirname(path)], { encoding: 'utf8' }).trim();
}

/** Copies the host paths (with their chains) into root; returns how many files were copied. */
export function copyHostPaths(root: string, paths: string[]): number {
  const chain = new Map<string, HostEntry>();
  for (const path of paths) pathChain(path, chain);
  let files = 0;
  for (const entry of [...chain.values()].sort((a, b) => a.path.localeCompare(b.path))) {
    const dest = join(root, entry.path);
    if (entry.type === 'dir') mkdirSync(dest, { recursive: true });
    else {
      mkdirSync(dirname(dest), { recursive: true });
      if (entry.type === 'symlink') symlinkSync(entry.target, dest);
      else {
        copyFileSync(entry.path, dest);
        files++;
      }
    }
  }
  return files;
}
