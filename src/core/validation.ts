// Shoot validation for the validating webhook: the parts of Gardener's static Shoot validation
// (gardener/gardener pkg/api/core/validation/shoot.go: validateMaintenance, validateShootOperation,
// ValidateKubernetesVersionUpdate; feature gates and admission plugins: feature-gate-validation.ts) and of
// its ShootValidator admission plugin (CloudProfile checks, plugin/pkg/shoot/validator/admission.go;
// machine and volume types: worker-type-admission.ts) that concern maintenance, versions, machines and
// operations, plus this
// project's pending-spec annotation (docs/design.md, "Differences from Gardener" 1). The warnings for
// deprecated or soon-expiring versions: shoot-warnings.ts. Every rejection is answered with 403
// Forbidden (src/admission/review.ts).
//
// A held spec (pending-spec annotation) is validated when it is submitted, exactly as if it
// rolled out at that moment: the shoot is validated as `withPendingSpecApplied(shoot)` against
// the old shoot's live spec. An unchanged held spec is not re-validated on later requests.

import { cloudProfileChangeError, profileLookupError } from './cloud-profile-change.js';
import type { MachineImage, MachineImageVersion } from './cloudprofile-types.js';
import type { CatalogueIndex } from './cloudprofile.js';
import { validateShootFeatureGates } from './feature-gate-validation.js';
import { type FieldError, forbidden, goQuote, invalid, notSupported, required } from './field-errors.js';
import { formatGoDuration, parseGoDuration } from './go-duration.js';
import { jsonEqual } from './json.js';
import { architecturesOfImageVersion, workerArchitecture } from './machine-image-filters.js';
import { validateOperationAnnotations } from './operations.js';
import { PENDING_SPEC_ANNOTATION, changedPaths, pendingSpecOf, withPendingSpecApplied } from './rollout.js';
import {
  type ProfileRef,
  type Shoot,
  type ShootSpec,
  type Worker,
  annotationsOf,
  cloudProfileNameOf,
  cloudProfileRefOf,
  isInPlaceUpdateStrategy,
  workersOf,
} from './shoot.js';
import { parseTimeWindow, windowDurationProblem } from './timewindow.js';
import { scheduleAnnotationErrors } from './schedule-validation.js';
import { validateVersionGatedFields } from './version-gated-fields-validation.js';
import { validateMachineTypeAdmission, validateVolumeTypeAdmission } from './worker-type-admission.js';
import {
  classificationOf,
  compareNormalizedVersions,
  isActive,
  isExpired,
  normalizeVersion,
  parseVersionConstraint,
  parseVersionLenient,
} from './versions.js';

type Operation = 'CREATE' | 'UPDATE';

const NANOS_PER_MS = 1_000_000;
const WORKERLESS = 'this field should not be set for workerless Shoot clusters';

// ---- which shoot is validated ---------------------------------------------------------------------

/**
 * The shoot a request is validated as: with its held spec applied when the request submits a
 * (new or changed) pending-spec annotation, else as it is. An unparsable annotation is an error
 * at `metadata.annotations[maintenance.gardener.cloud/pending-spec]`. The webhook should look up
 * the CloudProfile named by the returned shoot.
 */
export function shootToValidate(input: { shoot: Shoot; oldShoot?: Shoot; operation: Operation }): {
  shoot: Shoot;
  error?: FieldError;
} {
  const { shoot, oldShoot, operation } = input;
  const raw = annotationsOf(shoot)[PENDING_SPEC_ANNOTATION];
  if (raw === undefined) return { shoot };
  const pending = pendingSpecOf(shoot);
  if (!pending.ok) return { shoot, error: pending.error };
  const submitted = operation === 'CREATE' || oldShoot === undefined || annotationsOf(oldShoot)[PENDING_SPEC_ANNOTATION] !== raw;
  return { shoot: submitted ? withPendingSpecApplied(shoot) : shoot };
}

// ---- static validation (Gardener's pkg/api/core/validation/shoot.go) --------------------------------

function child(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return (value as Record<string, unknown>)[key];
}

