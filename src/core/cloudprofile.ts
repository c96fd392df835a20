// CloudProfile rules (gardener/gardener pkg/apis/core/v1beta1/defaults_cloudprofile.go,
// pkg/api/core/validation/cloudprofile.go and utils.go, pkg/controllermanager/controller/shoot/maintenance/
// helper/helper.go, plugin/pkg/shoot/mutator/admission.go): defaults, validation, the catalogue
// index built once per profile change, the per-worker machine image filters, and machine image
// completion for a worker that names no (or only a partial) image version.

import type {
  CapabilityDefinition,
  CloudProfile,
  ExpirableVersion,
  MachineImage,
  MachineImageUpdateStrategy,
  MachineImageVersion,
  MachineType,
} from './cloudprofile-types.js';
import { type FieldError, duplicate, forbidden, invalid, notSupported, required } from './field-errors.js';
import { deepCopy, isInPlaceUpdateStrategy, type Worker } from './shoot.js';
import {
  type IndexedVersion,
  compareNormalizedVersions,
  indexVersions,
  isDeprecated,
  isPreview,
  matchesVersionPrefix,
  parseVersionConstraint,
  parseVersionLenient,
  parseVersionPrefix,
} from './versions.js';

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

/** copy; updateStrategy 'major', CRI containerd, architectures ['amd64'] (defaults_cloudprofile.go: SetDefaults_MachineImage,
 *  SetDefaults_MachineImageVersion, SetDefaults_CloudProfile; Gardener skips the architecture defaults when
 *  machineCapabilities are defined, and then architectures are not read here either) */
export function defaultCloudProfile(p: CloudProfile): CloudProfile {
  const copy = deepCopy(p);
  for (const image of copy.spec.machineImages ?? []) {
    image.updateStrategy ??= DEFAULT_UPDATE_STRATEGY;
    for (const version of image.versions ?? []) {
      if (!version.cri || version.cri.length === 0) version.cri = [{ name: DEFAULT_CRI_NAME }];
      if (!version.architectures || version.architectures.length === 0) version.architectures = [DEFAULT_ARCHITECTURE];
    }
  }
  for (const machineType of copy.spec.machineTypes ?? []) machineType.architecture ??= DEFAULT_ARCHITECTURE;
  return copy;
}

// ---- validation (pkg/api/core/validation/cloudprofile.go, utils.go) --------------------------

/** Options of CloudProfile validation. */
export interface CloudProfileValidationOptions {
  /** Gardener's `VersionClassificationLifecycle` feature gate (alpha, off by default, and off here). */
  lifecycleFeatureGate?: boolean;
}

const KUBERNETES_VERSION_REGEX = /^([0-9]+\.){2}[0-9]+$/;
const CLASSIFICATIONS: readonly string[] = ['deprecated', 'expired', 'preview', 'supported'];
const LIFECYCLE_ORDER: readonly string[] = ['preview', 'supported', 'deprecated', 'expired'];
const AVAILABLE_CRI_NAMES: readonly string[] = [DEFAULT_CRI_NAME];

