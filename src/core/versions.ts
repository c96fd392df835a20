// Version rules of the catalogue (gardener/gardener pkg/api/core/v1beta1/helper/cloudprofile.go,
// pkg/controllermanager/controller/shoot/maintenance/reconciler.go): lenient semantic versions,
// classification against `now`, and the searches and update decisions maintenance uses to pick a
// target version. Completing a short version: version-completion.ts.
// The searches follow Gardener's v1beta1 helper (pkg/api/core/v1beta1/helper/cloudprofile.go)
// step by step, including its quirks, so that a shoot lands on the same version as in Gardener.

import semver from 'semver';
import type {
  ExpirableVersion,
  MachineImageUpdateStrategy,
  MachineImageVersion,
  VersionClassification,
} from './cloudprofile-types.js';
import { goQuote } from './field-errors.js';

/** A parsed semantic version (npm `semver`). */
export type SemVer = semver.SemVer;

/** One lifecycle stage with its start as epoch ms (−Infinity when the stage has no start time). */
export interface ParsedLifecycleStage {
  classification: string;
  startMs: number;
}

/** A catalogue version parsed once: its semver, its normalised form and its lifecycle instants. */
export interface IndexedVersion<T extends ExpirableVersion = ExpirableVersion | MachineImageVersion> {
  raw: T;
  /** The version exactly as the CloudProfile spells it. */
  version: string;
  semver: SemVer;
  /** Leading `v` and any `-`/`+`/`~` suffix stripped (Gardener's normalisation). */
  normalized: string;
  /** The normalised form parsed (undefined if it does not parse). */
  normalizedSemver: SemVer | undefined;
  /** Pre-parsed instants for classification; undefined means "always supported". */
  stages: ParsedLifecycleStage[] | undefined;
}

// ---- parsing and comparing ------------------------------------------------------------------

// Masterminds/semver's lenient form: optional `v`, one to three numeric parts, optional
// prerelease and build metadata.
const LENIENT_VERSION = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

// Parsed versions by their text. A fleet names few distinct versions, and plan() parses the
// same ones for every shoot and pool (a fifth of its time before this memo). Bounded: cleared
// when full, so hostile input cannot grow it. The SemVer objects are shared: never mutate one.
const PARSED_LIMIT = 4096;
const parsedVersions = new Map<string, SemVer | undefined>();

/** Parse like Masterminds `semver.NewVersion`: `1` = 1.0.0, `1.7` = 1.7.0, leading `v`, prerelease and build kept.
 *  The result is shared between callers (memoised): do not mutate it. */
export function parseVersionLenient(v: string): SemVer | undefined {
  if (parsedVersions.has(v)) return parsedVersions.get(v);
  const parsed = parseUncached(v);
  if (parsedVersions.size >= PARSED_LIMIT) parsedVersions.clear();
  parsedVersions.set(v, parsed);
  return parsed;
}

function parseUncached(v: string): SemVer | undefined {
  const m = LENIENT_VERSION.exec(v);
  if (!m) return undefined;
  const num = (s: string | undefined) => (s === undefined ? '0' : String(Number(s)));
  const text = `${num(m[1])}.${num(m[2])}.${num(m[3])}${m[4] ? `-${m[4]}` : ''}${m[5] ? `+${m[5]}` : ''}`;
  return semver.parse(text) ?? undefined;
}

/** Gardener's version normalisation: strip a leading `v` and any `-`/`+`/`~` suffix. */
export function normalizeVersion(v: string): string {
  const withoutV = v.startsWith('v') ? v.slice(1) : v;
  const cut = withoutV.search(/[-+~]/);
  return cut === -1 ? withoutV : withoutV.slice(0, cut);
}

