import { describe, expect, it } from 'vitest';
import type { CloudProfile } from '../../../src/core/cloudprofile-types.js';
import { indexCloudProfile } from '../../../src/core/cloudprofile.js';
import { type FieldError, renderFieldError } from '../../../src/core/field-errors.js';
import { plan } from '../../../src/core/maintenance.js';
import type { Shoot, ShootSpec } from '../../../src/core/shoot.js';
import { validateShoot } from '../../../src/core/validation.js';
import { atLeastMinor, validateVersionGatedFields } from '../../../src/core/version-gated-fields-validation.js';
import { edit, shoot, spec } from './shoot-admission-fixture.js';

// Gardener's texts (pkg/api/core/validation/shoot.go), written out independently of the module.
const CLOUD_PROFILE_NAME = 'for Kubernetes version >= 1.34, cloudProfileName field is no longer supported, use spec.cloudProfile.name instead';
const ADDONS = 'for Kubernetes versions >= 1.35, addons field is no longer supported';
const ADDONS_WORKERLESS = 'addons cannot be enabled for Workerless Shoot clusters';
const DNS_SECRET = 'for Kubernetes versions >= 1.35, secretName field is no longer supported';
const ANONYMOUS = 'for Kubernetes versions >= 1.35, enableAnonymousAuthentication field is no longer supported';
const WATCH_CACHE = 'for Kubernetes versions >= 1.35, configuring the default watch cache size is no longer supported';
const POD_EVICTION = 'for Kubernetes versions >= 1.33, podEvictionTimeout field is no longer supported';
const MAX_PD_VOLS = 'for Kubernetes version >= 1.35, kubeMaxPDVols field is no longer supported';
const MAX_EMPTY_BULK = 'for Kubernetes versions >= 1.33, maxEmptyBulkDelete field is no longer supported, use maxScaleDownParallelism instead';
const WORKERLESS = 'this field should not be set for workerless Shoot clusters';

/** The fixture's spec (one pool, `cloudProfile: {name: local}` so that only the field under test speaks) at `version`. */
function at(version: string, f: (s: ShootSpec) => void = () => {}): ShootSpec {
  return edit(spec({ cloudProfile: { name: 'local' } }), (s) => {
    delete s.cloudProfileName;
    s.kubernetes.version = version;
    f(s);
  });
}
const workerless = (s: ShootSpec) => {
  s.provider.workers = [];
};
const forbiddenAt = (field: string, detail: string): FieldError[] => [{ type: 'Forbidden', field, detail }];

