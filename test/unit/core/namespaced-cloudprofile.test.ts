// The merge of a NamespacedCloudProfile into its parent, case by case from Gardener's
// pkg/controllermanager/controller/namespacedcloudprofile/reconciler_test.go ("merge Kubernetes
// versions", "merge machine images", "merge machine types", "#MergeCloudProfiles").
import { describe, expect, it } from 'vitest';
import type { CloudProfile, CloudProfileSpec, NamespacedCloudProfile } from '../../../src/core/cloudprofile-types.js';
import { mergeCloudProfileSpecs, mergedCloudProfile } from '../../../src/core/namespaced-cloudprofile.js';

const EXPIRY = '2031-05-01T10:00:00Z';

function namespaced(spec: Partial<NamespacedCloudProfile['spec']> = {}): NamespacedCloudProfile['spec'] {
  return { parent: { kind: 'CloudProfile', name: 'local' }, ...spec };
}

function imageParent(): CloudProfileSpec {
  return {
    kubernetes: { versions: [{ version: '1.0.0' }] },
    machineImages: [
      {
        name: 'test-image',
        updateStrategy: 'major',
        versions: [{ version: '1.0.0', cri: [{ name: 'containerd' }], architectures: ['amd64'], kubeletVersionConstraint: '==1.30.0' }],
      },
    ],
  };
}

describe('mergeCloudProfileSpecs: Kubernetes versions', () => {
  const parent: CloudProfileSpec = { kubernetes: { versions: [{ version: '1.0.0' }] }, machineImages: [] };

  it('ignores versions specified only in the NamespacedCloudProfile', () => {
    const merged = mergeCloudProfileSpecs(parent, namespaced({ kubernetes: { versions: [{ version: '1.2.3' }] } }));
    expect(merged.kubernetes.versions).toEqual([{ version: '1.0.0' }]);
  });

  it('overrides the expiration date of a parent version', () => {
    const merged = mergeCloudProfileSpecs(parent, namespaced({ kubernetes: { versions: [{ version: '1.0.0', expirationDate: EXPIRY }] } }));
    expect(merged.kubernetes.versions).toEqual([{ version: '1.0.0', expirationDate: EXPIRY }]);
  });

  it('takes only the expiration date: a classification given beside it is not merged', () => {
    const withClassification = { version: '1.0.0', classification: 'supported', expirationDate: EXPIRY };
    const merged = mergeCloudProfileSpecs(
      { kubernetes: { versions: [{ version: '1.0.0', classification: 'deprecated' }] }, machineImages: [] },
      namespaced({ kubernetes: { versions: [withClassification] } }),
    );
    expect(merged.kubernetes.versions).toEqual([{ version: '1.0.0', classification: 'deprecated', expirationDate: EXPIRY }]);
  });

  it('does not change the parent it was given', () => {
    const p = imageParent();
    const before = structuredClone(p);
    mergeCloudProfileSpecs(p, namespaced({ kubernetes: { versions: [{ version: '1.0.0', expirationDate: EXPIRY }] } }));
    expect(p).toEqual(before);
  });
});

describe('mergeCloudProfileSpecs: machine images', () => {
  it('adds machine images specified only in the NamespacedCloudProfile', () => {
    const own = {
      name: 'test-image-namespaced',
      updateStrategy: 'major',
      versions: [{ version: '1.1.2', cri: [{ name: 'containerd' }], architectures: ['arm64'], kubeletVersionConstraint: '==1.30.0' }],
    };
    const merged = mergeCloudProfileSpecs(imageParent(), namespaced({ machineImages: [own] }));
    expect(merged.machineImages).toEqual([...imageParent().machineImages, own]);
  });

  it('overrides the expiration date of an existing version and adds a new version', () => {
    const merged = mergeCloudProfileSpecs(
      imageParent(),
      namespaced({ machineImages: [{ name: 'test-image', versions: [{ version: '1.0.0', expirationDate: EXPIRY }, { version: '1.1.2' }] }] }),
    );
    expect(merged.machineImages).toEqual([
      {
        name: 'test-image',
        updateStrategy: 'major',
        versions: [
          { version: '1.0.0', expirationDate: EXPIRY, cri: [{ name: 'containerd' }], architectures: ['amd64'], kubeletVersionConstraint: '==1.30.0' },
          { version: '1.1.2' },
        ],
      },
    ]);
  });

  it('overrides the update strategy and keeps the versions', () => {
    const merged = mergeCloudProfileSpecs(imageParent(), namespaced({ machineImages: [{ name: 'test-image', updateStrategy: 'minor', versions: [] }] }));
    expect(merged.machineImages).toEqual([{ ...imageParent().machineImages[0], updateStrategy: 'minor' }]);
  });

  it('keeps its own image and version when the parent adds them afterwards ("custom CloudProfile spec overrides")', () => {
    const own = { name: 'machine-image-1', updateStrategy: 'major', versions: [{ version: '1.0.0', architectures: ['amd64', 'arm64'] }] };
    const parent: CloudProfileSpec = {
      kubernetes: { versions: [] },
      machineImages: [{ name: 'machine-image-1', updateStrategy: 'minor', versions: [{ version: '1.0.0' }] }],
    };
    expect(mergeCloudProfileSpecs(parent, namespaced({ machineImages: [own] })).machineImages).toEqual([own]);
  });
});