/** The rules every expirable version shares: classification and lifecycle. */
function validateExpirableVersion(v: ExpirableVersion, path: string, options: CloudProfileValidationOptions): FieldError[] {
  const errors: FieldError[] = [];
  if (v.classification !== undefined) {
    if (!CLASSIFICATIONS.includes(v.classification)) {
      errors.push(notSupported(`${path}.classification`, v.classification, CLASSIFICATIONS));
    } else if (v.classification === 'expired') {
      errors.push(forbidden(`${path}.classification`, 'cannot specify `classification` expired'));
    }
  }
  const lifecycle = v.lifecycle ?? [];
  if (lifecycle.length === 0) return errors;

  const lifecyclePath = `${path}.lifecycle`;
  if (!options.lifecycleFeatureGate) {
    errors.push(forbidden(lifecyclePath, 'lifecycles are not allowed with disabled VersionClassificationLifecycle feature gate'));
  }
  if (v.classification !== undefined || v.expirationDate !== undefined) {
    errors.push(forbidden(lifecyclePath, 'cannot specify `classification` or `expirationDate` in combination with `lifecycle`'));
  }
  const seen = new Set<string>();
  let previous: { classification: string; rank: number } | undefined;
  let previousStartMs: number | undefined;
  lifecycle.forEach((stage, j) => {
    const stagePath = `${lifecyclePath}[${j}]`;
    const rank = LIFECYCLE_ORDER.indexOf(stage.classification);
    if (rank === -1) {
      errors.push(notSupported(`${stagePath}.classification`, stage.classification, CLASSIFICATIONS));
    } else if (seen.has(stage.classification)) {
      errors.push(duplicate(`${stagePath}.classification`, stage.classification));
    } else {
      if (previous && rank < previous.rank) {
        errors.push(
          invalid(
            `${stagePath}.classification`,
            stage.classification,
            `lifecycle classifications not in expected order (preview, supported, deprecated, expired): ${stage.classification} must be before ${previous.classification}`,
          ),
        );
      }
      seen.add(stage.classification);
      previous = { classification: stage.classification, rank };
    }
    if (stage.startTime === undefined) {
      if (j > 0) {
        errors.push(required(`${stagePath}.startTime`, 'only the leading lifecycle elements can have the start time optional'));
      }
    } else {
      const startMs = Date.parse(stage.startTime);
      if (previousStartMs !== undefined && startMs < previousStartMs) {
        errors.push(invalid(`${stagePath}.startTime`, stage.startTime, 'lifecycle start times must be monotonically increasing'));
      }
      if (!Number.isNaN(startMs)) previousStartMs = startMs;
    }
  });
  return errors;
}

/** At most one version per minor with an explicit legacy `classification: supported`. */
function validateOneSupportedPerMinor(versions: ExpirableVersion[], pathOf: (i: number) => string): FieldError[] {
  const errors: FieldError[] = [];
  const supported = versions
    .map((v, i) => ({ v, i, parsed: v.classification === 'supported' ? parseVersionLenient(v.version) : undefined }))
    .filter((e) => e.parsed !== undefined);
  for (const e of supported) {
    const overlaps = supported.some(
      (o) => o.i !== e.i && o.parsed?.major === e.parsed?.major && o.parsed?.minor === e.parsed?.minor,
    );
    if (overlaps) {
      errors.push(
        forbidden(
          pathOf(e.i),
          `unable to add version "${e.v.version}" with classification "supported". "supported" lifecycle stages must not overlap per minor version`,
        ),
      );
    }
  }
  return errors;
}

function validateMachineImages(p: CloudProfile, options: CloudProfileValidationOptions): FieldError[] {
  const errors: FieldError[] = [];
  const images = p.spec.machineImages ?? [];
  const capabilitiesDefined = (p.spec.machineCapabilities ?? []).length > 0;
  if (images.length === 0) errors.push(required('spec.machineImages', 'must provide at least one machine image'));

  const names = new Set<string>();
  const nameVersions = new Set<string>();
  images.forEach((image, i) => {
    const imagePath = `spec.machineImages[${i}]`;
    if (names.has(image.name)) errors.push(duplicate(imagePath, image.name));
    names.add(image.name);
    if (!image.name) errors.push(required(`${imagePath}.name`, 'machine image name must not be empty'));
    const versions = image.versions ?? [];
    if (versions.length === 0) {
      errors.push(required(`${imagePath}.versions`, `must provide at least one version for the machine image '${image.name}'`));
    }
    if (image.updateStrategy === undefined) {
      errors.push(required(`${imagePath}.updateStrategy`, 'must provide an update strategy'));
    } else if (!(UPDATE_STRATEGIES as readonly string[]).includes(image.updateStrategy)) {
      errors.push(notSupported(`${imagePath}.updateStrategy`, image.updateStrategy, UPDATE_STRATEGIES));
    }
    versions.forEach((v, j) => {
      const versionPath = `${imagePath}.versions[${j}]`;
      errors.push(...validateMachineImageVersion(image, v, versionPath, nameVersions, capabilitiesDefined, options));
    });
    errors.push(...validateOneSupportedPerMinor(versions, (j) => `${imagePath}.versions[${j}]`));
  });
  return errors;
}

