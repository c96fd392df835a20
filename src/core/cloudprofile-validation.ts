// CloudProfile validation of the validating webhook (gardener/gardener pkg/api/core/validation/cloudprofile.go,
// ValidateCloudProfileSpec and ValidateCloudProfileSpecUpdate's version rule, and utils.go): versions, classifications
// and lifecycles, machine images, their CRIs and architectures. Runs on the defaulted profile (cloudprofile.ts).

import type { CloudProfile, ExpirableVersion, LifecycleStage, MachineImage, MachineImageVersion } from './cloudprofile-types.js';
import { DEFAULT_CRI_NAME, UPDATE_STRATEGIES, VALID_ARCHITECTURES } from './cloudprofile.js';
import { type FieldError, duplicate, forbidden, goTimeString, invalid, notSupported, required } from './field-errors.js';
import { classificationOf, compareClassifications, indexVersions, parseVersionConstraint, parseVersionLenient } from './versions.js';

/** Options of CloudProfile validation. */
export interface CloudProfileValidationOptions {
  /** Gardener's `VersionClassificationLifecycle` feature gate (alpha, off by default; `--feature-gates`). */
  lifecycleFeatureGate?: boolean;
  /** The instant the one-supported-per-minor rule and the update rule classify at (Gardener: time.Now()); without it a
   *  legacy `classification: supported` counts as supported and the update rule is not checked. */
  now?: Date;
}

/** pkg/api/core/validation/utils.go, ValidateMachineImageVersion: a version that is not semver. */
const MACHINE_IMAGE_VERSION_PARSE_ERROR =
  'could not parse version. Use a semantic version. In case there is no semantic version for this image use the extensibility provider (define mapping in the CloudProfile) to map to the actual non semantic version';

const KUBERNETES_VERSION_REGEX = /^([0-9]+\.){2}[0-9]+$/;
const CLASSIFICATIONS: readonly string[] = ['deprecated', 'expired', 'preview', 'supported'];
const AVAILABLE_CRI_NAMES: readonly string[] = [DEFAULT_CRI_NAME];

/** The rules every expirable version shares (pkg/api/core/validation/utils.go, validateExpirableVersion):
 *  with the gate off a lifecycle is refused and nothing else is checked, as in Gardener. */
function validateExpirableVersion(v: ExpirableVersion, path: string, options: CloudProfileValidationOptions): FieldError[] {
  const lifecycle = v.lifecycle ?? [];
  const lifecyclePath = `${path}.lifecycle`;
  if (lifecycle.length > 0 && !options.lifecycleFeatureGate) {
    return [forbidden(lifecyclePath, 'lifecycles are not allowed with disabled VersionClassificationLifecycle feature gate')];
  }
  const errors: FieldError[] = [];
  if (v.classification !== undefined && !CLASSIFICATIONS.includes(v.classification)) {
    errors.push(notSupported(`${path}.classification`, v.classification, CLASSIFICATIONS));
  }
  if (v.lifecycle === undefined && v.classification === 'expired') {
    errors.push(forbidden(`${path}.classification`, 'cannot specify `classification` expired'));
  }
  if ((v.classification !== undefined || v.expirationDate !== undefined) && lifecycle.length > 0) {
    errors.push(forbidden(path, 'cannot specify `classification` or `expirationDate` in combination with `lifecycle`'));
  }
  errors.push(...validateLifecycle(lifecycle, lifecyclePath));
  return errors;
}

/** Gardener's four lifecycle passes, in its order: known classifications, no duplicates, order, start times. */
function validateLifecycle(lifecycle: readonly LifecycleStage[], path: string): FieldError[] {
  const errors: FieldError[] = [];
  lifecycle.forEach((stage, i) => {
    if (!CLASSIFICATIONS.includes(stage.classification)) {
      errors.push(notSupported(`${path}[${i}].classification`, stage.classification, CLASSIFICATIONS));
    }
  });
  const seen = new Set<string>();
  lifecycle.forEach((stage, i) => {
    if (seen.has(stage.classification)) errors.push(duplicate(`${path}[${i}].classification`, stage.classification));
    seen.add(stage.classification);
  });
  for (let i = 1; i < lifecycle.length; i++) {
    const previous = lifecycle[i - 1]?.classification ?? '';
    const current = lifecycle[i]?.classification ?? '';
    if (compareClassifications(previous, current) > 0) {
      errors.push(
        invalid(
          `${path}[${i}].classification`,
          current,
          `lifecycle classifications not in expected order (preview, supported, deprecated, expired): ${current} must be before ${previous}`,
        ),
      );
    }
  }
  errors.push(...validateLifecycleStartTimes(lifecycle, path));
  return errors;
}

/** validateLifecycleStartTimes: only the first stage may omit its start (it then starts at Go's zero time);
 *  each later start is not before the previous one. The bad value is Go's time.Time String(). */
