// NamespacedCloudProfile validation, case by case from Gardener's
// pkg/api/core/validation/namespacedcloudprofile_test.go (the static rules) and
// plugin/pkg/namespacedcloudprofile/validator/admission_test.go (the admission plugin), with the
// texts those tests match.
import { describe, expect, it } from 'vitest';
import type { CloudProfile, NamespacedCloudProfile } from '../../../src/core/cloudprofile-types.js';
import { defaultCloudProfile } from '../../../src/core/cloudprofile.js';
import { renderFieldError } from '../../../src/core/field-errors.js';
import {
  validateNamespacedCloudProfile,
  type NamespacedCloudProfileDenial,
  type NamespacedCloudProfileValidationInput,
} from '../../../src/core/namespaced-cloudprofile-validation.js';

const NOW = new Date('2026-06-01T12:00:00Z');
const PAST = '2026-05-01T00:00:00Z';
const LATER_PAST = '2026-06-01T11:30:00Z';
const FUTURE = '2027-01-01T00:00:00Z';

function parent(): CloudProfile {
  return defaultCloudProfile({
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'CloudProfile',
    metadata: { name: 'parent-profile' },
    spec: {
      type: 'local',
      kubernetes: { versions: [{ version: '1.32.0' }, { version: '1.31.0', expirationDate: PAST }, { version: '1.30.0', expirationDate: PAST }] },
      machineImages: [
        {
          name: 'test-image',
          updateStrategy: 'major',
          versions: [
            { version: '1.1.0', architectures: ['amd64'], cri: [{ name: 'containerd' }] },
            { version: '1.0.0', architectures: ['amd64'], cri: [{ name: 'containerd' }] },
          ],
        },
      ],
      machineTypes: [{ name: 'my-type', architecture: 'amd64' }],
    },
  });
}

function ncp(spec: Partial<NamespacedCloudProfile['spec']> = {}): NamespacedCloudProfile {
  return {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'NamespacedCloudProfile',
    metadata: { name: 'profile', namespace: 'garden-test' },
    spec: { parent: { kind: 'CloudProfile', name: 'parent-profile' }, ...spec },
  };
}

function validate(input: Partial<NamespacedCloudProfileValidationInput> & { profile: NamespacedCloudProfile }): NamespacedCloudProfileDenial | undefined {
  return validateNamespacedCloudProfile({ parent: parent(), now: NOW, ...input });
}

/** What a user reads: the message, or the rendered field errors. */
function texts(denial: NamespacedCloudProfileDenial | undefined): string[] {
  if (!denial) return [];
  return denial.message !== undefined ? [denial.message] : denial.errors.map(renderFieldError);
}

