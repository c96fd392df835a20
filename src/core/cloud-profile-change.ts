// A Shoot moving to another profile (gardener/gardener pkg/utils/gardener/cloudprofile.go,
// ValidateCloudProfileChanges, called by the ShootValidator before its other CloudProfile checks):
// only within one hierarchy (a CloudProfile and the NamespacedCloudProfiles whose parent it is),
// and only to a profile that still has the machine image versions, machine types and volume types
// the pools use. Kubernetes versions are not compared: a namespaced profile may have only extended
// a version, and the next maintenance updates the Shoot.

import type { CatalogueIndex } from './cloudprofile.js';
import { CLOUD_PROFILE_KIND, NAMESPACED_CLOUD_PROFILE_KIND } from './cloudprofile-types.js';
import { goQuote } from './field-errors.js';
import { cloudProfileRefOf, type ProfileRef, type Shoot, workersOf } from './shoot.js';

function sameRef(a: ProfileRef, b: ProfileRef): boolean {
  return a.kind === b.kind && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '');
}

/** `"name"`, with ` (root: "parent")` for a NamespacedCloudProfile, as Gardener prints either end of a change. */
function shown(ref: ProfileRef, root: string): string {
  return ref.kind === CLOUD_PROFILE_KIND ? goQuote(ref.name) : `${goQuote(ref.name)} (root: ${goQuote(root)})`;
}

/** The lister's NotFound text for a profile that cannot be looked up (apimachinery's NewNotFound). */
function notFound(ref: ProfileRef): string {
  const resource = ref.kind === NAMESPACED_CLOUD_PROFILE_KIND ? 'namespacedcloudprofiles' : 'cloudprofiles';
  return `${resource}.core.gardener.cloud ${goQuote(ref.name)} not found`;
}

/** Why a profile reference cannot be looked up, as GetCloudProfileSpec says it: the lister's NotFound for a
 *  known kind, else `could not find referenced cloud profile with kind "<kind>"`. */
export function profileLookupError(ref: ProfileRef): string {
  return ref.kind === CLOUD_PROFILE_KIND || ref.kind === NAMESPACED_CLOUD_PROFILE_KIND
    ? notFound(ref)
    : `could not find referenced cloud profile with kind ${goQuote(ref.kind)}`;
}

/** Image versions (by lower-case image name) the old profile has and the new one does not (GetMachineImageDiff's RemovedVersions). */
function removedImageVersions(before: CatalogueIndex, after: CatalogueIndex): Map<string, Set<string>> {
  const removed = new Map<string, Set<string>>();
  for (const [name, image] of before.machineImages) {
    const kept = new Set((after.machineImages.get(name)?.versions ?? []).map((v) => v.raw.version));
    const gone = image.versions.map((v) => v.raw.version).filter((v) => !kept.has(v));
    if (gone.length > 0) removed.set(name, new Set(gone));
  }
  return removed;
}

/**
 * Why an UPDATE that changes the shoot's profile reference is refused, or undefined when it may
 * (or the reference did not change). `profiles` looks a reference up as the catalogue has it.
 */
export function cloudProfileChangeError(shoot: Shoot, oldShoot: Shoot, profiles: (ref: ProfileRef) => CatalogueIndex | undefined): string | undefined {
  const oldRef = cloudProfileRefOf(oldShoot);
  const newRef = cloudProfileRefOf(shoot);
  if (!oldRef || !newRef || sameRef(oldRef, newRef)) return undefined;

  const after = profiles(newRef);
  const before = profiles(oldRef);
  // Gardener resolves the roots first (a NamespacedCloudProfile lookup), then the specs.
  if (newRef.kind === NAMESPACED_CLOUD_PROFILE_KIND && !after) return notFound(newRef);
  if (oldRef.kind === NAMESPACED_CLOUD_PROFILE_KIND && !before) return notFound(oldRef);
  const newRoot = after?.root ?? newRef.name;
  const oldRoot = before?.root ?? oldRef.name;
  if (newRoot !== oldRoot) {
    return `cloud profile reference change is invalid: cannot change from ${shown(oldRef, oldRoot)} to ${shown(newRef, newRoot)}. The cloud profile reference must remain within the same hierarchy`;
  }
  if (!after) return `could not find cloudProfileSpec from the shoot cloudProfile reference: ${notFound(newRef)}`;
  if (!before) return `could not find cloudProfileSpec from the shoot cloudProfile reference: ${notFound(oldRef)}`;

  const removed = removedImageVersions(before, after);
  const volumeTypes = new Set((after.profile.spec.volumeTypes ?? []).map((t) => t.name));
  for (const worker of workersOf(shoot)) {
    const image = worker.machine.image;
    if (image?.name && image.version && removed.get(image.name.toLowerCase())?.has(image.version)) {
      return `newly referenced cloud profile does not contain the machine image version "${image.name}@${image.version}" currently in use by worker "${worker.name}"`;
    }
    if (!after.machineTypes.has(worker.machine.type ?? '')) {
      return `newly referenced cloud profile does not contain the machine type ${goQuote(worker.machine.type ?? '')} currently in use by worker ${goQuote(worker.name)}`;
    }
    const volumeType = worker.volume?.type;
    if (volumeType !== undefined && !volumeTypes.has(volumeType)) {
      return `newly referenced cloud profile does not contain the volume type ${goQuote(volumeType)} currently in use by worker ${goQuote(worker.name)}`;
    }
  }
  return undefined;
}
