// Feature gates and admission plugins the (maintained) Kubernetes version does not support,
// removed by every maintenance run after the version updates (gardener/gardener
// pkg/controllermanager/controller/shoot/maintenance/reconciler.go, maintainFeatureGatesForShoot,
// maintainFeatureGates, maintainAdmissionPluginsForShoot). Each field that loses entries adds one
// operation text, so it shows in status.lastMaintenance.description like Gardener's.
import { isJsonObject, type JsonObject } from './json.js';
import { admissionPluginSupport, featureGateSupport, type VersionRange } from './kubernetes-version-range.js';
import type { Shoot } from './shoot.js';

/** The components of `spec.kubernetes` with feature gates, in Gardener's order (all against the shoot's version). */
export const FEATURE_GATE_COMPONENTS = ['kubeAPIServer', 'kubeControllerManager', 'kubeScheduler', 'kubeProxy', 'kubelet'] as const;

/** Tables other than Gardener's (tests use the fake tables of Gardener's own tests). */
export interface SupportTables {
  featureGates?: ReadonlyMap<string, VersionRange>;
  admissionPlugins?: ReadonlyMap<string, VersionRange>;
}

/** maintainFeatureGates: drops the unsupported (or unknown) gates of `config.featureGates`. */
function removeFeatureGates(config: JsonObject, version: string, fieldPath: string, table: SupportTables['featureGates']): string[] {
  const gates = config.featureGates;
  if (!isJsonObject(gates)) return [];
  const removed = Object.keys(gates).filter((gate) => {
    const support = featureGateSupport(gate, version, table);
    return !support.ok || !support.supported;
  });
  if (removed.length === 0) return [];
  for (const gate of removed) delete gates[gate];
  // Gardener's empty map is left out of the JSON (omitempty), so the field goes.
  if (Object.keys(gates).length === 0) delete config.featureGates;
  return [`Removed feature gates from "${fieldPath}" because they are not supported in Kubernetes version "${version}": ${removed.sort().join(', ')}`];
}

/** maintainAdmissionPluginsForShoot: drops the unsupported (or unknown) plugins of the kube-apiserver. */
function removeAdmissionPlugins(kubeAPIServer: unknown, version: string, table: SupportTables['admissionPlugins']): string[] {
  if (!isJsonObject(kubeAPIServer) || !Array.isArray(kubeAPIServer.admissionPlugins)) return [];
  const nameOf = (plugin: unknown): string => (isJsonObject(plugin) && typeof plugin.name === 'string' ? plugin.name : '');
  const removed: string[] = [];
  const kept = (kubeAPIServer.admissionPlugins as unknown[]).filter((plugin) => {
    const support = admissionPluginSupport(nameOf(plugin), version, table);
    if (support.ok && support.supported) return true;
    removed.push(nameOf(plugin));
    return false;
  });
  if (removed.length === 0) return [];
  if (kept.length === 0) delete kubeAPIServer.admissionPlugins;
  else kubeAPIServer.admissionPlugins = kept;
  return [
    `Removed admission plugins from "spec.kubernetes.kubeAPIServer.admissionPlugins" because they are not supported in Kubernetes version "${version}": ${removed.sort().join(', ')}`,
  ];
}

/**
 * Removes from `shoot.spec` (mutated) the feature gates and admission plugins its Kubernetes
 * versions do not support and returns the operation texts: the components of `spec.kubernetes`
 * against the control-plane version, each pool's kubelet against the pool's version (or the
 * control plane's), then the kube-apiserver's admission plugins. Call it with the versions the
 * run leaves.
 */
export function removeUnsupportedGatesAndPlugins(shoot: Shoot, tables: SupportTables = {}): string[] {
  const kubernetes = shoot.spec.kubernetes;
  const version = kubernetes.version ?? '';
  const texts: string[] = [];
  for (const component of FEATURE_GATE_COMPONENTS) {
    const config = kubernetes[component];
    if (isJsonObject(config)) texts.push(...removeFeatureGates(config, version, `spec.kubernetes.${component}.featureGates`, tables.featureGates));
  }
  (shoot.spec.provider.workers ?? []).forEach((worker, i) => {
    const kubelet = worker.kubernetes?.kubelet;
    if (!isJsonObject(kubelet)) return;
    const poolVersion = worker.kubernetes?.version ?? version;
    texts.push(...removeFeatureGates(kubelet, poolVersion, `spec.provider.workers[${i}].kubernetes.kubelet.featureGates`, tables.featureGates));
  });
  texts.push(...removeAdmissionPlugins(kubernetes.kubeAPIServer, version, tables.admissionPlugins));
  return texts;
}