function validateMachineImageVersion(
  image: MachineImage,
  v: MachineImageVersion,
  path: string,
  nameVersions: Set<string>,
  capabilitiesDefined: boolean,
  options: CloudProfileValidationOptions,
): FieldError[] {
  const errors: FieldError[] = [];
  const key = `${image.name}-${v.version}`;
  if (nameVersions.has(key)) errors.push(duplicate(path, key));
  nameVersions.add(key);
  if (!v.version) errors.push(required(`${path}.version`, ''));
  if (!parseVersionLenient(v.version ?? '')) {
    errors.push(
      invalid(
        `${path}.version`,
        v.version,
        'could not parse version. Use a semantic version. In case there is no semantic version for this image use the extensibility provider (define mapping in the CloudProfile) to map to the actual non semantic version',
      ),
    );
  }
  const minVersion = v.inPlaceUpdates?.minVersionForUpdate;
  if (minVersion !== undefined && !parseVersionLenient(minVersion)) {
    errors.push(invalid(`${path}.minVersionForInPlaceUpdate`, v.version, 'could not parse version. Use a semantic version.'));
  }
  errors.push(...validateExpirableVersion(v, path, options));
  for (const arch of v.architectures ?? []) {
    if (!VALID_ARCHITECTURES.includes(arch)) errors.push(notSupported(`${path}.architecture`, arch, VALID_ARCHITECTURES));
  }
  if (!capabilitiesDefined && (v.architectures ?? []).length === 0) {
    errors.push(required(`${path}.architectures`, 'must provide at least one architecture'));
  }
  if (v.kubeletVersionConstraint !== undefined && !parseVersionConstraint(v.kubeletVersionConstraint)) {
    errors.push(
      invalid(
        `${path}.kubeletVersionConstraint`,
        v.kubeletVersionConstraint,
        `cannot parse the kubeletVersionConstraint: improper constraint: ${v.kubeletVersionConstraint}`,
      ),
    );
  }
  errors.push(...validateCRIs(v, `${path}.cri`));
  return errors;
}

function validateCRIs(v: MachineImageVersion, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const cris = v.cri ?? [];
  if (cris.length === 0) return [required(path, 'must provide at least one supported container runtime')];
  const names = new Set<string>();
  cris.forEach((cri, k) => {
    const criPath = `${path}[${k}]`;
    if (names.has(cri.name)) errors.push(duplicate(criPath, cri.name));
    names.add(cri.name);
    if (!AVAILABLE_CRI_NAMES.includes(cri.name)) errors.push(notSupported(`${criPath}.name`, cri.name, AVAILABLE_CRI_NAMES));
    const types = new Set<string>();
    (cri.containerRuntimes ?? []).forEach((cr, l) => {
      if (types.has(cr.type)) errors.push(duplicate(`${criPath}.containerRuntimes[${l}].type`, cr.type));
      types.add(cr.type);
    });
  });
  return errors;
}

function validateKubernetesVersions(p: CloudProfile, options: CloudProfileValidationOptions): FieldError[] {
  const errors: FieldError[] = [];
  const versions = p.spec.kubernetes?.versions ?? [];
  if (versions.length === 0) {
    errors.push(required('spec.kubernetes.versions', 'must provide at least one Kubernetes version'));
    return errors;
  }

  // The latest version (preview included) must never expire.
  const [latest] = indexVersions(versions);
  if (latest) {
    if (latest.raw.expirationDate !== undefined) {
      errors.push(
        invalid(
          'spec.kubernetes.versions[].expirationDate',
          latest.raw.expirationDate,
          `expiration date of latest kubernetes version ('${latest.version}') must not be set`,
        ),
      );
    }
    const stages = latest.raw.lifecycle ?? [];
    if (stages.length > 0 && stages[stages.length - 1]?.classification === 'expired') {
      errors.push(
        invalid(
          'spec.kubernetes.versions[].lifecycle',
          stages,
          `classification expired of latest kubernetes version ('${latest.version}') must not be set`,
        ),
      );
    }
  }

  const seen = new Set<string>();
  versions.forEach((v, i) => {
    const path = `spec.kubernetes.versions[${i}]`;
    if (!KUBERNETES_VERSION_REGEX.test(v.version ?? '')) {
      errors.push(invalid(path, v, 'all Kubernetes versions must match the regex ^([0-9]+\\.){2}[0-9]+$'));
    } else if (seen.has(v.version)) {
      errors.push(duplicate(`${path}.version`, v.version));
    } else {
      seen.add(v.version);
    }
    errors.push(...validateExpirableVersion(v, path, options));
  });
  errors.push(...validateOneSupportedPerMinor(versions, (i) => `spec.kubernetes.versions[${i}]`));
  return errors;
}

