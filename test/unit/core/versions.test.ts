import { describe, expect, it } from 'vitest';
import type { ExpirableVersion, MachineImageUpdateStrategy } from '../../../src/core/cloudprofile-types.js';
import {
  KUBERNETES_UPDATE_REASON,
  MACHINE_IMAGE_UPDATE_REASON,
  classificationOf,
  compareNormalizedVersions,
  compareVersions,
  decideKubernetesVersionUpdate,
  decideMachineImageTarget,
  findVersion,
  forcefulUpdateImpossibleText,
  higherVersionFailureText,
  indexVersions,
  isActive,
  isDeprecated,
  isExpired,
  isPreview,
  isSupported,
  latestPatchForAutoUpdate,
  latestVersionForAutoUpdate,
  latestVersionInMajorForAutoUpdate,
  normalizeVersion,
  parseVersionConstraint,
  parseVersionLenient,
  versionForForcedUpdateToConsecutiveMinor,
  versionForForcedUpdateToNextHigherMajor,
  versionForForcedUpdateToNextHigherMinor,
} from '../../../src/core/versions.js';
import { completeKubernetesVersion } from '../../../src/core/version-completion.js';

const NOW = new Date('2024-06-01T12:00:00Z');
const PAST = '2024-01-01T00:00:00Z';
const FUTURE = '2025-01-01T00:00:00Z';

/** A catalogue from short specs: "1.10.0", "1.10.1:expired", "1.11.0:preview", "1.9.0:deprecated",
 *  "1.8.0:deprecated-expiring" (deprecated with a future expiration date). */
function catalogue(...specs: string[]) {
  return indexVersions(specs.map(version));
}
function version(spec: string): ExpirableVersion {
  const [v = '', kind] = spec.split(':');
  switch (kind) {
    case undefined:
      return { version: v };
    case 'expired':
      return { version: v, expirationDate: PAST };
    case 'preview':
      return { version: v, classification: 'preview' };
    case 'deprecated':
      return { version: v, classification: 'deprecated' };
    case 'deprecated-expiring':
      return { version: v, classification: 'deprecated', expirationDate: FUTURE };
    case 'supported':
      return { version: v, classification: 'supported' };
    default:
      throw new Error(`unknown kind ${kind}`);
  }
}

describe('parseVersionLenient (Masterminds-style)', () => {
  it.each([
    ['1', '1.0.0'],
    ['1.7', '1.7.0'],
    ['v1.2.3', '1.2.3'],
    ['1.2.3', '1.2.3'],
    ['1.0.0-inplace', '1.0.0-inplace'],
    ['2135.6.0', '2135.6.0'],
    ['1.2.3+build.5', '1.2.3'],
  ])('%s → %s', (input, expected) => {
    expect(parseVersionLenient(input)?.version).toBe(expected);
  });
  it.each(['', 'foo', '1.2.3.4', '1..2', 'v', '1.2.3-', 'x1.2.3'])('%j is not a version', (input) => {
    expect(parseVersionLenient(input)).toBeUndefined();
  });
});

describe('normalizeVersion', () => {
  it.each([
    ['v1.2.3-rc.1', '1.2.3'],
    ['1.2.3+build', '1.2.3'],
    ['1.2.3~ubuntu', '1.2.3'],
    ['1.2.3', '1.2.3'],
    ['1.0.0-inplace', '1.0.0'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeVersion(input)).toBe(expected);
  });
});

describe('compareVersions / compareNormalizedVersions', () => {
  it.each([
    ['1.0.0-inplace', '1.0.0', -1],
    ['1', '1.0.0', 0],
    ['v1.7', '1.7.0', 0],
    ['1.10.0', '1.9.0', 1],
    ['1.2.3+a', '1.2.3+b', 0],
    ['2', '1.99.99', 1],
  ])('%s vs %s → %i', (a, b, expected) => {
    expect(Math.sign(compareVersions(a, b))).toBe(expected);
  });
  it('normalised compare ignores suffixes', () => {
    expect(compareNormalizedVersions('1.0.0-inplace', '1.0.0')).toBe(0);
    expect(compareNormalizedVersions('v1.10.1', '1.10.0')).toBe(1);
  });
});

