// NamespacedCloudProfile validation of the validating webhook, in Gardener's order:
// 1. the static rules (gardener/gardener pkg/api/core/validation/namespacedcloudprofile.go,
//    ValidateNamespacedCloudProfile / ValidateNamespacedCloudProfileUpdate), which gardener-apiserver
//    checks before any admission plugin;
// 2. the NamespacedCloudProfile admission plugin (plugin/pkg/namespacedcloudprofile/validator/admission.go,
//    Validate): the parent must exist, Kubernetes overrides must name a parent version and set an
//    expiration date, machine image overrides of parent versions may only change the expiration date,
//    no expiration date may be moved into the past, and the simulated merge must be a valid profile.
// The plugin's checks return the first failure as a plain message, as Gardener's do.

import { CLOUD_PROFILE_KIND, type CloudProfile, type ExpirableVersion, type MachineImageVersion, type NamespacedCloudProfile } from './cloudprofile-types.js';
import { defaultCloudProfile, UPDATE_STRATEGIES } from './cloudprofile.js';
import {
  kubeletConstraintErrors,
  machineImageVersionIdentityErrors,
  validateCloudProfile,
  validateKubernetesVersionEntries,
  type CloudProfileValidationOptions,
} from './cloudprofile-validation.js';
import { type FieldError, duplicate, forbidden, GoStringer, goQuote, goTime, invalid, notSupported, renderFieldError, required } from './field-errors.js';
import { jsonEqual } from './json.js';
import { mergedCloudProfile } from './namespaced-cloudprofile.js';
import { isExpired } from './versions.js';

export interface NamespacedCloudProfileValidationInput {
  profile: NamespacedCloudProfile;
  /** The stored object on UPDATE. */
  old?: NamespacedCloudProfile;
  /** The parent CloudProfile as the catalogue has it (defaulted), or undefined when there is none. */
  parent: CloudProfile | undefined;
  now: Date;
  options?: CloudProfileValidationOptions;
}

/** A denial: the field errors (the response's causes) and, for the admission plugin's plain errors, its message. */
export interface NamespacedCloudProfileDenial {
  errors: FieldError[];
  message?: string;
}

function parentErrors(p: NamespacedCloudProfile): FieldError[] {
  const errors: FieldError[] = [];
  const { parent } = p.spec;
  if (parent.kind !== CLOUD_PROFILE_KIND) errors.push(notSupported('spec.parent.kind', parent.kind ?? '', [CLOUD_PROFILE_KIND]));
  if (!parent.name) errors.push(required('spec.parent.name', 'must provide a parent name'));
  return errors;
}

/** ValidateNamespacedCloudProfile (the parts this project reads) and, on UPDATE, the immutable parent. */
function staticErrors(p: NamespacedCloudProfile, old: NamespacedCloudProfile | undefined, options: CloudProfileValidationOptions): FieldError[] {
  const errors: FieldError[] = [];
  if (old && !jsonEqual(p.spec.parent, old.spec.parent)) {
    // apimachinery's ValidateImmutableField shows the new value with %#v.
    const shown = new GoStringer(`core.CloudProfileReference{Kind:${goQuote(p.spec.parent.kind ?? '')}, Name:${goQuote(p.spec.parent.name ?? '')}}`);
    errors.push(invalid('spec.parent', shown, 'field is immutable'));
  }
  errors.push(...parentErrors(p));
  const versions = p.spec.kubernetes?.versions ?? [];
  versions.forEach((v, i) => {
    if (v.classification !== undefined) {
      errors.push(forbidden(`spec.kubernetes.versions[${i}].classification`, 'must not provide a classification to a Kubernetes version in NamespacedCloudProfile'));
    }
  });
  errors.push(...validateKubernetesVersionEntries(versions, 'spec.kubernetes', options));
  errors.push(...machineImageErrors(p), ...machineTypeErrors(p));
  return errors;
}

/**
 * ValidateMachineImages with empty versions allowed (utils.go, ValidateMachineImage and
 * ValidateMachineImageVersion): names present and unique, a known update strategy when one is
 * given, versions present, unique and semantic, kubelet constraints that parse. An image's
 * versions may be left out (an override of the update strategy only).
 */