/** ValidateCloudProfileSpec — versions present, X.Y.Z regex, duplicates, no expirationDate on the latest k8s version, valid
 *  classifications, lifecycle rules (feature gate off unless told), one supported per minor, machine images.
 *  Expects the defaulted profile (as Gardener validates after defaulting). `old` is accepted for update
 *  calls; no rule compares with it yet (see the lifecycle note in the report). */
export function validateCloudProfile(
  p: CloudProfile,
  _old?: CloudProfile,
  options: CloudProfileValidationOptions = {},
): FieldError[] {
  return [...validateMachineImages(p, options), ...validateKubernetesVersions(p, options)];
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

/** Built once per CloudProfile change (defaults applied). */
export function indexCloudProfile(p: CloudProfile): CatalogueIndex {
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
    kubernetes: indexVersions(profile.spec.kubernetes?.versions ?? []),
    machineImages,
    machineTypes,
    capabilities: profile.spec.machineCapabilities ?? [],
    imageFilterMemo: new Map(),
  };
}

// ---- architecture and capabilities (v1beta1 helper/cloudprofile.go: GetArchitecturesFromImageVersion,
//      AreCapabilitiesCompatible) -------------------------------------------------------------------

const ARCHITECTURE_CAPABILITY = 'architecture';

/** Capabilities with Gardener's defaults: a defined capability that is missing means all its values. */
function withCapabilityDefaults(
  capabilities: Record<string, string[]> | undefined,
  definitions: CapabilityDefinition[],
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const def of definitions) {
    const given = capabilities?.[def.name];
    out.set(def.name, given && given.length > 0 ? given : def.values);
  }
  return out;
}

/** The CPU architectures an image version supports: from its capability flavors when the profile defines
 *  capabilities (no flavors → every value of the `architecture` definition), else its `architectures`. */
export function architecturesOfImageVersion(v: MachineImageVersion, definitions: CapabilityDefinition[]): string[] {
  if (definitions.length === 0) return v.architectures ?? [];
  const flavors = v.capabilityFlavors ?? [];
  if (flavors.length === 0) return definitions.find((d) => d.name === ARCHITECTURE_CAPABILITY)?.values ?? [];
  const archs = new Set<string>();
  for (const flavor of flavors) {
    for (const a of withCapabilityDefaults(flavor.capabilities, definitions).get(ARCHITECTURE_CAPABILITY) ?? []) archs.add(a);
  }
  return [...archs];
}

/** Whether a machine type's capabilities fit at least one flavor of an image version (no flavors or no
 *  definitions → compatible). */
export function areCapabilitiesCompatible(
  machineCapabilities: Record<string, string[]> | undefined,
  flavors: { capabilities: Record<string, string[]> }[] | undefined,
  definitions: CapabilityDefinition[],
): boolean {
  if (definitions.length === 0 || !flavors || flavors.length === 0) return true;
  const machine = withCapabilityDefaults(machineCapabilities, definitions);
  return flavors.some((flavor) => {
    const offered = withCapabilityDefaults(flavor.capabilities, definitions);
    return definitions.every((def) => {
      const want = machine.get(def.name) ?? [];
      const have = offered.get(def.name) ?? [];
      return want.some((value) => have.includes(value));
    });
  });
}

