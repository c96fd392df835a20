// The fields of a Shoot spec this project reads and their types, after Gardener's v1beta1 types
// (gardener/gardener pkg/apis/core/v1beta1/types_shoot.go): the one description of them. The
// admission layer builds its ajv schema of `.spec` from it (src/admission/object-shape.ts), and a
// held spec is checked against it (rollout.ts, pendingSpecOf). A non-pointer struct of Gardener's
// types (`goStruct`) is `{}` when absent or `null` in `.spec` (src/admission/gardener-decoding.ts);
// a held spec is not read through that decoder, so there it must be an object.
import { isJsonObject } from './json.js';

/** The type a field must have: a leaf type, an object of fields, a list, or a map (`values`: any keys). */
export type SpecShape =
  | 'string'
  | 'boolean'
  | 'integer'
  | { fields: Readonly<Record<string, SpecShape>>; required?: readonly string[]; goStruct?: boolean }
  | { items: SpecShape }
  | { values: SpecShape };

const rotationPeriod: SpecShape = { fields: { rotationPeriod: 'string' } };

/** A component's `featureGates` (Gardener's KubernetesConfig): gate name → enabled. */
const withFeatureGates: SpecShape = { fields: { featureGates: { values: 'boolean' } } };

const kubeAPIServer: SpecShape = {
  fields: {
    featureGates: { values: 'boolean' },
    admissionPlugins: { items: { fields: { name: 'string', disabled: 'boolean', kubeconfigSecretName: 'string' } } },
    enableAnonymousAuthentication: 'boolean',
    watchCacheSizes: { fields: { default: 'integer' } },
  },
};

const worker: SpecShape = {
  required: ['name'],
  fields: {
    name: 'string',
    machine: {
      goStruct: true,
      fields: { type: 'string', architecture: 'string', image: { fields: { name: 'string', version: 'string' } } },
    },
    cri: { fields: { name: 'string', containerRuntimes: { items: { fields: { type: 'string' } } } } },
    kubernetes: { fields: { version: 'string', kubelet: withFeatureGates } },
    volume: { fields: { type: 'string' } },
    zones: { items: 'string' },
    updateStrategy: 'string',
    controlPlane: { fields: {} },
    minimum: 'integer',
    maximum: 'integer',
  },
};

/** `spec` of a Shoot. */
export const SHOOT_SPEC_SHAPE: SpecShape = {
  fields: {
    cloudProfileName: 'string',
    cloudProfile: { required: ['name'], fields: { kind: 'string', name: 'string' } },
    kubernetes: {
      goStruct: true,
      fields: {
        version: 'string',
        kubeAPIServer,
        kubeControllerManager: { fields: { featureGates: { values: 'boolean' }, podEvictionTimeout: 'string' } },
        kubeScheduler: { fields: { featureGates: { values: 'boolean' }, kubeMaxPDVols: 'string' } },
        clusterAutoscaler: { fields: { maxEmptyBulkDelete: 'integer' } },
        kubeProxy: withFeatureGates,
        kubelet: withFeatureGates,
      },
    },
    provider: {
      goStruct: true,
      fields: {
        type: 'string',
        workers: { items: worker },
        workersSettings: { fields: { sshAccess: { fields: { enabled: 'boolean' } } } },
      },
    },
    maintenance: {
      fields: {
        autoUpdate: { fields: { kubernetesVersion: 'boolean', machineImageVersion: 'boolean' } },
        timeWindow: { fields: { begin: 'string', end: 'string' } },
        confineSpecUpdateRollout: 'boolean',
        autoRotation: {
          fields: { credentials: { fields: { sshKeypair: rotationPeriod, observability: rotationPeriod, etcdEncryptionKey: rotationPeriod } } },
        },
      },
    },
    hibernation: { fields: { enabled: 'boolean' } },
    addons: { fields: {} },
    dns: { fields: { providers: { items: { fields: { secretName: 'string' } } } } },
    region: 'string',
    secretBindingName: 'string',
    credentialsBindingName: 'string',
  },
};

function fitsLeaf(value: unknown, type: 'string' | 'boolean' | 'integer'): boolean {
  return type === 'integer' ? Number.isInteger(value) : typeof value === type;
}

/**
 * The first field of a held spec (at `path`) that does not have its shape, e.g.
 * `kubernetes.version must be a string`, `provider.workers[0].machine must be an object`;
 * undefined when it has. Non-pointer structs are required.
 */
export function specShapeProblem(value: unknown, shape: SpecShape = SHOOT_SPEC_SHAPE, path = ''): string | undefined {
  const at = (key: string | number) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key);
  if (typeof shape === 'string') return fitsLeaf(value, shape) ? undefined : `${path} must be a${shape === 'integer' ? 'n' : ''} ${shape}`;
  if ('values' in shape) {
    if (!isJsonObject(value)) return `${path} must be an object`;
    for (const [key, item] of Object.entries(value)) {
      const problem = specShapeProblem(item, shape.values, at(key));
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if ('items' in shape) {
    if (!Array.isArray(value)) return `${path} must be an array`;
    for (const [i, item] of value.entries()) {
      const problem = specShapeProblem(item, shape.items, at(i));
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (!isJsonObject(value)) return path ? `${path} must be an object` : 'must be a JSON object';
  for (const [key, field] of Object.entries(shape.fields)) {
    const required = shape.required?.includes(key) || (typeof field === 'object' && 'fields' in field && field.goStruct === true);
    if (value[key] === undefined && !required) continue;
    const problem = specShapeProblem(value[key], field, at(key));
    if (problem !== undefined) return problem;
  }
  return undefined;
}