function validateLifecycleStartTimes(lifecycle: readonly LifecycleStage[], path: string): FieldError[] {
  const errors: FieldError[] = [];
  let previousMs: number | undefined;
  lifecycle.forEach((stage, i) => {
    const startMs = stage.startTime === undefined ? undefined : Date.parse(stage.startTime);
    if (i === 0) {
      previousMs = startMs ?? Number.NEGATIVE_INFINITY;
      return;
    }
    if (startMs === undefined) {
      errors.push(required(`${path}[${i}]`, 'only the leading lifecycle elements can have the start time optional'));
      return;
    }
    if (Number.isNaN(startMs)) return; // the CRD schema rejects an unreadable date-time
    if (previousMs !== undefined && startMs < previousMs) {
      errors.push(invalid(`${path}[${i}]`, goTimeString(startMs), 'lifecycle start times must be monotonically increasing'));
    }
    previousMs = startMs;
  });
  return errors;
}

/** At most one `supported` version per minor (cloudprofile.go, validateSupportedVersionsConfiguration): checked for a
 *  version with the legacy `classification` that is supported at `now`, against the other versions of its minor with
 *  a legacy `supported` or a `supported` lifecycle stage (Gardener's supportedVersionsOverlapping is always true when
 *  one side has no lifecycle, and the checked side never has one once the combination is refused). */
function validateOneSupportedPerMinor(
  versions: ExpirableVersion[],
  pathOf: (i: number) => string,
  options: CloudProfileValidationOptions,
): FieldError[] {
  const errors: FieldError[] = [];
  const withSupported = versions
    .map((v, i) => ({ v, i, parsed: parseVersionLenient(v.version) }))
    .filter((e) => e.v.classification === 'supported' || (e.v.lifecycle ?? []).some((s) => s.classification === 'supported'));
  versions.forEach((v, i) => {
    if (v.classification === undefined) return;
    if (options.now !== undefined ? classificationOf(v, options.now) !== 'supported' : v.classification !== 'supported') return;
    const parsed = parseVersionLenient(v.version);
    if (!parsed) return;
    for (const o of withSupported) {
      if (o.parsed === undefined || o.parsed.compare(parsed) === 0) continue;
      if (o.parsed.major !== parsed.major || o.parsed.minor !== parsed.minor) continue;
      if (!supportedStagesOverlap(v, o.v)) continue;
      errors.push(
        forbidden(
          pathOf(i),
          `unable to add version "${v.version}" with classification "supported". "supported" lifecycle stages must not overlap per minor version`,
        ),
      );
    }
  });
  return errors;
}

/** supportedVersionsOverlapping (cloudprofile.go): true when either version has no lifecycle; else whether their
 *  supported stages can be current at the same time (equal start times do not overlap). */
function supportedStagesOverlap(a: ExpirableVersion, b: ExpirableVersion): boolean {
  const la = a.lifecycle ?? [];
  const lb = b.lifecycle ?? [];
  if (la.length === 0 || lb.length === 0) return true;
  const sa = la.find((s) => s.classification === 'supported');
  const sb = lb.find((s) => s.classification === 'supported');
  if (!sa || !sb) return false;
  const na = la.find((s) => compareClassifications(s.classification, 'supported') > 0);
  const nb = lb.find((s) => compareClassifications(s.classification, 'supported') > 0);
  const ms = (t: string | undefined) => (t === undefined ? Number.NEGATIVE_INFINITY : Date.parse(t));
  if (!na && !nb) return true;
  if (!na && nb && (sa.startTime === undefined || ms(sa.startTime) < ms(nb.startTime))) return true;
  if (!nb && na && (sb.startTime === undefined || ms(sb.startTime) < ms(na.startTime))) return true;
  return false;
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
    errors.push(...validateOneSupportedPerMinor(versions, (j) => `${imagePath}.versions[${j}]`, options));
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
  const errors = machineImageVersionIdentityErrors(image, v, path, nameVersions);
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
  errors.push(...kubeletConstraintErrors(v, path));
  errors.push(...validateCRIs(v, `${path}.cri`));
  return errors;
}

/** pkg/api/core/validation/utils.go, ValidateMachineImageVersion: the version unique within its image
 *  (`nameVersions` collects `<image>-<version>`), present and semantic. Also used for NamespacedCloudProfiles. */
export function machineImageVersionIdentityErrors(image: MachineImage, v: MachineImageVersion, path: string, nameVersions: Set<string>): FieldError[] {
  const errors: FieldError[] = [];
  const key = `${image.name}-${v.version}`;
  if (nameVersions.has(key)) errors.push(duplicate(path, key));
  nameVersions.add(key);
  if (!v.version) errors.push(required(`${path}.version`, ''));
  if (!parseVersionLenient(v.version ?? '')) errors.push(invalid(`${path}.version`, v.version, MACHINE_IMAGE_VERSION_PARSE_ERROR));
  return errors;
}

