import { describe, expect, it } from 'vitest';
import { defaultCloudProfile, indexCloudProfile } from '../../../src/core/cloudprofile.js';
import { baseProfile } from './cloudprofile-fixture.js';

describe('defaultCloudProfile', () => {
  it('fills update strategy, CRI, architectures and machine type architecture on a copy', () => {
    const input = baseProfile();
    const out = defaultCloudProfile(input);
    expect(out.spec.machineImages[0]?.updateStrategy).toBe('major');
    expect(out.spec.machineImages[0]?.versions[0]?.cri).toEqual([{ name: 'containerd' }]);
    expect(out.spec.machineImages[0]?.versions[0]?.architectures).toEqual(['amd64']);
    expect(out.spec.machineTypes?.[0]?.architecture).toBe('amd64');
    expect(input.spec.machineImages[0]?.updateStrategy).toBeUndefined();
    expect(input.spec.machineImages[0]?.versions[0]?.cri).toBeUndefined();
  });

  it('defaults machine and volume types usable, keeps an explicit false (SetDefaults_MachineType, SetDefaults_VolumeType)', () => {
    const input = baseProfile();
    input.spec.machineTypes = [{ name: 'a' }, { name: 'b', usable: false }];
    input.spec.volumeTypes = [{ name: 'v' }, { name: 'w', usable: false }];
    const out = defaultCloudProfile(input);
    expect(out.spec.machineTypes?.map((t) => t.usable)).toEqual([true, false]);
    expect(out.spec.volumeTypes?.map((t) => t.usable)).toEqual([true, false]);
  });

  it('leaves the machine type architecture unset when capabilities are defined (SetDefaults_CloudProfile)', () => {
    const input = baseProfile();
    input.spec.machineCapabilities = [{ name: 'architecture', values: ['amd64', 'arm64'] }];
    expect(defaultCloudProfile(input).spec.machineTypes?.[0]?.architecture).toBeUndefined();
  });

  it('keeps explicit values', () => {
    const input = baseProfile();
    const image = input.spec.machineImages[0];
    if (!image) throw new Error('fixture');
    image.updateStrategy = 'patch';
    image.versions[0] = { version: '1.0.0', architectures: ['arm64'], cri: [{ name: 'containerd', containerRuntimes: [{ type: 'gvisor' }] }] };
    const out = defaultCloudProfile(input);
    expect(out.spec.machineImages[0]?.updateStrategy).toBe('patch');
    expect(out.spec.machineImages[0]?.versions[0]).toEqual(image.versions[0]);
  });
});

describe('indexCloudProfile', () => {
  it('defaults, sorts and keys images case-insensitively', () => {
    const p = baseProfile();
    p.spec.machineImages.push({ name: 'Ubuntu', updateStrategy: 'minor', versions: [{ version: '22.4.1' }, { version: '24.4.0' }] });
    const index = indexCloudProfile(p);
    expect(index.kubernetes.map((v) => v.version)).toEqual(['1.28.1', '1.27.5', '1.27.3']);
    expect([...index.machineImages.keys()]).toEqual(['gardenlinux', 'ubuntu']);
    expect(index.machineImages.get('ubuntu')?.strategy).toBe('minor');
    expect(index.machineImages.get('ubuntu')?.versions.map((v) => v.version)).toEqual(['24.4.0', '22.4.1']);
    expect(index.machineImages.get('gardenlinux')?.strategy).toBe('major');
    expect(index.machineTypes.get('m5.large')?.architecture).toBe('amd64');
    expect(index.profile.spec.machineImages[0]?.versions[0]?.cri).toEqual([{ name: 'containerd' }]);
  });
});