// Cases of gardener/gardener pkg/api/core/validation/shoot_test.go, each under the Describe/It named.
describe('validateVersionGatedFields (Gardener shoot.go, the fields a minor no longer accepts)', () => {
  it.each<[string, ShootSpec, FieldError[]]>([
    // "#ValidateCloudProfileReference": "should still allow creation using the cloudProfileName for k8s < v1.34", "should not allow … >= v1.34".
    ['cloudProfileName for v1.33.0', at('v1.33.0', (s) => (s.cloudProfileName = 'local')), []],
    ['cloudProfileName for v1.34.0', at('v1.34.0', (s) => (s.cloudProfileName = 'local')), forbiddenAt('spec.cloudProfileName', CLOUD_PROFILE_NAME)],
    // "Addons validation": "should allow addons on evaluation shoots" (1.34.0), "should forbid addons starting with Kubernetes 1.35",
    // "should forbid addon configuration if the shoot is workerless".
    ['addons for 1.34.0', at('1.34.0', (s) => (s.addons = { kubernetesDashboard: { enabled: true } })), []],
    ['addons for 1.35.0', at('1.35.0', (s) => (s.addons = { kubernetesDashboard: { enabled: true } })), forbiddenAt('spec.addons', ADDONS)],
    ['addons on a workerless shoot', at('1.34.0', (s) => {
      workerless(s);
      s.addons = {};
    }), forbiddenAt('spec.addons', ADDONS_WORKERLESS)],
    // "secretName validation for Kubernetes >= 1.35": < 1.35 allowed, = 1.35 and > 1.35 forbidden; "should allow secretName to be unset for Kubernetes >= 1.35".
    ['DNS secretName for 1.34.0', at('1.34.0', (s) => (s.dns = { providers: [{ type: 'aws-route53', secretName: 'dns' }] })), []],
    ['DNS secretName for 1.35.0', at('1.35.0', (s) => (s.dns = { providers: [{ type: 'aws-route53', secretName: 'dns' }] })), forbiddenAt('spec.dns.providers[0].secretName', DNS_SECRET)],
    ['DNS secretName for 1.36.0', at('1.36.0', (s) => (s.dns = { providers: [{ type: 'aws-route53', secretName: 'dns' }] })), forbiddenAt('spec.dns.providers[0].secretName', DNS_SECRET)],
    ['DNS secretName unset for 1.35.0', at('1.35.0', (s) => (s.dns = { providers: [{ type: 'aws-route53' }] })), []],
    // "enableAnonymousAuthentication" table: allowed < 1.35, forbidden true and false >= 1.35, unset allowed.
    ['enableAnonymousAuthentication true for 1.34.0', at('1.34.0', (s) => (s.kubernetes.kubeAPIServer = { enableAnonymousAuthentication: true })), []],
    [
      'enableAnonymousAuthentication true for 1.35.0',
      at('1.35.0', (s) => (s.kubernetes.kubeAPIServer = { enableAnonymousAuthentication: true })),
      forbiddenAt('spec.kubernetes.kubeAPIServer.enableAnonymousAuthentication', ANONYMOUS),
    ],
    [
      'enableAnonymousAuthentication false for 1.35.0',
      at('1.35.0', (s) => (s.kubernetes.kubeAPIServer = { enableAnonymousAuthentication: false })),
      forbiddenAt('spec.kubernetes.kubeAPIServer.enableAnonymousAuthentication', ANONYMOUS),
    ],
    ['enableAnonymousAuthentication unset for 1.35.0', at('1.35.0', (s) => (s.kubernetes.kubeAPIServer = {})), []],
    // "#ValidateWatchCacheSizes": "valid (default>0)" for 1.34.0, "valid (fields unset)", "invalid (default for k8s >= 1.35)".
    ['watchCacheSizes.default for 1.34.0', at('1.34.0', (s) => (s.kubernetes.kubeAPIServer = { watchCacheSizes: { default: 100 } })), []],
    ['watchCacheSizes without default for 1.35.0', at('1.35.0', (s) => (s.kubernetes.kubeAPIServer = { watchCacheSizes: {} })), []],
    [
      'watchCacheSizes.default for 1.35.0',
      at('1.35.0', (s) => (s.kubernetes.kubeAPIServer = { watchCacheSizes: { default: 100 } })),
      forbiddenAt('spec.kubernetes.kubeAPIServer.watchCacheSizes.default', WATCH_CACHE),
    ],
    // "should prevent setting the pod eviction timeout for kubernetes versions >= 1.33"; the workerless
    // forbiddance of ValidateKubeControllerManager.
    [
      'podEvictionTimeout for 1.33.0',
      at('1.33.0', (s) => (s.kubernetes.kubeControllerManager = { podEvictionTimeout: '1m0s' })),
      forbiddenAt('spec.kubernetes.kubeControllerManager.podEvictionTimeout', POD_EVICTION),
    ],
    ['podEvictionTimeout for 1.32.3', at('1.32.3', (s) => (s.kubernetes.kubeControllerManager = { podEvictionTimeout: '1m0s' })), []],
    [
      'podEvictionTimeout on a workerless shoot',
      at('1.33.0', (s) => {
        workerless(s);
        s.kubernetes.kubeControllerManager = { podEvictionTimeout: '1m0s' };
      }),
      forbiddenAt('spec.kubernetes.kubeControllerManager.podEvictionTimeout', WORKERLESS),
    ],
    // "should fail when setting kubeMaxPDVols for kubernetes >= 1.35".
    ['kubeMaxPDVols for 1.35.0', at('1.35.0', (s) => (s.kubernetes.kubeScheduler = { kubeMaxPDVols: 'foo' })), forbiddenAt('spec.kubernetes.kubeScheduler.kubeMaxPDVols', MAX_PD_VOLS)],
    ['kubeMaxPDVols for 1.34.0', at('1.34.0', (s) => (s.kubernetes.kubeScheduler = { kubeMaxPDVols: '20' })), []],
    // "#ValidateClusterAutoscaler": "valid with maxEmptyBulkDelete" (1.31), "invalid with maxEmptyBulkDelete set for kubernetes version 1.33 and above".
    ['maxEmptyBulkDelete for 1.31.0', at('1.31.0', (s) => (s.kubernetes.clusterAutoscaler = { maxEmptyBulkDelete: 10 })), []],
    [
      'maxEmptyBulkDelete for 1.33.0',
      at('1.33.0', (s) => (s.kubernetes.clusterAutoscaler = { maxEmptyBulkDelete: 10 })),
      forbiddenAt('spec.kubernetes.clusterAutoscaler.maxEmptyBulkDelete', MAX_EMPTY_BULK),
    ],
    // Not enforced (no CredentialsBinding migration here, docs/design.md): "secretBindingName validation for Kubernetes >= 1.34".
    ['secretBindingName for 1.34.0 (not enforced)', at('1.34.0', (s) => (s.secretBindingName = 'my-secret')), []],
  ])('%s', (_name, s, want) => {
    expect(validateVersionGatedFields(s)).toEqual(want);
  });

  it('all at once, in the order of ValidateShootSpec; without a version nothing is judged', () => {
    const all = (s: ShootSpec) => {
      s.cloudProfileName = 'local';
      s.secretBindingName = 'sb';
      s.addons = {};
      s.dns = { providers: [{ secretName: 'a' }, {}, { secretName: 'c' }] };
      s.kubernetes.kubeAPIServer = { enableAnonymousAuthentication: true, watchCacheSizes: { default: 1 } };
      s.kubernetes.kubeControllerManager = { podEvictionTimeout: '2m0s' };
      s.kubernetes.kubeScheduler = { kubeMaxPDVols: '20' };
      s.kubernetes.clusterAutoscaler = { maxEmptyBulkDelete: 1 };
    };
    expect(validateVersionGatedFields(at('1.35.0', all)).map((e) => e.field)).toEqual([
      'spec.cloudProfileName',
      'spec.addons',
      'spec.dns.providers[0].secretName',
      'spec.dns.providers[2].secretName',
      'spec.kubernetes.kubeAPIServer.enableAnonymousAuthentication',
      'spec.kubernetes.kubeAPIServer.watchCacheSizes.default',
      'spec.kubernetes.kubeControllerManager.podEvictionTimeout',
      'spec.kubernetes.kubeScheduler.kubeMaxPDVols',
      'spec.kubernetes.clusterAutoscaler.maxEmptyBulkDelete',
    ]);
    expect(validateVersionGatedFields(at('', all))).toEqual([]);
  });

  // Gardener's ConstraintK8sGreaterEqual1xx is `>= 1.xx-0`: a prerelease of the minor counts; an unparsable version never does.
  it.each([
    ['1.33.0', 33, true],
    ['v1.33.0-alpha.1', 33, true],
    ['1.32.9', 33, false],
    ['2.0.0', 35, true],
    ['not-a-version', 33, false],
  ])('atLeastMinor(%s, %s) = %s', (version, minor, want) => {
    expect(atLeastMinor(version, minor)).toBe(want);
  });
});

