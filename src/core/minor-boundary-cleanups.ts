// Fields a Kubernetes minor no longer accepts, removed when a maintenance run moves the control
// plane across that minor (Gardener: pkg/controllermanager/controller/shoot/maintenance/reconciler.go,
// the clean-ups after maintainKubernetesVersion). Each removal adds one text to the run's
// operations, so it shows in status.lastMaintenance.description like Gardener's.
//
// At 1.34 `spec.cloudProfileName` moves to `spec.cloudProfile` without a text: Gardener's API server
// has by then copied it there (pkg/utils/gardener/cloudprofile.go, SyncCloudProfileFields, below
// 1.34) and drops the unchanged copy from 1.34, which validation no longer accepts; a CRD has no
// such sync, so the run does both when it crosses 1.34.
//
// Not done here: the 1.34 migration of spec.secretBindingName to a CredentialsBinding (it
// creates objects of an API this project does not serve).
import { isJsonObject, isSet, type JsonObject } from './json.js';
import type { Shoot } from './shoot.js';
import { compareNormalizedVersions } from './versions.js';

/** Whether `from` is below `minor` and `to` at or above it (Gardener's ConstraintK8sLess1xx / GreaterEqual1xx, normalised versions). */
export function crossesMinor(from: string, to: string, minor: string): boolean {
  return compareNormalizedVersions(from, minor) < 0 && compareNormalizedVersions(to, minor) >= 0;
}

interface FieldCleanup {
  /** The minor at which the field goes. */
  minor: string;
  /** Removes what it must from `spec` (mutated) and returns the texts, one per removed field. */
  apply(spec: JsonObject): string[];
}

/** A cleanup of the single field `path` under `spec` with the fixed text `text`. */
function field(minor: string, path: string[], text: string): FieldCleanup {
  return {
    minor,
    apply(spec) {
      let parent: unknown = spec;
      for (const key of path.slice(0, -1)) parent = isJsonObject(parent) ? parent[key] : undefined;
      const last = path[path.length - 1] as string;
      if (!isJsonObject(parent) || !isSet(parent[last])) return [];
      delete parent[last];
      return [text];
    },
  };
}

const since133 = 'can no longer be enabled for Shoot clusters using Kubernetes version 1.33+';
const since135 = 'The field is no longer supported for Shoot clusters using Kubernetes version 1.35+';

/** Gardener's clean-ups, in its order, with its texts. */
const CLEANUPS: FieldCleanup[] = [
  field(
    '1.33',
    ['kubernetes', 'kubeControllerManager', 'podEvictionTimeout'],
    `.spec.kubernetes.kubeControllerManager.podEvictionTimeout is set to nil. Reason: The field was deprecated in favour of \`spec.kubernetes.kubeAPIServer.defaultNotReadyTolerationSeconds\` and \`spec.kubernetes.kubeAPIServer.defaultUnreachableTolerationSeconds\` and ${since133}`,
  ),
  field(
    '1.33',
    ['kubernetes', 'clusterAutoscaler', 'maxEmptyBulkDelete'],
    `.spec.kubernetes.clusterAutoscaler.maxEmptyBulkDelete is set to nil. Reason: The field was deprecated in favour of \`.spec.kubernetes.clusterAutoscaler.maxScaleDownParallelism\` and ${since133}`,
  ),
  field('1.35', ['kubernetes', 'kubeAPIServer', 'enableAnonymousAuthentication'], `.spec.kubernetes.kubeAPIServer.enableAnonymousAuthentication was removed. Reason: ${since135}`),
  field('1.35', ['kubernetes', 'kubeScheduler', 'kubeMaxPDVols'], '.spec.kubernetes.kubeScheduler.kubeMaxPDVols was removed. Reason: kubeMaxPDVols is deprecated and not respected by the kube-scheduler'),
  field(
    '1.35',
    ['kubernetes', 'kubeAPIServer', 'watchCacheSizes', 'default'],
    '.spec.kubernetes.kubeAPIServer.watchCacheSizes.default was removed. Reason: the default size configuration is deprecated and not respected by the kube-apiserver',
  ),
  {
    minor: '1.34',
    apply(spec) {
      const name = spec.cloudProfileName;
      if (typeof name !== 'string' || name === '') return [];
      const ref = isJsonObject(spec.cloudProfile) ? spec.cloudProfile : undefined;
      if (!ref || !isSet(ref.name)) spec.cloudProfile = { kind: 'CloudProfile', name };
      else if (!((ref.kind ?? 'CloudProfile') === 'CloudProfile' && ref.name === name)) return [];
      delete spec.cloudProfileName;
      return [];
    },
  },
  field('1.35', ['addons'], '.spec.addons was removed. Reason: addons are not supported anymore for Kubernetes versions 1.35+'),
  {
    minor: '1.35',
    apply(spec) {
      const providers = isJsonObject(spec.dns) && Array.isArray(spec.dns.providers) ? (spec.dns.providers as unknown[]) : [];
      const texts: string[] = [];
      providers.forEach((p, i) => {
        if (!isJsonObject(p) || !isSet(p.secretName)) return;
        delete p.secretName;
        texts.push(`.spec.dns.providers[${i}].secretName was removed. Reason: ${since135}`);
      });
      return texts;
    },
  },
];

/**
 * Removes from `shoot.spec` (mutated) the fields the control plane's new minor no longer accepts,
 * for every boundary between `from` (the version before the run) and `to` (after it), and returns
 * the operation texts. Nothing happens when the version did not cross a boundary.
 */
export function applyMinorBoundaryCleanups(shoot: Shoot, from: string, to: string): string[] {
  // Most runs keep the version (plan() asks for every shoot): nothing can cross then.
  if (from === to) return [];
  return CLEANUPS.filter((c) => crossesMinor(from, to, c.minor)).flatMap((c) => c.apply(shoot.spec));
}