describe('mergeCloudProfileSpecs: machine and volume types, CA bundle, limits', () => {
  const parent: CloudProfileSpec = {
    kubernetes: { versions: [] },
    machineImages: [],
    machineTypes: [{ name: 'type-a', architecture: 'amd64', cpu: '2' }],
    volumeTypes: [{ name: 'volume-a' }],
  };

  it('adds types specified only in the NamespacedCloudProfile, after the parent\'s', () => {
    const merged = mergeCloudProfileSpecs(parent, namespaced({ machineTypes: [{ name: 'type-d', architecture: 'amd64' }], volumeTypes: [{ name: 'volume-d' }] }));
    expect(merged.machineTypes).toEqual([{ name: 'type-a', architecture: 'amd64', cpu: '2' }, { name: 'type-d', architecture: 'amd64' }]);
    expect(merged.volumeTypes).toEqual([{ name: 'volume-a' }, { name: 'volume-d' }]);
  });

  it('replaces a parent type of the same name in place', () => {
    const merged = mergeCloudProfileSpecs(parent, namespaced({ machineTypes: [{ name: 'type-a', architecture: 'amd64', cpu: '4' }] }));
    expect(merged.machineTypes).toEqual([{ name: 'type-a', architecture: 'amd64', cpu: '4' }]);
  });

  it('appends its CA bundle to the parent\'s', () => {
    expect(mergeCloudProfileSpecs({ ...parent, caBundle: 'A' }, namespaced({ caBundle: 'B' })).caBundle).toBe('AB');
    expect(mergeCloudProfileSpecs(parent, namespaced({ caBundle: 'B' })).caBundle).toBe('B');
  });

  // "merge limits.maxNodesTotal correctly"
  it.each([
    ['stays absent if no value is provided at all', undefined, undefined, undefined],
    ['applies only the value from the CloudProfile', 10, undefined, 10],
    ['applies only the value from the NamespacedCloudProfile', undefined, 10, 10],
    ['applies the higher overridden value from the NamespacedCloudProfile', 10, 99, 99],
    ['applies a lower value from the NamespacedCloudProfile', 124, 20, 20],
  ])('limits.maxNodesTotal %s', (_name, fromParent, fromNamespaced, expected) => {
    const merged = mergeCloudProfileSpecs(
      { ...parent, ...(fromParent === undefined ? {} : { limits: { maxNodesTotal: fromParent } }) },
      namespaced(fromNamespaced === undefined ? {} : { limits: { maxNodesTotal: fromNamespaced } }),
    );
    expect((merged.limits as { maxNodesTotal?: number } | undefined)?.maxNodesTotal).toBe(expected);
  });
});

