// A CloudProfile as the rules read it (gardener/gardener pkg/apis/core/v1beta1/defaults_cloudprofile.go):
// its defaults, and the catalogue index built once per profile change that maintenance and
// admission read. Validation: cloudprofile-validation.ts; the per-worker image filters:
// machine-image-filters.ts; version completion: version-completion.ts.

import type {
  CapabilityDefinition,
  CloudProfile,
  ExpirableVersion,
  MachineImage,
  MachineImageUpdateStrategy,
  MachineImageVersion,
  MachineType,
} from './cloudprofile-types.js';
import { deepCopy } from './shoot.js';
import { type IndexedVersion, indexVersions } from './versions.js';

/** Gardener's default CPU architecture for images, machine types and workers. */
export const DEFAULT_ARCHITECTURE = 'amd64';
/** CPU architectures Gardener accepts (`v1beta1constants.ValidArchitectures`). */
export const VALID_ARCHITECTURES: readonly string[] = ['amd64', 'arm64'];
/** The default container runtime interface of a machine image version and of a worker. */
export const DEFAULT_CRI_NAME = 'containerd';
/** The machine image update strategy applied when a profile names none. */
export const DEFAULT_UPDATE_STRATEGY: MachineImageUpdateStrategy = 'major';
/** The valid machine image update strategies, sorted as Gardener lists them. */
export const UPDATE_STRATEGIES: readonly MachineImageUpdateStrategy[] = ['major', 'minor', 'patch'];

/** The machine image update strategy of an image (default `major`; unknown values count as `major`). */
export function updateStrategyOf(image: MachineImage): MachineImageUpdateStrategy {
  const s = image.updateStrategy;
  return s === 'patch' || s === 'minor' || s === 'major' ? s : DEFAULT_UPDATE_STRATEGY;
}

// ---- defaults -------------------------------------------------------------------------------

/** copy; updateStrategy 'major', CRI containerd, architectures ['amd64'], machine and volume types usable
 *  (defaults_cloudprofile.go: SetDefaults_MachineImage, SetDefaults_MachineImageVersion, SetDefaults_CloudProfile,
 *  SetDefaults_MachineType, SetDefaults_VolumeType; Gardener skips the machine type architecture default when
 *  machineCapabilities are defined, the architecture then comes from the capabilities) */
export function defaultCloudProfile(p: CloudProfile): CloudProfile {
  const copy = deepCopy(p);
  for (const image of copy.spec.machineImages ?? []) {
    image.updateStrategy ??= DEFAULT_UPDATE_STRATEGY;
    for (const version of image.versions ?? []) {
      if (!version.cri || version.cri.length === 0) version.cri = [{ name: DEFAULT_CRI_NAME }];
      if (!version.architectures || version.architectures.length === 0) version.architectures = [DEFAULT_ARCHITECTURE];
    }
  }
  const capabilitiesDefined = (copy.spec.machineCapabilities ?? []).length > 0;
  for (const machineType of copy.spec.machineTypes ?? []) {
    if (!capabilitiesDefined) machineType.architecture ??= DEFAULT_ARCHITECTURE;
    machineType.usable ??= true; // SetDefaults_MachineType
  }
  for (const volumeType of copy.spec.volumeTypes ?? []) volumeType.usable ??= true; // SetDefaults_VolumeType
  return copy;
}

// ---- catalogue index ------------------------------------------------------------------------

/** One machine image of the catalogue with its parsed versions (sorted descending). */
export interface CatalogueMachineImage {
  image: MachineImage;
  versions: IndexedVersion<MachineImageVersion>[];
  strategy: MachineImageUpdateStrategy;
  /** Whether any version constrains the kubelet version (else the kubelet cannot filter). */
  hasKubeletConstraints: boolean;
}

/** Everything maintenance and admission read from one CloudProfile, parsed once. */
export interface CatalogueIndex {
  /** The defaulted profile. */
  profile: CloudProfile;
  /** The CloudProfile at the root of its hierarchy: its own name, or a NamespacedCloudProfile's parent. */
  root: string;
  kubernetes: IndexedVersion<ExpirableVersion>[];
  /** Keyed by lower-case image name (Gardener matches names case-insensitively); first wins. */
  machineImages: Map<string, CatalogueMachineImage>;
  machineTypes: Map<string, MachineType>;
  capabilities: CapabilityDefinition[];
  /** Results of filterMachineImageVersions by everything they depend on. Many workers share
   *  one (image, architecture, machine type, CRI, kubelet version): filtering a catalogue of
   *  hundreds of versions once per combination instead of once per worker. */
  imageFilterMemo: Map<string, IndexedVersion<MachineImageVersion>[]>;
}

/** Built once per CloudProfile change (defaults applied). `root` defaults to the profile's own name. */
export function indexCloudProfile(p: CloudProfile, root: string = p.metadata.name): CatalogueIndex {
  const profile = defaultCloudProfile(p);
  const machineImages = new Map<string, CatalogueMachineImage>();
  for (const image of profile.spec.machineImages ?? []) {
    const key = image.name.toLowerCase();
    if (machineImages.has(key)) continue;
    const versions = indexVersions(image.versions ?? []);
    const hasKubeletConstraints = versions.some((v) => v.raw.kubeletVersionConstraint !== undefined);
    machineImages.set(key, { image, versions, strategy: updateStrategyOf(image), hasKubeletConstraints });
  }
  const machineTypes = new Map<string, MachineType>();
  for (const machineType of profile.spec.machineTypes ?? []) {
    if (!machineTypes.has(machineType.name)) machineTypes.set(machineType.name, machineType);
  }
  return {
    profile,
    root,
    kubernetes: indexVersions(profile.spec.kubernetes?.versions ?? []),
    machineImages,
    machineTypes,
    capabilities: profile.spec.machineCapabilities ?? [],
    imageFilterMemo: new Map(),
  };
}
