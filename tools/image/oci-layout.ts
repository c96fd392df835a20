// An OCI image layout (image-spec v1.1: oci-layout, index.json, blobs/sha256/<hex>) written from
// layers of tar entries, and its archive as one tar — the form `ctr images import` (and
// `podman load`, `skopeo copy oci-archive:`) reads. Blobs are content-addressed: a layer's digest is
// the sha256 of its gzip bytes, its diff_id that of the tar inside.
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { rootfsEntries } from './rootfs-entries.js';
import { tarStream, type TarEntry } from './tar.js';

export const MEDIA_TYPES = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

/** The `config` member of an OCI image config: how a runtime starts the container by default. */
export interface OciRunConfig {
  User: string;
  Env: string[];
  Entrypoint: string[];
  Cmd?: string[];
  WorkingDir: string;
  ExposedPorts?: Record<string, Record<string, never>>;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface LayerInput {
  entries: TarEntry[];
  /** The layer's history line (what `docker history` shows as CREATED BY). */
  createdBy: string;
}

export interface ImageInput {
  architecture: string;
  os: string;
  config: OciRunConfig;
  layers: LayerInput[];
  /** Full reference, e.g. ghcr.io/org/name:tag: index.json's io.containerd.image.name. */
  name: string;
}

export interface LayoutResult {
  manifest: Descriptor;
  config: Descriptor;
  layers: Array<Descriptor & { diffId: string; uncompressedSize: number }>;
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function writeBlob(layout: string, data: Buffer, mediaType: string): Descriptor {
  const digest = sha256(data);
  writeFileSync(join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length)), data);
  return { mediaType, digest, size: data.length };
}

/** Passes bytes through unchanged, hashing and counting them. */
function hashing(hash: Hash, count: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      count.bytes += chunk.length;
      done(null, chunk);
    },
  });
}

/** One layer: its tar, gzip-compressed, streamed into blobs/ while both digests are computed. */
async function writeLayer(layout: string, entries: TarEntry[], index: number): Promise<LayoutResult['layers'][number]> {
  const tmp = join(layout, 'blobs', 'sha256', `.layer-${index}.tmp`);
  const diffHash = createHash('sha256');
  const blobHash = createHash('sha256');
  const tarBytes = { bytes: 0 };
  const gzBytes = { bytes: 0 };
  // zlib's gzip header carries no file name and mtime 0, so equal tars give equal blobs.
  await pipeline(Readable.from(tarStream(entries)), hashing(diffHash, tarBytes), createGzip(), hashing(blobHash, gzBytes), createWriteStream(tmp));
  const digest = `sha256:${blobHash.digest('hex')}`;
  renameSync(tmp, join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length)));
  return { mediaType: MEDIA_TYPES.layer, digest, size: gzBytes.bytes, diffId: `sha256:${diffHash.digest('hex')}`, uncompressedSize: tarBytes.bytes };
}

/** The tag of a reference (`…:0.1.0` → `0.1.0`); a reference without one is refused. */
function tagOf(name: string): string {
  const tag = /:([\w][\w.-]{0,127})$/.exec(name.slice(name.lastIndexOf('/') + 1))?.[1];
  if (!tag) throw new Error(`image name ${name} has no tag`);
  return tag;
}

/**
 * Writes the layout into dir (emptied first). JSON is written without whitespace and with a fixed
 * key order, so it too is byte-for-byte reproducible.
 */
export async function writeOciLayout(dir: string, image: ImageInput, progress: (line: string) => void = () => {}): Promise<LayoutResult> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const layers: LayoutResult['layers'] = [];
  for (const [i, layer] of image.layers.entries()) {
    const started = Date.now();
    progress(`layer ${i + 1}/${image.layers.length} (${layer.createdBy}): ${layer.entries.length} entries, compressing`);
    const written = await writeLayer(dir, layer.entries, i);
    layers.push(written);
    progress(
      `layer ${i + 1}/${image.layers.length}: ${written.digest} ${mib(written.uncompressedSize)} tar, ${mib(written.size)} gzip in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  const configJson = {
    architecture: image.architecture,
    os: image.os,
    config: image.config,
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: image.layers.map((l) => ({ created_by: l.createdBy })),
  };
  const config = writeBlob(dir, Buffer.from(JSON.stringify(configJson)), MEDIA_TYPES.config);
  const manifestJson = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    config,
    layers: layers.map(({ mediaType, digest, size }) => ({ mediaType, digest, size })),
  };
  const manifest = writeBlob(dir, Buffer.from(JSON.stringify(manifestJson)), MEDIA_TYPES.manifest);
  const indexJson = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.index,
    manifests: [
      {
        ...manifest,
        platform: { architecture: image.architecture, os: image.os },
        annotations: {
          // containerd's import names the image by this annotation verbatim (images/archive/importer.go);
          // ref.name is the layout's own name for it: the tag, as BuildKit's OCI exporter writes it.
          'io.containerd.image.name': image.name,
          'org.opencontainers.image.ref.name': tagOf(image.name),
        },
      },
    ],
  };
  writeFileSync(join(dir, 'index.json'), JSON.stringify(indexJson));
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  return { manifest, config, layers };
}

/** The layout as one uncompressed tar (the blobs are gzip already); returns its size in bytes. */
export async function archiveLayout(dir: string, archive: string): Promise<number> {
  await pipeline(Readable.from(tarStream(rootfsEntries(dir))), createWriteStream(archive));
  return statSync(archive).size;
}

export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
