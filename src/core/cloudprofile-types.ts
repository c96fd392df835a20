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
