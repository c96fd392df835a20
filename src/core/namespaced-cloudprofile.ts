// The catalogue a NamespacedCloudProfile gives the Shoots that reference it: its parent
// CloudProfile's spec with the namespaced profile's overrides merged in, as Gardener's
// NamespacedCloudProfile controller computes `status.cloudProfileSpec`
// (gardener/gardener pkg/controllermanager/controller/namespacedcloudprofile/reconciler.go,
// MergeCloudProfiles). Nothing here writes that status: every reader merges the two objects it
// has at that moment, so a change of either profile counts at once (docs/design.md,
// "Differences from Gardener").

import {
  NAMESPACED_CLOUD_PROFILE_KIND,
  type CloudProfile,
  type CloudProfileSpec,
  type ExpirableVersion,
  type MachineImage,
  type MachineImageVersion,
  type MachineType,
  type NamespacedCloudProfile,
} from './cloudprofile-types.js';
import { DEFAULT_ARCHITECTURE } from './cloudprofile.js';
import { deepCopy } from './shoot.js';

/** The capability that carries the CPU architecture (v1beta1constants.ArchitectureName). */
const ARCHITECTURE_CAPABILITY = 'architecture';

/**
 * Overrides by key, in the base's order, then (when allowed) the additional ones in theirs
 * (reconciler.go, mergeDeep: an ordered map from the base, keyed by name or version).
 */
function mergeByKey<T>(
  base: readonly T[],
  overrides: readonly T[],
  keyOf: (item: T) => string,
  merge: ((base: T, override: T) => T) | undefined,
  allowAdditional: boolean,
): T[] {
  const merged = new Map<string, T>();
  for (const item of base) merged.set(keyOf(item), item);
  for (const override of overrides) {
    const key = keyOf(override);
    const existing = merged.get(key);
    if (existing === undefined) {
      if (allowAdditional) merged.set(key, override);
      continue;
    }
    merged.set(key, merge ? merge(existing, override) : override);
  }
  return [...merged.values()];
}

/** Only the expiration date of a base version is overridden, and an override without one clears it (mergeExpirationDates). */
function withExpirationOf<V extends ExpirableVersion>(base: V, override: ExpirableVersion): V {
  const merged = { ...base };
  if (override.expirationDate === undefined) delete merged.expirationDate;
  else merged.expirationDate = override.expirationDate;
  return merged;
}

/** A version the namespaced profile added before its parent had it keeps all of its own fields (mergeMachineImageVersions). */
function mergeMachineImageVersion(base: MachineImageVersion, override: MachineImageVersion): MachineImageVersion {
  const definesVersion =
    (override.architectures ?? []).length > 0 ||
    (override.capabilityFlavors ?? []).length > 0 ||
    (override.cri ?? []).length > 0 ||
    (override.kubeletVersionConstraint ?? '') !== '' ||
    (override.classification ?? '') !== '';
  return definesVersion ? override : withExpirationOf(base, override);
}

function mergeMachineImage(base: MachineImage, override: MachineImage): MachineImage {
  return {
    ...base,
    ...((override.updateStrategy ?? '') !== '' ? { updateStrategy: override.updateStrategy } : {}),
    versions: mergeByKey(base.versions ?? [], override.versions ?? [], (v) => v.version, mergeMachineImageVersion, true),
  };
}

/**
 * Architectures and capability flavors in the parent's format: a parent with machine capabilities
 * gets flavors from plain architectures, one without gets architectures from flavors
 * (gardener/gardener pkg/utils/gardener/namespacedcloudprofile.go, TransformSpecToParentFormat).
 */