describe('parseVersionConstraint (kubeletVersionConstraint)', () => {
  it.each([
    ['>= 1.26', '1.27.3', true],
    ['>= 1.26', '1.25.0', false],
    ['>= 1.26, < 1.30', '1.29.9', true],
    ['>= 1.26, < 1.30', '1.30.0', false],
    ['< 1.26 || >= 1.28', '1.27.0', false],
    ['~1.27', '1.27.5', true],
  ])('%s accepts %s: %s', (constraint, v, expected) => {
    const range = parseVersionConstraint(constraint);
    const parsed = parseVersionLenient(v);
    expect(range && parsed && range.test(parsed)).toBe(expected);
  });
  it.each(['not a constraint', '>= a.b'])('%j does not parse', (c) => {
    expect(parseVersionConstraint(c)).toBeUndefined();
  });
});

describe('classificationOf (Gardener CurrentLifecycleClassification)', () => {
  it.each<[string, ExpirableVersion, string]>([
    ['no fields', { version: '1.0.0' }, 'supported'],
    ['legacy preview', { version: '1.0.0', classification: 'preview' }, 'preview'],
    ['legacy deprecated + future expiration', { version: '1.0.0', classification: 'deprecated', expirationDate: FUTURE }, 'deprecated'],
    ['legacy preview + past expiration', { version: '1.0.0', classification: 'preview', expirationDate: PAST }, 'expired'],
    ['only past expiration', { version: '1.0.0', expirationDate: PAST }, 'expired'],
    ['expiration exactly now (strict Before)', { version: '1.0.0', expirationDate: NOW.toISOString() }, 'supported'],
    ['expiration one second ago', { version: '1.0.0', expirationDate: '2024-06-01T11:59:59Z' }, 'expired'],
    [
      'lifecycle walk, last started stage wins',
      {
        version: '1.0.0',
        lifecycle: [
          { classification: 'preview' },
          { classification: 'supported', startTime: PAST },
          { classification: 'deprecated', startTime: FUTURE },
        ],
      },
      'supported',
    ],
    ['lifecycle not yet started → unavailable', { version: '1.0.0', lifecycle: [{ classification: 'preview', startTime: FUTURE }] }, 'unavailable'],
    ['lifecycle expired', { version: '1.0.0', lifecycle: [{ classification: 'supported' }, { classification: 'expired', startTime: PAST }] }, 'expired'],
  ])('%s → %s', (_name, v, expected) => {
    expect(classificationOf(v, NOW)).toBe(expected);
    // The indexed form classifies the same.
    const [indexed] = indexVersions([v]);
    expect(indexed && classificationOf(indexed, NOW)).toBe(expected);
  });

  it.each([
    ['1.0.0', { expired: false, active: true, preview: false, deprecated: false, supported: true }],
    ['1.0.0:expired', { expired: true, active: false, preview: false, deprecated: false, supported: false }],
    ['1.0.0:preview', { expired: false, active: true, preview: true, deprecated: false, supported: false }],
    ['1.0.0:deprecated', { expired: false, active: true, preview: false, deprecated: true, supported: false }],
  ])('predicates of %s', (spec, expected) => {
    const v = version(spec);
    expect({
      expired: isExpired(v, NOW),
      active: isActive(v, NOW),
      preview: isPreview(v, NOW),
      deprecated: isDeprecated(v, NOW),
      supported: isSupported(v, NOW),
    }).toEqual(expected);
  });

  // Gardener's cases (pkg/api/core/v1beta1/helper/cloudprofile_test.go, "calculate the current lifecycle
  // classification"), hours relative to now.
  const h = (n: number) => new Date(NOW.getTime() + n * 3_600_000).toISOString();
  it.each<[string, ExpirableVersion['lifecycle'], string]>([
    ['unavailable: the only stage starts in the future', [{ classification: 'supported', startTime: h(3) }], 'unavailable'],
    ['in preview', [{ classification: 'preview', startTime: h(-1) }, { classification: 'supported', startTime: h(3) }], 'preview'],
    ['full lifecycle, currently supported', [
      { classification: 'preview', startTime: h(-3) }, { classification: 'supported', startTime: h(-1) },
      { classification: 'deprecated', startTime: h(5) }, { classification: 'expired', startTime: h(8) },
    ], 'supported'],
    ['expired', [
      { classification: 'supported', startTime: h(-4) }, { classification: 'deprecated', startTime: h(-3) }, { classification: 'expired', startTime: h(-1) },
    ], 'expired'],
    ['first start time optional', [{ classification: 'preview' }, { classification: 'supported', startTime: h(3) }], 'preview'],
  ])('Gardener: %s', (_name, lifecycle, expected) => expect(classificationOf({ version: '1.28.0', lifecycle }, NOW)).toBe(expected));

  // One lifecycle seen before, between and after its stages, and exactly at a start (strict Before, reference 2.3).
  describe('one lifecycle over time', () => {
    const v: ExpirableVersion = {
      version: '1.0.0',
      lifecycle: [
        { classification: 'preview', startTime: '2024-01-01T00:00:00Z' },
        { classification: 'supported', startTime: '2024-03-01T00:00:00Z' },
        { classification: 'deprecated', startTime: '2024-06-01T00:00:00Z' },
        { classification: 'expired', startTime: '2024-09-01T00:00:00Z' },
      ],
    };
    it.each([
      ['2023-12-31T23:59:59Z', 'unavailable'],
      ['2024-01-01T00:00:00Z', 'unavailable'],
      ['2024-01-01T00:00:01Z', 'preview'],
      ['2024-04-15T00:00:00Z', 'supported'],
      ['2024-07-01T00:00:00Z', 'deprecated'],
      ['2024-09-01T00:00:00Z', 'deprecated'],
      ['2025-01-01T00:00:00Z', 'expired'],
    ])('at %s → %s', (at, expected) => expect(classificationOf(v, new Date(at))).toBe(expected));
  });

  it('picks the patch update target by lifecycle: a version supported only later is a preview now, not a target', () => {
    const versions = indexVersions([
      { version: '1.30.1' },
      { version: '1.30.2', lifecycle: [{ classification: 'supported' }, { classification: 'deprecated', startTime: PAST }] },
      { version: '1.30.3', lifecycle: [{ classification: 'preview' }, { classification: 'supported', startTime: FUTURE }] },
    ]);
    expect(latestPatchForAutoUpdate(versions, '1.30.1', NOW)).toBe('1.30.2');
    expect(latestPatchForAutoUpdate(versions, '1.30.1', new Date('2031-01-01T00:00:00Z'))).toBe('1.30.3');
  });

  it('forces the update of a version whose lifecycle reached expired', () => {
    const versions = indexVersions([
      { version: '1.30.1', lifecycle: [{ classification: 'supported' }, { classification: 'expired', startTime: PAST }] },
      { version: '1.31.0', lifecycle: [{ classification: 'supported' }] },
    ]);
    expect(decideKubernetesVersionUpdate({ current: '1.30.1', versions, autoUpdate: false, now: NOW, forceUpdateVanishedVersions: false })).toEqual({
      kind: 'update', from: '1.30.1', to: '1.31.0', reason: KUBERNETES_UPDATE_REASON.expired, forced: true,
    });
    expect(decideKubernetesVersionUpdate({ current: '1.30.1', versions, autoUpdate: false, now: new Date('2023-06-01T00:00:00Z'), forceUpdateVanishedVersions: false }))
      .toEqual({ kind: 'none' });
  });

  it('unavailable is not active', () => {
    expect(isActive({ version: '1.0.0', lifecycle: [{ classification: 'supported', startTime: FUTURE }] }, NOW)).toBe(false);
  });
});

