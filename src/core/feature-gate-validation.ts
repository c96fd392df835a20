// Static validation of a Shoot's feature gates and kube-apiserver admission plugins against its
// Kubernetes versions, with Gardener's texts: gardener/gardener
// pkg/utils/validation/features/featuregates.go (ValidateFeatureGates) and
// pkg/utils/validation/admissionplugins/admissionplugins.go (ValidateAdmissionPlugins), called
// where pkg/api/core/validation/shoot.go calls them (validateKubernetes, ValidateKubeAPIServer,
// ValidateKubeControllerManager, validateKubeScheduler, validateKubeProxy, ValidateWorker).
// Not checked: the decoding of a PodSecurity plugin's config (Gardener decodes it as a
// PodSecurityConfiguration) and Gardener's forbidden-plugins list (no plugin is marked forbidden).
import { ADMISSION_PLUGIN_VERSION_RANGES, ADMISSION_PLUGINS_SUPPORTING_EXTERNAL_KUBECONFIG } from './admission-plugin-version-ranges.js';
import { FEATURE_GATE_VERSION_RANGES } from './feature-gate-version-ranges.js';
import { type FieldError, forbidden, goQuote, invalid, required } from './field-errors.js';
import { isJsonObject, isSet } from './json.js';
import { admissionPluginSupport, featureGateLockedValue, featureGateSupport } from './kubernetes-version-range.js';
import type { ShootSpec } from './shoot.js';
import { FEATURE_GATE_COMPONENTS } from './unsupported-feature-gates.js';

/** Validated only for a shoot with workers (Gardener forbids them for a workerless one). */
const WORKER_COMPONENTS: ReadonlySet<string> = new Set(['kubeScheduler', 'kubeProxy', 'kubelet']);

/** ValidateFeatureGates: every gate known, supported in `version` and, when locked there, set to its locked value. Gates in name order. */
export function validateFeatureGates(gates: unknown, version: string, path: string): FieldError[] {
  if (!isJsonObject(gates)) return [];
  const errors: FieldError[] = [];
  for (const gate of Object.keys(gates).sort()) {
    const at = `${path}.${gate}`;
    const support = featureGateSupport(gate, version);
    if (!support.ok) {
      errors.push(invalid(at, gate, support.error));
    } else if (!support.supported) {
      errors.push(forbidden(at, `not supported in Kubernetes version ${version}`));
    } else {
      const locked = featureGateLockedValue(FEATURE_GATE_VERSION_RANGES.get(gate) ?? {}, version);
      if (locked !== undefined && gates[gate] !== locked) {
        errors.push(forbidden(at, `cannot set feature gate to ${String(gates[gate])}, feature is locked to ${String(locked)}`));
      }
    }
  }
  return errors;
}

/** ValidateAdmissionPlugins: name given, plugin known and supported in `version`, config, disabling and kubeconfig allowed. */
export function validateAdmissionPlugins(plugins: unknown, version: string, path: string): FieldError[] {
  if (!Array.isArray(plugins)) return [];
  const errors: FieldError[] = [];
  for (const [i, plugin] of plugins.entries()) {
    const at = `${path}[${i}]`;
    const p = isJsonObject(plugin) ? plugin : {};
    const name = typeof p.name === 'string' ? p.name : '';
    // Gardener stops at the first plugin without a name.
    if (name === '') return [...errors, required(`${at}.name`, 'must provide a name')];
    const support = admissionPluginSupport(name, version);
    if (!support.ok) {
      errors.push(invalid(`${at}.name`, name, support.error));
      continue;
    }
    if (!support.supported) {
      errors.push(forbidden(`${at}.name`, `admission plugin ${goQuote(name)} is not supported in Kubernetes version ${version}`));
      continue;
    }
    const range = ADMISSION_PLUGIN_VERSION_RANGES.get(name) ?? {};
    if (isSet(p.config) && range.allowsConfiguration !== true) {
      errors.push(forbidden(`${at}.config`, `admission plugin ${goQuote(name)} does not allow configuration`));
    }
    if (p.disabled === true && range.required === true) {
      errors.push(forbidden(at, `admission plugin ${goQuote(name)} cannot be disabled`));
    }
    if (isSet(p.kubeconfigSecretName) && !ADMISSION_PLUGINS_SUPPORTING_EXTERNAL_KUBECONFIG.has(name)) {
      errors.push(forbidden(`${at}.kubeconfigSecretName`, `admission plugin ${goQuote(name)} does not allow specifying external kubeconfig`));
    }
  }
  return errors;
}

/**
 * The feature gate and admission plugin errors of a Shoot spec, where Gardener's shoot validation
 * reports them: the components of `spec.kubernetes` against the control-plane version (kube-scheduler,
 * kube-proxy and kubelet only with workers), then each pool's kubelet — its own, or else the
 * shoot's — against the pool's version (or the control plane's) when the pool sets `kubernetes`.
 * Nothing for `spec.kubernetes` without a version (Gardener requires one first).
 */
export function validateShootFeatureGates(spec: ShootSpec): FieldError[] {
  const kubernetes = spec.kubernetes;
  const version = kubernetes.version ?? '';
  const workers = spec.provider.workers ?? [];
  const errors: FieldError[] = [];
  const gatesOf = (config: unknown): unknown => (isJsonObject(config) ? config.featureGates : undefined);
  if (version !== '') {
    const apiServer = kubernetes.kubeAPIServer;
    if (isJsonObject(apiServer)) errors.push(...validateAdmissionPlugins(apiServer.admissionPlugins, version, 'spec.kubernetes.kubeAPIServer.admissionPlugins'));
    for (const component of FEATURE_GATE_COMPONENTS) {
      if (workers.length === 0 && WORKER_COMPONENTS.has(component)) continue;
      errors.push(...validateFeatureGates(gatesOf(kubernetes[component]), version, `spec.kubernetes.${component}.featureGates`));
    }
  }
  workers.forEach((worker, i) => {
    if (!isJsonObject(worker.kubernetes)) return;
    const kubelet = isJsonObject(worker.kubernetes.kubelet) ? worker.kubernetes.kubelet : kubernetes.kubelet;
    const poolVersion = worker.kubernetes.version ?? version;
    errors.push(...validateFeatureGates(gatesOf(kubelet), poolVersion, `spec.provider.workers[${i}].kubernetes.kubelet.featureGates`));
  });
  return errors;
}
