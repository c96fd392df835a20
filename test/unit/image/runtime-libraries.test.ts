// The runtime libraries of the image: a path is copied with every symlink on its way (relative
// and absolute, in a directory component or at the end) down to its real file, and this host's
// node resolves to its loader and libc as readelf and ldd see them.
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyHostPaths, libraryPaths, neededByBinary, pathChain } from '../../../tools/image/runtime-libraries.js';

let host: string; // stands in for the host's /
let image: string;

beforeAll(() => {
  host = mkdtempSync(join(tmpdir(), 'runtime-libraries-host-'));
  image = mkdtempSync(join(tmpdir(), 'runtime-libraries-image-'));
  // Debian's merged /usr: lib -> usr/lib, lib64 -> usr/lib64, the loader linked absolutely
  mkdirSync(join(host, 'usr', 'lib', 'x86_64-linux-gnu'), { recursive: true });
  mkdirSync(join(host, 'usr', 'lib64'));
  symlinkSync('usr/lib', join(host, 'lib'));
  symlinkSync('usr/lib64', join(host, 'lib64'));
  writeFileSync(join(host, 'usr', 'lib', 'x86_64-linux-gnu', 'ld.so.2'), 'loader');
  symlinkSync(join(host, 'lib', 'x86_64-linux-gnu', 'ld.so.2'), join(host, 'usr', 'lib64', 'ld.so.2'));
  writeFileSync(join(host, 'usr', 'lib', 'x86_64-linux-gnu', 'libstdc++.so.6.0.30'), 'stdc++');
  symlinkSync('libstdc++.so.6.0.30', join(host, 'usr', 'lib', 'x86_64-linux-gnu', 'libstdc++.so.6'));
});
afterAll(() => {
  rmSync(host, { recursive: true, force: true });
  rmSync(image, { recursive: true, force: true });
});

describe('pathChain', () => {
  it('follows a symlinked directory, then an absolute symlink through another, to the real file', () => {
    const chain = [...pathChain(join(host, 'lib64', 'ld.so.2')).values()];
    // (the entries above `host` are this machine's /tmp directories)
    const below = chain.filter((e) => e.path.startsWith(`${host}/`)).map((e) => `${e.type} ${e.path.slice(host.length)}`);
    expect(below).toEqual([
      'symlink /lib64',
      'dir /usr',
      'dir /usr/lib64',
      'symlink /usr/lib64/ld.so.2',
      'symlink /lib',
      'dir /usr/lib',
      'dir /usr/lib/x86_64-linux-gnu',
      'file /usr/lib/x86_64-linux-gnu/ld.so.2',
    ]);
    expect(chain.filter((e) => e.type === 'file')).toHaveLength(1);
  });

  it('copies the chain into an image root where the path reads as the real file', () => {
    const files = copyHostPaths(image, [join(host, 'lib', 'x86_64-linux-gnu', 'libstdc++.so.6'), join(host, 'lib64', 'ld.so.2')]);
    expect(files).toBe(2);
    const inImage = (p: string): string => join(image, host, p);
    expect(readlinkSync(inImage('lib'))).toBe('usr/lib');
    expect(readlinkSync(inImage('usr/lib/x86_64-linux-gnu/libstdc++.so.6'))).toBe('libstdc++.so.6.0.30');
    expect(lstatSync(inImage('usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30')).isFile()).toBe(true);
    expect(readFileSync(inImage('lib/x86_64-linux-gnu/libstdc++.so.6'), 'utf8')).toBe('stdc++');
    expect(lstatSync(inImage('usr/lib/x86_64-linux-gnu/ld.so.2')).isFile()).toBe(true);
  });
});

describe("this host's node", () => {
  it('needs libc and the loader, and ldd resolves every library readelf names', () => {
    const { needed, interpreter } = neededByBinary(process.execPath);
    expect(needed).toContain('libc.so.6');
    expect(interpreter).toBe('/lib64/ld-linux-x86-64.so.2');
    const paths = libraryPaths(process.execPath);
    expect(paths).toContain('/lib64/ld-linux-x86-64.so.2');
    for (const soname of needed.filter((n) => n !== 'ld-linux-x86-64.so.2')) expect(paths.some((p) => p.endsWith(`/${soname}`)), soname).toBe(true);
  });
});