describe('indexVersions / findVersion', () => {
  it('sorts descending by semver and drops unparsable versions', () => {
    const idx = catalogue('1.9.0', '1.10.0', 'garbage', '1.10.0-rc.1', '1.2');
    expect(idx.map((v) => v.version)).toEqual(['1.10.0', '1.10.0-rc.1', '1.9.0', '1.2']);
    expect(idx[3]?.normalized).toBe('1.2');
  });
  it.each([
    ['1.10.12', '1.10.12'],
    ['v1.10.12', '1.10.12'],
    ['1.10.12-gardener.1', '1.10.12'],
    ['1.10', '1.10.0'],
    ['1.10.13', undefined],
    ['nope', undefined],
  ])('findVersion(%s) → %s', (wanted, found) => {
    expect(findVersion(catalogue('1.10.12', '1.10.0'), wanted)?.version).toBe(found);
  });
});

describe('selection helpers', () => {
  it.each([
    // [catalogue, current, expected]
    [['1.10.0', '1.10.5', '1.11.0'], '1.10.0', '1.10.5'],
    [['1.10.0', '1.10.5:deprecated', '1.10.3'], '1.10.0', '1.10.3'],
    [['1.10.0', '1.10.5:deprecated'], '1.10.0', '1.10.5'],
    [['1.10.0', '1.10.5:preview', '1.10.3:expired'], '1.10.0', undefined],
    [['1.10.5', '1.11.0'], '1.10.5', undefined],
    [['1.0.5', '1.1.0'], '1', '1.0.5'], // `1` → ~1.0.0
    [['1.0.0', '1.0.0-inplace'], '1.0.0-inplace', '1.0.0'],
    [['1.10.3'], '1.10.5', undefined], // never lower
  ])('latestPatchForAutoUpdate(%j, %s) → %s', (specs, current, expected) => {
    expect(latestPatchForAutoUpdate(catalogue(...specs), current, NOW)).toBe(expected);
  });

  it.each([
    [['1.11.0', '1.11.2:deprecated', '1.11.1'], '1.10.9', '1.11.2'], // no preference for supported here
    [['1.11.0:expired', '1.11.1:expired'], '1.10.9', '1.11.1'],
    [['1.11.0:expired', '1.11.1'], '1.10.9', '1.11.1'],
    [['1.11.3:expired', '1.11.1'], '1.10.9', '1.11.1'], // non-expired preferred
    [['1.11.0:preview'], '1.10.9', undefined],
    [['1.12.0'], '1.10.9', undefined], // never skip a minor
    [['2.0.0'], '1.10.9', undefined], // never change the major
  ])('versionForForcedUpdateToConsecutiveMinor(%j, %s) → %s', (specs, current, expected) => {
    expect(versionForForcedUpdateToConsecutiveMinor(catalogue(...specs), current, NOW)).toBe(expected);
  });

  it.each([
    [['1.1.0', '1.1.3', '1.2.0'], '1.0.1', '1.1.3'],
    [['1.1.0:preview', '1.2.0', '1.2.1'], '1.0.0', '1.2.1'], // preview-only minor is skipped
    [['1.1.0:expired', '1.1.1:expired', '1.2.0'], '1.0.0', '1.1.1'], // all-expired next minor beats skipping it
    [['1.1.0:expired', '1.1.5', '1.1.3'], '1.0.0', '1.1.5'],
    [['2.0.0'], '1.0.0', undefined], // same major only
    [['1.0.5'], '1.0.0', undefined],
    // Quirk of Gardener's getVersionForMachineImageForceUpdate (pkg/api/core/v1beta1/helper/cloudprofile.go): the
    // next minor (1.1) is preview-only, so the second pass runs and
    // returns the highest of minor 2 even though it is expired.
    [['1.1.0:preview', '1.2.0', '1.2.5:expired'], '1.0.0', '1.2.5'],
  ])('versionForForcedUpdateToNextHigherMinor(%j, %s) → %s', (specs, current, expected) => {
    expect(versionForForcedUpdateToNextHigherMinor(catalogue(...specs), current, NOW)).toBe(expected);
  });

  it.each([
    [['2.0.0', '2.1.0', '3.0.0'], '1.3.0', '2.1.0'],
    [['2.0.0:preview', '3.0.0', '3.4.1'], '1.3.0', '3.4.1'],
    [['2.0.0:expired', '3.0.0'], '1.3.0', '2.0.0'],
    [['1.9.0'], '1.3.0', undefined],
  ])('versionForForcedUpdateToNextHigherMajor(%j, %s) → %s', (specs, current, expected) => {
    expect(versionForForcedUpdateToNextHigherMajor(catalogue(...specs), current, NOW)).toBe(expected);
  });

  it.each([
    [['1.0.0', '1.3.0', '1.5.0:deprecated', '2.0.0'], '1.0.0', '1.3.0', '2.0.0'],
    [['1.0.0', '1.0.1', '1.3.0', '2.0.0'], '1.0.0', '1.0.1', '1.0.1'], // patch first
    [['1.0.0', '2.0.0:preview', '1.3.0:expired'], '1.0.0', undefined, undefined],
    [['1', '2'], '1', undefined, '2'],
  ])('minor/major auto on %j from %s → %s / %s', (specs, current, minorTarget, majorTarget) => {
    const idx = catalogue(...specs);
    expect(latestVersionInMajorForAutoUpdate(idx, current, NOW)).toBe(minorTarget);
    expect(latestVersionForAutoUpdate(idx, current, NOW)).toBe(majorTarget);
  });
});