function machineImageErrors(p: NamespacedCloudProfile): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  const nameVersions = new Set<string>();
  (p.spec.machineImages ?? []).forEach((image, i) => {
    const path = `spec.machineImages[${i}]`;
    if (names.has(image.name)) errors.push(duplicate(path, image.name));
    names.add(image.name);
    if (!image.name) errors.push(required(`${path}.name`, 'machine image name must not be empty'));
    if (image.updateStrategy !== undefined && !(UPDATE_STRATEGIES as readonly string[]).includes(image.updateStrategy)) {
      errors.push(notSupported(`${path}.updateStrategy`, image.updateStrategy, UPDATE_STRATEGIES));
    }
    (image.versions ?? []).forEach((v, j) => {
      const versionPath = `${path}.versions[${j}]`;
      errors.push(...machineImageVersionIdentityErrors(image, v, versionPath, nameVersions), ...kubeletConstraintErrors(v, versionPath));
    });
  });
  return errors;
}

/** validateMachineTypes, the parts this project reads: a name, unique (utils.go, ValidateMachineType). */
function machineTypeErrors(p: NamespacedCloudProfile): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  (p.spec.machineTypes ?? []).forEach((machineType, i) => {
    const path = `spec.machineTypes[${i}].name`;
    if (!machineType.name) errors.push(required(path, 'must provide a name'));
    if (names.has(machineType.name)) errors.push(duplicate(path, machineType.name));
    names.add(machineType.name);
  });
  return errors;
}

/** The expiration date as a field error shows a *metav1.Time: its String(), or "null". */
function expirationOf(v: ExpirableVersion): GoStringer | 'null' {
  const ms = v.expirationDate === undefined ? NaN : Date.parse(v.expirationDate);
  return Number.isNaN(ms) ? 'null' : goTime(ms);
}

function sameExpiration(a: ExpirableVersion | undefined, b: ExpirableVersion): boolean {
  if (a === undefined) return false;
  if (a.expirationDate === undefined || b.expirationDate === undefined) return a.expirationDate === b.expirationDate;
  return Date.parse(a.expirationDate) === Date.parse(b.expirationDate);
}

/** validateKubernetesVersionOverrides: the first failure, as a plain message. */
function kubernetesOverrideFailure(input: NamespacedCloudProfileValidationInput, parent: CloudProfile, oldMerged: CloudProfile | undefined): string | undefined {
  const parentVersions = new Set((parent.spec.kubernetes?.versions ?? []).map((v) => v.version));
  const mergedBefore = new Map((oldMerged?.spec.kubernetes?.versions ?? []).map((v) => [v.version, v]));
  for (const v of input.profile.spec.kubernetes?.versions ?? []) {
    if (!parentVersions.has(v.version)) {
      return `invalid kubernetes version specified: '${v.version}' does not exist in parent CloudProfile and thus cannot be overridden`;
    }
    if (v.expirationDate === undefined) return `specified version '${v.version}' does not set expiration date`;
    if (input.old && isExpired(v, input.now) && !sameExpiration(mergedBefore.get(v.version), v)) {
      return `expiration date for version ${JSON.stringify(v.version)} is in the past`;
    }
  }
  return undefined;
}

/** validateNamespacedCloudProfileExtendedMachineImages: an override of a parent's image version may only set the expiration date. */
function extendedVersionErrors(v: MachineImageVersion, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const what = 'to an extended machine image in NamespacedCloudProfile';
  if ((v.classification ?? '') !== '') errors.push(forbidden(`${path}.classification`, `must not provide a classification ${what}`));
  if ((v.cri ?? []).length > 0) errors.push(forbidden(`${path}.cri`, `must not provide a cri ${what}`));
  if ((v.architectures ?? []).length > 0) errors.push(forbidden(`${path}.architectures`, `must not provide an architecture ${what}`));
  if ((v.capabilityFlavors ?? []).length > 0) errors.push(forbidden(`${path}.capabilityFlavors`, `must not provide capabilities ${what}`));
  if ((v.kubeletVersionConstraint ?? '') !== '') {
    errors.push(forbidden(`${path}.kubeletVersionConstraint`, `must not provide a kubelet version constraint ${what}`));
  }
  if (v.inPlaceUpdates !== undefined) errors.push(forbidden(`${path}.inPlaceUpdates`, `must not provide inPlaceUpdates ${what}`));
  return errors;
}

function withoutExpiration(v: MachineImageVersion): MachineImageVersion {
  const { expirationDate: _ignored, ...rest } = v;
  return rest;
}

/**
 * validateMachineImageOverrides, for the images the parent has: versions the parent has may only
 * get an expiration date (which must be set and, on UPDATE, not newly in the past); an image or
 * version this profile had before the parent added it keeps its fields. Versions and images the
 * parent lacks are checked on the merged result (validateSimulatedCloudProfileStatusMergeResult).
 */