describe('validateShoot: the version-gated fields among the static checks', () => {
  const profile: CloudProfile = {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'CloudProfile',
    metadata: { name: 'local' },
    spec: {
      kubernetes: {
        versions: [
          { version: '1.32.9', expirationDate: '2020-01-01T00:00:00Z' },
          { version: '1.33.2' },
          { version: '1.34.3', expirationDate: '2020-01-01T00:00:00Z' },
          { version: '1.35.1' },
        ],
      },
      machineImages: [{ name: 'gardenlinux', versions: [{ version: '1576.3.0', architectures: ['amd64'] }] }],
      machineTypes: [{ name: 'm1' }],
    },
  };
  const index = indexCloudProfile(profile);
  const now = new Date('2026-03-10T10:20:00Z');
  const texts = (s: Shoot, old?: Shoot) =>
    validateShoot({ shoot: s, oldShoot: old, operation: old ? 'UPDATE' : 'CREATE', profiles: () => index, now }).errors.map(renderFieldError);

  it('a 1.33 shoot with podEvictionTimeout is rejected with Gardener’s text', () => {
    const s = at('1.33.2', (x) => (x.kubernetes.kubeControllerManager = { podEvictionTimeout: '2m0s' }));
    expect(texts(shoot(s))).toEqual([`spec.kubernetes.kubeControllerManager.podEvictionTimeout: Forbidden: ${POD_EVICTION}`]);
  });

  /** Every field the clean-ups remove that `version` still accepts, set, on the fixture's shoot with one pool. */
  const withCleanedFields = (version: string) =>
    shoot(
      at(version, (s) => {
        s.addons = { kubernetesDashboard: { enabled: false } };
        s.dns = { domain: 'x.example', providers: [{ type: 'aws-route53', secretName: 'a' }, { type: 'aws-route53' }] };
        s.kubernetes.kubeAPIServer = { enableAnonymousAuthentication: true, watchCacheSizes: { default: 100 } };
        s.kubernetes.kubeScheduler = { kubeMaxPDVols: '20' };
        if (!atLeastMinor(version, 33)) {
          s.kubernetes.kubeControllerManager = { podEvictionTimeout: '2m0s' };
          s.kubernetes.clusterAutoscaler = { maxEmptyBulkDelete: 10 };
        }
      }),
      {},
      { lastOperation: { type: 'Reconcile', state: 'Succeeded' } },
    );

  it.each([
    ['1.32.9', '1.33.2'],
    ['1.34.3', '1.35.1'],
  ])('a shoot maintained from %s to %s by plan() (forced) passes: the clean-ups removed the fields', (from, to) => {
    const original = withCleanedFields(from);
    const p = plan(original, index, now, { forceUpdateVanishedVersions: false });
    expect(p.kubernetes).toMatchObject({ from, to, forced: true });
    expect(texts(original, original)).toEqual([]); // valid before the run (an update of itself: the version is expired)
    expect(texts(p.shoot, original)).toEqual([]);
    // Without the clean-ups the same update would be rejected.
    const uncleaned = edit(original.spec, (s) => (s.kubernetes.version = to));
    expect(texts(shoot(uncleaned, {}, original.status), original).length).toBeGreaterThan(0);
  });

  it('a forced update across 1.34 moves cloudProfileName to cloudProfile, so the maintained shoot passes; without that it would not', () => {
    const original = shoot(
      edit(spec({ cloudProfileName: 'local', secretBindingName: 'sb' }), (s) => (s.kubernetes.version = '1.33.2')),
      {},
      { lastOperation: { type: 'Reconcile', state: 'Succeeded' } },
    );
    // 1.33.2 expired, 1.34.3 the next minor's only version.
    const across134 = indexCloudProfile({
      ...profile,
      spec: { ...profile.spec, kubernetes: { versions: [{ version: '1.33.2', expirationDate: '2020-01-01T00:00:00Z' }, { version: '1.34.3' }] } },
    });
    const p = plan(original, across134, now, { forceUpdateVanishedVersions: false });
    expect(p.kubernetes).toMatchObject({ from: '1.33.2', to: '1.34.3', forced: true });
    expect(p.shoot.spec.cloudProfile).toEqual({ kind: 'CloudProfile', name: 'local' });
    expect(p.shoot.spec.cloudProfileName).toBeUndefined();
    expect(p.shoot.spec.secretBindingName).toBe('sb');
    const against = (s: Shoot) =>
      validateShoot({ shoot: s, oldShoot: original, operation: 'UPDATE', profiles: () => across134, now }).errors.map(renderFieldError);
    expect(against(p.shoot)).toEqual([]);
    const moved = edit(original.spec, (s) => (s.kubernetes.version = '1.34.3'));
    expect(against(shoot(moved, {}, original.status))).toEqual([`spec.cloudProfileName: Forbidden: ${CLOUD_PROFILE_NAME}`]);
  });
});