function inParentFormat(spec: NamespacedCloudProfile['spec'], parentUsesCapabilities: boolean): NamespacedCloudProfile['spec'] {
  const copy = deepCopy(spec);
  for (const image of copy.machineImages ?? []) {
    image.versions = (image.versions ?? []).map((version) => {
      const architectures = version.architectures ?? [];
      if (parentUsesCapabilities) {
        if ((version.capabilityFlavors ?? []).length > 0) return version;
        return { ...version, capabilityFlavors: architectures.map((a) => ({ capabilities: { [ARCHITECTURE_CAPABILITY]: [a] } })) };
      }
      const { capabilityFlavors, ...rest } = version;
      if (architectures.length > 0) return rest;
      const fromFlavors = new Set((capabilityFlavors ?? []).flatMap((f) => f.capabilities[ARCHITECTURE_CAPABILITY] ?? []));
      return fromFlavors.size > 0 ? { ...rest, architectures: [...fromFlavors] } : rest;
    });
  }
  copy.machineTypes = (copy.machineTypes ?? []).map((machineType): MachineType => {
    if (parentUsesCapabilities) {
      if (Object.keys(machineType.capabilities ?? {}).length > 0) return machineType;
      return { ...machineType, capabilities: { [ARCHITECTURE_CAPABILITY]: [machineType.architecture ?? DEFAULT_ARCHITECTURE] } };
    }
    const { capabilities, ...rest } = machineType;
    const fromCapabilities = capabilities?.[ARCHITECTURE_CAPABILITY]?.[0];
    return rest.architecture === undefined && fromCapabilities !== undefined ? { ...rest, architecture: fromCapabilities } : rest;
  });
  return copy;
}

/**
 * The merged spec (MergeCloudProfiles): the parent's spec; the namespaced profile's Kubernetes
 * versions override only the expiration dates of versions the parent has (no new versions);
 * machine images are merged by name and their versions by version (new ones added); machine and
 * volume types are replaced or added by name; CA bundles are concatenated; `limits.maxNodesTotal`
 * overrides when positive.
 */
export function mergeCloudProfileSpecs(parent: CloudProfileSpec, namespaced: NamespacedCloudProfile['spec']): CloudProfileSpec {
  const merged = deepCopy(parent);
  if (namespaced.kubernetes !== undefined) {
    merged.kubernetes = {
      ...merged.kubernetes,
      versions: mergeByKey(merged.kubernetes?.versions ?? [], namespaced.kubernetes.versions ?? [], (v) => v.version, withExpirationOf, false),
    };
  }
  const uniform = inParentFormat(namespaced, (parent.machineCapabilities ?? []).length > 0);
  // An empty result keeps the parent's list as it is, absent included (mergeDeep returns baseArr).
  const machineImages = mergeByKey(merged.machineImages ?? [], uniform.machineImages ?? [], (i) => i.name, mergeMachineImage, true);
  if (machineImages.length > 0) merged.machineImages = machineImages;
  const machineTypes = mergeByKey(merged.machineTypes ?? [], uniform.machineTypes ?? [], (t) => t.name, undefined, true);
  if (machineTypes.length > 0) merged.machineTypes = machineTypes;
  const volumeTypes = mergeByKey(merged.volumeTypes ?? [], namespaced.volumeTypes ?? [], (t) => t.name, undefined, true);
  if (volumeTypes.length > 0) merged.volumeTypes = volumeTypes;
  if (namespaced.caBundle !== undefined) merged.caBundle = `${typeof merged.caBundle === 'string' ? merged.caBundle : ''}${namespaced.caBundle}`;
  if (namespaced.limits !== undefined) {
    const limits = { ...((merged.limits ?? {}) as Record<string, unknown>) };
    if ((namespaced.limits.maxNodesTotal ?? 0) > 0) limits.maxNodesTotal = namespaced.limits.maxNodesTotal;
    merged.limits = limits;
  }
  return merged;
}

/** The version of a merge: both objects' resourceVersions joined, or undefined when either has none. */
export function joinedResourceVersion(namespacedVersion: unknown, parentVersion: unknown): string | undefined {
  const known = (v: unknown): v is string => typeof v === 'string' && v !== '';
  return known(namespacedVersion) && known(parentVersion) ? `${namespacedVersion}+${parentVersion}` : undefined;
}

/**
 * The profile Shoots referencing `namespaced` are judged against: a CloudProfile-shaped object
 * with the namespaced profile's name and namespace and the merged spec. Its `resourceVersion`
 * joins both objects' (joinedResourceVersion), so it changes with either.
 */
export function mergedCloudProfile(namespaced: NamespacedCloudProfile, parent: CloudProfile): CloudProfile {
  const resourceVersion = joinedResourceVersion(namespaced.metadata.resourceVersion, parent.metadata.resourceVersion);
  return {
    apiVersion: namespaced.apiVersion,
    kind: NAMESPACED_CLOUD_PROFILE_KIND,
    metadata: {
      name: namespaced.metadata.name,
      ...(namespaced.metadata.namespace === undefined ? {} : { namespace: namespaced.metadata.namespace }),
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
    },
    spec: mergeCloudProfileSpecs(parent.spec, namespaced.spec),
  };
}
