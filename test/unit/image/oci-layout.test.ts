// The tar and OCI layout writers on a tiny rootfs: GNU tar (an independent reader) lists and
// extracts what the writer wrote; every digest and diff_id is recomputed here with node:crypto over
// the blob bytes on disk and the tar inside; index.json, the manifest and the config have the
// shapes the OCI image spec (v1.1) gives them; the same input gives the same bytes.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveLayout, MEDIA_TYPES, writeOciLayout, type ImageInput, type LayoutResult } from '../../../tools/image/oci-layout.js';
import { rootfsEntries } from '../../../tools/image/rootfs-entries.js';
import { tarStream } from '../../../tools/image/tar.js';

const DIGEST = /^sha256:[a-f0-9]{64}$/;
// A path ustar holds only split into prefix + name (> 100 bytes), one it cannot hold at all (a
// 120-byte file name) and one that is not ASCII: the latter two need a PAX header.
const LONG_DIR = `app/node_modules/${'a'.repeat(40)}/${'b'.repeat(40)}/lib`;
const SPLIT_PATH = `${LONG_DIR}/index.js`;
const PAX_PATH = `app/${'n'.repeat(120)}.js`;
const UTF8_PATH = 'app/café.txt';
const LONG_TARGET = `/${'t'.repeat(150)}`; // a symlink target over ustar's 100 bytes: PAX linkpath

let work: string;
let root: string;

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
function blob(layout: string, digest: string): Buffer {
  return readFileSync(join(layout, 'blobs', 'sha256', digest.replace(/^sha256:/, '')));
}
function json(buf: Buffer): Record<string, unknown> {
  return JSON.parse(buf.toString('utf8')) as Record<string, unknown>;
}

function image(): ImageInput {
  return {
    architecture: 'amd64',
    os: 'linux',
    name: 'ghcr.io/example/tiny:1.2.3',
    config: { User: '65532:65532', Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'NODE_ENV=production'], Entrypoint: ['node', '/app/main.js'], WorkingDir: '/app' },
    layers: [
      { entries: rootfsEntries(root, (p) => p !== 'app'), createdBy: 'runtime' },
      { entries: rootfsEntries(root, (p) => p === 'app'), createdBy: 'app' },
    ],
  };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'oci-layout-test-'));
  root = join(work, 'rootfs');
  mkdirSync(join(root, 'usr', 'local', 'bin'), { recursive: true });
  mkdirSync(join(root, 'usr', 'lib'), { recursive: true });
  mkdirSync(join(root, 'tmp'));
  chmodSync(join(root, 'tmp'), 0o1777);
  writeFileSync(join(root, 'usr', 'local', 'bin', 'node'), '#!fake node\n');
  chmodSync(join(root, 'usr', 'local', 'bin', 'node'), 0o700); // normalised to 0755
  symlinkSync('usr/lib', join(root, 'lib'));
  symlinkSync(LONG_TARGET, join(root, 'usr', 'long-link'));
  mkdirSync(join(root, LONG_DIR), { recursive: true });
  writeFileSync(join(root, SPLIT_PATH), 'module.exports = 1;\n');
  writeFileSync(join(root, PAX_PATH), 'long\n');
  writeFileSync(join(root, UTF8_PATH), 'café\n');
  writeFileSync(join(root, 'app', 'main.js'), 'console.log("hi");\n');
  chmodSync(join(root, 'app', 'main.js'), 0o664); // normalised to 0644
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('tar writer', () => {
  it('writes what GNU tar lists: sorted paths, normalised modes, owner 0/0, mtime 0, symlinks, long and UTF-8 names', () => {
    const tarFile = join(work, 'runtime-and-app.tar');
    writeFileSync(tarFile, Buffer.concat([...tarStream(rootfsEntries(root))]));
    const listing = execFileSync('tar', ['-tvf', tarFile, '--numeric-owner', '--full-time'], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC', LC_ALL: 'C.UTF-8' } });
    const lines = listing.trim().split('\n').map((l) => l.split(/\s+/));
    const rows = lines.map((f) => ({ mode: f[0], owner: f[1], date: `${f[3]} ${f[4]}`, path: f.slice(5).join(' ') }));
    expect(new Set(rows.map((r) => r.owner))).toEqual(new Set(['0/0']));
    expect(new Set(rows.map((r) => r.date))).toEqual(new Set(['1970-01-01 00:00:00']));
    const modes = Object.fromEntries(rows.map((r) => [r.path, r.mode]));
    expect(modes).toMatchObject({
      'app/': 'drwxr-xr-x',
      'app/main.js': '-rw-r--r--',
      [SPLIT_PATH]: '-rw-r--r--',
      [PAX_PATH]: '-rw-r--r--',
      [UTF8_PATH]: '-rw-r--r--',
      'lib -> usr/lib': 'lrwxrwxrwx',
      'tmp/': 'drwxrwxrwt',
      'usr/local/bin/node': '-rwxr-xr-x',
      [`usr/long-link -> ${LONG_TARGET}`]: 'lrwxrwxrwx',
    });
    const paths = rows.map((r) => r.path.replace(/ -> .*$/, '').replace(/\/$/, ''));
    expect(paths).toEqual([...paths].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));

    const out = join(work, 'extracted');
    mkdirSync(out);
    execFileSync('tar', ['-xf', tarFile, '-C', out]);
    for (const p of ['app/main.js', SPLIT_PATH, PAX_PATH, UTF8_PATH, 'usr/local/bin/node']) {
      expect(readFileSync(join(out, p)), p).toEqual(readFileSync(join(root, p)));
    }
  });

  it('ends with two zero blocks and keeps every entry on 512-byte boundaries', () => {
    const bytes = Buffer.concat([...tarStream([{ type: 'file', path: 'a', mode: 0o644, content: Buffer.from('hi\n') }])]);
    // header + one data block + two end blocks
    expect(bytes.length).toBe(4 * 512);
    expect(bytes.subarray(512, 515).toString()).toBe('hi\n');
    expect(bytes.subarray(2 * 512).every((b) => b === 0)).toBe(true);
    // ustar checksum: the header's bytes summed with its checksum field read as spaces
    const header = Buffer.from(bytes.subarray(0, 512));
    const stored = parseInt(header.subarray(148, 154).toString(), 8);
    header.fill(' ', 148, 156);
    expect(stored).toBe(header.reduce((sum, b) => sum + b, 0));
  });
});

