// The typed view of a CloudProfile (core.gardener.cloud/v1beta1) that this project reads.
// Rules over these types live in cloudprofile.ts (defaults, the catalogue index),
// cloudprofile-validation.ts, machine-image-filters.ts and versions.ts (classification).

export type VersionClassification = 'preview' | 'supported' | 'deprecated' | 'expired' | 'unavailable';

export interface LifecycleStage {
  classification: string;
  startTime?: string;
}

export interface ExpirableVersion {
  version: string;
  classification?: string;
  expirationDate?: string;
  lifecycle?: LifecycleStage[];
}

export interface MachineImageVersion extends ExpirableVersion {
  cri?: { name: string; containerRuntimes?: { type: string }[] }[];
  architectures?: string[];
  kubeletVersionConstraint?: string;
  inPlaceUpdates?: { supported?: boolean; minVersionForUpdate?: string };
  /** Capability flavors (only meaningful when spec.machineCapabilities is defined). */
  capabilityFlavors?: { capabilities: Record<string, string[]> }[];
}

export type MachineImageUpdateStrategy = 'patch' | 'minor' | 'major';

export interface MachineImage {
  name: string;
  versions: MachineImageVersion[];
  updateStrategy?: MachineImageUpdateStrategy | string;
}

export interface MachineType {
  name: string;
  architecture?: string;
  capabilities?: Record<string, string[]>;
  /** Whether shoots may use it (Gardener defaults it to true). */
  usable?: boolean;
  [key: string]: unknown;
}

export interface VolumeType {
  name: string;
  /** Whether shoots may use it (Gardener defaults it to true). */
  usable?: boolean;
  [key: string]: unknown;
}

/** A zone of a region, with the machine and volume types it does not offer. */
export interface AvailabilityZone {
  name: string;
  unavailableMachineTypes?: string[];
  unavailableVolumeTypes?: string[];
  [key: string]: unknown;
}

export interface Region {
  name: string;
  zones?: AvailabilityZone[];
  [key: string]: unknown;
}

export interface CapabilityDefinition {
  name: string;
  values: string[];
}

export interface CloudProfileSpec {
  type?: string;
  kubernetes: { versions: ExpirableVersion[] };
  machineImages: MachineImage[];
  machineTypes?: MachineType[];
  volumeTypes?: VolumeType[];
  regions?: Region[];
  machineCapabilities?: CapabilityDefinition[];
  [key: string]: unknown;
}

export interface CloudProfile {
  apiVersion: string;
  kind: 'CloudProfile' | string;
  metadata: { name: string; [key: string]: unknown };
  spec: CloudProfileSpec;
}

/** A reference from a Shoot (`spec.cloudProfile`) or a NamespacedCloudProfile (`spec.parent`) to a profile. */
export interface CloudProfileReference {
  kind: string;
  name: string;
}

/** The two kinds a Shoot may reference (gardener/gardener pkg/apis/core/v1beta1/constants, CloudProfileReferenceKind*). */
export const CLOUD_PROFILE_KIND = 'CloudProfile';
export const NAMESPACED_CLOUD_PROFILE_KIND = 'NamespacedCloudProfile';

/**
 * A project's extension of a CloudProfile (gardener/gardener pkg/apis/core/v1beta1/types_namespacedcloudprofile.go):
 * longer expiration dates for the parent's versions, extra machine types and images. Shoots in its
 * namespace that reference it are judged against the merge (namespaced-cloudprofile.ts).
 */
export interface NamespacedCloudProfile {
  apiVersion: string;
  kind: 'NamespacedCloudProfile' | string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  spec: {
    parent: CloudProfileReference;
    kubernetes?: { versions?: ExpirableVersion[] };
    machineImages?: MachineImage[];
    machineTypes?: MachineType[];
    volumeTypes?: VolumeType[];
    caBundle?: string;
    limits?: { maxNodesTotal?: number; [key: string]: unknown };
    [key: string]: unknown;
  };
  [key: string]: unknown;
}
