import { describe, expect, it } from 'vitest';
import { renderPlanText } from '../../../src/commands/plan-text.js';
import type { CloudProfile } from '../../../src/core/cloudprofile-types.js';
import { indexCloudProfile } from '../../../src/core/cloudprofile.js';
import { plan } from '../../../src/core/maintenance.js';
import { shootWith } from './maintenance-shoot-fixture.js';
import { removeUnsupportedGatesAndPlugins } from '../../../src/core/unsupported-feature-gates.js';

// Gardener's texts (pkg/controllermanager/controller/shoot/maintenance/reconciler.go, maintainFeatureGates and
// maintainAdmissionPluginsForShoot), written out here independently of the module so that a changed text fails.
const gatesText = (path: string, version: string, gates: string) =>
  `Removed feature gates from "${path}" because they are not supported in Kubernetes version "${version}": ${gates}`;
const pluginsText = (version: string, plugins: string) =>
  `Removed admission plugins from "spec.kubernetes.kubeAPIServer.admissionPlugins" because they are not supported in Kubernetes version "${version}": ${plugins}`;

const pool = (name: string, kubernetes: Record<string, unknown>) => ({ name, machine: { type: 'm1' }, kubernetes });

// gardener/gardener pkg/controllermanager/controller/shoot/maintenance/reconciler_test.go, "#maintainFeatureGatesForShoot"
// and "#maintainAdmissionPlugins", with the fake tables of that file (isFeatureGateSupported, isAdmissionPluginSupported).
describe('removeUnsupportedGatesAndPlugins with the fake tables of Gardener reconciler_test.go', () => {
  const featureGates = new Map([
    ['featureGate1', {}],
    ['featureGate2', { addedInVersion: '1.12', removedInVersion: '1.14' }],
    ['featureGate3', { removedInVersion: '1.13' }],
    ['featureGate4', { addedInVersion: '1.9', removedInVersion: '1.13' }],
  ]);
  const admissionPlugins = new Map([
    ['admissionPlugin1', { addedInVersion: '1.12', removedInVersion: '1.14' }],
    ['admissionPlugin2', {}],
    ['admissionPlugin3', { removedInVersion: '1.13' }],
    ['admissionPlugin4', { addedInVersion: '1.8', removedInVersion: '1.13' }],
  ]);
  const [supported1, supported2, unsupported1, unsupported2] = ['featureGate1', 'featureGate2', 'featureGate3', 'featureGate4'];

  it('should maintain feature gates', () => {
    const s = shootWith(
      {
        kubernetes: {
          kubeAPIServer: { featureGates: { [supported1]: true, [unsupported1]: true, [supported2]: false } },
          kubeControllerManager: { featureGates: { [supported1]: true, [unsupported1]: true, [unsupported2]: false } },
          kubeScheduler: { featureGates: { [supported2]: true, [unsupported1]: true } },
          kubeProxy: { featureGates: { [supported1]: true, [supported2]: false, [unsupported2]: true } },
          kubelet: { featureGates: { [supported1]: true, [unsupported2]: true } },
        },
        provider: {
          type: 'local',
          workers: [
            pool('cpu-worker-1', { kubelet: { featureGates: { [supported1]: true, [unsupported2]: true } } }),
            pool('cpu-worker-2', { kubelet: { featureGates: { [supported2]: true, [unsupported1]: true } } }),
            pool('cpu-worker-3', { kubelet: { featureGates: { [supported1]: true } } }),
          ],
        },
      },
      '1.13.5',
    );
    expect(removeUnsupportedGatesAndPlugins(s, { featureGates, admissionPlugins })).toEqual([
      gatesText('spec.kubernetes.kubeAPIServer.featureGates', '1.13.5', unsupported1),
      gatesText('spec.kubernetes.kubeControllerManager.featureGates', '1.13.5', `${unsupported1}, ${unsupported2}`),
      gatesText('spec.kubernetes.kubeScheduler.featureGates', '1.13.5', unsupported1),
      gatesText('spec.kubernetes.kubeProxy.featureGates', '1.13.5', unsupported2),
      gatesText('spec.kubernetes.kubelet.featureGates', '1.13.5', unsupported2),
      gatesText('spec.provider.workers[0].kubernetes.kubelet.featureGates', '1.13.5', unsupported2),
      gatesText('spec.provider.workers[1].kubernetes.kubelet.featureGates', '1.13.5', unsupported1),
    ]);
    const k = s.spec.kubernetes as Record<string, { featureGates?: unknown }>;
    expect(k.kubeAPIServer?.featureGates).toEqual({ [supported1]: true, [supported2]: false });
    expect(k.kubeControllerManager?.featureGates).toEqual({ [supported1]: true });
    expect(k.kubeScheduler?.featureGates).toEqual({ [supported2]: true });
    expect(k.kubeProxy?.featureGates).toEqual({ [supported1]: true, [supported2]: false });
    expect(k.kubelet?.featureGates).toEqual({ [supported1]: true });
    expect(s.spec.provider.workers?.map((w) => w.kubernetes?.kubelet)).toEqual([
      { featureGates: { [supported1]: true } },
      { featureGates: { [supported2]: true } },
      { featureGates: { [supported1]: true } },
    ]);
  });

  const withPlugins = (names: string[]) =>
    shootWith({ kubernetes: { kubeAPIServer: { admissionPlugins: names.map((name) => ({ name })) } } }, '1.13.5');

  it('should maintain admission plugins', () => {
    const s = withPlugins(['admissionPlugin1', 'admissionPlugin2', 'admissionPlugin3', 'admissionPlugin4']);
    expect(removeUnsupportedGatesAndPlugins(s, { featureGates, admissionPlugins })).toEqual([pluginsText('1.13.5', 'admissionPlugin3, admissionPlugin4')]);
    expect(s.spec.kubernetes.kubeAPIServer).toEqual({ admissionPlugins: [{ name: 'admissionPlugin1' }, { name: 'admissionPlugin2' }] });
  });

  it('should maintain admission plugins if there are no unsupported plugins', () => {
    const s = withPlugins(['admissionPlugin1', 'admissionPlugin2']);
    expect(removeUnsupportedGatesAndPlugins(s, { featureGates, admissionPlugins })).toEqual([]);
    expect(s.spec.kubernetes.kubeAPIServer).toEqual({ admissionPlugins: [{ name: 'admissionPlugin1' }, { name: 'admissionPlugin2' }] });
  });
});

