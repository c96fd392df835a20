import { describe, expect, it } from 'vitest';
import type { CloudProfile } from '../../../src/core/cloudprofile-types.js';
import { indexCloudProfile } from '../../../src/core/cloudprofile.js';
import { plan } from '../../../src/core/maintenance.js';
import { applyMinorBoundaryCleanups, crossesMinor } from '../../../src/core/minor-boundary-cleanups.js';
import type { ShootSpec } from '../../../src/core/shoot.js';
import { shootWith } from './maintenance-shoot-fixture.js';

// Gardener's texts (pkg/controllermanager/controller/shoot/maintenance/reconciler.go), written out here
// independently of the module so that a changed text fails.
const POD_EVICTION =
  '.spec.kubernetes.kubeControllerManager.podEvictionTimeout is set to nil. Reason: The field was deprecated in favour of `spec.kubernetes.kubeAPIServer.defaultNotReadyTolerationSeconds` and `spec.kubernetes.kubeAPIServer.defaultUnreachableTolerationSeconds` and can no longer be enabled for Shoot clusters using Kubernetes version 1.33+';
const MAX_EMPTY_BULK =
  '.spec.kubernetes.clusterAutoscaler.maxEmptyBulkDelete is set to nil. Reason: The field was deprecated in favour of `.spec.kubernetes.clusterAutoscaler.maxScaleDownParallelism` and can no longer be enabled for Shoot clusters using Kubernetes version 1.33+';
const ANONYMOUS = '.spec.kubernetes.kubeAPIServer.enableAnonymousAuthentication was removed. Reason: The field is no longer supported for Shoot clusters using Kubernetes version 1.35+';
const MAX_PD_VOLS = '.spec.kubernetes.kubeScheduler.kubeMaxPDVols was removed. Reason: kubeMaxPDVols is deprecated and not respected by the kube-scheduler';
const WATCH_CACHE = '.spec.kubernetes.kubeAPIServer.watchCacheSizes.default was removed. Reason: the default size configuration is deprecated and not respected by the kube-apiserver';
const ADDONS = '.spec.addons was removed. Reason: addons are not supported anymore for Kubernetes versions 1.35+';
const dnsSecret = (i: number) => `.spec.dns.providers[${i}].secretName was removed. Reason: The field is no longer supported for Shoot clusters using Kubernetes version 1.35+`;

/** Every field the clean-ups know, set. */
const everything = (): Partial<ShootSpec> => ({
  kubernetes: {
    kubeControllerManager: { podEvictionTimeout: '2m', nodeMonitorGracePeriod: '40s' },
    clusterAutoscaler: { maxEmptyBulkDelete: 10, maxScaleDownParallelism: 10 },
    kubeAPIServer: { enableAnonymousAuthentication: true, watchCacheSizes: { default: 100, resources: [{ resource: 'secrets', size: 50 }] } },
    kubeScheduler: { kubeMaxPDVols: '20', profile: 'balanced' },
  },
  addons: { kubernetesDashboard: { enabled: false } },
  dns: { domain: 'x.example', providers: [{ type: 'aws-route53', secretName: 'a' }, { type: 'aws-route53' }, { type: 'aws-route53', secretName: 'c' }] },
});

describe('crossesMinor (Gardener ConstraintK8sLess1xx on the old, GreaterEqual1xx on the new version)', () => {
  it.each([
    ['1.32.9', '1.33.0', '1.33', true],
    ['1.32.9', '1.34.1', '1.33', true],
    ['1.33.0', '1.33.4', '1.33', false],
    ['1.31.0', '1.32.5', '1.33', false],
    ['1.34.2', '1.35.0', '1.33', false],
    ['v1.32.1', '1.33.0-gardener.1', '1.33', true],
  ])('%s → %s crosses %s: %s', (from, to, minor, want) => {
    expect(crossesMinor(from, to, minor)).toBe(want);
  });
});

