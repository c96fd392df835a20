import { describe, expect, it } from 'vitest';
import { validateAdmissionPlugins, validateFeatureGates } from '../../../src/core/feature-gate-validation.js';
import { type FieldError, renderFieldError } from '../../../src/core/field-errors.js';
import type { Shoot, ShootSpec } from '../../../src/core/shoot.js';
import { validateShoot } from '../../../src/core/validation.js';
import { INDEX, NOW, edit, firstWorker, shoot, spec } from './shoot-admission-fixture.js';

// Cases of gardener/gardener pkg/utils/validation/features/featuregates_test.go, "#ValidateFeatureGates"
// (Gardener passes a nil path there; ours is `featureGates`).
describe('validateFeatureGates (Gardener ValidateFeatureGates)', () => {
  it.each<[string, Record<string, boolean> | undefined, string, FieldError[]]>([
    ['empty list', undefined, '1.18.14', []],
    ['supported feature gate', { AnyVolumeDataSource: true }, '1.18.14', []],
    [
      'unsupported feature gate',
      { WindowsCPUAndMemoryAffinity: true },
      '1.31.10',
      [{ type: 'Forbidden', field: 'featureGates.WindowsCPUAndMemoryAffinity', detail: 'not supported in Kubernetes version 1.31.10' }],
    ],
    ['unknown feature gate', { Foo: true }, '1.25.10', [{ type: 'Invalid', field: 'featureGates.Foo', badValue: 'Foo', detail: 'unknown feature gate Foo' }]],
    [
      'setting non-default value for locked feature gate',
      { CPUManager: false },
      '1.27.5',
      [{ type: 'Forbidden', field: 'featureGates.CPUManager', detail: 'cannot set feature gate to false, feature is locked to true' }],
    ],
  ])('%s', (_name, gates, version, want) => {
    expect(validateFeatureGates(gates, version, 'featureGates')).toEqual(want);
  });
});

// Cases of gardener/gardener pkg/utils/validation/admissionplugins/admissionplugins_test.go,
// "#ValidateAdmissionPlugins" (the PodSecurity config decoding cases are not implemented here).
describe('validateAdmissionPlugins (Gardener ValidateAdmissionPlugins)', () => {
  const notSupported = 'admission plugin "PersistentVolumeLabel" is not supported in Kubernetes version 1.31.1';
  it.each<[string, unknown[] | undefined, string, FieldError[]]>([
    ['empty list', undefined, '1.27.1', []],
    ['supported admission plugin', [{ name: 'AlwaysAdmit' }], '1.27.1', []],
    ['unsupported admission plugin', [{ name: 'PersistentVolumeLabel' }], '1.31.1', [{ type: 'Forbidden', field: 'admissionPlugins[0].name', detail: notSupported }]],
    [
      'unsupported admission plugin but is disabled',
      [{ name: 'PersistentVolumeLabel', disabled: true }],
      '1.31.1',
      [{ type: 'Forbidden', field: 'admissionPlugins[0].name', detail: notSupported }],
    ],
    ['admission plugin without name', [{}], '1.30.10', [{ type: 'Required', field: 'admissionPlugins[0].name', detail: 'must provide a name' }]],
    ['unknown admission plugin', [{ name: 'Foo' }], '1.30.8', [{ type: 'Invalid', field: 'admissionPlugins[0].name', badValue: 'Foo', detail: 'unknown admission plugin "Foo"' }]],
    ['disabling non-required admission plugin', [{ name: 'AlwaysAdmit', disabled: true }], '1.30.8', []],
    [
      'disabling required admission plugin',
      [{ name: 'MutatingAdmissionWebhook', disabled: true }],
      '1.30.8',
      [{ type: 'Forbidden', field: 'admissionPlugins[0]', detail: 'admission plugin "MutatingAdmissionWebhook" cannot be disabled' }],
    ],
    [
      'adding kubeconfig secret to admission plugin not supporting external kubeconfig',
      [{ name: 'TaintNodesByCondition', kubeconfigSecretName: 'test-secret' }],
      '1.27.5',
      [{ type: 'Forbidden', field: 'admissionPlugins[0].kubeconfigSecretName', detail: 'admission plugin "TaintNodesByCondition" does not allow specifying external kubeconfig' }],
    ],
    ['adding kubeconfig secret to admission plugin supporting external kubeconfig', [{ name: 'ValidatingAdmissionWebhook', kubeconfigSecretName: 'test-secret' }], '1.27.5', []],
    [
      'admission plugin configuration for plugin that does not take configuration',
      [{ name: 'ExtendedResourceToleration', config: { foo: 'bar' } }],
      '1.31.1',
      [{ type: 'Forbidden', field: 'admissionPlugins[0].config', detail: 'admission plugin "ExtendedResourceToleration" does not allow configuration' }],
    ],
    // Beyond Gardener's cases: its loop returns at the first plugin without a name, keeping the errors before it.
    [
      'a nameless plugin ends the checks',
      [{ name: 'Foo' }, { disabled: true }, { name: 'Bar' }],
      '1.30.8',
      [
        { type: 'Invalid', field: 'admissionPlugins[0].name', badValue: 'Foo', detail: 'unknown admission plugin "Foo"' },
        { type: 'Required', field: 'admissionPlugins[1].name', detail: 'must provide a name' },
      ],
    ],
    ['a plugin taking configuration may have it', [{ name: 'EventRateLimit', config: { limits: [] } }], '1.31.1', []],
  ])('%s', (_name, plugins, version, want) => {
    expect(validateAdmissionPlugins(plugins, version, 'admissionPlugins')).toEqual(want);
  });
});

