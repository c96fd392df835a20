// scripts/gardener-version-ranges.mjs on Go text shaped like Gardener's two files
// (pkg/utils/validation/features/featuregates.go, pkg/utils/validation/admissionplugins/admissionplugins.go).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADMISSION_PLUGIN_VERSION_RANGES } from '../../../src/core/admission-plugin-version-ranges.js';
import { FEATURE_GATE_VERSION_RANGES } from '../../../src/core/feature-gate-version-ranges.js';

const SCRIPT = join(import.meta.dirname, '..', '..', '..', 'scripts', 'gardener-version-ranges.mjs');
const COMMIT = 'b312835d1784c3628983205c05452b2eaa95b645';

function generate(goText: string, args: string[] = ['-', '--commit', COMMIT]) {
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { input: goText, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const FEATURES_GO = `package features

var featureGateVersionRanges = map[string]*FeatureGateVersionRange{
	// A comment line.
	"AllAlpha": {VersionRange: versionutils.VersionRange{AddedInVersion: "1.17"}},

	"APIResponseCompression": {},
	"CPUManager":             {LockedValue: true, LockedToDefaultInVersion: "1.26", VersionRange: versionutils.VersionRange{RemovedInVersion: "1.33"}},
	"AllowServiceLBStatusOnNonLB": {LockedValue: false, LockedToDefaultInVersion: "1.32", VersionRange: versionutils.VersionRange{AddedInVersion: "1.29", RemovedInVersion: "1.35"}}, // trailing
}

func IsFeatureGateSupported(featureGate, version string) (bool, error) {
	return false, nil
}
`;

const PLUGINS_GO = `package admissionplugins

var (
	admissionPluginsVersionRanges = map[string]*AdmissionPluginVersionRange{
		"AlwaysAdmit":              {},
		"EventRateLimit":           {AllowsConfiguration: true},
		"MutatingAdmissionWebhook": {Required: true, AllowsConfiguration: true},
		"PersistentVolumeLabel":    {VersionRange: versionutils.VersionRange{RemovedInVersion: "1.31"}},
	}

	admissionPluginsSupportingExternalKubeconfig = sets.New("ValidatingAdmissionWebhook", "MutatingAdmissionWebhook")
)
`;

describe('scripts/gardener-version-ranges.mjs', () => {
  it("prints the feature gate table with its source and commit, in Gardener's order", () => {
    const r = generate(FEATURES_GO);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`pkg/utils/validation/features/featuregates.go\n// (featureGateVersionRanges) at commit ${COMMIT}.`);
    expect(r.stdout).toContain('node scripts/gardener-version-ranges.mjs - --commit <sha> > src/core/feature-gate-version-ranges.ts');
    const rows = r.stdout.split('\n').filter((l) => l.startsWith("  ['"));
    expect(rows).toEqual([
      "  ['AllAlpha', { addedInVersion: '1.17' }],",
      "  ['APIResponseCompression', {}],",
      "  ['CPUManager', { lockedValue: true, lockedToDefaultInVersion: '1.26', removedInVersion: '1.33' }],",
      "  ['AllowServiceLBStatusOnNonLB', { lockedValue: false, lockedToDefaultInVersion: '1.32', addedInVersion: '1.29', removedInVersion: '1.35' }],",
    ]);
  });

  it('prints the admission plugin table and the plugins that take an external kubeconfig', () => {
    const r = generate(PLUGINS_GO);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("  ['MutatingAdmissionWebhook', { required: true, allowsConfiguration: true }],");
    expect(r.stdout).toContain("  ['PersistentVolumeLabel', { removedInVersion: '1.31' }],");
    expect(r.stdout).toContain("new Set(['ValidatingAdmissionWebhook', 'MutatingAdmissionWebhook']);");
  });

  it.each([
    ['a field it does not know', FEATURES_GO.replace('{},', '{Deprecated: true},'), /unknown field Deprecated/],
    ['a plugin marked Forbidden (its check is not implemented)', PLUGINS_GO.replace('"AlwaysAdmit":              {}', '"AlwaysAdmit": {Forbidden: true}'), /unknown field Forbidden/],
    ['a line of another form', FEATURES_GO.replace('"APIResponseCompression": {},', 'someVar,'), /cannot read line/],
    ['a file with neither table', 'package foo\n', /neither featureGateVersionRanges nor admissionPluginsVersionRanges found/],
  ])('fails on %s', (_name, text, message) => {
    const r = generate(text);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('needs the commit', () => {
    const r = generate(FEATURES_GO, ['-']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/usage:/);
  });
});

describe('the committed tables (generated from Gardener at the commit in their headers)', () => {
  it("hold the entries Gardener's own tests rely on", () => {
    // featuregates_test.go, admissionplugins_test.go and reconciler_test.go use these.
    expect(FEATURE_GATE_VERSION_RANGES.get('AllAlpha')).toEqual({ addedInVersion: '1.17' });
    expect(FEATURE_GATE_VERSION_RANGES.get('CPUManager')).toEqual({ lockedValue: true, lockedToDefaultInVersion: '1.26', removedInVersion: '1.33' });
    expect(ADMISSION_PLUGIN_VERSION_RANGES.get('PersistentVolumeLabel')).toEqual({ removedInVersion: '1.31' });
    expect(ADMISSION_PLUGIN_VERSION_RANGES.get('MutatingAdmissionWebhook')).toEqual({ required: true, allowsConfiguration: true });
  });
});
