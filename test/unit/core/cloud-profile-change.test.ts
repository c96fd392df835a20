// A Shoot moving between profiles, case by case from Gardener's pkg/utils/gardener/cloudprofile_test.go
// ("#ValidateCloudProfileChanges") and plugin/pkg/shoot/validator/admission_test.go (the machine
// type, volume type and machine image version still in use), through validateShoot as the
// validating webhook calls it.
import { describe, expect, it } from 'vitest';
import type { NamespacedCloudProfile } from '../../../src/core/cloudprofile-types.js';
import { type CatalogueIndex, indexCloudProfile } from '../../../src/core/cloudprofile.js';
import { renderFieldErrors } from '../../../src/core/field-errors.js';
import { mergedCloudProfile } from '../../../src/core/namespaced-cloudprofile.js';
import type { ProfileRef, ShootSpec } from '../../../src/core/shoot.js';
import { validateShoot } from '../../../src/core/validation.js';
import { INDEX, NOW, PROFILE, edit, firstWorker, shoot, spec } from './shoot-admission-fixture.js';

function namespaced(name: string, parent: string, extra: Partial<NamespacedCloudProfile['spec']> = {}): NamespacedCloudProfile {
  return {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'NamespacedCloudProfile',
    metadata: { name, namespace: 'garden-dev' },
    spec: { parent: { kind: 'CloudProfile', name: parent }, ...extra },
  };
}

const other = indexCloudProfile({ ...structuredClone(PROFILE), metadata: { name: 'someOtherCloudProfile' } });
const catalogue = new Map<string, CatalogueIndex>([
  ['CloudProfile/local', INDEX],
  ['CloudProfile/someOtherCloudProfile', other],
  ['NamespacedCloudProfile/garden-dev/ncp', indexCloudProfile(mergedCloudProfile(namespaced('ncp', 'local', { machineTypes: [{ name: 'special' }] }), PROFILE), 'local')],
  ['NamespacedCloudProfile/garden-dev/another-ncp', indexCloudProfile(mergedCloudProfile(namespaced('another-ncp', 'local'), PROFILE), 'local')],
  ['NamespacedCloudProfile/garden-dev/unrelated', indexCloudProfile(mergedCloudProfile(namespaced('unrelated', 'someOtherCloudProfile'), other.profile), 'someOtherCloudProfile')],
]);
const profiles = (ref: ProfileRef): CatalogueIndex | undefined =>
  catalogue.get(ref.kind === 'NamespacedCloudProfile' ? `${ref.kind}/${ref.namespace ?? ''}/${ref.name}` : `${ref.kind}/${ref.name}`);

/** The rendered errors of an UPDATE from `before` to `after` ('' when allowed). */
function update(before: ShootSpec, after: ShootSpec): string {
  const { errors } = validateShoot({ shoot: shoot(after), oldShoot: shoot(before), operation: 'UPDATE', profiles, now: NOW });
  return errors.length === 0 ? '' : renderFieldErrors(errors);
}

const byName = (s: ShootSpec): ShootSpec => edit(s, (x) => delete x.cloudProfile);
const onProfile = (kind: string, name: string) => (s: ShootSpec) => {
  delete s.cloudProfileName;
  s.cloudProfile = { kind, name };
};

