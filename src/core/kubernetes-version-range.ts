// Which Kubernetes versions support a feature gate or an admission plugin, after Gardener's tables
// (gardener/gardener pkg/utils/validation/features/featuregates.go, IsFeatureGateSupported;
// pkg/utils/validation/admissionplugins/admissionplugins.go, IsAdmissionPluginSupported;
// pkg/utils/version/version.go, VersionRange.Contains). The tables themselves are generated from
// those files: feature-gate-version-ranges.ts and admission-plugin-version-ranges.ts
// (scripts/gardener-version-ranges.mjs; docs/design.md, "Feature gates and admission plugins").
import { ADMISSION_PLUGIN_VERSION_RANGES } from './admission-plugin-version-ranges.js';
import { FEATURE_GATE_VERSION_RANGES } from './feature-gate-version-ranges.js';
import { goQuote } from './field-errors.js';
import { compareVersions, normalizeVersion, parseVersionLenient } from './versions.js';

/** Versions `[addedInVersion, removedInVersion)`; a bound left out is open. */
export interface VersionRange {
  addedInVersion?: string;
  removedInVersion?: string;
}

export interface FeatureGateVersionRange extends VersionRange {
  /** From this version on the gate can only be set to `lockedValue`. */
  lockedToDefaultInVersion?: string;
  lockedValue?: boolean;
}

export interface AdmissionPluginVersionRange extends VersionRange {
  /** The plugin cannot be disabled. */
  required?: boolean;
  /** The plugin takes a `config`. */
  allowsConfiguration?: boolean;
}

/** Supported or not, or Gardener's error (unknown name, unparsable version). */
export type Support = { ok: true; supported: boolean } | { ok: false; error: string };

/** Masterminds semver.NewVersion's error text for a version it cannot parse. */
const INVALID_VERSION = 'Invalid Semantic Version';

/** The version as Gardener's CheckVersionMeetsConstraint reads it (normalised), or undefined. */
function parsedVersion(version: string): string | undefined {
  const parsed = parseVersionLenient(normalizeVersion(version));
  return parsed?.version;
}

/** VersionRange.Contains: `version` (normalised) is at or above the start and below the end. */
export function rangeContains(range: VersionRange, version: string): Support {
  const v = parsedVersion(version);
  if (v === undefined) return { ok: false, error: INVALID_VERSION };
  const atOrAboveStart = range.addedInVersion === undefined || compareVersions(v, range.addedInVersion) >= 0;
  const belowEnd = range.removedInVersion === undefined || compareVersions(v, range.removedInVersion) < 0;
  return { ok: true, supported: atOrAboveStart && belowEnd };
}

/** IsFeatureGateSupported: a known gate whose range contains `version`. */
export function featureGateSupport(name: string, version: string, table: ReadonlyMap<string, VersionRange> = FEATURE_GATE_VERSION_RANGES): Support {
  const range = table.get(name);
  if (range === undefined) return { ok: false, error: `unknown feature gate ${name}` };
  return rangeContains(range, version);
}

/** IsAdmissionPluginSupported: a known plugin whose range contains `version`. */
export function admissionPluginSupport(
  name: string,
  version: string,
  table: ReadonlyMap<string, VersionRange> = ADMISSION_PLUGIN_VERSION_RANGES,
): Support {
  const range = table.get(name);
  if (range === undefined) return { ok: false, error: `unknown admission plugin ${goQuote(name)}` };
  return rangeContains(range, version);
}

/** isFeatureLockedToDefault: `version` is at or above the gate's lockedToDefaultInVersion. */
export function featureGateLockedValue(range: FeatureGateVersionRange, version: string): boolean | undefined {
  if (range.lockedToDefaultInVersion === undefined) return undefined;
  const v = parsedVersion(version);
  if (v === undefined || compareVersions(v, range.lockedToDefaultInVersion) < 0) return undefined;
  return range.lockedValue ?? false;
}