function machineImageOverrideErrors(input: NamespacedCloudProfileValidationInput, parent: CloudProfile, oldMerged: CloudProfile | undefined): FieldError[] {
  const errors: FieldError[] = [];
  const lower = (s: string): string => s.toLowerCase();
  const parentImages = new Map((parent.spec.machineImages ?? []).map((image) => [lower(image.name), image]));
  const oldImages = new Map((input.old?.spec.machineImages ?? []).map((image) => [lower(image.name), image]));
  const mergedImages = new Map((oldMerged?.spec.machineImages ?? []).map((image) => [lower(image.name), image]));
  (input.profile.spec.machineImages ?? []).forEach((image, i) => {
    const parentImage = parentImages.get(lower(image.name));
    if (!parentImage) return;
    const imagePath = `spec.machineImages[${i}]`;
    const oldImage = input.old ? oldImages.get(lower(image.name)) : undefined;
    if (oldImage && (image.updateStrategy ?? '') !== (oldImage.updateStrategy ?? '')) {
      errors.push(
        forbidden(
          `${imagePath}.updateStrategy`,
          `cannot update the machine image update strategy of ${JSON.stringify(image.name)}, as this version has been added to the parent CloudProfile by now`,
        ),
      );
    }
    (image.versions ?? []).forEach((v, j) => {
      const versionPath = `${imagePath}.versions[${j}]`;
      if (!(parentImage.versions ?? []).some((pv) => pv.version === v.version)) return;
      const oldVersion = oldImage?.versions?.find((ov) => ov.version === v.version);
      if (oldVersion && !jsonEqual(withoutExpiration(oldVersion), withoutExpiration(v))) {
        errors.push(
          forbidden(
            versionPath,
            `cannot update the machine image version spec (except for the expiration date) of "${image.name}@${v.version}", as this version has been added to the parent CloudProfile by now`,
          ),
        );
      }
      if (!oldVersion) {
        errors.push(...extendedVersionErrors(v, versionPath));
        if (v.expirationDate === undefined) {
          errors.push(invalid(`${versionPath}.expirationDate`, 'null', `expiration date for version ${JSON.stringify(v.version)} must be set`));
        }
      }
      if (input.old && isExpired(v, input.now)) {
        const before = mergedImages.get(lower(image.name))?.versions?.find((mv) => mv.version === v.version);
        if (!sameExpiration(before, v)) {
          errors.push(invalid(`${versionPath}.expirationDate`, expirationOf(v), `expiration date for version ${JSON.stringify(v.version)} is in the past`));
        }
      }
    });
  });
  return errors;
}

/** ValidateSimulatedNamespacedCloudProfileStatus: the merge, defaulted, validated as a profile at `status.cloudProfileSpec`. */
function mergedProfileErrors(input: NamespacedCloudProfileValidationInput, parent: CloudProfile): FieldError[] {
  const merged = defaultCloudProfile(mergedCloudProfile(input.profile, parent));
  return validateCloudProfile(merged, undefined, input.options ?? {}).map((e) => ({
    ...e,
    field: e.field.replace(/^spec\b/, 'status.cloudProfileSpec'),
  }));
}

/** Everything wrong with a NamespacedCloudProfile CREATE or UPDATE, or undefined when it is allowed. */
export function validateNamespacedCloudProfile(input: NamespacedCloudProfileValidationInput): NamespacedCloudProfileDenial | undefined {
  const options = input.options ?? {};
  const staticFailures = staticErrors(input.profile, input.old, options);
  if (staticFailures.length > 0) return { errors: staticFailures };

  // The plugin skips an update that changes neither the spec nor the metadata.
  if (input.old && jsonEqual(input.profile.spec, input.old.spec) && jsonEqual(input.profile.metadata, input.old.metadata)) return undefined;

  const { parent } = input;
  if (!parent) return { errors: [], message: 'parent CloudProfile could not be found' };
  const oldMerged = input.old ? mergedCloudProfile(input.old, parent) : undefined;

  const kubernetesFailure = kubernetesOverrideFailure(input, parent, oldMerged);
  if (kubernetesFailure !== undefined) return { errors: [], message: kubernetesFailure };

  const imageErrors = machineImageOverrideErrors(input, parent, oldMerged);
  if (imageErrors.length > 0) return { errors: imageErrors };

  const mergedErrors = mergedProfileErrors(input, parent);
  if (mergedErrors.length > 0) {
    // Gardener formats the field.ErrorList with %+v: each error's text, space-separated, in brackets.
    return { errors: mergedErrors, message: `error while validating merged NamespacedCloudProfile: [${mergedErrors.map(renderFieldError).join(' ')}]` };
  }
  return undefined;
}