describe('mergeCloudProfileSpecs: "#MergeCloudProfiles", retain order of the parent', () => {
  const parent = (): CloudProfileSpec => ({
    machineCapabilities: [
      { name: 'architecture', values: ['amd64', 'arm64'] },
      { name: 'cap-a', values: ['featured', 'standard'] },
    ],
    machineImages: [
      { name: 'image-a', versions: [] },
      {
        name: 'image-b',
        versions: [
          { version: '1.0', architectures: ['amd64'], capabilityFlavors: [{ capabilities: { architecture: ['amd64'], 'cap-a': ['standard'] } }] },
          { version: '2.0', architectures: ['amd64'], capabilityFlavors: [{ capabilities: { architecture: ['amd64'] } }] },
          { version: '3.0', architectures: ['arm64'], capabilityFlavors: [{ capabilities: { architecture: ['arm64'], 'cap-a': ['featured'] } }] },
        ],
      },
      { name: 'image-c', versions: [] },
    ],
    machineTypes: [
      { name: 'type-a', architecture: 'amd64' },
      { name: 'type-b', architecture: 'amd64' },
    ],
    volumeTypes: [{ name: 'volume-a' }, { name: 'volume-b' }],
    kubernetes: { versions: [{ version: '1.35.0' }, { version: '1.34.1' }, { version: '1.34.0' }] },
  });

  it('matches the CloudProfile for no overrides', () => {
    expect(mergeCloudProfileSpecs(parent(), namespaced())).toEqual(parent());
  });

  it('adds new elements and applies overrides while keeping the existing elements ordered', () => {
    const merged = mergeCloudProfileSpecs(
      parent(),
      namespaced({
        machineImages: [
          {
            name: 'image-b',
            versions: [
              { version: '2.0', expirationDate: EXPIRY },
              { version: '4.0', architectures: ['amd64'], capabilityFlavors: [{ capabilities: { architecture: ['amd64'] } }] },
            ],
          },
        ],
        machineTypes: [{ name: 'type-d', architecture: 'amd64' }],
        volumeTypes: [{ name: 'volume-d' }],
        kubernetes: { versions: [{ version: '1.34.1', expirationDate: EXPIRY }] },
      }),
    );
    const expected = parent();
    const imageB = expected.machineImages[1]!;
    imageB.versions[1]!.expirationDate = EXPIRY;
    imageB.versions.push({ version: '4.0', architectures: ['amd64'], capabilityFlavors: [{ capabilities: { architecture: ['amd64'] } }] });
    // A parent with capabilities: a machine type without them gets its architecture as one.
    expected.machineTypes!.push({ name: 'type-d', architecture: 'amd64', capabilities: { architecture: ['amd64'] } });
    (expected.volumeTypes as { name: string }[]).push({ name: 'volume-d' });
    expected.kubernetes.versions[1]!.expirationDate = EXPIRY;
    expect(merged).toEqual(expected);
  });
});

describe('mergeCloudProfileSpecs: "Transform to parent CloudProfile capability/legacy format"', () => {
  const withCapabilities: CloudProfileSpec = {
    kubernetes: { versions: [] },
    machineImages: [],
    machineCapabilities: [{ name: 'architecture', values: ['amd64', 'arm64'] }],
  };
  const legacy: CloudProfileSpec = { kubernetes: { versions: [] }, machineImages: [] };

  it('turns legacy architectures into capability flavors when the parent uses capabilities', () => {
    const merged = mergeCloudProfileSpecs(withCapabilities, namespaced({ machineImages: [{ name: 'own', versions: [{ version: '1.0.0', architectures: ['amd64', 'arm64'] }] }] }));
    expect(merged.machineImages[0]?.versions[0]).toEqual({
      version: '1.0.0',
      architectures: ['amd64', 'arm64'],
      capabilityFlavors: [{ capabilities: { architecture: ['amd64'] } }, { capabilities: { architecture: ['arm64'] } }],
    });
  });

  it('turns capability flavors into architectures and drops them when the parent does not use capabilities', () => {
    const merged = mergeCloudProfileSpecs(
      legacy,
      namespaced({
        machineImages: [{ name: 'own', versions: [{ version: '1.0.0', capabilityFlavors: [{ capabilities: { architecture: ['arm64'] } }] }] }],
        machineTypes: [{ name: 'type-x', capabilities: { architecture: ['arm64'] } }],
      }),
    );
    expect(merged.machineImages[0]?.versions[0]).toEqual({ version: '1.0.0', architectures: ['arm64'] });
    expect(merged.machineTypes).toEqual([{ name: 'type-x', architecture: 'arm64' }]);
  });

  it('gives a machine type without architecture the default amd64 capability under a capability parent', () => {
    expect(mergeCloudProfileSpecs(withCapabilities, namespaced({ machineTypes: [{ name: 'type-x' }] })).machineTypes).toEqual([
      { name: 'type-x', capabilities: { architecture: ['amd64'] } },
    ]);
  });
});

describe('mergedCloudProfile', () => {
  const parent: CloudProfile = {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'CloudProfile',
    metadata: { name: 'local', resourceVersion: '7' },
    spec: { kubernetes: { versions: [{ version: '1.0.0' }] }, machineImages: [] },
  };
  const ncp: NamespacedCloudProfile = {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'NamespacedCloudProfile',
    metadata: { name: 'local-dev', namespace: 'garden-dev', resourceVersion: '12' },
    spec: namespaced(),
  };

  it('names the namespaced profile and joins both resourceVersions', () => {
    expect(mergedCloudProfile(ncp, parent).metadata).toEqual({ name: 'local-dev', namespace: 'garden-dev', resourceVersion: '12+7' });
    expect(mergedCloudProfile(ncp, parent).kind).toBe('NamespacedCloudProfile');
  });

  it('has no resourceVersion when either object lacks one (never cached as the same)', () => {
    const { resourceVersion: _dropped, ...metadata } = parent.metadata;
    expect(mergedCloudProfile(ncp, { ...parent, metadata }).metadata.resourceVersion).toBeUndefined();
  });
});
