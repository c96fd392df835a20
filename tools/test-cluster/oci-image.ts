// An OCI image (image layout 1.0, one gzip layer) written from a root file system directory, as a
// tar archive that `ctr -n k8s.io images import` loads: no registry, no Docker. The image is named
// by the index annotation `io.containerd.image.name` (containerd uses it verbatim), so give a fully
// qualified name such as `localhost/pause:1` (CRI would turn `pause:1` into `docker.io/library/…`
// and try to pull it).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

export interface OciImageConfig {
  /** "65532:65532" */
  user?: string;
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workingDir?: string;
  labels?: Record<string, string>;
}

export interface OciArchiveOptions {
  /** Directory whose content is the image's file system (owner and group become 0). */
  rootfsDir: string;
  /** Fully qualified name, e.g. localhost/smoke:abc123. */
  name: string;
  config: OciImageConfig;
  /** Where to write the archive (a tar of the layout). */
  outPath: string;
  /** Scratch directory (default: `${outPath}.layout`, removed afterwards). */
  workDir?: string;
}

export interface OciArchive {
  path: string;
  name: string;
  manifestDigest: string;
  configDigest: string;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

function hashing(hash: ReturnType<typeof createHash>): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
}

/** GNU tar with fixed order, owners and times, so the same tree gives the same layer. */
function tarDirectory(dir: string, out: string): void {
  execFileSync(
    'tar',
    ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '--format=posix', '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime', '-C', dir, '-cf', out, '.'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
}

export async function writeOciArchive(opts: OciArchiveOptions): Promise<OciArchive> {
  const layout = opts.workDir ?? `${opts.outPath}.layout`;
  rmSync(layout, { recursive: true, force: true });
  const blobs = join(layout, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const putBlob = (data: string): { digest: string; size: number } => {
    const hex = sha256(data);
    writeFileSync(join(blobs, hex), data);
    return { digest: `sha256:${hex}`, size: Buffer.byteLength(data) };
  };

  // The layer: the uncompressed tar's digest is the diff_id, the gzip's digest names the blob.
  const layerTar = join(layout, 'layer.tar');
  tarDirectory(opts.rootfsDir, layerTar);
  const diffHash = createHash('sha256');
  const gzHash = createHash('sha256');
  const layerGz = join(layout, 'layer.tar.gz');
  await pipeline(createReadStream(layerTar), hashing(diffHash), createGzip({ level: 6 }), hashing(gzHash), createWriteStream(layerGz));
  const diffId = `sha256:${diffHash.digest('hex')}`;
  const layerHex = gzHash.digest('hex');
  renameSync(layerGz, join(blobs, layerHex));
  rmSync(layerTar);
  const layerSize = statSync(join(blobs, layerHex)).size;

  const config = putBlob(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {
        User: opts.config.user,
        Entrypoint: opts.config.entrypoint,
        Cmd: opts.config.cmd,
        Env: opts.config.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
        WorkingDir: opts.config.workingDir,
        Labels: opts.config.labels,
      },
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created_by: 'shoot-maintenance tools/test-cluster/oci-image.ts' }],
    }),
  );
  const manifest = putBlob(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${layerHex}`, size: layerSize }],
    }),
  );
  const tag = opts.name.slice(opts.name.lastIndexOf(':') + 1);
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          platform: { architecture: 'amd64', os: 'linux' },
          annotations: { 'io.containerd.image.name': opts.name, 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  );
  tarDirectory(layout, opts.outPath);
  rmSync(layout, { recursive: true, force: true });
  return { path: opts.outPath, name: opts.name, manifestDigest: manifest.digest, configDigest: config.digest };
}

/** `ctr -n k8s.io images import` into the containerd at `address` (unpacked for the CRI's snapshotter). */
export function importImage(ctr: string, address: string, archive: string): string {
  return execFileSync(ctr, ['--address', address, '--namespace', 'k8s.io', 'images', 'import', archive], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  }).trim();
}