/** Gardener's validateMaintenance: the window, autoUpdate for workerless shoots, credential rotation periods. */
function validateMaintenance(spec: ShootSpec): FieldError[] {
  const errors: FieldError[] = [];
  const maintenance = spec.maintenance;
  if (maintenance === undefined || maintenance === null) return errors;
  const workerless = (spec.provider.workers ?? []).length === 0;

  if (workerless && maintenance.autoUpdate?.machineImageVersion !== undefined) {
    errors.push(forbidden('spec.maintenance.autoUpdate.machineImageVersion', WORKERLESS));
  }

  const credentials = child(child(maintenance, 'autoRotation'), 'credentials');
  for (const kind of ['observability', 'sshKeypair', 'etcdEncryptionKey']) {
    const entry = child(credentials, kind);
    if (entry === undefined || entry === null) continue;
    const path = `spec.maintenance.autoRotation.credentials.${kind}`;
    if (kind === 'sshKeypair' && workerless) {
      errors.push(forbidden(path, WORKERLESS));
      continue;
    }
    const period = child(entry, 'rotationPeriod');
    if (typeof period !== 'string') continue;
    const ns = parseGoDuration(period);
    if (ns === undefined) {
      errors.push(invalid(`${path}.rotationPeriod`, period, `time: invalid duration ${goQuote(period)}`));
    } else if (ns !== 0 && (ns < 30 * 60e9 || ns > 90 * 24 * 3600e9)) {
      errors.push(invalid(`${path}.rotationPeriod`, formatGoDuration(ns), 'value must be either 0 to disable rotation or between 30m and 90d'));
    }
  }

  const window = maintenance.timeWindow;
  if (window !== undefined && window !== null) {
    const parsed = parseTimeWindow(window);
    if (!parsed.ok) {
      // Only the two fields judged, never other keys a caller put beside them.
      errors.push(invalid('spec.maintenance.timeWindow.begin/end', { begin: window.begin, end: window.end }, parsed.error));
    } else {
      const problem = windowDurationProblem(parsed.window);
      if (problem !== undefined) {
        errors.push(invalid('spec.maintenance.timeWindow', parsed.window.durationMs() * NANOS_PER_MS, problem));
      }
    }
  }
  return errors;
}

/** `ValidateKubernetesVersionUpdate`: no downgrade; no minor skip unless allowed. */
function validateVersionUpdate(newVersion: string, oldVersion: string, skipMinorAllowed: boolean, path: string): FieldError[] {
  if (newVersion.length === 0) return [invalid(path, newVersion, 'cannot validate kubernetes version upgrade because it is unset')];
  const next = parseVersionLenient(normalizeVersion(newVersion));
  const old = parseVersionLenient(normalizeVersion(oldVersion));
  if (!next) return [invalid(path, newVersion, 'Invalid Semantic Version')];
  if (!old) return [];
  const errors: FieldError[] = [];
  if (compareNormalizedVersions(newVersion, oldVersion) < 0) {
    errors.push(forbidden(path, 'kubernetes version downgrade is not supported'));
  }
  const skips = next.major > old.major || (next.major === old.major && next.minor >= old.minor + 2);
  if (!skipMinorAllowed && skips) errors.push(forbidden(path, 'kubernetes version upgrade cannot skip a minor version'));
  return errors;
}

/** A pool's version against the control plane's: not higher, at most three minors behind. */
function validateWorkerAgainstControlPlane(controlPlane: string, worker: string, path: string): FieldError[] {
  const cp = parseVersionLenient(normalizeVersion(controlPlane));
  const pool = parseVersionLenient(normalizeVersion(worker));
  if (!cp) return [];
  if (!pool) return [invalid(path, worker, 'Invalid Semantic Version')];
  const errors: FieldError[] = [];
  if (compareNormalizedVersions(worker, controlPlane) > 0) {
    errors.push(forbidden(path, 'worker group kubernetes version must not be higher than control plane version'));
  }
  if (cp.major > pool.major || (cp.major === pool.major && cp.minor >= pool.minor + 4)) {
    errors.push(forbidden(path, 'worker group kubernetes version must be at most three minor versions behind control plane version'));
  }
  return errors;
}

/** A pool's own Kubernetes version, if it sets one. */
export function workerVersionOf(worker: Worker): string | undefined {
  return worker.kubernetes?.version;
}

/** Upgrade rules of an UPDATE (ValidateShootSpecUpdate, ValidateKubernetesVersionUpdate,
 *  validateMachineImageVersionInPlaceUpdate): control plane, pools, in-place image downgrades. */
