// Completion of what a Shoot leaves short, as Gardener's mutating admission plugin does it
// (gardener/gardener plugin/pkg/shoot/mutator/admission.go): a short Kubernetes version (`""`, `1`,
// `1.32`; defaultKubernetesVersion, findLatestSupportedVersion) and a worker's machine image with
// no or a partial version (ensureMachineImage, getDefaultMachineImage). Used by defaulting.ts.

import type { MachineImage, MachineImageVersion } from './cloudprofile-types.js';
import type { CatalogueIndex } from './cloudprofile.js';
import { architecturesOfImageVersion, areCapabilitiesCompatible, workerArchitecture } from './machine-image-filters.js';
import { isInPlaceUpdateStrategy, type Worker } from './shoot.js';
import { type IndexedVersion, type SemVer, indexVersions, isDeprecated, isPreview, isSupported } from './versions.js';

// ---- Kubernetes version completion (mutator/admission.go, defaultKubernetesVersion) -----------

const UINT64_MAX = (1n << 64n) - 1n;

/** Go's strconv.ParseUint(s, 10, 0) on a 64-bit platform. */
function parseUint(part: string): bigint | undefined {
  if (!/^[0-9]+$/.test(part)) return undefined;
  const n = BigInt(part);
  return n <= UINT64_MAX ? n : undefined;
}

/** A short version prefix (`""`, `X`, `X.Y`) split as Gardener's mutator does; 3 parts → `complete`. */
export type VersionPrefix =
  | { kind: 'complete' }
  | { kind: 'prefix'; major?: bigint; minor?: bigint }
  | { kind: 'invalid'; part: string; reason: 'syntax' | 'range' };

/** Split a version on `.` like Gardener's mutator (minor checked before major). */
export function parseVersionPrefix(input: string): VersionPrefix {
  const parts = input.split('.');
  if (parts.length === 3) return { kind: 'complete' };
  const check = (part: string): VersionPrefix | bigint => {
    const n = parseUint(part);
    if (n !== undefined) return n;
    return { kind: 'invalid', part, reason: /^[0-9]+$/.test(part) ? 'range' : 'syntax' };
  };
  let minor: bigint | undefined;
  let major: bigint | undefined;
  const minorPart = parts[1];
  if (parts.length === 2 && minorPart) {
    const r = check(minorPart);
    if (typeof r !== 'bigint') return r;
    minor = r;
  }
  const majorPart = parts[0];
  if (majorPart) {
    const r = check(majorPart);
    if (typeof r !== 'bigint') return r;
    major = r;
  }
  return { kind: 'prefix', major, minor };
}

/** Whether a parsed version matches a prefix's major (and minor, when given). */
export function matchesVersionPrefix(v: SemVer, prefix: { major?: bigint; minor?: bigint }): boolean {
  return (
    (prefix.major === undefined || BigInt(v.major) === prefix.major) &&
    (prefix.minor === undefined || BigInt(v.minor) === prefix.minor)
  );
}

/** Short version completion for Kubernetes (defaultKubernetesVersion, findLatestSupportedVersion): "", "1", "1.27" → latest *supported* match; 3 parts → unchanged.
 *  Errors: the exact `must be a semantic version` / `couldn't find a suitable version for <input>. ...` texts. */
export function completeKubernetesVersion(
  input: string,
  versions: IndexedVersion[],
  now: Date,
): { ok: true; version: string } | { ok: false; badValue: string; detail: string } {
  const prefix = parseVersionPrefix(input);
  if (prefix.kind === 'complete') return { ok: true, version: input };
  if (prefix.kind === 'invalid') return { ok: false, badValue: prefix.part, detail: 'must be a semantic version' };
  const latest = versions.find((v) => isSupported(v, now) && matchesVersionPrefix(v.semver, prefix));
  if (latest) return { ok: true, version: latest.semver.version };
  return {
    ok: false,
    badValue: input,
    detail: `couldn't find a suitable version for ${input}. Suitable versions have a non-expired expiration date and are no 'preview' versions. 'Preview'-classified versions have to be selected explicitly`,
  };
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