describe('decideKubernetesVersionUpdate (Gardener maintainKubernetesVersion; docs/design.md, difference 6)', () => {
  const expiredText = (v: string) =>
    `cannot perform forceful update of expired version "${v}". No suitable version found in CloudProfile - this is most likely a misconfiguration of the CloudProfile`;

  it.each<[string, string[], string, boolean, boolean, unknown]>([
    // User documentation examples.
    ['docs: patch only, never the next minor', ['1.10.0', '1.10.5', '1.11.0'], '1.10.0', true, false,
      { kind: 'update', from: '1.10.0', to: '1.10.5', reason: 'Automatic update of Kubernetes version configured', forced: false }],
    ['docs: auto-update off → nothing', ['1.10.0', '1.10.5', '1.11.0'], '1.10.0', false, false, { kind: 'none' }],
    ['docs: expired is updated even with auto-update off', ['1.10.12:expired', '1.10.13'], '1.10.12', false, false,
      { kind: 'update', from: '1.10.12', to: '1.10.13', reason: 'Kubernetes version expired - force update required', forced: true }],
    ['docs: dropped version, auto-update on → latest patch', ['1.10.13', '1.11.0'], '1.10.12', true, false,
      { kind: 'update', from: '1.10.12', to: '1.10.13', reason: 'Version does not exist in CloudProfile', forced: false }],
    ['docs: dropped version, auto-update off → nothing', ['1.10.13', '1.11.0'], '1.10.12', false, false, { kind: 'none' }],
    ['dropped version with forceUpdateVanishedVersions → forced', ['1.10.13', '1.11.0'], '1.10.12', false, true,
      { kind: 'update', from: '1.10.12', to: '1.10.13', reason: 'Version does not exist in CloudProfile', forced: true }],
    ['dropped, no patch, auto-update on → nothing (no minor jump)', ['1.11.0'], '1.10.12', true, false, { kind: 'none' }],
    ['dropped, no patch, forced → next minor', ['1.11.0', '1.11.4'], '1.10.12', false, true,
      { kind: 'update', from: '1.10.12', to: '1.11.4', reason: 'Version does not exist in CloudProfile', forced: true }],
    ['dropped, nothing suitable, forced → error', ['1.12.0'], '1.10.12', true, true,
      { kind: 'error', from: '1.10.12', reason: 'Version does not exist in CloudProfile', error: expiredText('1.10.12'), forced: true }],
    // Forced paths.
    ['expired tries the patch first', ['1.10.1:expired', '1.10.2', '1.11.0'], '1.10.1', false, false,
      { kind: 'update', from: '1.10.1', to: '1.10.2', reason: 'Kubernetes version expired - force update required', forced: true }],
    ['expired on latest patch → next minor, deprecated allowed', ['1.10.9:expired', '1.11.0', '1.11.2:deprecated'], '1.10.9', false, false,
      { kind: 'update', from: '1.10.9', to: '1.11.2', reason: 'Kubernetes version expired - force update required', forced: true }],
    ['expired, next minor all expired → highest expired', ['1.10.9:expired', '1.11.0:expired', '1.11.1:expired'], '1.10.9', false, false,
      { kind: 'update', from: '1.10.9', to: '1.11.1', reason: 'Kubernetes version expired - force update required', forced: true }],
    ['expired, no minor skip', ['1.10.9:expired', '1.12.0'], '1.10.9', true, false,
      { kind: 'error', from: '1.10.9', reason: 'Kubernetes version expired - force update required', error: expiredText('1.10.9'), forced: true }],
    ['expired, no major change', ['1.99.9:expired', '2.0.0'], '1.99.9', true, false,
      { kind: 'error', from: '1.99.9', reason: 'Kubernetes version expired - force update required', error: expiredText('1.99.9'), forced: true }],
    ['expired, next minor preview only → error', ['1.10.9:expired', '1.11.0:preview'], '1.10.9', false, false,
      { kind: 'error', from: '1.10.9', reason: 'Kubernetes version expired - force update required', error: expiredText('1.10.9'), forced: true }],
    // Preview and deprecated.
    ['preview never a target', ['1.10.0', '1.10.6:preview', '1.10.5'], '1.10.0', true, false,
      { kind: 'update', from: '1.10.0', to: '1.10.5', reason: 'Automatic update of Kubernetes version configured', forced: false }],
    ['deprecated only as fallback', ['1.10.0', '1.10.6:deprecated', '1.10.5'], '1.10.0', true, false,
      { kind: 'update', from: '1.10.0', to: '1.10.5', reason: 'Automatic update of Kubernetes version configured', forced: false }],
    ['deprecated as fallback', ['1.10.0', '1.10.6:deprecated-expiring'], '1.10.0', true, false,
      { kind: 'update', from: '1.10.0', to: '1.10.6', reason: 'Automatic update of Kubernetes version configured', forced: false }],
    ['already latest patch → nothing', ['1.10.6', '1.11.0'], '1.10.6', true, false, { kind: 'none' }],
    ['expired patches are not auto targets', ['1.10.0', '1.10.6:expired'], '1.10.0', true, false, { kind: 'none' }],
    ['current spelled with v is found', ['1.10.0', '1.10.5'], 'v1.10.0', true, false,
      { kind: 'update', from: 'v1.10.0', to: '1.10.5', reason: 'Automatic update of Kubernetes version configured', forced: false }],
    ['unreadable current → nothing', ['1.10.0'], 'banana', true, true, { kind: 'none' }],
  ])('%s', (_name, specs, current, autoUpdate, forceUpdateVanishedVersions, expected) => {
    expect(
      decideKubernetesVersionUpdate({ current, versions: catalogue(...specs), autoUpdate, now: NOW, forceUpdateVanishedVersions }),
    ).toEqual(expected);
  });

  it('texts', () => {
    expect(KUBERNETES_UPDATE_REASON).toEqual({
      vanished: 'Version does not exist in CloudProfile',
      expired: 'Kubernetes version expired - force update required',
      auto: 'Automatic update of Kubernetes version configured',
    });
    expect(forcefulUpdateImpossibleText('1.10.9')).toBe(expiredText('1.10.9'));
    expect(higherVersionFailureText('1.10.9', 'boom')).toBe('could not determine higher suitable version than "1.10.9": boom');
    expect(MACHINE_IMAGE_UPDATE_REASON.expired('major')).toBe(
      'Machine image version expired - force update required (image update strategy: major)',
    );
    expect(MACHINE_IMAGE_UPDATE_REASON.auto('patch')).toBe(
      'Automatic update of the machine image version is configured (image update strategy: patch)',
    );
  });
});