describe("removeUnsupportedGatesAndPlugins with Gardener's table", () => {
  it("a pool's kubelet is judged at the pool's version, the shoot's kubelet at the control plane's", () => {
    // CSIMigrationRBD: removed in 1.31.
    const gates = () => ({ featureGates: { CSIMigrationRBD: true, APIServerIdentity: true } });
    const s = shootWith(
      {
        kubernetes: { kubelet: gates() },
        provider: { type: 'local', workers: [pool('old', { version: '1.30.5', kubelet: gates() }), pool('same', { kubelet: gates() })] },
      },
      '1.31.5',
    );
    expect(removeUnsupportedGatesAndPlugins(s)).toEqual([
      gatesText('spec.kubernetes.kubelet.featureGates', '1.31.5', 'CSIMigrationRBD'),
      gatesText('spec.provider.workers[1].kubernetes.kubelet.featureGates', '1.31.5', 'CSIMigrationRBD'),
    ]);
    expect(s.spec.provider.workers?.[0]?.kubernetes?.kubelet).toEqual(gates());
  });

  it('unknown names go too; a map or list left empty is removed (Gardener omits it), other fields stay', () => {
    const s = shootWith(
      {
        kubernetes: {
          kubeAPIServer: { featureGates: { NoSuchGate: true, CSIMigrationRBD: false }, admissionPlugins: [{ name: 'PersistentVolumeLabel', disabled: true }], enableContentionProfiling: true },
          kubeProxy: { mode: 'IPVS', featureGates: {} },
        },
      },
      '1.31.0',
    );
    expect(removeUnsupportedGatesAndPlugins(s)).toEqual([
      gatesText('spec.kubernetes.kubeAPIServer.featureGates', '1.31.0', 'CSIMigrationRBD, NoSuchGate'),
      pluginsText('1.31.0', 'PersistentVolumeLabel'),
    ]);
    expect(s.spec.kubernetes.kubeAPIServer).toEqual({ enableContentionProfiling: true });
    expect(s.spec.kubernetes.kubeProxy).toEqual({ mode: 'IPVS', featureGates: {} });
  });
});