describe('OCI layout writer', () => {
  let layout: string;
  let result: LayoutResult;
  beforeAll(async () => {
    layout = join(work, 'layout');
    result = await writeOciLayout(layout, image());
  });

  it('writes oci-layout and an index.json naming the manifest for containerd and by its tag', () => {
    expect(json(readFileSync(join(layout, 'oci-layout')))).toEqual({ imageLayoutVersion: '1.0.0' });
    const index = json(readFileSync(join(layout, 'index.json')));
    expect(index).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: result.manifest.digest,
          size: result.manifest.size,
          platform: { architecture: 'amd64', os: 'linux' },
          annotations: { 'io.containerd.image.name': 'ghcr.io/example/tiny:1.2.3', 'org.opencontainers.image.ref.name': '1.2.3' },
        },
      ],
    });
  });

  it('stores every blob under the sha256 of its bytes, and descriptors give those bytes size', () => {
    const names = readdirSync(join(layout, 'blobs', 'sha256')).sort();
    const expected = [result.manifest, result.config, ...result.layers].map((d) => d.digest.replace(/^sha256:/, '')).sort();
    expect(names).toEqual(expected);
    for (const name of names) {
      const bytes = readFileSync(join(layout, 'blobs', 'sha256', name));
      expect(sha256(bytes)).toBe(`sha256:${name}`);
    }
    for (const d of [result.manifest, result.config, ...result.layers]) {
      expect(d.digest).toMatch(DIGEST);
      expect(blob(layout, d.digest).length).toBe(d.size);
    }
  });

  it('writes a manifest whose config and layers are descriptors of those blobs', () => {
    const manifest = json(blob(layout, result.manifest.digest));
    expect(manifest).toEqual({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.manifest,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: result.config.digest, size: result.config.size },
      layers: result.layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: l.digest, size: l.size })),
    });
  });

  it('writes a config whose diff_ids are the sha256 of each uncompressed layer, in order', () => {
    const config = json(blob(layout, result.config.digest));
    const layers = result.layers.map((l) => gunzipSync(blob(layout, l.digest)));
    expect(config).toEqual({
      architecture: 'amd64',
      os: 'linux',
      config: image().config,
      rootfs: { type: 'layers', diff_ids: layers.map(sha256) },
      history: [{ created_by: 'runtime' }, { created_by: 'app' }],
    });
    // the tar inside each layer is exactly the writer's stream of that layer's entries
    const inputs = image().layers;
    layers.forEach((tar, i) => expect(tar.equals(Buffer.concat([...tarStream(inputs[i]!.entries)]))).toBe(true));
    expect(execFileSync('tar', ['-tf', '-'], { input: layers[1], encoding: 'utf8' }).split('\n')).toContain(SPLIT_PATH);
  });

  it('gives the same digests again when only mtimes and group/other permission bits changed', async () => {
    const later = new Date('2030-01-01T00:00:00Z');
    utimesSync(join(root, 'app', 'main.js'), later, later);
    chmodSync(join(root, 'app', 'main.js'), 0o640);
    const again = await writeOciLayout(join(work, 'layout-again'), image());
    expect(again.manifest.digest).toBe(result.manifest.digest);
    expect(again.layers.map((l) => l.digest)).toEqual(result.layers.map((l) => l.digest));
  });

  it('archives the layout into one tar holding oci-layout, index.json and the blobs, byte for byte', async () => {
    const archive = join(work, 'image.tar');
    const size = await archiveLayout(layout, archive);
    expect(readFileSync(archive).length).toBe(size);
    const listed = execFileSync('tar', ['-tf', archive], { encoding: 'utf8' }).trim().split('\n');
    const blobs = [result.manifest, result.config, ...result.layers].map((d) => `blobs/sha256/${d.digest.replace(/^sha256:/, '')}`);
    expect(new Set(listed)).toEqual(new Set(['blobs/', 'blobs/sha256/', 'index.json', 'oci-layout', ...blobs]));
    const out = join(work, 'archive-extracted');
    mkdirSync(out);
    execFileSync('tar', ['-xf', archive, '-C', out]);
    for (const p of ['index.json', 'oci-layout', ...blobs]) expect(readFileSync(join(out, p)).equals(readFileSync(join(layout, p))), p).toBe(true);
    const second = join(work, 'image-again.tar');
    await archiveLayout(layout, second);
    expect(sha256(readFileSync(second))).toBe(sha256(readFileSync(archive)));
  });
});