describe('static rules (namespacedcloudprofile_test.go)', () => {
  it('allows a NamespacedCloudProfile with only name and parent', () => {
    expect(validate({ profile: ncp() })).toBeUndefined();
  });

  it('forbids not specifying a parent', () => {
    expect(texts(validate({ profile: ncp({ parent: { kind: '', name: '' } }) }))).toEqual([
      'spec.parent.kind: Unsupported value: "": supported values: "CloudProfile"',
      'spec.parent.name: Required value: must provide a parent name',
    ]);
  });

  it('forbids an invalid parent kind', () => {
    expect(texts(validate({ profile: ncp({ parent: { kind: 'NamespacedCloudProfile', name: 'parent-profile' } }) }))).toEqual([
      'spec.parent.kind: Unsupported value: "NamespacedCloudProfile": supported values: "CloudProfile"',
    ]);
  });

  it('does not allow changing the parent reference', () => {
    const old = ncp();
    const updated = ncp({ parent: { kind: 'CloudProfile', name: 'other-profile' } });
    expect(texts(validate({ profile: updated, old }))).toEqual([
      'spec.parent: Invalid value: core.CloudProfileReference{Kind:"CloudProfile", Name:"other-profile"}: field is immutable',
    ]);
  });

  it('forbids Kubernetes versions of a not allowed pattern', () => {
    expect(texts(validate({ profile: ncp({ kubernetes: { versions: [{ version: '1.11', expirationDate: FUTURE }] } }) }))[0]).toMatch(
      /^spec\.kubernetes\.versions\[0\]: Invalid value: .*: all Kubernetes versions must match the regex \^\(\[0-9\]\+\\\.\)\{2\}\[0-9\]\+\$$/,
    );
  });

  it('forbids duplicated Kubernetes versions', () => {
    const versions = [
      { version: '1.31.0', expirationDate: FUTURE },
      { version: '1.31.0', expirationDate: FUTURE },
    ];
    expect(texts(validate({ profile: ncp({ kubernetes: { versions } }) }))).toEqual(['spec.kubernetes.versions[1].version: Duplicate value: "1.31.0"']);
  });

  it('forbids providing a classification to a Kubernetes version', () => {
    const versions = [{ version: '1.31.0', classification: 'supported', expirationDate: FUTURE }];
    expect(texts(validate({ profile: ncp({ kubernetes: { versions } }) }))).toEqual([
      'spec.kubernetes.versions[0].classification: Forbidden: must not provide a classification to a Kubernetes version in NamespacedCloudProfile',
    ]);
  });

  it('forbids duplicate names in the list of machine images', () => {
    const machineImages = [
      { name: 'own-image', versions: [{ version: '3.4.6' }] },
      { name: 'own-image', versions: [{ version: '3.4.5' }] },
    ];
    expect(texts(validate({ profile: ncp({ machineImages }) }))).toEqual(['spec.machineImages[1]: Duplicate value: "own-image"']);
  });

  it('allows machine images that only override the update strategy', () => {
    expect(validate({ profile: ncp({ machineImages: [{ name: 'test-image', updateStrategy: 'major', versions: [] }] }) })).toBeUndefined();
  });

  it('forbids non-semver machine image versions', () => {
    const machineImages = [{ name: 'xy', versions: [{ version: 'a.b.c', architectures: ['amd64'], cri: [{ name: 'containerd' }] }] }];
    expect(texts(validate({ profile: ncp({ machineImages }) }))).toEqual([
      'spec.machineImages[0].versions[0].version: Invalid value: "a.b.c": could not parse version. Use a semantic version. In case there is no semantic version for this image use the extensibility provider (define mapping in the CloudProfile) to map to the actual non semantic version',
    ]);
  });

  it('enforces unique machine type names', () => {
    const machineTypes = [{ name: 'big' }, { name: 'big' }];
    expect(texts(validate({ profile: ncp({ machineTypes }) }))).toEqual(['spec.machineTypes[1].name: Duplicate value: "big"']);
  });
});

