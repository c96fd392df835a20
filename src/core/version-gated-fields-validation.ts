// Static validation of the Shoot fields a Kubernetes minor no longer accepts, with Gardener's texts
// and field paths (gardener/gardener pkg/api/core/validation/shoot.go): ValidateCloudProfileReference
// (`cloudProfileName`, 1.34), validateAddons (1.35), validateDNS (`providers[i].secretName`, 1.35),
// ValidateKubeAPIServer (`enableAnonymousAuthentication`, 1.35) and ValidateWatchCacheSizes
// (`default`, 1.35), ValidateKubeControllerManager (`podEvictionTimeout`, 1.33), validateKubeScheduler
// (validateKubeMaxPDVols, 1.35) and ValidateClusterAutoscaler (`maxEmptyBulkDelete`, 1.33). All are
// judged against the control-plane version, as Gardener does (no pool field is among them). The
// maintenance run removes these fields, and moves `cloudProfileName` to `spec.cloudProfile`, when it
// moves the control plane across those minors (minor-boundary-cleanups.ts). ValidateShootSpec's
// `secretBindingName` rule (1.34) is left out: see the end of validateVersionGatedFields.
//
// Not checked: the rules of those functions that are not about the version (value ranges,
// `credentialsRef`, nginx-ingress settings, …), beyond the workerless forbiddance of `addons` and
// `podEvictionTimeout`, which Gardener reports in place of the version rule.
import { type FieldError, forbidden } from './field-errors.js';
import { isJsonObject, isSet } from './json.js';
import type { ShootSpec } from './shoot.js';
import { parseVersionLenient } from './versions.js';

const WORKERLESS = 'this field should not be set for workerless Shoot clusters';

/** Gardener's ConstraintK8sGreaterEqual1xx (`>= 1.xx-0`, prereleases of 1.xx included); false for an unparsable version. */
export function atLeastMinor(version: string, minor: number): boolean {
  const v = parseVersionLenient(version);
  return v !== undefined && (v.major > 1 || (v.major === 1 && v.minor >= minor));
}

function objectAt(value: unknown, key: string): Record<string, unknown> | undefined {
  const child = isJsonObject(value) ? value[key] : undefined;
  return isJsonObject(child) ? child : undefined;
}

/**
 * The errors of the fields `spec`'s control-plane version no longer accepts, in the order of Gardener's
 * ValidateShootSpec. Nothing version-gated for a shoot without a version (Gardener requires one first).
 */
export function validateVersionGatedFields(spec: ShootSpec): FieldError[] {
  const version = spec.kubernetes.version ?? '';
  const workerless = (spec.provider.workers ?? []).length === 0;
  const errors: FieldError[] = [];
  const since = (minor: number) => version !== '' && atLeastMinor(version, minor);

  // ValidateCloudProfileReference.
  if (since(34) && typeof spec.cloudProfileName === 'string' && spec.cloudProfileName !== '') {
    errors.push(forbidden('spec.cloudProfileName', 'for Kubernetes version >= 1.34, cloudProfileName field is no longer supported, use spec.cloudProfile.name instead'));
  }

  // validateAddons.
  if (isSet(spec.addons)) {
    if (workerless) errors.push(forbidden('spec.addons', 'addons cannot be enabled for Workerless Shoot clusters'));
    else if (since(35)) errors.push(forbidden('spec.addons', 'for Kubernetes versions >= 1.35, addons field is no longer supported'));
  }

  // validateDNS.
  const providers = objectAt(spec, 'dns')?.providers;
  if (since(35) && Array.isArray(providers)) {
    providers.forEach((provider, i) => {
      if (isJsonObject(provider) && isSet(provider.secretName)) {
        errors.push(forbidden(`spec.dns.providers[${i}].secretName`, 'for Kubernetes versions >= 1.35, secretName field is no longer supported'));
      }
    });
  }

  // validateKubernetes: nothing below without a version.
  if (version !== '') {
    const kubernetes = spec.kubernetes;
    const apiServer = objectAt(kubernetes, 'kubeAPIServer');
    if (since(35) && isSet(apiServer?.enableAnonymousAuthentication)) {
      errors.push(
        forbidden('spec.kubernetes.kubeAPIServer.enableAnonymousAuthentication', 'for Kubernetes versions >= 1.35, enableAnonymousAuthentication field is no longer supported'),
      );
    }
    if (since(35) && isSet(objectAt(apiServer, 'watchCacheSizes')?.default)) {
      errors.push(
        forbidden('spec.kubernetes.kubeAPIServer.watchCacheSizes.default', 'for Kubernetes versions >= 1.35, configuring the default watch cache size is no longer supported'),
      );
    }
    if (isSet(objectAt(kubernetes, 'kubeControllerManager')?.podEvictionTimeout)) {
      const path = 'spec.kubernetes.kubeControllerManager.podEvictionTimeout';
      if (workerless) errors.push(forbidden(path, WORKERLESS));
      else if (since(33)) errors.push(forbidden(path, 'for Kubernetes versions >= 1.33, podEvictionTimeout field is no longer supported'));
    }
    if (!workerless) {
      if (since(35) && isSet(objectAt(kubernetes, 'kubeScheduler')?.kubeMaxPDVols)) {
        errors.push(forbidden('spec.kubernetes.kubeScheduler.kubeMaxPDVols', 'for Kubernetes version >= 1.35, kubeMaxPDVols field is no longer supported'));
      }
      if (since(33) && isSet(objectAt(kubernetes, 'clusterAutoscaler')?.maxEmptyBulkDelete)) {
        errors.push(
          forbidden(
            'spec.kubernetes.clusterAutoscaler.maxEmptyBulkDelete',
            'for Kubernetes versions >= 1.33, maxEmptyBulkDelete field is no longer supported, use maxScaleDownParallelism instead',
          ),
        );
      }
    }
  }

  // Not here: ValidateShootSpec's `secretBindingName` from 1.34. Gardener's maintenance migrates the
  // field to a CredentialsBinding when it crosses 1.34; this project serves no CredentialsBindings
  // and cannot, so the rule would fail every forced update to 1.34 of a shoot using a SecretBinding
  // (docs/design.md, "Differences from Gardener").
  return errors;
}