describe('applyMinorBoundaryCleanups (Gardener reconciler.go: the clean-ups after maintainKubernetesVersion)', () => {
  it('1.32 → 1.33 removes the two 1.33 fields only, in order, and keeps their neighbours', () => {
    const s = shootWith(everything(), '1.33.0');
    const texts = applyMinorBoundaryCleanups(s, '1.32.5', '1.33.0');
    expect(texts).toEqual([POD_EVICTION, MAX_EMPTY_BULK]);
    expect(s.spec.kubernetes.kubeControllerManager).toEqual({ nodeMonitorGracePeriod: '40s' });
    expect(s.spec.kubernetes.clusterAutoscaler).toEqual({ maxScaleDownParallelism: 10 });
    expect(s.spec.kubernetes.kubeAPIServer).toEqual(everything().kubernetes?.kubeAPIServer);
    expect(s.spec.addons).toEqual({ kubernetesDashboard: { enabled: false } });
  });

  it('1.34 → 1.35 removes the 1.35 fields, each DNS provider secretName by index', () => {
    const s = shootWith(everything(), '1.35.1');
    const texts = applyMinorBoundaryCleanups(s, '1.34.3', '1.35.1');
    expect(texts).toEqual([ANONYMOUS, MAX_PD_VOLS, WATCH_CACHE, ADDONS, dnsSecret(0), dnsSecret(2)]);
    expect(s.spec.kubernetes.kubeAPIServer).toEqual({ watchCacheSizes: { resources: [{ resource: 'secrets', size: 50 }] } });
    expect(s.spec.kubernetes.kubeScheduler).toEqual({ profile: 'balanced' });
    expect(s.spec.addons).toBeUndefined();
    expect(s.spec.dns).toEqual({ domain: 'x.example', providers: [{ type: 'aws-route53' }, { type: 'aws-route53' }, { type: 'aws-route53' }] });
    // 1.33's fields stay: this run did not cross 1.33.
    expect(s.spec.kubernetes.kubeControllerManager).toEqual({ podEvictionTimeout: '2m', nodeMonitorGracePeriod: '40s' });
  });

  it('within a minor, or fields unset or null: nothing removed, no text', () => {
    const s = shootWith(everything(), '1.33.4');
    expect(applyMinorBoundaryCleanups(s, '1.33.0', '1.33.4')).toEqual([]);
    expect(s.spec).toEqual(shootWith(everything(), '1.33.4').spec);
    const bare = shootWith({ kubernetes: { kubeControllerManager: { podEvictionTimeout: null } }, addons: null }, '1.35.0');
    expect(applyMinorBoundaryCleanups(bare, '1.32.0', '1.35.0')).toEqual([]);
  });

  // Gardener's API server (SyncCloudProfileFields) copies cloudProfileName to cloudProfile below 1.34
  // and drops the unchanged copy from 1.34; the run does both when it crosses 1.34, without a text.
  it.each([
    ['cloudProfileName alone: moved to cloudProfile', { cloudProfileName: 'local' }, { cloudProfile: { kind: 'CloudProfile', name: 'local' } }],
    ['both naming the same CloudProfile: cloudProfileName dropped', { cloudProfileName: 'local', cloudProfile: { name: 'local' } }, { cloudProfile: { name: 'local' } }],
    [
      'a different profile: both kept (validation reports it)',
      { cloudProfileName: 'local', cloudProfile: { kind: 'NamespacedCloudProfile', name: 'local-dev' } },
      { cloudProfileName: 'local', cloudProfile: { kind: 'NamespacedCloudProfile', name: 'local-dev' } },
    ],
  ] as [string, Partial<ShootSpec>, Partial<ShootSpec>][])('1.33 → 1.34, %s', (_name, before, after) => {
    const s = shootWith(before, '1.34.1');
    expect(applyMinorBoundaryCleanups(s, '1.33.4', '1.34.1')).toEqual([]);
    const { cloudProfileName, cloudProfile } = s.spec;
    expect({ cloudProfileName, cloudProfile }).toEqual({ cloudProfileName: undefined, cloudProfile: undefined, ...after });
  });

  it('cloudProfileName stays when the run does not cross 1.34', () => {
    const s = shootWith({ cloudProfileName: 'local' }, '1.33.4');
    applyMinorBoundaryCleanups(s, '1.33.1', '1.33.4');
    expect([s.spec.cloudProfileName, s.spec.cloudProfile]).toEqual(['local', undefined]);
  });
});

describe('plan: a run that moves the control plane across a minor cleans up, and says so in lastMaintenance', () => {
  const profile: CloudProfile = {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'CloudProfile',
    metadata: { name: 'local' },
    spec: {
      kubernetes: { versions: [{ version: '1.32.9', expirationDate: '2020-01-01T00:00:00Z' }, { version: '1.33.2' }] },
      machineImages: [],
      machineTypes: [],
    },
  };
  const now = new Date('2026-03-10T10:20:00Z');

  it('forced 1.32.9 → 1.33.2: the 1.33 fields go, the texts come before an operation annotation text', () => {
    const s = shootWith(everything(), '1.32.9');
    s.metadata.annotations = { 'maintenance.gardener.cloud/operation': 'rotate-ssh-keypair' };
    const p = plan(s, indexCloudProfile(profile), now, { forceUpdateVanishedVersions: false });
    expect(p.kubernetes).toMatchObject({ from: '1.32.9', to: '1.33.2', forced: true });
    expect(p.operations).toEqual([POD_EVICTION, MAX_EMPTY_BULK, 'Added "rotate-ssh-keypair;reconcile" operation annotation']);
    expect(p.shoot.spec.kubernetes.kubeControllerManager).toEqual({ nodeMonitorGracePeriod: '40s' });
    expect(p.lastMaintenance.state).toBe('Succeeded');
    expect(p.lastMaintenance.description).toMatch(/^All maintenance operations successful\. Control Plane: Updated Kubernetes version from "1\.32\.9" to "1\.33\.2"\./);
    expect(p.lastMaintenance.description.endsWith(`, ${POD_EVICTION}, ${MAX_EMPTY_BULK}, Added "rotate-ssh-keypair;reconcile" operation annotation`)).toBe(true);
  });

  it('no version change: the fields stay and no clean-up text appears', () => {
    const p = plan(shootWith(everything(), '1.33.2'), indexCloudProfile(profile), now, { forceUpdateVanishedVersions: false });
    expect(p.kubernetes).toBeNull();
    expect(p.shoot.spec.kubernetes.kubeControllerManager).toEqual({ podEvictionTimeout: '2m', nodeMonitorGracePeriod: '40s' });
    expect(p.operations.some((o) => o.includes('is set to nil'))).toBe(false);
  });
});
