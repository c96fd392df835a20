import { describe, expect, it } from 'vitest';
import type { CloudProfile } from '../../../src/core/cloudprofile-types.js';
import { defaultCloudProfile } from '../../../src/core/cloudprofile.js';
import { validateCloudProfile } from '../../../src/core/cloudprofile-validation.js';
import { renderFieldError } from '../../../src/core/field-errors.js';
import { FUTURE, NOW, PAST, baseProfile } from './cloudprofile-fixture.js';

function render(p: CloudProfile, options?: { lifecycleFeatureGate?: boolean }): string[] {
  return validateCloudProfile(defaultCloudProfile(p), undefined, options).map(renderFieldError);
}

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
      ['spec.kubernetes.versions[2]: Forbidden: cannot specify `classification` or `expirationDate` in combination with `lifecycle`']],
    ['lifecycle out of order', (p) => (k8s(p)[2] = { version: '1.27.5', lifecycle: [{ classification: 'supported' }, { classification: 'preview', startTime: FUTURE }] }), true,
      ['spec.kubernetes.versions[2].lifecycle[1].classification: Invalid value: "preview": lifecycle classifications not in expected order (preview, supported, deprecated, expired): preview must be before supported']],
    ['lifecycle duplicate stage', (p) => (k8s(p)[2] = { version: '1.27.5', lifecycle: [{ classification: 'supported' }, { classification: 'supported', startTime: FUTURE }] }), true,
      ['spec.kubernetes.versions[2].lifecycle[1].classification: Duplicate value: "supported"']],
    ['lifecycle unknown stage', (p) => (k8s(p)[2] = { version: '1.27.5', lifecycle: [{ classification: 'unavailable' }] }), true,
      ['spec.kubernetes.versions[2].lifecycle[0].classification: Unsupported value: "unavailable": supported values: "deprecated", "expired", "preview", "supported"']],
    ['lifecycle later stage without start time', (p) => (k8s(p)[2] = { version: '1.27.5', lifecycle: [{ classification: 'supported' }, { classification: 'deprecated' }] }), true,
      ['spec.kubernetes.versions[2].lifecycle[1]: Required value: only the leading lifecycle elements can have the start time optional']],
    ['lifecycle start times going back', (p) => (k8s(p)[2] = { version: '1.27.5', lifecycle: [{ classification: 'supported', startTime: FUTURE }, { classification: 'deprecated', startTime: PAST }] }), true,
      ['spec.kubernetes.versions[2].lifecycle[1]: Invalid value: "2024-01-01 00:00:00 +0000 UTC": lifecycle start times must be monotonically increasing']],
    ['latest version ends expired in its lifecycle', (p) => (k8s(p)[1] = { version: '1.28.1', lifecycle: [{ classification: 'supported' }, { classification: 'expired', startTime: FUTURE }] }), true,
      [`spec.kubernetes.versions[].lifecycle: Invalid value: "null": classification expired of latest kubernetes version ('1.28.1') must not be set`]],
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

  // Gardener's own cases with the gate on (pkg/api/core/validation/cloudprofile_test.go, "using versionClassificationLifecycle").
  describe('with the VersionClassificationLifecycle gate on', () => {
    const at = (h: number) => new Date(Date.parse('2030-01-01T00:00:00Z') + h * 3_600_000).toISOString();
    const stage = (classification: string, startTime?: string) => (startTime ? { classification, startTime } : { classification });
    const withKubernetes = (versions: CloudProfile['spec']['kubernetes']['versions']) => {
      const p = baseProfile();
      p.spec.kubernetes.versions = versions;
      return p;
    };
    const on = (p: CloudProfile) => render(p, { lifecycleFeatureGate: true });

    it.each<[string, CloudProfile['spec']['kubernetes']['versions'], string[]]>([
      ['expired stage on the latest version', [
        { version: '1.1.0', lifecycle: [stage('supported')] },
        { version: '1.2.0', lifecycle: [stage('deprecated'), stage('expired', at(24))] },
      ], ["spec.kubernetes.versions[].lifecycle: Invalid value: \"null\": classification expired of latest kubernetes version ('1.2.0') must not be set"]],
      ['lifecycle and classification at once', [
        { version: '1.1.0', classification: 'supported', lifecycle: [stage('deprecated', at(24))] },
      ], ['spec.kubernetes.versions[0]: Forbidden: cannot specify `classification` or `expirationDate` in combination with `lifecycle`']],
      ['directly following stages with the same start', [
        { version: '1.1.0', lifecycle: [stage('supported', at(24)), stage('deprecated', at(24))] },
        { version: '1.2.0', lifecycle: [stage('supported')] },
      ], []],
      ['the same classification twice', [
        { version: '1.1.0', lifecycle: [stage('supported'), stage('supported', at(24))] },
        { version: '1.2.0', lifecycle: [stage('supported')] },
      ], ['spec.kubernetes.versions[0].lifecycle[1].classification: Duplicate value: "supported"']],
      ['unordered stages', [
        { version: '1.1.0', lifecycle: [stage('preview'), stage('deprecated', at(1)), stage('supported', at(3))] },
        { version: '1.2.0', lifecycle: [stage('preview'), stage('expired', at(1)), stage('deprecated', at(2)), stage('supported', at(3))] },
        { version: '1.3.0', lifecycle: [stage('supported')] },
      ], [
        'spec.kubernetes.versions[0].lifecycle[2].classification: Invalid value: "supported": lifecycle classifications not in expected order (preview, supported, deprecated, expired): supported must be before deprecated',
        'spec.kubernetes.versions[1].lifecycle[2].classification: Invalid value: "deprecated": lifecycle classifications not in expected order (preview, supported, deprecated, expired): deprecated must be before expired',
        'spec.kubernetes.versions[1].lifecycle[3].classification: Invalid value: "supported": lifecycle classifications not in expected order (preview, supported, deprecated, expired): supported must be before deprecated',
      ]],
      ['a later stage without start', [
        { version: '1.1.0', lifecycle: [stage('preview', at(24)), stage('supported'), stage('deprecated', at(72))] },
        { version: '1.2.0', lifecycle: [stage('supported')] },
      ], ['spec.kubernetes.versions[0].lifecycle[1]: Required value: only the leading lifecycle elements can have the start time optional']],
      ['start times not monotonically increasing', [
        { version: '1.1.0', lifecycle: [stage('preview', at(0)), stage('supported', at(2)), stage('deprecated', at(1))] },
      ], ['spec.kubernetes.versions[0].lifecycle[2]: Invalid value: "2030-01-01 01:00:00 +0000 UTC": lifecycle start times must be monotonically increasing']],
      ['several stages without start', [
        { version: '1.1.0', lifecycle: [stage('supported'), stage('deprecated'), stage('expired')] },
        { version: '1.2.0', lifecycle: [stage('supported')] },
      ], [
        'spec.kubernetes.versions[0].lifecycle[1]: Required value: only the leading lifecycle elements can have the start time optional',
        'spec.kubernetes.versions[0].lifecycle[2]: Required value: only the leading lifecycle elements can have the start time optional',
      ]],
      ['only the first stage without start', [
        { version: '1.1.0', lifecycle: [stage('preview'), stage('supported', at(24)), stage('deprecated', at(48))] },
        { version: '1.2.0', lifecycle: [stage('supported')] },
      ], []],
      ['an unknown legacy classification', [{ version: '1.1.0', classification: 'dummy' }],
        ['spec.kubernetes.versions[0].classification: Unsupported value: "dummy": supported values: "deprecated", "expired", "preview", "supported"']],
      ['two supported versions of a minor whose supported stages do not overlap', [
        { version: '1.1.0', lifecycle: [stage('preview'), stage('supported', at(0)), stage('deprecated', at(2))] },
        { version: '1.1.1', lifecycle: [stage('supported', at(2))] },
      ], []],
      ['a legacy supported version beside a lifecycle with a supported stage in its minor', [
        { version: '1.1.0', classification: 'supported' },
        { version: '1.1.1', lifecycle: [stage('supported')] },
      ], ['spec.kubernetes.versions[0]: Forbidden: unable to add version "1.1.0" with classification "supported". "supported" lifecycle stages must not overlap per minor version']],
    ])('%s', (_name, versions, expected) => expect(on(withKubernetes(versions))).toEqual(expected));

    it('two machine image versions of a minor, both supported by lifecycle, are allowed', () => {
      const p = baseProfile();
      const image = p.spec.machineImages[0];
      if (!image) throw new Error('fixture');
      image.versions = [
        { version: '3.4.6', lifecycle: [stage('supported')], cri: [{ name: 'containerd' }], architectures: ['amd64'] },
        { version: '3.4.7', lifecycle: [stage('supported')], cri: [{ name: 'containerd' }], architectures: ['amd64'] },
      ];
      expect(on(p)).toEqual([]);
    });

    it('with the gate off, a lifecycle is refused and nothing else about it is checked (utils.go returns early)', () => {
      const p = withKubernetes([{ version: '1.1.0', lifecycle: [stage('supported'), stage('deprecated')] }, { version: '1.2.0' }]);
      expect(render(p)).toEqual(['spec.kubernetes.versions[0].lifecycle: Forbidden: lifecycles are not allowed with disabled VersionClassificationLifecycle feature gate']);
    });

    it('a legacy supported version whose expirationDate has passed is not supported at now, so it overlaps nothing', () => {
      const p = withKubernetes([
        { version: '1.1.0', classification: 'supported', expirationDate: PAST },
        { version: '1.1.1', classification: 'supported' },
        { version: '1.2.0' },
      ]);
      expect(validateCloudProfile(defaultCloudProfile(p), undefined, { now: new Date('2024-06-01T00:00:00Z') }).map(renderFieldError)).toEqual([
        'spec.kubernetes.versions[1]: Forbidden: unable to add version "1.1.1" with classification "supported". "supported" lifecycle stages must not overlap per minor version',
      ]);
    });
  });
});