/** Lenient semver compare (prerelease below release, build ignored); unparsable sorts below parsable. */
export function compareVersions(a: string, b: string): number {
  const va = parseVersionLenient(a);
  const vb = parseVersionLenient(b);
  if (va && vb) return semver.compare(va, vb);
  if (va) return 1;
  if (vb) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Gardener's `versionutils.CompareVersions` order: both sides normalised first (suffixes ignored). */
export function compareNormalizedVersions(a: string, b: string): number {
  return compareVersions(normalizeVersion(a), normalizeVersion(b));
}

/** Parse a KubeletVersionConstraint-style range (Masterminds syntax: `,` means AND) into an npm range. */
export function parseVersionConstraint(constraint: string): semver.Range | undefined {
  const text = constraint.replace(/,/g, ' ');
  try {
    return new semver.Range(text);
  } catch {
    return undefined;
  }
}

// ---- classification (helper/cloudprofile.go, CurrentLifecycleClassification) -----------------

function instantMs(value: string): number {
  const ms = Date.parse(value);
  // An unreadable instant never arrives (CloudProfile validation and the CRD schema reject it).
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}

/** The lifecycle of a version as stages; legacy `classification`/`expirationDate` are synthesised. */
export function lifecycleStagesOf(v: ExpirableVersion): ParsedLifecycleStage[] | undefined {
  if (v.lifecycle && v.lifecycle.length > 0) {
    return v.lifecycle.map((s) => ({
      classification: s.classification,
      startMs: s.startTime ? instantMs(s.startTime) : Number.NEGATIVE_INFINITY,
    }));
  }
  if (!v.classification && !v.expirationDate) return undefined;
  const stages: ParsedLifecycleStage[] = [
    { classification: v.classification || 'supported', startMs: Number.NEGATIVE_INFINITY },
  ];
  if (v.expirationDate) stages.push({ classification: 'expired', startMs: instantMs(v.expirationDate) });
  return stages;
}

const KNOWN_CLASSIFICATIONS: ReadonlySet<string> = new Set(['preview', 'supported', 'deprecated', 'expired', 'unavailable']);

function isIndexed(v: ExpirableVersion | IndexedVersion): v is IndexedVersion {
  return 'semver' in v && 'raw' in v;
}

/** Gardener's CurrentLifecycleClassification at `now` (a stage counts once its start is strictly before now). */
export function classificationOf(v: ExpirableVersion | IndexedVersion, now: Date): VersionClassification {
  const stages = isIndexed(v) ? v.stages : lifecycleStagesOf(v);
  if (!stages) return 'supported';
  const t = now.getTime();
  let current = 'unavailable';
  for (const stage of stages) if (stage.startMs < t) current = stage.classification;
  // Unknown values are rejected by CloudProfile validation; treat any that slip through as supported.
  return (KNOWN_CLASSIFICATIONS.has(current) ? current : 'supported') as VersionClassification;
}

// Gardener's VersionClassification.Compare (pkg/apis/core/types_cloudprofile.go): an unknown value ranks as unavailable.
const CLASSIFICATION_RANK: Readonly<Record<string, number>> = { unavailable: 0, preview: 1, supported: 2, deprecated: 3, expired: 4 };

/** Lifecycle order of two classifications: negative when `a` comes before `b`. */
export function compareClassifications(a: string, b: string): number {
  return (CLASSIFICATION_RANK[a] ?? 0) - (CLASSIFICATION_RANK[b] ?? 0);
}

/** When the version's expired stage begins (epoch ms), if its lifecycle or expirationDate has one. */
export function expiryMsOf(v: IndexedVersion): number | undefined {
  const stage = v.stages?.find((s) => s.classification === 'expired');
  return stage && Number.isFinite(stage.startMs) ? stage.startMs : undefined;
}

/** Whether the version is expired at `now`. */
export function isExpired(v: ExpirableVersion | IndexedVersion, now: Date): boolean {
  return classificationOf(v, now) === 'expired';
}
/** Whether the version is active (neither expired nor unavailable) at `now`. */
export function isActive(v: ExpirableVersion | IndexedVersion, now: Date): boolean {
  const c = classificationOf(v, now);
  return c !== 'expired' && c !== 'unavailable';
}
/** Whether the version is in preview at `now`. */
export function isPreview(v: ExpirableVersion | IndexedVersion, now: Date): boolean {
  return classificationOf(v, now) === 'preview';
}
/** Whether the version is deprecated at `now`. */
export function isDeprecated(v: ExpirableVersion | IndexedVersion, now: Date): boolean {
  return classificationOf(v, now) === 'deprecated';
}
/** Whether the version is supported at `now`. */
export function isSupported(v: ExpirableVersion | IndexedVersion, now: Date): boolean {
  return classificationOf(v, now) === 'supported';
}

// ---- indexing -------------------------------------------------------------------------------

/** Parse + sort (descending) once per CloudProfile change; every selection below takes these lists.
 *  Unparsable versions are left out (CloudProfile validation rejects them). Equal versions keep their order. */
export function indexVersions<T extends ExpirableVersion>(versions: T[]): IndexedVersion<T>[] {
  const indexed: IndexedVersion<T>[] = [];
  for (const raw of versions) {
    const parsed = parseVersionLenient(raw.version);
    if (!parsed) continue;
    indexed.push({
      raw,
      version: raw.version,
      semver: parsed,
      normalized: normalizeVersion(raw.version),
      normalizedSemver: parseVersionLenient(normalizeVersion(raw.version)),
      stages: lifecycleStagesOf(raw),
    });
  }
  return indexed
    .map((v, i) => ({ v, i }))
    .sort((a, b) => b.v.semver.compare(a.v.semver) || a.i - b.i)
    .map(({ v }) => v);
}

/** Lookup tables by normalised version, built once per indexed list (a list is never changed
 *  after indexVersions): findVersion runs for every shoot and pool, over hundreds of versions. */
const byNormalizedVersion = new WeakMap<readonly IndexedVersion[], Map<string, IndexedVersion>>();

function normalizedKey(v: SemVer): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

/** Versions of one list by their exact text (the first in list order wins); built once per list. */
const byExactVersion = new WeakMap<readonly IndexedVersion[], Map<string, IndexedVersion>>();

/** The version spelled exactly `version` (no normalisation), the first in list order. */
export function findExactVersion<T extends IndexedVersion>(versions: T[], version: string): T | undefined {
  let table = byExactVersion.get(versions);
  if (!table) {
    table = new Map();
    for (const v of versions) if (!table.has(v.version)) table.set(v.version, v);
    byExactVersion.set(versions, table);
  }
  return table.get(version) as T | undefined;
}

/** KubernetesVersionExistsInCloudProfile: normalised comparison (the first in list order wins). */
export function findVersion<T extends IndexedVersion>(versions: T[], version: string): T | undefined {
  const wanted = parseVersionLenient(normalizeVersion(version));
  if (!wanted) return undefined;
  let table = byNormalizedVersion.get(versions);
  if (!table) {
    table = new Map();
    for (const v of versions) {
      if (v.normalizedSemver === undefined) continue;
      const key = normalizedKey(v.normalizedSemver);
      if (!table.has(key)) table.set(key, v);
    }
    byNormalizedVersion.set(versions, table);
  }
  return table.get(normalizedKey(wanted)) as T | undefined;
}

// ---- selection (helper/cloudprofile.go) -----------------------------------------------------

type Predicate = (v: IndexedVersion) => boolean;

/** Highest version passing all predicates, never a preview one (GetLatestQualifyingVersion).
 *  `versions` is sorted descending with ties in catalogue order, so the first match is Gardener's
 *  pick; the scan ends at the first version for which `stop` holds (nothing after it can match).
 *  The cheap structural predicates come first: classification is computed only for candidates. */
function latestQualifying(versions: IndexedVersion[], now: Date, keep: Predicate[], stop?: Predicate): IndexedVersion | undefined {
  for (const v of versions) {
    if (stop?.(v)) return undefined;
    if (keep.every((p) => p(v)) && !isPreview(v, now)) return v;
  }
  return undefined;
}

/** getVersionForAutoUpdate: higher than current, not expired, not preview; prefer non-deprecated. */
function versionForAutoUpdate(versions: IndexedVersion[], current: SemVer, now: Date, extra: Predicate[]): string | undefined {
  const notHigher: Predicate = (v) => v.semver.compare(current) <= 0;
  const keep: Predicate[] = [...extra, (v) => !isExpired(v, now)];
  const nonDeprecated = latestQualifying(versions, now, [...keep, (v) => !isDeprecated(v, now)], notHigher);
  return (nonDeprecated ?? latestQualifying(versions, now, keep, notHigher))?.version;
}

/** The Masterminds tilde range `~<normalised current>`, applied to the candidate's normalised form. */
function withinPatchRangeOf(current: SemVer): Predicate {
  const base = parseVersionLenient(normalizeVersion(current.version));
  return (v) => {
    const candidate = v.normalizedSemver;
    if (!base || !candidate) return false;
    return candidate.major === base.major && candidate.minor === base.minor && candidate.patch >= base.patch;
  };
}

/** GetLatestVersionForPatchAutoUpdate: same major.minor (tilde on normalised current), > current, not expired, not preview;
 *  highest non-deprecated, else highest deprecated. */
export function latestPatchForAutoUpdate(versions: IndexedVersion[], current: string, now: Date): string | undefined {
  const cur = parseVersionLenient(current);
  if (!cur) return undefined;
  // Only the current minor's versions can pass the tilde range; scanning just them (in the same
  // order) finds the same version as scanning the whole list, without walking every higher minor.
  const base = parseVersionLenient(normalizeVersion(cur.version));
  if (!base) return undefined;
  return versionForAutoUpdate(sameMinorOf(versions, base.major, base.minor, 'normalized'), cur, now, [withinPatchRangeOf(cur)]);
}

/** The versions of one list grouped by major.minor (of the semver, or of the normalised form), in
 *  list order; built once per list and form (a list is never changed after indexVersions). */
const byMinor = { semver: new WeakMap<readonly IndexedVersion[], Map<string, IndexedVersion[]>>(), normalized: new WeakMap<readonly IndexedVersion[], Map<string, IndexedVersion[]>>() };

const byMajor = new WeakMap<readonly IndexedVersion[], Map<number, IndexedVersion[]>>();

/** The versions of one list with this semver major, in list order; built once per list. */
function sameMajorOf(versions: IndexedVersion[], major: number): IndexedVersion[] {
  let groups = byMajor.get(versions);
  if (!groups) {
    groups = new Map();
    for (const v of versions) {
      const group = groups.get(v.semver.major);
      if (group) group.push(v);
      else groups.set(v.semver.major, [v]);
    }
    byMajor.set(versions, groups);
  }
  return groups.get(major) ?? [];
}

function sameMinorOf(versions: IndexedVersion[], major: number, minor: number, form: 'semver' | 'normalized'): IndexedVersion[] {
  let groups = byMinor[form].get(versions);
  if (!groups) {
    groups = new Map();
    for (const v of versions) {
      const parsed = form === 'semver' ? v.semver : v.normalizedSemver;
      if (parsed === undefined) continue;
      const key = `${parsed.major}.${parsed.minor}`;
      const group = groups.get(key);
      if (group) group.push(v);
      else groups.set(key, [v]);
    }
    byMinor[form].set(versions, groups);
  }
  return groups.get(`${major}.${minor}`) ?? [];
}

/** Machine image strategy minor, auto (GetLatestVersionForMinorAutoUpdate): a higher patch first, else the highest higher version of the same major. */
export function latestVersionInMajorForAutoUpdate(versions: IndexedVersion[], current: string, now: Date): string | undefined {
  const cur = parseVersionLenient(current);
  if (!cur) return undefined;
  return (
    latestPatchForAutoUpdate(versions, current, now) ??
    // Only the current major's versions can pass: scanning just them (same order) finds the same version.
    versionForAutoUpdate(sameMajorOf(versions, cur.major), cur, now, [(v) => v.semver.major === cur.major])
  );
}

/** Machine image strategy major, auto (GetOverallLatestVersionForAutoUpdate): a higher patch first, else the overall highest higher version. */
export function latestVersionForAutoUpdate(versions: IndexedVersion[], current: string, now: Date): string | undefined {
  const cur = parseVersionLenient(current);
  if (!cur) return undefined;
  return latestPatchForAutoUpdate(versions, current, now) ?? versionForAutoUpdate(versions, cur, now, []);
}

/** GetVersionForForcefulUpdateToConsecutiveMinor: next minor exactly (same major), non-preview, highest non-expired else highest expired. */
export function versionForForcedUpdateToConsecutiveMinor(versions: IndexedVersion[], current: string, now: Date): string | undefined {
  const cur = parseVersionLenient(current);
  if (!cur) return undefined;
  const nextMinor: Predicate = (v) => v.semver.major === cur.major && v.semver.minor === cur.minor + 1;
  // Only that minor's versions can pass: scanning just them (same order) finds the same version.
  const candidates = sameMinorOf(versions, cur.major, cur.minor + 1, 'semver');
  return (
    latestQualifying(candidates, now, [nextMinor, (v) => !isExpired(v, now)]) ?? latestQualifying(candidates, now, [nextMinor])
  )?.version;
}

/** GetQualifyingVersionForNextHigher: the highest qualifying version of the lowest higher minor/major that has
 *  one, plus the lowest higher minor/major present at all (over every version, as Gardener computes it). */
function qualifyingForNextHigher(
  versions: IndexedVersion[],
  key: (v: SemVer) => number,
  current: SemVer,
  now: Date,
  keep: Predicate[],
): { found: IndexedVersion | undefined; next: number | undefined } {
  const ascending = [...versions].reverse();
  let next: number | undefined;
  let found: IndexedVersion | undefined;
  for (const v of ascending) {
    const k = key(v.semver);
    if (k > key(current) && (next === undefined || k < next)) next = k;
    if (isPreview(v, now) || !keep.every((p) => p(v))) continue;
    if (found && k > key(found.semver)) break;
    found = v;
  }
  return { found, next };
}

/** getVersionForMachineImageForceUpdate: prefer non-expired; allow expired when none, or when the non-expired
 *  pick skipped the next existing minor/major (its quirk included: the second pass may return an expired
 *  version of a minor/major that also has a non-expired one). */
function versionForMachineImageForceUpdate(
  versions: IndexedVersion[],
  key: (v: SemVer) => number,
  current: SemVer,
  now: Date,
  keep: Predicate[],
): string | undefined {
  const first = qualifyingForNextHigher(versions, key, current, now, [...keep, (v) => !isExpired(v, now)]);
  const skipped = first.found !== undefined && first.next !== undefined && key(first.found.semver) > first.next;
  if (first.found && !skipped) return first.found.version;
  return qualifyingForNextHigher(versions, key, current, now, keep).found?.version;
}

/** GetVersionForForcefulUpdateToNextHigherMinor (strategy patch, forced): the lowest higher minor (same major) with a non-preview version; its highest. */
export function versionForForcedUpdateToNextHigherMinor(versions: IndexedVersion[], current: string, now: Date): string | undefined {
  const cur = parseVersionLenient(current);
  if (!cur) return undefined;
  return versionForMachineImageForceUpdate(versions, (v) => v.minor, cur, now, [
    (v) => v.semver.major === cur.major,
    (v) => v.semver.minor > cur.minor,
  ]);
}

/** GetVersionForForcefulUpdateToNextHigherMajor (strategy minor, forced): the lowest higher major with a non-preview version; its highest. */
export function versionForForcedUpdateToNextHigherMajor(versions: IndexedVersion[], current: string, now: Date): string | undefined {
  const cur = parseVersionLenient(current);
  if (!cur) return undefined;
  return versionForMachineImageForceUpdate(versions, (v) => v.major, cur, now, [(v) => v.semver.major > cur.major]);
}

// ---- decisions and their texts ----------------------------------------------------------------

/** Reasons maintenance gives for a Kubernetes version update (reconciler.go, shouldKubernetesVersionBeUpdated). */
export const KUBERNETES_UPDATE_REASON = {
  vanished: 'Version does not exist in CloudProfile',
  expired: 'Kubernetes version expired - force update required',
  auto: 'Automatic update of Kubernetes version configured',
} as const;

/** Reasons maintenance gives for a machine image update (reconciler.go, shouldMachineImageVersionBeUpdated). */
export const MACHINE_IMAGE_UPDATE_REASON = {
  vanished: 'Version does not exist in CloudProfile',
  expired: (strategy: string) => `Machine image version expired - force update required (image update strategy: ${strategy})`,
  auto: (strategy: string) =>
    `Automatic update of the machine image version is configured (image update strategy: ${strategy})`,
} as const;

/** `cannot perform forceful update of expired version "<cur>". No suitable version found in CloudProfile - ...` */
export function forcefulUpdateImpossibleText(current: string): string {
  return `cannot perform forceful update of expired version ${goQuote(current)}. No suitable version found in CloudProfile - this is most likely a misconfiguration of the CloudProfile`;
}

/** The failure description of a Kubernetes version result: `could not determine higher suitable version than "<cur>": <error>`. */
export function higherVersionFailureText(current: string, error: string): string {
  return `could not determine higher suitable version than ${goQuote(current)}: ${error}`;
}

/** Decision + target for a Kubernetes version (control plane or worker pool): reconciler.go,
 *  maintainKubernetesVersion with shouldKubernetesVersionBeUpdated and determineKubernetesVersion. */
export type VersionUpdate =
  | { kind: 'none' }
  | { kind: 'update'; from: string; to: string; reason: string; forced: boolean }
  | { kind: 'error'; from: string; reason: string; error: string; forced: boolean };

/** Decision + target for a Kubernetes version (control plane or worker pool), as Gardener's
 *  maintainKubernetesVersion, with docs/design.md, "Differences from Gardener" 6
 *  for a version missing from the profile unless `forceUpdateVanishedVersions`. */
export function decideKubernetesVersionUpdate(args: {
  current: string;
  versions: IndexedVersion[];
  autoUpdate: boolean;
  now: Date;
  forceUpdateVanishedVersions: boolean;
}): VersionUpdate {
  const { current, versions, autoUpdate, now } = args;
  // Gardener fails the comparison for an unreadable version and maintains nothing.
  if (!parseVersionLenient(normalizeVersion(current))) return { kind: 'none' };
  const existing = findVersion(versions, current);

  let reason: string;
  let forced: boolean;
  if (!existing) {
    reason = KUBERNETES_UPDATE_REASON.vanished;
    forced = args.forceUpdateVanishedVersions;
    if (!forced && !autoUpdate) return { kind: 'none' };
  } else if (isExpired(existing, now)) {
    reason = KUBERNETES_UPDATE_REASON.expired;
    forced = true;
  } else if (autoUpdate) {
    reason = KUBERNETES_UPDATE_REASON.auto;
    forced = false;
  } else {
    return { kind: 'none' };
  }

  // Always try the patch update first, even when forced.
  const patch = latestPatchForAutoUpdate(versions, current, now);
  if (patch !== undefined) return { kind: 'update', from: current, to: patch, reason, forced };
  if (!forced) return { kind: 'none' };
  const nextMinor = versionForForcedUpdateToConsecutiveMinor(versions, current, now);
  if (nextMinor !== undefined) return { kind: 'update', from: current, to: nextMinor, reason, forced };
  return { kind: 'error', from: current, reason, error: forcefulUpdateImpossibleText(current), forced };
}

/** Masterminds' error text for an unparsable version. */
const INVALID_SEMVER = 'Invalid Semantic Version';

/** Target by updateStrategy for an image version that must (forced) or may (auto) be updated, with the exact
 *  error wrapping texts of Gardener's helper/helper.go, DetermineMachineImageVersion and DetermineVersionForStrategy. */
export function decideMachineImageTarget(args: {
  imageName: string;
  strategy: MachineImageUpdateStrategy;
  versions: IndexedVersion[];
  current: string;
  forced: boolean;
  now: Date;
}): { kind: 'none' } | { kind: 'update'; to: string } | { kind: 'error'; error: string } {
  const { imageName, strategy, versions, current, forced, now } = args;
  const wrap = (inner: string) => ({
    kind: 'error' as const,
    error: `failed to determine the target version for maintenance of machine image ${goQuote(imageName)} with strategy ${goQuote(strategy)}: ${inner}`,
  });
  if (!parseVersionLenient(current)) {
    return wrap(`failed to determine a higher patch version for automatic update: ${INVALID_SEMVER}`);
  }

  const auto =
    strategy === 'patch'
      ? latestPatchForAutoUpdate(versions, current, now)
      : strategy === 'minor'
        ? latestVersionInMajorForAutoUpdate(versions, current, now)
        : latestVersionForAutoUpdate(versions, current, now);
  if (auto !== undefined) return { kind: 'update', to: auto };
  if (!forced) return { kind: 'none' };

  if (strategy !== 'patch' && strategy !== 'minor') {
    // The overall latest version is expired: nothing higher to force to.
    return wrap(
      `failed to determine version for forceful update: either the machine image ${goQuote(imageName)} is reaching end of life and migration to another machine image is required or there is a misconfiguration in the CloudProfile. If it is the latter, make sure the machine image in the CloudProfile has at least one version that is not expired, not in preview and greater or equal to the current Shoot image version ${goQuote(current)}`,
    );
  }
  const target =
    strategy === 'patch'
      ? versionForForcedUpdateToNextHigherMinor(versions, current, now)
      : versionForForcedUpdateToNextHigherMajor(versions, current, now);
  if (target !== undefined) return { kind: 'update', to: target };
  return wrap(forcefulUpdateImpossibleText(current));
}
