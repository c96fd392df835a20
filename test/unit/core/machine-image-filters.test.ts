import { describe, expect, it } from 'vitest';
import type { CloudProfile, MachineImageVersion } from '../../../src/core/cloudprofile-types.js';
import { indexCloudProfile } from '../../../src/core/cloudprofile.js';
import type { Worker } from '../../../src/core/shoot.js';
import { architecturesOfImageVersion, areCapabilitiesCompatible, filterMachineImageVersions } from '../../../src/core/machine-image-filters.js';
import { baseProfile, profileWithVersions, worker } from './cloudprofile-fixture.js';

describe('filterMachineImageVersions (Gardener FilterMachineImageVersions)', () => {
  const capabilityDefinitions = [
    { name: 'architecture', values: ['amd64', 'arm64'] },
    { name: 'gpu', values: ['none', 'nvidia'] },
  ];

  it.each<[string, MachineImageVersion[], Partial<CloudProfile['spec']>, Worker, string, string[]]>([
    ['architecture', [{ version: '1.0.0', architectures: ['amd64'] }, { version: '1.1.0', architectures: ['arm64'] }, { version: '1.2.0', architectures: ['amd64', 'arm64'] }],
      {}, worker({ arch: 'arm64', image: { name: 'gardenlinux', version: '1.0.0' } }), '1.28.1', ['1.2.0', '1.1.0']],
    ['worker architecture defaults to amd64', [{ version: '1.0.0', architectures: ['amd64'] }, { version: '1.1.0', architectures: ['arm64'] }],
      {}, worker({ image: { name: 'gardenlinux', version: '1.0.0' } }), '1.28.1', ['1.0.0']],
    ['CRI nil means containerd; runtime types must all be offered', [
      { version: '1.0.0' },
      { version: '1.1.0', cri: [{ name: 'containerd', containerRuntimes: [{ type: 'gvisor' }] }] },
      { version: '1.2.0', cri: [{ name: 'containerd', containerRuntimes: [{ type: 'gvisor' }, { type: 'kata' }] }] },
    ], {}, worker({ cri: { name: 'containerd', containerRuntimes: [{ type: 'gvisor' }, { type: 'kata' }] } }), '1.28.1', ['1.2.0']],
    ['no worker CRI keeps every containerd version', [{ version: '1.0.0' }, { version: '1.1.0', cri: [{ name: 'containerd', containerRuntimes: [{ type: 'gvisor' }] }] }],
      {}, worker(), '1.28.1', ['1.1.0', '1.0.0']],
    ['kubelet version constraint', [{ version: '1.0.0', kubeletVersionConstraint: '< 1.27' }, { version: '1.1.0', kubeletVersionConstraint: '>= 1.27, < 1.30' }, { version: '1.2.0', kubeletVersionConstraint: '>= 1.30' }],
      {}, worker(), '1.28.1', ['1.1.0']],
    ['in-place workers: current, or minVersionForUpdate ≤ current', [
      { version: '1.0.0', inPlaceUpdates: { supported: true } },
      { version: '1.1.0', inPlaceUpdates: { supported: true, minVersionForUpdate: '1.0.0' } },
      { version: '1.2.0', inPlaceUpdates: { supported: true, minVersionForUpdate: '1.1.0' } },
      { version: '1.3.0' },
      { version: '1.4.0', inPlaceUpdates: { supported: false, minVersionForUpdate: '1.0.0' } },
    ], {}, worker({ updateStrategy: 'AutoInPlaceUpdate', image: { name: 'gardenlinux', version: '1.0.0' } }), '1.28.1', ['1.1.0', '1.0.0']],
    ['rolling workers ignore in-place support', [{ version: '1.0.0', inPlaceUpdates: { supported: true } }, { version: '1.3.0' }],
      {}, worker({ updateStrategy: 'AutoRollingUpdate', image: { name: 'gardenlinux', version: '1.0.0' } }), '1.28.1', ['1.3.0', '1.0.0']],
    ['capabilities: architecture from flavors, machine type capabilities must fit a flavor', [
      { version: '1.0.0', capabilityFlavors: [{ capabilities: { architecture: ['amd64'], gpu: ['none'] } }] },
      { version: '1.1.0', capabilityFlavors: [{ capabilities: { architecture: ['amd64'] } }] },
      { version: '1.2.0' },
      { version: '1.3.0', capabilityFlavors: [{ capabilities: { architecture: ['arm64'], gpu: ['nvidia'] } }] },
      { version: '1.4.0', architectures: ['amd64'], capabilityFlavors: [{ capabilities: { architecture: ['arm64'] } }, { capabilities: { architecture: ['amd64'], gpu: ['nvidia'] } }] },
    ], { machineCapabilities: capabilityDefinitions, machineTypes: [{ name: 'm5.large', capabilities: { gpu: ['nvidia'] } }] },
      worker({ arch: 'amd64' }), '1.28.1', ['1.4.0', '1.2.0', '1.1.0']],
  ])('%s', (_name, versions, extra, w, kubelet, expected) => {
    const index = indexCloudProfile(profileWithVersions(versions, extra));
    expect(filterMachineImageVersions({ index, imageName: 'GardenLinux', worker: w, kubeletVersion: kubelet }).map((v) => v.version)).toEqual(expected);
  });

  it('answers the same question from its memo, and a different one afresh', () => {
    const index = indexCloudProfile(profileWithVersions([
      { version: '1.0.0', kubeletVersionConstraint: '< 1.30', inPlaceUpdates: { supported: true } },
      { version: '1.1.0', inPlaceUpdates: { supported: true, minVersionForUpdate: '1.1.0' } },
    ]));
    const ask = (w: Worker, kubelet: string) => filterMachineImageVersions({ index, imageName: 'gardenlinux', worker: w, kubeletVersion: kubelet }).map((v) => v.version);
    const first = ask(worker(), '1.28.1');
    expect(ask(worker({ image: { name: 'gardenlinux', version: '1.1.0' } }), '1.28.1')).toEqual(first);
    expect(ask(worker(), '1.30.0')).toEqual(['1.1.0']);
    // For in-place workers the current version is part of the question.
    expect(ask(worker({ updateStrategy: 'AutoInPlaceUpdate', image: { name: 'gardenlinux', version: '1.0.0' } }), '1.28.1')).toEqual(['1.0.0']);
    expect(ask(worker({ updateStrategy: 'AutoInPlaceUpdate', image: { name: 'gardenlinux', version: '1.1.0' } }), '1.28.1')).toEqual(['1.1.0']);
  });

  it('an unknown image has no versions', () => {
    const index = indexCloudProfile(baseProfile());
    expect(filterMachineImageVersions({ index, imageName: 'coreos', worker: worker(), kubeletVersion: '1.28.1' })).toEqual([]);
  });

  it.each<[string, Record<string, string[]> | undefined, { capabilities: Record<string, string[]> }[] | undefined, boolean]>([
    ['no flavors', { gpu: ['nvidia'] }, undefined, true],
    ['missing keys mean all values', undefined, [{ capabilities: { gpu: ['none'] } }], true],
    ['disjoint values', { gpu: ['nvidia'] }, [{ capabilities: { gpu: ['none'] } }], false],
    ['one fitting flavor is enough', { gpu: ['nvidia'] }, [{ capabilities: { gpu: ['none'] } }, { capabilities: { gpu: ['nvidia', 'none'] } }], true],
  ])('areCapabilitiesCompatible: %s → %s', (_name, machine, flavors, expected) => {
    expect(areCapabilitiesCompatible(machine, flavors, capabilityDefinitions)).toBe(expected);
  });

  it('architecturesOfImageVersion without definitions reads the legacy list', () => {
    expect(architecturesOfImageVersion({ version: '1.0.0', architectures: ['arm64'] }, [])).toEqual(['arm64']);
    expect(architecturesOfImageVersion({ version: '1.0.0', architectures: ['arm64'] }, capabilityDefinitions)).toEqual(['amd64', 'arm64']);
  });
});
