// CloudProfile validation of the validating webhook (gardener/gardener pkg/api/core/validation/cloudprofile.go,
// ValidateCloudProfileSpec, and utils.go): versions, classifications and lifecycles, machine
// images, their CRIs and architectures. Runs on the defaulted profile (cloudprofile.ts).

import type { CloudProfile, ExpirableVersion, MachineImage, MachineImageVersion } from './cloudprofile-types.js';
import { DEFAULT_CRI_NAME, UPDATE_STRATEGIES, VALID_ARCHITECTURES } from './cloudprofile.js';
import { type FieldError, duplicate, forbidden, invalid, notSupported, required } from './field-errors.js';
import { indexVersions, parseVersionConstraint, parseVersionLenient } from './versions.js';

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
