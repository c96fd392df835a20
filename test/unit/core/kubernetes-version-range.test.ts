import { describe, expect, it } from 'vitest';
import { admissionPluginSupport, featureGateLockedValue, featureGateSupport, rangeContains } from '../../../src/core/kubernetes-version-range.js';

// Cases of gardener/gardener pkg/utils/validation/features/featuregates_test.go, "#IsFeatureGateSupported",
// against the generated table (src/core/feature-gate-version-ranges.ts).
describe('featureGateSupport (Gardener IsFeatureGateSupported)', () => {
  it.each([
    ['TopologyAwareHints', '1.27.4', true],
    ['AllowServiceLBStatusOnNonLB', '1.30.3', true],
    ['CSIMigrationRBD', '1.27.1', true],
    ['SupplementalGroupsPolicy', '1.30.8', false],
    ['ValidatingAdmissionPolicy', '1.33.3', false],
    ['AllAlpha', '1.17.0', true],
    ['AllAlpha', '1.16.15', false],
  ])('%s in %s: supported %s', (gate, version, supported) => {
    expect(featureGateSupport(gate, version)).toEqual({ ok: true, supported });
  });

  it('Foo is unknown in 1.25.8', () => {
    expect(featureGateSupport('Foo', '1.25.8')).toEqual({ ok: false, error: 'unknown feature gate Foo' });
  });

  it('names of Object.prototype are unknown gates, not table entries', () => {
    expect(featureGateSupport('constructor', '1.31.0').ok).toBe(false);
  });
});

// Cases of gardener/gardener pkg/utils/validation/admissionplugins/admissionplugins_test.go, "#IsAdmissionPluginSupported".
describe('admissionPluginSupport (Gardener IsAdmissionPluginSupported)', () => {
  it('Unknown admission plugin', () => {
    expect(admissionPluginSupport('Unknown', '1.35')).toEqual({ ok: false, error: 'unknown admission plugin "Unknown"' });
  });

  it.each([
    ['PersistentVolumeLabel', '1.31', false],
    ['DenyServiceExternalIPs', '1.30', true],
    ['PodNodeSelector', '1.30', true],
  ])('%s in %s: supported %s', (plugin, version, supported) => {
    expect(admissionPluginSupport(plugin, version)).toEqual({ ok: true, supported });
  });
});

// gardener/gardener pkg/utils/version/version.go, VersionRange.Contains: [added, removed), versions normalised.
describe('rangeContains (Gardener VersionRange.Contains)', () => {
  it.each([
    [{}, '1.2.3', true],
    [{ addedInVersion: '1.31' }, '1.30.99', false],
    [{ addedInVersion: '1.31' }, '1.31.0', true],
    [{ removedInVersion: '1.31' }, '1.30.99', true],
    [{ removedInVersion: '1.31' }, '1.31.0', false],
    [{ addedInVersion: '1.29', removedInVersion: '1.31' }, 'v1.30.1-gardener.1', true],
    [{ addedInVersion: '1.29', removedInVersion: '1.31' }, '1.31.0-rc.1', false],
  ])('%j contains %s: %s', (range, version, supported) => {
    expect(rangeContains(range, version)).toEqual({ ok: true, supported });
  });

  it('an unparsable version is an error, as Masterminds semver reports it', () => {
    expect(rangeContains({}, 'latest')).toEqual({ ok: false, error: 'Invalid Semantic Version' });
  });
});

describe('featureGateLockedValue (Gardener isFeatureLockedToDefault)', () => {
  it('locked from lockedToDefaultInVersion on, to lockedValue', () => {
    expect(featureGateLockedValue({ lockedToDefaultInVersion: '1.26', lockedValue: true }, '1.25.9')).toBeUndefined();
    expect(featureGateLockedValue({ lockedToDefaultInVersion: '1.26', lockedValue: true }, '1.26.0')).toBe(true);
    expect(featureGateLockedValue({ lockedToDefaultInVersion: '1.32', lockedValue: false }, '1.34.1')).toBe(false);
    expect(featureGateLockedValue({}, '1.34.1')).toBeUndefined();
  });
});