/** ValidateMachineImageVersion: a kubeletVersionConstraint that parses. Also used for NamespacedCloudProfiles. */
export function kubeletConstraintErrors(v: MachineImageVersion, path: string): FieldError[] {
  if (v.kubeletVersionConstraint === undefined || parseVersionConstraint(v.kubeletVersionConstraint)) return [];
  return [
    invalid(
      `${path}.kubeletVersionConstraint`,
      v.kubeletVersionConstraint,
      `cannot parse the kubeletVersionConstraint: improper constraint: ${v.kubeletVersionConstraint}`,
    ),
  ];
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

/** Each Kubernetes version: the X.Y.Z regex, no duplicates, the expirable-version rules
 *  (pkg/api/core/validation/utils.go, validateKubernetesVersions; also used for NamespacedCloudProfiles). */
export function validateKubernetesVersionEntries(
  versions: readonly ExpirableVersion[],
  kubernetesPath: string,
  options: CloudProfileValidationOptions,
): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    const path = `${kubernetesPath}.versions[${i}]`;
    if (!KUBERNETES_VERSION_REGEX.test(v.version ?? '')) {
      errors.push(invalid(path, v, 'all Kubernetes versions must match the regex ^([0-9]+\\.){2}[0-9]+$'));
    } else if (seen.has(v.version)) {
      errors.push(duplicate(`${path}.version`, v.version));
    } else {
      seen.add(v.version);
    }
    errors.push(...validateExpirableVersion(v, path, options));
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
          // Gardener passes the version's expirationDate here, nil beside a lifecycle: rendered "null".
          latest.raw.expirationDate ?? 'null',
          `classification expired of latest kubernetes version ('${latest.version}') must not be set`,
        ),
      );
    }
  }

  errors.push(...validateKubernetesVersionEntries(versions, 'spec.kubernetes', options));
  errors.push(...validateOneSupportedPerMinor(versions, (i) => `spec.kubernetes.versions[${i}]`, options));
  return errors;
}

/** ValidateCloudProfileExpirableVersionsUpdate (cloudprofile.go): a version kept by an update (matched by its version
 *  string; the last old entry of a repeated one) may not become `unavailable` at `now` when it was not before, e.g. a
 *  lifecycle whose first start moves into the future. Versions removed or added are not judged here. Not behind the
 *  VersionClassificationLifecycle gate, as in Gardener (with the gate off a lifecycle is refused anyway). */
function validateExpirableVersionsUpdate(
  versions: readonly ExpirableVersion[],
  oldVersions: readonly ExpirableVersion[],
  pathOf: (i: number) => string,
  now: Date,
): FieldError[] {
  const old = new Map(oldVersions.map((v) => [v.version, v]));
  const errors: FieldError[] = [];
  versions.forEach((v, i) => {
    const before = old.get(v.version);
    if (before === undefined) return;
    if (classificationOf(before, now) !== 'unavailable' && classificationOf(v, now) === 'unavailable') {
      errors.push(forbidden(pathOf(i), 'a version cannot be turned unavailable if it was already moved into a later lifecycle stage'));
    }
  });
  return errors;
}

/** The version rules of ValidateCloudProfileSpecUpdate (cloudprofile.go), Kubernetes versions first, then the versions of
 *  each machine image that the old profile has under the same name (the last of a repeated name). */
function validateCloudProfileSpecUpdate(p: CloudProfile, old: CloudProfile, now: Date): FieldError[] {
  const errors = validateExpirableVersionsUpdate(
    p.spec.kubernetes?.versions ?? [],
    old.spec.kubernetes?.versions ?? [],
    (i) => `spec.kubernetes.versions[${i}]`,
    now,
  );
  const oldImages = new Map((old.spec.machineImages ?? []).map((image) => [image.name, image]));
  (p.spec.machineImages ?? []).forEach((image, i) => {
    const oldImage = oldImages.get(image.name);
    if (oldImage === undefined) return;
    errors.push(...validateExpirableVersionsUpdate(image.versions ?? [], oldImage.versions ?? [], (j) => `spec.machineImages[${i}].versions[${j}]`, now));
  });
  return errors;
}

/** ValidateCloudProfileSpec — versions present, X.Y.Z regex, duplicates, no expirationDate on the latest k8s version, valid
 *  classifications, lifecycle rules (feature gate off unless told), one supported per minor, machine images — and on an
 *  update (`old` given) ValidateCloudProfileSpecUpdate's rule for versions turned unavailable, which needs `options.now`
 *  (without it that rule is not checked). Expects the defaulted profiles (as Gardener validates after defaulting). */
export function validateCloudProfile(
  p: CloudProfile,
  old?: CloudProfile,
  options: CloudProfileValidationOptions = {},
): FieldError[] {
  const errors = [...validateMachineImages(p, options), ...validateKubernetesVersions(p, options)];
  if (old !== undefined && options.now !== undefined) errors.push(...validateCloudProfileSpecUpdate(p, old, options.now));
  return errors;
}
