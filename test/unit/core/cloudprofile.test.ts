import { describe, expect, it } from 'vitest';
import type { CloudProfile, MachineImageVersion } from '../../../src/core/cloudprofile-types.js';
import { defaultCloudProfile, indexCloudProfile } from '../../../src/core/cloudprofile.js';
import { validateCloudProfile } from '../../../src/core/cloudprofile-validation.js';
import { architecturesOfImageVersion, areCapabilitiesCompatible, filterMachineImageVersions } from '../../../src/core/machine-image-filters.js';
import { completeMachineImage } from '../../../src/core/version-completion.js';
import { renderFieldError } from '../../../src/core/field-errors.js';
import type { Worker } from '../../../src/core/shoot.js';

const NOW = new Date('2024-06-01T12:00:00Z');
const PAST = '2024-01-01T00:00:00Z';
const FUTURE = '2030-01-01T00:00:00Z';

function baseProfile(): CloudProfile {
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

function render(p: CloudProfile, options?: { lifecycleFeatureGate?: boolean }): string[] {
  return validateCloudProfile(defaultCloudProfile(p), undefined, options).map(renderFieldError);
}

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

describe('validateCloudProfile (Gardener ValidateCloudProfile)', () => {
  it('accepts the base profile', () => {
    expect(render(baseProfile())).toEqual([]);
  });

  type Mutation = (p: CloudProfile) => void;
  const k8s = (p: CloudProfile) => p.spec.kubernetes.versions;
  const image0 = (p: CloudProfile) => {
    const image = p.spec.machineImages[0];
    if (!image) throw new Error('fixture');
    return image;
  };

  it.each<[string, Mutation, boolean, string[]]>([
    ['no Kubernetes versions', (p) => (p.spec.kubernetes.versions = []), false,
      ['spec.kubernetes.versions: Required value: must provide at least one Kubernetes version']],
    ['version not X.Y.Z', (p) => k8s(p).push({ version: '1.29' }), false,
      ['spec.kubernetes.versions[3]: Invalid value: {"version":"1.29"}: all Kubernetes versions must match the regex ^([0-9]+\\.){2}[0-9]+$']],
    ['duplicate version', (p) => k8s(p).push({ version: '1.27.5' }), false,
      ['spec.kubernetes.versions[3].version: Duplicate value: "1.27.5"']],
    ['latest version expires', (p) => (k8s(p)[1] = { version: '1.28.1', expirationDate: FUTURE }), false,
      [`spec.kubernetes.versions[].expirationDate: Invalid value: "${FUTURE}": expiration date of latest kubernetes version ('1.28.1') must not be set`]],
    ['latest (preview) version expires', (p) => k8s(p).push({ version: '1.29.0', classification: 'preview', expirationDate: FUTURE }), false,
      [`spec.kubernetes.versions[].expirationDate: Invalid value: "${FUTURE}": expiration date of latest kubernetes version ('1.29.0') must not be set`]],
    ['unknown classification', (p) => (k8s(p)[2] = { version: '1.27.5', classification: 'stable' }), false,
      ['spec.kubernetes.versions[2].classification: Unsupported value: "stable": supported values: "deprecated", "expired", "preview", "supported"']],
    ['legacy classification expired', (p) => (k8s(p)[2] = { version: '1.27.5', classification: 'expired' }), false,
      ['spec.kubernetes.versions[2].classification: Forbidden: cannot specify `classification` expired']],
    ['lifecycle with the feature gate off', (p) => (k8s(p)[2] = { version: '1.27.5', lifecycle: [{ classification: 'supported' }] }), false,
      ['spec.kubernetes.versions[2].lifecycle: Forbidden: lifecycles are not allowed with disabled VersionClassificationLifecycle feature gate']],
    ['lifecycle with legacy fields', (p) => (k8s(p)[2] = { version: '1.27.5', classification: 'supported', lifecycle: [{ classification: 'supported' }] }), true,
      ['spec.kubernetes.versions[2].lifecycle: Forbidden: cannot specify `classification` or `expirationDate` in combination with `lifecycle`']],
    ['lifecycle out of order', (p) => (k8s(p)[2] = { version: '1.27.5', lifecycle: [{ classification: 'supported' }, { classification: 'preview', startTime: FUTURE }] }), true,
      ['spec.kubernetes.versions[2].lifecycle[1].classification: Invalid value: "preview": lifecycle classifications not in expected order (preview, supported, deprecated, expired): preview must be before supported']],
    ['lifecycle duplicate stage', (p) => (k8s(p)[2] = { version: '1.27.5', lifecycle: [{ classification: 'supported' }, { classification: 'supported', startTime: FUTURE }] }), true,
      ['spec.kubernetes.versions[2].lifecycle[1].classification: Duplicate value: "supported"']],
    ['lifecycle unknown stage', (p) => (k8s(p)[2] = { version: '1.27.5', lifecycle: [{ classification: 'unavailable' }] }), true,
      ['spec.kubernetes.versions[2].lifecycle[0].classification: Unsupported value: "unavailable": supported values: "deprecated", "expired", "preview", "supported"']],
    ['lifecycle later stage without start time', (p) => (k8s(p)[2] = { version: '1.27.5', lifecycle: [{ classification: 'supported' }, { classification: 'deprecated' }] }), true,
      ['spec.kubernetes.versions[2].lifecycle[1].startTime: Required value: only the leading lifecycle elements can have the start time optional']],
    ['lifecycle start times going back', (p) => (k8s(p)[2] = { version: '1.27.5', lifecycle: [{ classification: 'supported', startTime: FUTURE }, { classification: 'deprecated', startTime: PAST }] }), true,
      [`spec.kubernetes.versions[2].lifecycle[1].startTime: Invalid value: "${PAST}": lifecycle start times must be monotonically increasing`]],
    ['latest version ends expired in its lifecycle', (p) => (k8s(p)[1] = { version: '1.28.1', lifecycle: [{ classification: 'supported' }, { classification: 'expired', startTime: FUTURE }] }), true,
      [`spec.kubernetes.versions[].lifecycle: Invalid value: [{"classification":"supported"},{"classification":"expired","startTime":"${FUTURE}"}]: classification expired of latest kubernetes version ('1.28.1') must not be set`]],
    ['two supported versions in one minor', (p) => {
      k8s(p)[0] = { version: '1.27.3', classification: 'supported' };
      k8s(p)[2] = { version: '1.27.5', classification: 'supported' };
    }, false, [
      'spec.kubernetes.versions[0]: Forbidden: unable to add version "1.27.3" with classification "supported". "supported" lifecycle stages must not overlap per minor version',
      'spec.kubernetes.versions[2]: Forbidden: unable to add version "1.27.5" with classification "supported". "supported" lifecycle stages must not overlap per minor version',
    ]],
    ['no machine images', (p) => (p.spec.machineImages = []), false,
      ['spec.machineImages: Required value: must provide at least one machine image']],
    ['machine image without name', (p) => (image0(p).name = ''), false,
      ['spec.machineImages[0].name: Required value: machine image name must not be empty']],
    ['duplicate machine image', (p) => p.spec.machineImages.push({ name: 'gardenlinux', versions: [{ version: '1.0.0' }] }), false,
      ['spec.machineImages[1]: Duplicate value: "gardenlinux"']],
    ['machine image without versions', (p) => (image0(p).versions = []), false,
      ["spec.machineImages[0].versions: Required value: must provide at least one version for the machine image 'gardenlinux'"]],
    ['unknown update strategy', (p) => (image0(p).updateStrategy = 'sometimes'), false,
      ['spec.machineImages[0].updateStrategy: Unsupported value: "sometimes": supported values: "major", "minor", "patch"']],
    ['image version not semver', (p) => (image0(p).versions[0] = { version: 'latest' }), false,
      ['spec.machineImages[0].versions[0].version: Invalid value: "latest": could not parse version. Use a semantic version. In case there is no semantic version for this image use the extensibility provider (define mapping in the CloudProfile) to map to the actual non semantic version']],
    ['duplicate image version', (p) => image0(p).versions.push({ version: '1592.1.0' }), false,
      ['spec.machineImages[0].versions[2]: Duplicate value: "gardenlinux-1592.1.0"']],
    ['unparsable kubelet constraint', (p) => (image0(p).versions[0] = { version: '1592.1.0', kubeletVersionConstraint: 'sometimes' }), false,
      ['spec.machineImages[0].versions[0].kubeletVersionConstraint: Invalid value: "sometimes": cannot parse the kubeletVersionConstraint: improper constraint: sometimes']],
    ['unknown architecture', (p) => (image0(p).versions[0] = { version: '1592.1.0', architectures: ['s390x'] }), false,
      ['spec.machineImages[0].versions[0].architecture: Unsupported value: "s390x": supported values: "amd64", "arm64"']],
    ['unknown CRI', (p) => (image0(p).versions[0] = { version: '1592.1.0', cri: [{ name: 'docker' }] }), false,
      ['spec.machineImages[0].versions[0].cri[0].name: Unsupported value: "docker": supported values: "containerd"']],
    ['unparsable minVersionForUpdate', (p) => (image0(p).versions[0] = { version: '1592.1.0', inPlaceUpdates: { supported: true, minVersionForUpdate: 'old' } }), false,
      ['spec.machineImages[0].versions[0].minVersionForInPlaceUpdate: Invalid value: "1592.1.0": could not parse version. Use a semantic version.']],
    ['image version classification expired', (p) => (image0(p).versions[0] = { version: '1592.1.0', classification: 'expired' }), false,
      ['spec.machineImages[0].versions[0].classification: Forbidden: cannot specify `classification` expired']],
    ['two supported image versions in one minor', (p) => {
      image0(p).versions = [{ version: '1.0.0', classification: 'supported' }, { version: '1.0.1', classification: 'supported' }];
    }, false, [
      'spec.machineImages[0].versions[0]: Forbidden: unable to add version "1.0.0" with classification "supported". "supported" lifecycle stages must not overlap per minor version',
      'spec.machineImages[0].versions[1]: Forbidden: unable to add version "1.0.1" with classification "supported". "supported" lifecycle stages must not overlap per minor version',
    ]],
  ])('%s', (_name, mutate, gate, expected) => {
    const p = baseProfile();
    mutate(p);
    expect(render(p, { lifecycleFeatureGate: gate })).toEqual(expected);
  });

  it('the expiration date on the latest machine image version is allowed', () => {
    const p = baseProfile();
    image0(p).versions = [{ version: '2.0.0', expirationDate: FUTURE }];
    expect(render(p)).toEqual([]);
  });

  it('requires an update strategy and architectures on an undefaulted profile', () => {
    const p = baseProfile();
    expect(validateCloudProfile(p).map(renderFieldError)).toEqual([
      'spec.machineImages[0].updateStrategy: Required value: must provide an update strategy',
      'spec.machineImages[0].versions[0].architectures: Required value: must provide at least one architecture',
      'spec.machineImages[0].versions[0].cri: Required value: must provide at least one supported container runtime',
      'spec.machineImages[0].versions[1].architectures: Required value: must provide at least one architecture',
      'spec.machineImages[0].versions[1].cri: Required value: must provide at least one supported container runtime',
    ]);
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

function worker(overrides: Partial<Worker> & { image?: { name?: string; version?: string }; arch?: string } = {}): Worker {
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

function profileWithVersions(versions: MachineImageVersion[], extra: Partial<CloudProfile['spec']> = {}): CloudProfile {
  const p = baseProfile();
  p.spec.machineImages = [{ name: 'gardenlinux', versions }];
  Object.assign(p.spec, extra);
  return p;
}

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

describe('completeMachineImage (Gardener ensureMachineImage, getDefaultMachineImage)', () => {
  const twoImages = (): CloudProfile => {
    const p = baseProfile();
    p.spec.machineImages = [
      { name: 'armlinux', versions: [{ version: '3.0.0', architectures: ['arm64'] }] },
      {
        name: 'gardenlinux',
        versions: [
          { version: '1592.1.0' },
          { version: '1592.1.4' },
          { version: '1592.2.0', classification: 'deprecated' },
          { version: '1600.0.0', classification: 'preview' },
          { version: '1443.9.0', expirationDate: PAST },
          { version: '1500.0.0', inPlaceUpdates: { supported: true } },
          { version: '2000.0.0', classification: 'deprecated' },
        ],
      },
    ];
    return p;
  };
  const notFound = 'failed to determine latest machine image from cloud profile: unable to determine latest expirable version';

  it.each<[string, CloudProfile, Worker, Worker | undefined, unknown]>([
    ['existing pool without image keeps the old one', twoImages(), worker(), worker({ image: { name: 'gardenlinux', version: '1592.1.0' } }),
      { ok: true, image: { name: 'gardenlinux', version: '1592.1.0' } }],
    ['existing pool, same name, no version keeps the old one', twoImages(), worker({ image: { name: 'gardenlinux' } }), worker({ image: { name: 'gardenlinux', version: '1592.1.0' } }),
      { ok: true, image: { name: 'gardenlinux', version: '1592.1.0' } }],
    ['existing pool, other name, no version → latest of the new image', twoImages(), worker({ image: { name: 'gardenlinux' } }), worker({ image: { name: 'armlinux', version: '3.0.0' } }),
      { ok: true, image: { name: 'gardenlinux', version: '1592.1.4' } }],
    ['no image → first image supporting the architecture, latest non-deprecated non-preview', twoImages(), worker(), undefined,
      { ok: true, image: { name: 'gardenlinux', version: '1592.1.4' } }],
    ['arm64 worker → the arm image', twoImages(), worker({ arch: 'arm64' }), undefined,
      { ok: true, image: { name: 'armlinux', version: '3.0.0' } }],
    ['major prefix', twoImages(), worker({ image: { name: 'gardenlinux', version: '1592' } }), undefined,
      { ok: true, image: { name: 'gardenlinux', version: '1592.1.4' } }],
    ['major.minor prefix with only a deprecated match', twoImages(), worker({ image: { name: 'gardenlinux', version: '1592.2' } }), undefined,
      { ok: true, image: { name: 'gardenlinux', version: '1592.2.0' } }],
    ['leading v is trimmed', twoImages(), worker({ image: { name: 'gardenlinux', version: 'v1592.1' } }), undefined,
      { ok: true, image: { name: 'gardenlinux', version: '1592.1.4' } }],
    ['expired counts as non-deprecated', twoImages(), worker({ image: { name: 'gardenlinux', version: '1443' } }), undefined,
      { ok: true, image: { name: 'gardenlinux', version: '1443.9.0' } }],
    ['three parts are kept as written', twoImages(), worker({ image: { name: 'gardenlinux', version: '1.2.3' } }), undefined,
      { ok: true, image: { name: 'gardenlinux', version: '1.2.3' } }],
    ['in-place workers only get in-place versions', twoImages(), worker({ updateStrategy: 'ManualInPlaceUpdate', image: { name: 'gardenlinux' } }), undefined,
      { ok: true, image: { name: 'gardenlinux', version: '1500.0.0' } }],
    ['unknown image name', twoImages(), worker({ image: { name: 'coreos', version: '1' } }), undefined,
      { ok: false, badValue: 'coreos', detail: 'image is not supported' }],
    ['image names match exactly here', twoImages(), worker({ image: { name: 'GardenLinux' } }), undefined,
      { ok: false, badValue: 'GardenLinux', detail: 'image is not supported' }],
    ['preview-only prefix', twoImages(), worker({ image: { name: 'gardenlinux', version: '1600' } }), undefined,
      { ok: false, badValue: 'gardenlinux@1600', detail: notFound }],
    ['no match for the prefix', twoImages(), worker({ image: { name: 'gardenlinux', version: '9.9' } }), undefined,
      { ok: false, badValue: 'gardenlinux@9.9', detail: notFound }],
    ['non-numeric part', twoImages(), worker({ image: { name: 'gardenlinux', version: 'a.1' } }), undefined,
      { ok: false, badValue: 'a.1', detail: 'a must be a semantic version: strconv.ParseUint: parsing "a": invalid syntax' }],
    ['too large a part', twoImages(), worker({ image: { name: 'gardenlinux', version: '99999999999999999999' } }), undefined,
      { ok: false, badValue: '99999999999999999999', detail: '99999999999999999999 must be a semantic version: strconv.ParseUint: parsing "99999999999999999999": value out of range' }],
    ['no image for the architecture', baseProfile(), worker({ arch: 'arm64' }), undefined,
      { ok: false, badValue: '', detail: 'no valid machine image found that supports architecture `arm64`' }],
    ['no images at all', { ...baseProfile(), spec: { ...baseProfile().spec, machineImages: [] } }, worker({ image: { name: 'x', version: '1' } }), undefined,
      { ok: false, badValue: 'x@1', detail: 'the cloud profile does not contain any machine image - cannot create shoot cluster' }],
  ])('%s', (_name, profile, w, old, expected) => {
    const index = indexCloudProfile(profile);
    expect(completeMachineImage({ index, worker: w, oldWorker: old, kubeletVersion: '1.28.1', now: NOW })).toEqual(expected);
  });
});