describe('decideMachineImageTarget (Gardener DetermineMachineImageVersion)', () => {
  const wrap = (image: string, strategy: string, inner: string) =>
    `failed to determine the target version for maintenance of machine image "${image}" with strategy "${strategy}": ${inner}`;
  const eol = (image: string, current: string) =>
    `failed to determine version for forceful update: either the machine image "${image}" is reaching end of life and migration to another machine image is required or there is a misconfiguration in the CloudProfile. If it is the latter, make sure the machine image in the CloudProfile has at least one version that is not expired, not in preview and greater or equal to the current Shoot image version "${current}"`;
  const noSuitable = (current: string) =>
    `cannot perform forceful update of expired version "${current}". No suitable version found in CloudProfile - this is most likely a misconfiguration of the CloudProfile`;

  it.each<[string, MachineImageUpdateStrategy, string[], string, boolean, unknown]>([
    ['issue example: expired 2135.6.0 → 2191.5.0 under major', 'major', ['2135.6.0:expired', '2191.5.0'], '2135.6.0', true,
      { kind: 'update', to: '2191.5.0' }],
    ['major, forced, nothing higher → end-of-life error', 'major', ['2135.6.0:expired', '1877.3.0'], '2135.6.0', true,
      { kind: 'error', error: wrap('gardenlinux', 'major', eol('gardenlinux', '2135.6.0')) }],
    ['major, auto: patch first', 'major', ['1.0.0', '1.0.3', '3.0.0'], '1.0.0', false, { kind: 'update', to: '1.0.3' }],
    ['major, auto: overall latest', 'major', ['1.0.0', '2.0.0', '3.0.0:preview', '2.5.0:deprecated'], '1.0.0', false, { kind: 'update', to: '2.0.0' }],
    ['major, short versions: 1 → 2', 'major', ['1', '2'], '1', false, { kind: 'update', to: '2' }],
    ['patch, auto', 'patch', ['1.0.0', '1.0.1', '1.1.0', '2.0.0'], '1.0.0', false, { kind: 'update', to: '1.0.1' }],
    ['patch, auto, nothing → none', 'patch', ['1.0.0', '1.1.0'], '1.0.0', false, { kind: 'none' }],
    ['patch, forced → next higher minor', 'patch', ['1.0.1:expired', '1.1.0', '1.1.3', '1.2.0'], '1.0.1', true, { kind: 'update', to: '1.1.3' }],
    ['patch, forced, nothing higher → error', 'patch', ['1.0.1:expired', '2.0.0'], '1.0.1', true,
      { kind: 'error', error: wrap('gardenlinux', 'patch', noSuitable('1.0.1')) }],
    ['minor, auto', 'minor', ['1.0.0', '1.3.0', '2.0.0'], '1.0.0', false, { kind: 'update', to: '1.3.0' }],
    ['minor, forced → next higher major', 'minor', ['1.3.0:expired', '2.0.0', '2.1.0', '3.0.0'], '1.3.0', true, { kind: 'update', to: '2.1.0' }],
    ['minor, forced, nothing higher → error', 'minor', ['1.3.0:expired'], '1.3.0', true,
      { kind: 'error', error: wrap('gardenlinux', 'minor', noSuitable('1.3.0')) }],
    ['prerelease current sorts below release', 'patch', ['1.0.0-inplace', '1.0.0'], '1.0.0-inplace', false, { kind: 'update', to: '1.0.0' }],
    ['unreadable current', 'patch', ['1.0.0'], 'latest', true,
      { kind: 'error', error: wrap('gardenlinux', 'patch', 'failed to determine a higher patch version for automatic update: Invalid Semantic Version') }],
  ])('%s', (_name, strategy, specs, current, forced, expected) => {
    expect(
      decideMachineImageTarget({ imageName: 'gardenlinux', strategy, versions: catalogue(...specs), current, forced, now: NOW }),
    ).toEqual(expected);
  });
});