describe('admission plugin (validator/admission_test.go)', () => {
  it('does not allow a NamespacedCloudProfile with a parent that cannot be found', () => {
    expect(texts(validate({ profile: ncp(), parent: undefined }))).toEqual(['parent CloudProfile could not be found']);
  });

  describe('Kubernetes versions', () => {
    it('allows extending the expiration date of a parent version', () => {
      expect(validate({ profile: ncp({ kubernetes: { versions: [{ version: '1.31.0', expirationDate: FUTURE }] } }) })).toBeUndefined();
    });

    it('fails for a version not in the parent', () => {
      expect(texts(validate({ profile: ncp({ kubernetes: { versions: [{ version: '1.25.0', expirationDate: FUTURE }] } }) }))).toEqual([
        "invalid kubernetes version specified: '1.25.0' does not exist in parent CloudProfile and thus cannot be overridden",
      ]);
    });

    it('fails for a version without an expiration date', () => {
      expect(texts(validate({ profile: ncp({ kubernetes: { versions: [{ version: '1.31.0' }] } }) }))).toEqual([
        "specified version '1.31.0' does not set expiration date",
      ]);
    });

    it('allows creation with past expiration dates', () => {
      expect(validate({ profile: ncp({ kubernetes: { versions: [{ version: '1.31.0', expirationDate: PAST }] } }) })).toBeUndefined();
    });

    it('allows an update that leaves an expired override unchanged', () => {
      const old = ncp({ kubernetes: { versions: [{ version: '1.30.0', expirationDate: PAST }] } });
      const updated = ncp({ kubernetes: { versions: [{ version: '1.30.0', expirationDate: PAST }, { version: '1.31.0', expirationDate: FUTURE }] } });
      expect(validate({ profile: updated, old })).toBeUndefined();
    });

    it('fails for updating an expiration date to a still expired value', () => {
      const old = ncp({ kubernetes: { versions: [{ version: '1.30.0', expirationDate: PAST }] } });
      const updated = ncp({ kubernetes: { versions: [{ version: '1.30.0', expirationDate: LATER_PAST }] } });
      expect(texts(validate({ profile: updated, old }))).toEqual(['expiration date for version "1.30.0" is in the past']);
    });

    it('fails if the merge gives the latest Kubernetes version an expiration date', () => {
      const denial = validate({ profile: ncp({ kubernetes: { versions: [{ version: '1.32.0', expirationDate: FUTURE }] } }) });
      expect(texts(denial)).toEqual([
        `error while validating merged NamespacedCloudProfile: [status.cloudProfileSpec.kubernetes.versions[].expirationDate: Invalid value: "${FUTURE}": expiration date of latest kubernetes version ('1.32.0') must not be set]`,
      ]);
      expect(denial?.errors.map((e) => e.field)).toEqual(['status.cloudProfileSpec.kubernetes.versions[].expirationDate']);
    });
  });

  describe('machine images', () => {
    it('allows overriding the update strategy and the expiration date of a parent version', () => {
      const machineImages = [{ name: 'test-image', updateStrategy: 'minor', versions: [{ version: '1.0.0', expirationDate: FUTURE }] }];
      expect(validate({ profile: ncp({ machineImages }) })).toBeUndefined();
    });

    it('allows a new image not in the parent', () => {
      const machineImages = [{ name: 'another-image', updateStrategy: 'major', versions: [{ version: '1.2.0', architectures: ['amd64'], cri: [{ name: 'containerd' }] }] }];
      expect(validate({ profile: ncp({ machineImages }) })).toBeUndefined();
    });

    it('fails for a new image without versions (checked on the merged result)', () => {
      const machineImages = [{ name: 'another-image', updateStrategy: 'major', versions: [] }];
      expect(texts(validate({ profile: ncp({ machineImages }) }))[0]).toContain("must provide at least one version for the machine image 'another-image'");
    });

    it('allows a new version of a parent image', () => {
      const machineImages = [{ name: 'test-image', versions: [{ version: '1.2.0', architectures: ['amd64'], cri: [{ name: 'containerd' }] }] }];
      expect(validate({ profile: ncp({ machineImages }) })).toBeUndefined();
    });

    it('fails for an override of a parent version without an expiration date', () => {
      const machineImages = [{ name: 'test-image', versions: [{ version: '1.0.0' }] }];
      expect(texts(validate({ profile: ncp({ machineImages }) }))).toEqual([
        'spec.machineImages[0].versions[0].expirationDate: Invalid value: "null": expiration date for version "1.0.0" must be set',
      ]);
    });

    it('forbids every field but the expiration date on an override of a parent version', () => {
      const machineImages = [
        {
          name: 'test-image',
          versions: [
            {
              version: '1.0.0',
              expirationDate: FUTURE,
              classification: 'supported',
              cri: [{ name: 'containerd' }],
              architectures: ['amd64'],
              capabilityFlavors: [{ capabilities: { architecture: ['amd64'] } }],
              kubeletVersionConstraint: '>= 1.30.0',
              inPlaceUpdates: { supported: true },
            },
          ],
        },
      ];
      const path = 'spec.machineImages[0].versions[0]';
      expect(texts(validate({ profile: ncp({ machineImages }) }))).toEqual([
        `${path}.classification: Forbidden: must not provide a classification to an extended machine image in NamespacedCloudProfile`,
        `${path}.cri: Forbidden: must not provide a cri to an extended machine image in NamespacedCloudProfile`,
        `${path}.architectures: Forbidden: must not provide an architecture to an extended machine image in NamespacedCloudProfile`,
        `${path}.capabilityFlavors: Forbidden: must not provide capabilities to an extended machine image in NamespacedCloudProfile`,
        `${path}.kubeletVersionConstraint: Forbidden: must not provide a kubelet version constraint to an extended machine image in NamespacedCloudProfile`,
        `${path}.inPlaceUpdates: Forbidden: must not provide inPlaceUpdates to an extended machine image in NamespacedCloudProfile`,
      ]);
    });

    it('allows creating with an already expired image version override', () => {
      expect(validate({ profile: ncp({ machineImages: [{ name: 'test-image', versions: [{ version: '1.1.0', expirationDate: PAST }] }] }) })).toBeUndefined();
    });

    it('fails for updating to an already expired image version override', () => {
      const old = ncp({ machineImages: [{ name: 'test-image', versions: [{ version: '1.1.0', expirationDate: FUTURE }] }] });
      const updated = ncp({ machineImages: [{ name: 'test-image', versions: [{ version: '1.1.0', expirationDate: PAST }] }] });
      expect(texts(validate({ profile: updated, old }))).toEqual([
        'spec.machineImages[0].versions[0].expirationDate: Invalid value: 2026-05-01 00:00:00 +0000 UTC: expiration date for version "1.1.0" is in the past',
      ]);
    });

    it('allows keeping an image the parent added afterwards unchanged', () => {
      const own = ncp({ machineImages: [{ name: 'test-image', updateStrategy: 'minor', versions: [{ version: '1.1.0', architectures: ['amd64'], cri: [{ name: 'containerd' }] }] }] });
      expect(validate({ profile: structuredClone(own), old: own })).toBeUndefined();
    });

    it('does not allow changes to an image and version the parent added in the meantime', () => {
      const old = ncp({ machineImages: [{ name: 'test-image', updateStrategy: 'minor', versions: [{ version: '1.1.0', architectures: ['amd64'], cri: [{ name: 'containerd' }] }] }] });
      const updated = ncp({ machineImages: [{ name: 'test-image', updateStrategy: 'patch', versions: [{ version: '1.1.0', architectures: ['arm64'], cri: [{ name: 'containerd' }] }] }] });
      expect(texts(validate({ profile: updated, old }))).toEqual([
        'spec.machineImages[0].updateStrategy: Forbidden: cannot update the machine image update strategy of "test-image", as this version has been added to the parent CloudProfile by now',
        'spec.machineImages[0].versions[0]: Forbidden: cannot update the machine image version spec (except for the expiration date) of "test-image@1.1.0", as this version has been added to the parent CloudProfile by now',
      ]);
    });
  });

  describe('machine types', () => {
    it('allows a machine type the parent does not have, and one the parent has with a different spec', () => {
      expect(validate({ profile: ncp({ machineTypes: [{ name: 'new-type', architecture: 'amd64' }, { name: 'my-type', architecture: 'arm64', cpu: '8' }] }) })).toBeUndefined();
    });
  });

  it('skips an update that changes neither spec nor metadata', () => {
    // Already invalid before (an override without expiration date): an unchanged object is let through, as Gardener does.
    const stored = ncp({ machineImages: [{ name: 'test-image', versions: [{ version: '1.0.0' }] }] });
    expect(validate({ profile: structuredClone(stored), old: stored })).toBeUndefined();
    expect(validate({ profile: structuredClone(stored) })).toBeDefined();
  });
});