// gardener/gardener pkg/api/core/validation/cloudprofile_test.go, "#ValidateCloudProfileUpdate" (removed versions,
// "Update version from supported to unavailable"); the further cases follow ValidateCloudProfileExpirableVersionsUpdate.
describe('validateCloudProfile on UPDATE (Gardener ValidateCloudProfileSpecUpdate, versions turned unavailable)', () => {
  const FORBIDDEN = 'Forbidden: a version cannot be turned unavailable if it was already moved into a later lifecycle stage';
  const hoursFromNow = (h: number) => new Date(NOW.getTime() + h * 3_600_000).toISOString();
  type Versions = CloudProfile['spec']['kubernetes']['versions'];
  const withKubernetes = (versions: Versions) => {
    const p = baseProfile();
    p.spec.kubernetes.versions = versions;
    return p;
  };
  const withImageVersions = (versions: Versions, name = 'gardenlinux') => {
    const p = baseProfile();
    p.spec.machineImages = [{ name, versions }];
    return p;
  };
  const update = (next: CloudProfile, old: CloudProfile, lifecycleFeatureGate = true) =>
    validateCloudProfile(defaultCloudProfile(next), defaultCloudProfile(old), { lifecycleFeatureGate, now: NOW }).map(renderFieldError);

  it.each<[string, CloudProfile, CloudProfile, string[]]>([
    [
      'deleting Kubernetes versions',
      withKubernetes([{ version: '1.17.2', classification: 'deprecated' }]),
      withKubernetes([
        { version: '1.17.2', classification: 'deprecated' },
        { version: '1.17.1', classification: 'deprecated', expirationDate: PAST },
        { version: '1.17.0', classification: 'deprecated', expirationDate: PAST },
      ]),
      [],
    ],
    [
      'deleting machine image versions',
      withImageVersions([{ version: '2135.6.2', classification: 'deprecated' }]),
      withImageVersions([
        { version: '2135.6.2', classification: 'deprecated' },
        { version: '2135.6.1', classification: 'deprecated', expirationDate: PAST },
        { version: '2135.6.0', classification: 'deprecated', expirationDate: PAST },
      ]),
      [],
    ],
    [
      'a Kubernetes version moved from supported to a start in the future',
      withKubernetes([{ version: '1.17.2', lifecycle: [{ classification: 'supported', startTime: hoursFromNow(1) }] }]),
      withKubernetes([{ version: '1.17.2', lifecycle: [{ classification: 'supported' }] }]),
      [`spec.kubernetes.versions[0]: ${FORBIDDEN}`],
    ],
    [
      'a machine image version moved from preview to supported starting in the future',
      withImageVersions([{ version: '2135.6.0', lifecycle: [{ classification: 'supported', startTime: hoursFromNow(1) }] }], 'ubuntu'),
      withImageVersions([{ version: '2135.6.0', lifecycle: [{ classification: 'preview' }] }], 'ubuntu'),
      [`spec.machineImages[0].versions[0]: ${FORBIDDEN}`],
    ],
    [
      'a start that has passed at now, moved into the future',
      withKubernetes([{ version: '1.17.2', lifecycle: [{ classification: 'supported', startTime: hoursFromNow(1) }] }]),
      withKubernetes([{ version: '1.17.2', lifecycle: [{ classification: 'supported', startTime: hoursFromNow(-1) }] }]),
      [`spec.kubernetes.versions[0]: ${FORBIDDEN}`],
    ],
    [
      'a version not yet available may move its start further',
      withKubernetes([{ version: '1.17.2', lifecycle: [{ classification: 'supported', startTime: hoursFromNow(48) }] }]),
      withKubernetes([{ version: '1.17.2', lifecycle: [{ classification: 'supported', startTime: hoursFromNow(24) }] }]),
      [],
    ],
    [
      'a new version may start in the future; the path is the index in the new list',
      withKubernetes([
        { version: '1.18.0', lifecycle: [{ classification: 'preview', startTime: hoursFromNow(1) }] },
        { version: '1.17.2', lifecycle: [{ classification: 'supported', startTime: hoursFromNow(1) }] },
      ]),
      withKubernetes([{ version: '1.17.2' }]),
      [`spec.kubernetes.versions[1]: ${FORBIDDEN}`],
    ],
    [
      'an image the old profile does not have is not compared',
      withImageVersions([{ version: '2135.6.0', lifecycle: [{ classification: 'supported', startTime: hoursFromNow(1) }] }], 'ubuntu'),
      withImageVersions([{ version: '2135.6.0' }], 'gardenlinux'),
      [],
    ],
  ])('%s', (_name, next, old, expected) => {
    expect(update(next, old)).toEqual(expected);
  });

  it('is not behind the feature gate: with it off, the refused lifecycle and the update rule are both reported', () => {
    const next = withKubernetes([{ version: '1.17.2', lifecycle: [{ classification: 'supported', startTime: hoursFromNow(1) }] }]);
    expect(update(next, withKubernetes([{ version: '1.17.2' }]), false)).toEqual([
      'spec.kubernetes.versions[0].lifecycle: Forbidden: lifecycles are not allowed with disabled VersionClassificationLifecycle feature gate',
      `spec.kubernetes.versions[0]: ${FORBIDDEN}`,
    ]);
  });

  it('compares only with an old profile and at a given now', () => {
    const next = withKubernetes([{ version: '1.17.2', lifecycle: [{ classification: 'supported', startTime: hoursFromNow(1) }] }]);
    const old = withKubernetes([{ version: '1.17.2' }]);
    expect(validateCloudProfile(defaultCloudProfile(next), undefined, { lifecycleFeatureGate: true, now: NOW })).toEqual([]);
    expect(validateCloudProfile(defaultCloudProfile(next), defaultCloudProfile(old), { lifecycleFeatureGate: true })).toEqual([]);
  });
});