describe('a change of the profile reference', () => {
  const base = spec();

  it.each([
    ['cloudProfileName to cloudProfile without kind', byName(base), edit(base, (s) => { delete s.cloudProfileName; s.cloudProfile = { name: 'local' }; })],
    ['cloudProfile to cloudProfile', edit(base, onProfile('CloudProfile', 'local')), edit(base, onProfile('CloudProfile', 'local'))],
    ['cloudProfile to cloudProfileName', edit(base, onProfile('CloudProfile', 'local')), base],
    ['an unchanged NamespacedCloudProfile', edit(base, onProfile('NamespacedCloudProfile', 'ncp')), edit(base, onProfile('NamespacedCloudProfile', 'ncp'))],
    ['cloudProfileName to a direct descendant NamespacedCloudProfile', base, edit(base, onProfile('NamespacedCloudProfile', 'ncp'))],
    ['cloudProfile to a direct descendant NamespacedCloudProfile', edit(base, onProfile('CloudProfile', 'local')), edit(base, onProfile('NamespacedCloudProfile', 'ncp'))],
    ['a NamespacedCloudProfile to its parent CloudProfile', edit(base, onProfile('NamespacedCloudProfile', 'ncp')), edit(base, onProfile('CloudProfile', 'local'))],
    ['a NamespacedCloudProfile to another related NamespacedCloudProfile', edit(base, onProfile('NamespacedCloudProfile', 'ncp')), edit(base, onProfile('NamespacedCloudProfile', 'another-ncp'))],
  ])('passes: %s', (_name, before, after) => {
    expect(update(before, after)).toBe('');
  });

  it('fails from cloudProfileName to an unrelated NamespacedCloudProfile', () => {
    expect(update(base, edit(base, onProfile('NamespacedCloudProfile', 'unrelated')))).toBe(
      'spec.cloudProfile.name: Forbidden: cloud profile reference change is invalid: cannot change from "local" to "unrelated" (root: "someOtherCloudProfile"). The cloud profile reference must remain within the same hierarchy',
    );
  });

  it('fails from a CloudProfile to another CloudProfile', () => {
    expect(update(base, edit(base, onProfile('CloudProfile', 'someOtherCloudProfile')))).toBe(
      'spec.cloudProfile.name: Forbidden: cloud profile reference change is invalid: cannot change from "local" to "someOtherCloudProfile". The cloud profile reference must remain within the same hierarchy',
    );
  });

  it('fails from a NamespacedCloudProfile to one of another hierarchy, naming both roots', () => {
    expect(update(edit(base, onProfile('NamespacedCloudProfile', 'ncp')), edit(base, onProfile('NamespacedCloudProfile', 'unrelated')))).toBe(
      'spec.cloudProfile.name: Forbidden: cloud profile reference change is invalid: cannot change from "ncp" (root: "local") to "unrelated" (root: "someOtherCloudProfile"). The cloud profile reference must remain within the same hierarchy',
    );
  });

  it('fails back to the parent when it lacks the machine type only the namespaced profile has', () => {
    const special = edit(base, (s) => {
      onProfile('NamespacedCloudProfile', 'ncp')(s);
      firstWorker(s).machine.type = 'special';
    });
    expect(update(special, edit(special, onProfile('CloudProfile', 'local')))).toBe(
      'spec.cloudProfile.name: Forbidden: newly referenced cloud profile does not contain the machine type "special" currently in use by worker "a"',
    );
  });

  it('fails when the new profile lacks the volume type a pool uses', () => {
    const withVolume = edit(base, (s) => {
      onProfile('NamespacedCloudProfile', 'ncp')(s);
      firstWorker(s).volume = { type: 'a-special-volume-type' };
    });
    expect(update(withVolume, edit(withVolume, onProfile('CloudProfile', 'local')))).toBe(
      'spec.cloudProfile.name: Forbidden: newly referenced cloud profile does not contain the volume type "a-special-volume-type" currently in use by worker "a"',
    );
  });

  it('fails when the new profile removed the machine image version a pool uses', () => {
    const extraImage = namespaced('image-ncp', 'local', {
      machineImages: [{ name: 'gardenlinux', versions: [{ version: '1592.1.0-dev', architectures: ['amd64'], cri: [{ name: 'containerd' }] }] }],
    });
    catalogue.set('NamespacedCloudProfile/garden-dev/image-ncp', indexCloudProfile(mergedCloudProfile(extraImage, PROFILE), 'local'));
    const onDev = edit(base, (s) => {
      onProfile('NamespacedCloudProfile', 'image-ncp')(s);
      firstWorker(s).machine.image = { name: 'gardenlinux', version: '1592.1.0-dev' };
    });
    expect(update(onDev, edit(onDev, onProfile('CloudProfile', 'local')))).toBe(
      'spec.cloudProfile.name: Forbidden: newly referenced cloud profile does not contain the machine image version "gardenlinux@1592.1.0-dev" currently in use by worker "a"',
    );
  });

  it('is not checked on CREATE', () => {
    const created = validateShoot({ shoot: shoot(edit(base, onProfile('CloudProfile', 'someOtherCloudProfile'))), operation: 'CREATE', profiles, now: NOW });
    expect(created.errors).toEqual([]);
  });
});