// ---- per-worker filters (maintenance/helper/helper.go, FilterMachineImageVersions) ------------

/** The CPU architecture of a worker (Gardener defaults it to amd64). */
export function workerArchitecture(worker: Worker): string {
  return worker.machine.architecture ?? DEFAULT_ARCHITECTURE;
}

const IMAGE_FILTER_MEMO_LIMIT = 10_000;

/** FilterMachineImageVersions' filters, in order: architecture, capabilities (only if defined), CRI (nil → containerd, + runtime types),
 *  kubeletVersionConstraint, in-place rule. The result is shared (memoised): callers must not modify it. */
export function filterMachineImageVersions(args: {
  index: CatalogueIndex;
  imageName: string;
  worker: Worker;
  kubeletVersion: string;
}): IndexedVersion<MachineImageVersion>[] {
  const { index, imageName, worker, kubeletVersion } = args;
  const entry = index.machineImages.get(imageName.toLowerCase());
  if (!entry) return [];
  const definitions = index.capabilities;
  const arch = workerArchitecture(worker);
  const machineType = index.machineTypes.get(worker.machine.type ?? '');
  const cri = worker.cri ?? { name: DEFAULT_CRI_NAME };
  const inPlace = isInPlaceUpdateStrategy(worker.updateStrategy);
  const currentImageVersion = worker.machine.image?.version;

  // The key holds only what can change the answer: the machine type only when capabilities are
  // defined, the kubelet only when the image constrains it, the current version only in place.
  const runtimes = (cri.containerRuntimes ?? []).map((r) => r.type).join(',');
  const typeKey = definitions.length > 0 ? worker.machine.type : '-';
  const kubeletKey = entry.hasKubeletConstraints ? kubeletVersion : '-';
  const current = inPlace ? (currentImageVersion ?? '') : '-';
  const memoKey = `${imageName.toLowerCase()}\u0000${arch}\u0000${typeKey}\u0000${cri.name}\u0000${runtimes}\u0000${kubeletKey}\u0000${current}`;
  const memo = index.imageFilterMemo.get(memoKey);
  if (memo) return memo;
  const kubelet = parseVersionLenient(kubeletVersion);
  const filtered = entry.versions
    .filter((v) => architecturesOfImageVersion(v.raw, definitions).includes(arch))
    .filter((v) => areCapabilitiesCompatible(machineType?.capabilities, v.raw.capabilityFlavors, definitions))
    .filter((v) => {
      const offered = (v.raw.cri ?? []).find((c) => c.name === cri.name);
      if (!offered) return false;
      return (cri.containerRuntimes ?? []).every((wanted) =>
        (offered.containerRuntimes ?? []).some((cr) => cr.type === wanted.type),
      );
    })
    .filter((v) => {
      if (v.raw.kubeletVersionConstraint === undefined) return true;
      const range = parseVersionConstraint(v.raw.kubeletVersionConstraint);
      return range !== undefined && kubelet !== undefined && range.test(kubelet);
    })
    .filter((v) => {
      if (!inPlace) return true;
      if (currentImageVersion === undefined || !v.raw.inPlaceUpdates?.supported) return false;
      if (v.version === currentImageVersion) return true;
      const min = v.raw.inPlaceUpdates.minVersionForUpdate;
      return min !== undefined && compareNormalizedVersions(min, currentImageVersion) <= 0;
    });
  // Bounded: request content chooses the keys, so a flood of odd workers must not grow it forever.
  if (index.imageFilterMemo.size >= IMAGE_FILTER_MEMO_LIMIT) index.imageFilterMemo.clear();
  index.imageFilterMemo.set(memoKey, filtered);
  return filtered;
}

// ---- machine image completion (mutator/admission.go: ensureMachineImage, getDefaultMachineImage) ---

/** Go's strconv.ParseUint error text, as Gardener's mutator wraps it. */
function semanticVersionPartError(part: string, reason: 'syntax' | 'range'): string {
  const why = reason === 'syntax' ? 'invalid syntax' : 'value out of range';
  return `${part} must be a semantic version: strconv.ParseUint: parsing "${part}": ${why}`;
}