function validateSpecUpdate(spec: ShootSpec, oldSpec: ShootSpec): FieldError[] {
  const errors = validateVersionUpdate(spec.kubernetes.version ?? '', oldSpec.kubernetes.version ?? '', false, 'spec.kubernetes.version');
  const oldWorkers = oldSpec.provider.workers ?? [];
  (spec.provider.workers ?? []).forEach((worker, i) => {
    const path = `spec.provider.workers[${i}]`;
    const oldWorker = oldWorkers.find((w) => w.name === worker.name) ?? worker;
    const oldVersion = workerVersionOf(oldWorker) ?? oldSpec.kubernetes.version ?? '';
    const newVersion = workerVersionOf(worker) ?? spec.kubernetes.version ?? '';
    const inPlace = isInPlaceUpdateStrategy(worker.updateStrategy);
    errors.push(...validateVersionUpdate(newVersion, oldVersion, !inPlace, `${path}.kubernetes.version`));
    const image = worker.machine.image;
    const oldImage = oldWorker.machine.image;
    if (inPlace && image?.version && oldImage?.version && compareNormalizedVersions(image.version, oldImage.version) < 0) {
      errors.push(
        forbidden(
          `${path}.machine.image.version`,
          'machine image version downgrade is not supported when the update strategy is AutoInPlaceUpdate or ManualInPlaceUpdate',
        ),
      );
    }
  });
  return errors;
}

const MAX_DIFF = 10;