// Where pkg/api/core/validation/shoot.go calls them, through the webhook's validateShoot (CREATE at
// the fixture's 1.32.3; its pool `a` has no Kubernetes version of its own).
describe('validateShoot: feature gates and admission plugins', () => {
  const texts = (s: ShootSpec, old?: Shoot) =>
    validateShoot({ shoot: shoot(s), oldShoot: old, operation: old ? 'UPDATE' : 'CREATE', profiles: () => INDEX, now: NOW }).errors.map(renderFieldError);
  const withKubernetes = (fields: Record<string, unknown>) => edit(spec(), (s) => Object.assign(s.kubernetes, fields));

  it('each component of spec.kubernetes against the control-plane version', () => {
    const unsupported = { featureGates: { CSIMigrationRBD: true } }; // removed in 1.31
    const s = withKubernetes({
      kubeAPIServer: { ...unsupported, admissionPlugins: [{ name: 'PersistentVolumeLabel' }] },
      kubeControllerManager: unsupported,
      kubeScheduler: unsupported,
      kubeProxy: unsupported,
      kubelet: { featureGates: { WindowsCPUAndMemoryAffinity: true } }, // added in 1.32
    });
    expect(texts(s)).toEqual([
      'spec.kubernetes.kubeAPIServer.admissionPlugins[0].name: Forbidden: admission plugin "PersistentVolumeLabel" is not supported in Kubernetes version 1.32.3',
      'spec.kubernetes.kubeAPIServer.featureGates.CSIMigrationRBD: Forbidden: not supported in Kubernetes version 1.32.3',
      'spec.kubernetes.kubeControllerManager.featureGates.CSIMigrationRBD: Forbidden: not supported in Kubernetes version 1.32.3',
      'spec.kubernetes.kubeScheduler.featureGates.CSIMigrationRBD: Forbidden: not supported in Kubernetes version 1.32.3',
      'spec.kubernetes.kubeProxy.featureGates.CSIMigrationRBD: Forbidden: not supported in Kubernetes version 1.32.3',
    ]);
  });

  it("a pool that sets kubernetes: its kubelet, or else the shoot's, against the pool's version", () => {
    const shootKubelet = withKubernetes({ kubelet: { featureGates: { WindowsCPUAndMemoryAffinity: true } } });
    const pool131 = edit(shootKubelet, (s) => {
      firstWorker(s).kubernetes = { version: '1.31.5' };
    });
    expect(texts(pool131)).toEqual([
      'spec.provider.workers[0].kubernetes.kubelet.featureGates.WindowsCPUAndMemoryAffinity: Forbidden: not supported in Kubernetes version 1.31.5',
    ]);
    const ownKubelet = edit(pool131, (s) => {
      // Removed in 1.32: fine for the 1.31 pool (the shoot's kubelet is not used for it).
      firstWorker(s).kubernetes = { version: '1.31.5', kubelet: { featureGates: { ValidatingAdmissionPolicy: true } } };
    });
    expect(texts(ownKubelet)).toEqual([]);
    // A pool without `kubernetes` is not checked again (the shoot's kubelet was, at 1.32.3).
    expect(texts(shootKubelet)).toEqual([]);
  });

  it('a required plugin disabled and a locked gate set against its value are rejected', () => {
    const s = withKubernetes({
      kubeAPIServer: { admissionPlugins: [{ name: 'NodeRestriction', disabled: true }], featureGates: { ContextualLogging: false } },
    });
    expect(texts(s)).toEqual([
      'spec.kubernetes.kubeAPIServer.admissionPlugins[0]: Forbidden: admission plugin "NodeRestriction" cannot be disabled',
      'spec.kubernetes.kubeAPIServer.featureGates.ContextualLogging: Forbidden: cannot set feature gate to false, feature is locked to true',
    ]);
  });

  it("a workerless shoot: kube-scheduler, kube-proxy and kubelet gates are not checked (Gardener's validateKubernetes)", () => {
    const unsupported = { featureGates: { CSIMigrationRBD: true } };
    const s = edit(withKubernetes({ kubeScheduler: unsupported, kubelet: unsupported, kubeControllerManager: unsupported }), (x) => {
      x.provider.workers = [];
      delete x.maintenance?.autoUpdate?.machineImageVersion;
    });
    expect(texts(s)).toEqual(['spec.kubernetes.kubeControllerManager.featureGates.CSIMigrationRBD: Forbidden: not supported in Kubernetes version 1.32.3']);
  });

  it('an UPDATE to a version that no longer supports a gate is rejected', () => {
    const old = withKubernetes({ kubeAPIServer: { featureGates: { ValidatingAdmissionPolicy: true } }, version: '1.31.5' }); // removed in 1.32
    const next = edit(old, (s) => {
      s.kubernetes.version = '1.32.3';
    });
    expect(texts(old)).toEqual([]);
    expect(texts(next, shoot(old))).toEqual(['spec.kubernetes.kubeAPIServer.featureGates.ValidatingAdmissionPolicy: Forbidden: not supported in Kubernetes version 1.32.3']);
  });
});
