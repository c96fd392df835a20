// A CloudProfile and Shoot builders shared by the defaulting and validation tables.
// The instant NOW is fixed; the profile's expiry dates are relative to it.
import type { CloudProfile } from '../../../src/core/cloudprofile-types.js';
import { indexCloudProfile } from '../../../src/core/cloudprofile.js';
import type { Shoot, ShootSpec, Worker } from '../../../src/core/shoot.js';

export const NOW = new Date('2026-06-01T00:00:00Z');

export const PROFILE: CloudProfile = {
  apiVersion: 'core.gardener.cloud/v1beta1',
  kind: 'CloudProfile',
  metadata: { name: 'local' },
  spec: {
    type: 'local',
    kubernetes: {
      versions: [
        { version: '1.33.0', classification: 'preview' },
        { version: '1.32.3', classification: 'supported' },
        { version: '1.32.1', classification: 'deprecated', expirationDate: '2026-06-20T00:00:00Z' },
        { version: '1.31.5' },
        { version: '1.31.2', classification: 'deprecated', expirationDate: '2026-01-01T00:00:00Z' },
        { version: '1.30.9', classification: 'deprecated' },
        { version: '1.29.8' },
        { version: '1.28.4' },
      ],
    },
    machineImages: [
      {
        name: 'gardenlinux',
        updateStrategy: 'minor',
        versions: [
          { version: '1592.0.0', classification: 'preview', architectures: ['amd64', 'arm64'] },
          {
            version: '1576.3.0',
            architectures: ['amd64', 'arm64'],
            inPlaceUpdates: { supported: true, minVersionForUpdate: '1576.1.0' },
          },
          {
            version: '1576.1.0',
            classification: 'deprecated',
            expirationDate: '2026-06-10T00:00:00Z',
            architectures: ['amd64', 'arm64'],
            inPlaceUpdates: { supported: true, minVersionForUpdate: '1500.0.0' },
          },
          { version: '1500.0.0', architectures: ['amd64'], kubeletVersionConstraint: '< 1.32' },
          { version: '1443.10.0', expirationDate: '2026-01-01T00:00:00Z', architectures: ['amd64'] },
          { version: '1600.0.0', expirationDate: '2026-02-01T00:00:00Z', architectures: ['amd64'] },
        ],
      },
      { name: 'ubuntu', versions: [{ version: '22.4.0', architectures: ['amd64'] }] },
    ],
    machineTypes: [{ name: 'm1' }, { name: 'm1-arm', architecture: 'arm64' }],
  },
};

export const INDEX = indexCloudProfile(PROFILE);

export function worker(name: string, extra: Partial<Worker> = {}, image: { name?: string; version?: string } | null = { name: 'gardenlinux', version: '1576.3.0' }): Worker {
  return {
    name,
    minimum: 1,
    maximum: 2,
    ...extra,
    machine: { type: 'm1', ...(image ? { image } : {}), ...(extra.machine ?? {}) },
  };
}

export function spec(extra: Partial<ShootSpec> = {}): ShootSpec {
  return {
    cloudProfileName: 'local',
    region: 'r1',
    kubernetes: { version: '1.32.3' },
    provider: { type: 'local', workers: [worker('a')] },
    maintenance: {
      autoUpdate: { kubernetesVersion: true, machineImageVersion: true },
      timeWindow: { begin: '030000+0000', end: '040000+0000' },
    },
    ...extra,
  };
}

export function shoot(s: ShootSpec, meta: Partial<Shoot['metadata']> = {}, status?: Shoot['status']): Shoot {
  return {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'Shoot',
    metadata: { name: 'crazy-botany', namespace: 'garden-dev', ...meta },
    spec: s,
    ...(status ? { status } : {}),
  };
}

/** A copy of a spec changed by `f`. */
export function edit(s: ShootSpec, f: (s: ShootSpec) => void): ShootSpec {
  const copy = structuredClone(s);
  f(copy);
  return copy;
}

/** The first worker of a spec (tests build specs that have one). */
export function firstWorker(s: ShootSpec): Worker {
  const w = s.provider.workers?.[0];
  if (!w) throw new Error('no worker');
  return w;
}