// gardener/gardener test/integration/controllermanager/shoot/maintenance/maintenance_test.go, "Kubernetes version
// should be updated: force update minor version and maintain feature gates and admission plugins".
describe('plan: unsupported feature gates and admission plugins in the maintenance run', () => {
  const profile: CloudProfile = {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'CloudProfile',
    metadata: { name: 'local' },
    spec: {
      kubernetes: {
        versions: [
          { version: '1.30.1', classification: 'deprecated' },
          { version: '1.30.5', classification: 'deprecated', expirationDate: '2020-01-01T00:00:00Z' },
          { version: '1.31.1', classification: 'deprecated' },
          { version: '1.31.5', classification: 'deprecated' },
        ],
      },
      machineImages: [],
      machineTypes: [],
    },
  };
  const now = new Date('2026-03-10T10:20:00Z');
  const index = indexCloudProfile(profile);
  const [unsupported1, unsupported2, supported1, supported2] = ['CSIMigrationRBD', 'APIPriorityAndFairness', 'APIServerIdentity', 'AllBeta'];
  const gardenersShoot = (version: string) =>
    shootWith(
      {
        kubernetes: {
          kubeAPIServer: {
            featureGates: { [supported1]: true, [unsupported1]: true, [supported2]: false },
            admissionPlugins: [{ name: 'AlwaysPullImages' }, { name: 'AlwaysDeny' }, { name: 'PersistentVolumeLabel' }],
          },
          kubeControllerManager: { featureGates: { [supported1]: true, [unsupported1]: true } },
          kubeScheduler: { featureGates: { [supported2]: true, [unsupported1]: true, [unsupported2]: true } },
          kubeProxy: { featureGates: { [supported1]: true, [supported2]: false, [unsupported2]: true } },
          kubelet: { featureGates: { [supported1]: true, [unsupported1]: true, [unsupported2]: true } },
        },
      },
      version,
    );
  const expectedTexts = [
    gatesText('spec.kubernetes.kubeAPIServer.featureGates', '1.31.5', 'CSIMigrationRBD'),
    gatesText('spec.kubernetes.kubeControllerManager.featureGates', '1.31.5', 'CSIMigrationRBD'),
    gatesText('spec.kubernetes.kubeScheduler.featureGates', '1.31.5', 'APIPriorityAndFairness, CSIMigrationRBD'),
    gatesText('spec.kubernetes.kubeProxy.featureGates', '1.31.5', 'APIPriorityAndFairness'),
    gatesText('spec.kubernetes.kubelet.featureGates', '1.31.5', 'APIPriorityAndFairness, CSIMigrationRBD'),
    pluginsText('1.31.5', 'PersistentVolumeLabel'),
  ];

  it('forced 1.30.5 → 1.31.5: the gates and plugins 1.31 does not support go, with their texts in lastMaintenance', () => {
    const p = plan(gardenersShoot('1.30.5'), index, now, { forceUpdateVanishedVersions: false });
    expect(p.kubernetes).toMatchObject({ from: '1.30.5', to: '1.31.5', forced: true });
    expect(p.operations).toEqual(expectedTexts);
    const k = p.shoot.spec.kubernetes as Record<string, { featureGates?: unknown; admissionPlugins?: unknown }>;
    expect(k.kubeAPIServer).toEqual({ featureGates: { [supported1]: true, [supported2]: false }, admissionPlugins: [{ name: 'AlwaysPullImages' }, { name: 'AlwaysDeny' }] });
    expect(k.kubeControllerManager?.featureGates).toEqual({ [supported1]: true });
    expect(k.kubeScheduler?.featureGates).toEqual({ [supported2]: true });
    expect(k.kubeProxy?.featureGates).toEqual({ [supported1]: true, [supported2]: false });
    expect(k.kubelet?.featureGates).toEqual({ [supported1]: true });
    expect(p.lastMaintenance).toEqual({
      state: 'Succeeded',
      description: `All maintenance operations successful. Control Plane: Updated Kubernetes version from "1.30.5" to "1.31.5". Reason: Kubernetes version expired - force update required, ${expectedTexts.join(', ')}`,
    });
    const text = renderPlanText(p);
    for (const t of expectedTexts) expect(text).toContain(`\n  Operation: ${t}\n`);
  });

  it('every run removes them, also without a version change (Gardener does not look at the version change here)', () => {
    const p = plan(gardenersShoot('1.31.5'), index, now, { forceUpdateVanishedVersions: false });
    expect(p.kubernetes).toBeNull();
    expect(p.operations).toEqual(expectedTexts);
    expect(p.requiresPatch).toBe(true);
  });

  it('nothing unsupported: no text, the spec as it was', () => {
    const s = gardenersShoot('1.30.1');
    s.spec.maintenance = { ...s.spec.maintenance, autoUpdate: { kubernetesVersion: false } };
    const p = plan(s, index, now, { forceUpdateVanishedVersions: false });
    expect(p.kubernetes).toBeNull();
    expect(p.operations).toEqual([]);
    expect(p.shoot.spec).toEqual(s.spec);
  });
});