/** Latest non-preview version, preferring non-deprecated ones (DetermineLatestMachineImageVersion). */
function latestMachineImageVersion(versions: IndexedVersion<MachineImageVersion>[], now: Date) {
  const candidates = versions.filter((v) => !isPreview(v, now));
  return candidates.find((v) => !isDeprecated(v, now)) ?? candidates[0];
}

/** Machine image completion (ensureMachineImage, getDefaultMachineImage): returns the image {name, version} a worker should get, or a detail error text.
 *  A failure is Gardener's `Invalid` at `spec.provider.workers[i]` with `badValue` and `detail`. The kubelet
 *  version is not a filter here (as in Gardener; validation reports an incompatible kubelet afterwards). */
export function completeMachineImage(args: {
  index: CatalogueIndex;
  worker: Worker;
  oldWorker?: Worker;
  kubeletVersion: string;
  now: Date;
}): { ok: true; image: { name: string; version: string } } | { ok: false; detail: string; badValue: string } {
  const { index, worker, oldWorker, now } = args;
  const image = worker.machine.image;
  const oldImage = oldWorker?.machine.image;
  if (oldImage) {
    // An existing pool keeps its image unless the user names a different one.
    const keepOld = { ok: true as const, image: { name: oldImage.name ?? '', version: oldImage.version ?? '' } };
    if (!image) return keepOld;
    if (oldImage.name === image.name && (!image.version || image.version === oldImage.version)) return keepOld;
  }

  const imageReference = image ? `${image.name ?? ''}@${image.version ?? ''}` : '';
  const images = index.profile.spec.machineImages ?? [];
  if (images.length === 0) {
    return { ok: false, badValue: imageReference, detail: 'the cloud profile does not contain any machine image - cannot create shoot cluster' };
  }

  const definitions = index.capabilities;
  const arch = workerArchitecture(worker);
  const machineType = index.machineTypes.get(worker.machine.type ?? '');
  const fits = (v: MachineImageVersion) =>
    architecturesOfImageVersion(v, definitions).includes(arch) &&
    (!machineType || areCapabilitiesCompatible(machineType.capabilities, v.capabilityFlavors, definitions));

  let chosen: MachineImage | undefined;
  if (image?.name) {
    chosen = images.find((candidate) => candidate.name === image.name);
    if (!chosen) return { ok: false, badValue: image.name, detail: 'image is not supported' };
  } else {
    chosen = images.find((candidate) => (candidate.versions ?? []).some(fits));
    if (!chosen) {
      return { ok: false, badValue: imageReference, detail: `no valid machine image found that supports architecture \`${arch}\`` };
    }
  }

  let prefix: { major?: bigint; minor?: bigint } = {};
  if (image) {
    const version = image.version ?? '';
    const parsed = parseVersionPrefix(version.startsWith('v') ? version.slice(1) : version);
    if (parsed.kind === 'complete') return { ok: true, image: { name: image.name ?? '', version } };
    if (parsed.kind === 'invalid') {
      return { ok: false, badValue: version, detail: semanticVersionPartError(parsed.part, parsed.reason) };
    }
    prefix = parsed;
  }

  const entry = index.machineImages.get(chosen.name.toLowerCase());
  const inPlace = isInPlaceUpdateStrategy(worker.updateStrategy);
  const valid = (entry?.image === chosen ? entry.versions : indexVersions(chosen.versions ?? [])).filter(
    (v) => fits(v.raw) && (!inPlace || v.raw.inPlaceUpdates?.supported === true) && matchesVersionPrefix(v.semver, prefix),
  );
  const latest = latestMachineImageVersion(valid, now);
  if (!latest) {
    return {
      ok: false,
      badValue: imageReference,
      detail: 'failed to determine latest machine image from cloud profile: unable to determine latest expirable version',
    };
  }
  return { ok: true, image: { name: chosen.name, version: latest.version } };
}
