// The CloudProfile and workers the catalogue tests share (cloudprofile, cloudprofile-validation,
// machine-image-filters and version-completion tests).
import type { CloudProfile, MachineImageVersion } from '../../../src/core/cloudprofile-types.js';
import type { Worker } from '../../../src/core/shoot.js';

export const NOW = new Date('2024-06-01T12:00:00Z');
export const PAST = '2024-01-01T00:00:00Z';
export const FUTURE = '2030-01-01T00:00:00Z';

export function baseProfile(): CloudProfile {
  return {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'CloudProfile',
    metadata: { name: 'local' },
    spec: {
      type: 'local',
      kubernetes: {
        versions: [{ version: '1.27.3', expirationDate: PAST }, { version: '1.28.1' }, { version: '1.27.5' }],
      },
      machineImages: [
        {
          name: 'gardenlinux',
          versions: [{ version: '1592.1.0' }, { version: '1592.2.0', classification: 'deprecated' }],
        },
      ],
      machineTypes: [{ name: 'm5.large' }],
    },
  };
}

export function worker(overrides: Partial<Worker> & { image?: { name?: string; version?: string }; arch?: string } = {}): Worker {
  const { image, arch, ...rest } = overrides;
  return {
    name: 'pool',
    machine: {
      type: 'm5.large',
      ...(image ? { image } : {}),
      ...(arch ? { architecture: arch } : {}),
    },
    ...rest,
  };
}

export function profileWithVersions(versions: MachineImageVersion[], extra: Partial<CloudProfile['spec']> = {}): CloudProfile {
  const p = baseProfile();
  p.spec.machineImages = [{ name: 'gardenlinux', versions }];
  Object.assign(p.spec, extra);
  return p;
}