function diffValue(value: unknown): string {
  if (value === undefined) return '<none>';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A short readable diff of two specs: `spec.kubernetes.version: 1.31.0 != 1.30.1` (new first, at most 10). */
export function renderSpecDiff(newSpec: ShootSpec, oldSpec: ShootSpec): string {
  const changes = changedPaths(oldSpec, newSpec, 'spec');
  const shown = changes.slice(0, MAX_DIFF).map((c) => `${c.path}: ${diffValue(c.to)} != ${diffValue(c.from)}`);
  if (changes.length > MAX_DIFF) shown.push(`... ${changes.length - MAX_DIFF} more`);
  return shown.join(',');
}

function staticErrors(shoot: Shoot, oldShoot: Shoot | undefined, operation: Operation): FieldError[] {
  const errors: FieldError[] = [];
  errors.push(...validateOperationAnnotations(shoot, oldShoot));

  if (!cloudProfileNameOf(shoot)) errors.push(required('spec.cloudProfile.name', 'must specify a cloud profile'));
  errors.push(...validateVersionGatedFields(shoot.spec));

  if (operation === 'UPDATE' && oldShoot !== undefined) {
    if (shoot.metadata.deletionTimestamp && !jsonEqual(shoot.spec, oldShoot.spec)) {
      errors.push(
        forbidden('spec', `cannot update shoot spec if deletion timestamp is set. Requested changes: ${renderSpecDiff(shoot.spec, oldShoot.spec)}`),
      );
    } else {
      errors.push(...validateSpecUpdate(shoot.spec, oldShoot.spec));
    }
  }

  errors.push(...validateMaintenance(shoot.spec));
  errors.push(...validateShootFeatureGates(shoot.spec));
  // gardener/gardener pkg/api/core/validation/shoot.go, validateProvider and ValidateWorker: what a
  // Shoot read with an empty or absent `provider`/`machine` (src/admission/gardener-decoding.ts) lacks.
  if (!shoot.spec.provider.type) errors.push(required('spec.provider.type', 'must specify a provider type'));
  workersOf(shoot).forEach((worker, i) => {
    if (!worker.machine.type) errors.push(required(`spec.provider.workers[${i}].machine.type`, 'must specify a machine type'));
    const version = workerVersionOf(worker);
    if (version !== undefined) {
      errors.push(...validateWorkerAgainstControlPlane(shoot.spec.kubernetes.version ?? '', version, `spec.provider.workers[${i}].kubernetes.version`));
    }
  });
  return errors;
}

// ---- CloudProfile admission (plugin/pkg/shoot/validator/admission.go) ----------------------------------

function rawKubernetesVersions(index: CatalogueIndex) {
  return index.profile.spec.kubernetes?.versions ?? [];
}

/** validateKubernetesVersionConstraints: skipped when unchanged; CREATE and new pools accept active versions only. */
function validateKubernetesVersionAdmission(
  index: CatalogueIndex,
  version: string,
  oldVersion: string,
  onlyActive: boolean,
  path: string,
  now: Date,
): FieldError[] {
  if (version === oldVersion) return [];
  const acceptable: string[] = [];
  for (const v of rawKubernetesVersions(index)) {
    if (onlyActive && !isActive(v, now)) continue;
    if (v.version === version) return [];
    acceptable.push(classificationOf(v, now) === 'preview' ? `${v.version} (preview)` : v.version);
  }
  return [notSupported(path, version, acceptable)];
}

function imagesNamed(index: CatalogueIndex, name: string | undefined): MachineImage[] {
  const images = index.profile.spec.machineImages ?? [];
  return name === undefined ? images : images.filter((image) => image.name === name);
}

function findMachineImageVersion(index: CatalogueIndex, name: string, version: string): MachineImageVersion | undefined {
  return imagesNamed(index, name)
    .flatMap((image) => image.versions ?? [])
    .find((v) => v.version === version);
}

/** Whether this request sets the pool's image or architecture (a new pool: always). */
export function imageChanged(worker: Worker, oldWorker: Worker | undefined): boolean {
  if (oldWorker === undefined) return true;
  return !jsonEqual(worker.machine.image ?? null, oldWorker.machine.image ?? null) || worker.machine.architecture !== oldWorker.machine.architecture;
}

/** validateMachineImagesConstraints for one pool (only when its image or architecture changed). */
function validateMachineImageAdmission(args: {
  index: CatalogueIndex;
  worker: Worker;
  oldWorker: Worker | undefined;
  operation: Operation;
  path: string;
  now: Date;
}): FieldError | undefined {
  const { index, worker, oldWorker, operation, path, now } = args;
  if (!imageChanged(worker, oldWorker)) return undefined;
  const isNewPool = oldWorker === undefined;
  const existingPoolUpdate = operation === 'UPDATE' && !isNewPool;
  const inPlace = isInPlaceUpdateStrategy(worker.updateStrategy);
  const arch = workerArchitecture(worker);
  const image = worker.machine.image;
  const oldImageVersion = oldWorker?.machine.image?.version ?? '';

  const inProfile = new Set<string>();
  const active = new Set<string>();
  const withArch = new Set<string>();
  const inPlaceOk = new Set<string>();
  for (const candidate of imagesNamed(index, image?.name)) {
    for (const v of candidate.versions ?? []) {
      const key = `${candidate.name}:${v.version}`;
      inProfile.add(key);
      if (isActive(v, now)) active.add(key);
      else if (isExpired(v, now) && existingPoolUpdate && compareNormalizedVersions(v.version, oldImageVersion) >= 0) {
        // Forced maintenance may move an existing pool to a higher, already expired version.
        active.add(key);
      }
      if (architecturesOfImageVersion(v, index.capabilities).includes(arch)) withArch.add(key);
      if (inPlace && v.inPlaceUpdates?.supported === true) {
        if (!existingPoolUpdate) inPlaceOk.add(key);
        else if (image?.name === candidate.name) {
          const min = v.inPlaceUpdates.minVersionForUpdate;
          if (min !== undefined && compareNormalizedVersions(min, oldImageVersion) <= 0) inPlaceOk.add(key);
        }
      }
    }
  }
  const valid = [...active].filter((k) => withArch.has(k) && (!inPlace || inPlaceOk.has(k))).sort();

  const version = image?.version ?? '';
  const key = `${image?.name ?? ''}:${version}`;
  if (image === undefined || version.length === 0 || !inProfile.has(key)) {
    return notSupported(`${path}.machine.image.version`, version, valid);
  }
  const archOk = withArch.has(key);
  const activeOk = active.has(key);
  const inPlaceFine = !inPlace || inPlaceOk.has(key);
  if (archOk && activeOk && inPlaceFine) return undefined;
  let detail = `machine image version '${key}' `;
  if (!archOk) detail += `does not support CPU architecture ${goQuote(arch)}, `;
  if (!activeOk) detail += 'is expired, ';
  if (!inPlaceFine) detail += existingPoolUpdate ? 'cannot be in-place updated from the current version, ' : 'does not support in-place updates, ';
  return invalid(`${path}.machine.image`, image, `${detail}supported machine image versions are: [${valid.join(' ')}]`);
}

/** validateKubeletVersion: the kubelet constraint of the pool's image version. */
function validateKubeletConstraint(index: CatalogueIndex, worker: Worker, kubeletVersion: string, path: string): FieldError | undefined {
  const image = worker.machine.image;
  if (image?.name === undefined || image.version === undefined) return undefined;
  const version = findMachineImageVersion(index, image.name, image.version);
  const constraint = version?.kubeletVersionConstraint;
  if (constraint === undefined) return undefined;
  const kubelet = parseVersionLenient(kubeletVersion);
  const range = parseVersionConstraint(constraint);
  if (!kubelet || !range || range.test(kubelet)) return undefined;
  return invalid(
    `${path}.machine.image`,
    image,
    `machine image '${image.name}@${image.version}' does not support kubelet version '${kubelet.version}', supported kubelet versions by this machine image version: '${constraint}'`,
  );
}

function admissionErrors(shoot: Shoot, oldShoot: Shoot | undefined, operation: Operation, index: CatalogueIndex, now: Date): FieldError[] {
  const errors: FieldError[] = [];
  const old = operation === 'UPDATE' ? oldShoot : undefined;
  const controlPlane = shoot.spec.kubernetes.version ?? '';
  const oldControlPlane = old?.spec.kubernetes.version ?? '';
  errors.push(...validateKubernetesVersionAdmission(index, controlPlane, oldControlPlane, operation === 'CREATE', 'spec.kubernetes.version', now));

  const oldWorkers = old ? workersOf(old) : [];
  workersOf(shoot).forEach((worker, i) => {
    const path = `spec.provider.workers[${i}]`;
    const oldWorker = oldWorkers.find((w) => w.name === worker.name);
    const isNewPool = oldWorker === undefined;

    // validateProvider: the pool's first machine error (architecture, machine type, image) stops its kubelet check.
    const pool = { index, worker, oldWorker, region: shoot.spec.region ?? '', path };
    const machineError = validateMachineTypeAdmission(pool) ?? validateMachineImageAdmission({ index, worker, oldWorker, operation, path, now });
    if (machineError !== undefined) errors.push(machineError);

    const kubelet = workerVersionOf(worker) ?? controlPlane;
    const oldKubelet = oldWorker ? (workerVersionOf(oldWorker) ?? oldControlPlane) : undefined;
    if (machineError === undefined && (imageChanged(worker, oldWorker) || kubelet !== oldKubelet)) {
      const kubeletError = validateKubeletConstraint(index, worker, kubelet, path);
      if (kubeletError !== undefined) errors.push(kubeletError);
    }

    const volumeError = validateVolumeTypeAdmission(pool);
    if (volumeError !== undefined) errors.push(volumeError);

    const version = workerVersionOf(worker);
    if (version !== undefined) {
      const oldVersion = oldWorker ? (workerVersionOf(oldWorker) ?? oldControlPlane) : oldControlPlane;
      errors.push(
        ...validateKubernetesVersionAdmission(index, version, oldVersion, operation === 'CREATE' || isNewPool, `${path}.kubernetes.version`, now),
      );
    }
  });
  return errors;
}

/** The field that names the shoot's profile (the one a profile error is reported at). */
function profileField(shoot: Shoot): string {
  return shoot.spec.cloudProfile?.name ? 'spec.cloudProfile.name' : 'spec.cloudProfileName';
}

/** Gardener's ShootValidator text for a profile its listers do not have (plugin/pkg/shoot/validator/admission.go). */
function profileNotFound(shoot: Shoot, ref: ProfileRef): FieldError {
  return forbidden(profileField(shoot), `could not find referenced cloud profile: ${profileLookupError(ref)}`);
}

/**
 * Validating webhook work for CREATE and UPDATE, on the shoot to validate (`shootToValidate`: a
 * submitted held spec applied) against the CloudProfile it names (`profiles`). CloudProfile
 * (admission plugin) errors come first and alone, as Gardener's ShootValidator rejects before the
 * static validation runs; otherwise the static errors. Returns the shoot validated and its
 * profile, for the warnings (src/core/shoot-warnings.ts, shootWarnings).
 */
export function validateShoot(input: {
  shoot: Shoot;
  oldShoot?: Shoot;
  operation: Operation;
  profiles: (ref: ProfileRef) => CatalogueIndex | undefined;
  now: Date;
}): { errors: FieldError[]; shoot: Shoot; index: CatalogueIndex | undefined } {
  const { oldShoot, operation, now } = input;
  const target = shootToValidate(input);
  const shoot = target.shoot;

  const ref = cloudProfileRefOf(shoot);
  const index = ref ? input.profiles(ref) : undefined;
  const admission: FieldError[] = [];
  if (ref) {
    // The ShootValidator's order: the profile must exist, a change of it stay in its hierarchy, then the rest.
    const changeError = index && operation === 'UPDATE' && oldShoot ? cloudProfileChangeError(shoot, oldShoot, input.profiles) : undefined;
    if (index === undefined) admission.push(profileNotFound(shoot, ref));
    else if (changeError !== undefined) admission.push(forbidden(profileField(shoot), changeError));
    else if (!shoot.metadata.deletionTimestamp || operation === 'CREATE') admission.push(...admissionErrors(shoot, oldShoot, operation, index, now));
  }
  if (admission.length > 0) return { errors: admission, shoot, index };

  const errors = target.error ? [target.error] : [];
  errors.push(...staticErrors(shoot, oldShoot, operation), ...scheduleAnnotationErrors(shoot, now));
  return { errors, shoot, index };
}