describe('completeKubernetesVersion (Gardener defaultKubernetesVersion)', () => {
  const versions = catalogue('1.30.0:preview', '1.29.5:deprecated', '1.29.3', '1.28.9', '1.28.10:supported', '1.27.1:expired', '2.0.0:preview');
  const noSuitable = (input: string) =>
    `couldn't find a suitable version for ${input}. Suitable versions have a non-expired expiration date and are no 'preview' versions. 'Preview'-classified versions have to be selected explicitly`;

  it.each<[string, unknown]>([
    ['', { ok: true, version: '1.29.3' }],
    ['1', { ok: true, version: '1.29.3' }],
    ['1.28', { ok: true, version: '1.28.10' }],
    ['1.29.4', { ok: true, version: '1.29.4' }], // three parts are left for validation
    ['1.27.1', { ok: true, version: '1.27.1' }],
    ['1.2.3.4', { ok: true, version: '1.29.3' }], // Gardener reads only the major of 4+ parts
    ['1.', { ok: true, version: '1.29.3' }],
    ['1.27', { ok: false, badValue: '1.27', detail: noSuitable('1.27') }],
    ['1.30', { ok: false, badValue: '1.30', detail: noSuitable('1.30') }],
    ['2', { ok: false, badValue: '2', detail: noSuitable('2') }],
    ['1.a', { ok: false, badValue: 'a', detail: 'must be a semantic version' }],
    ['x', { ok: false, badValue: 'x', detail: 'must be a semantic version' }],
    ['a.b', { ok: false, badValue: 'b', detail: 'must be a semantic version' }], // minor is checked first
    ['v1', { ok: false, badValue: 'v1', detail: 'must be a semantic version' }],
    ['-1', { ok: false, badValue: '-1', detail: 'must be a semantic version' }],
    ['99999999999999999999', { ok: false, badValue: '99999999999999999999', detail: 'must be a semantic version' }],
  ])('%j → %j', (input, expected) => {
    expect(completeKubernetesVersion(input, versions, NOW)).toEqual(expected);
  });
});
