// The typed view of a Shoot (core.gardener.cloud/v1beta1) that this project reads and writes.
// Only the fields we use are named; everything else is carried through untouched via the index
// signatures. Objects arrive as untrusted JSON: the admission layer checks the named fields'
// types (src/admission/object-shape.ts) before any core function sees them.
import { CLOUD_PROFILE_KIND, NAMESPACED_CLOUD_PROFILE_KIND } from './cloudprofile-types.js';

export const SHOOT_API_VERSION = 'core.gardener.cloud/v1beta1';

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  [key: string]: unknown;
}

export interface TimeWindowSpec {
  begin?: string;
  end?: string;
}

export interface MaintenanceAutoUpdate {
  kubernetesVersion?: boolean;
  machineImageVersion?: boolean;
}

/** One credential's automatic rotation: a Go duration (`168h`); `0` disables it. */
export interface MaintenanceRotationConfig {
  rotationPeriod?: string;
}

export interface MaintenanceAutoRotation {
  credentials?: {
    sshKeypair?: MaintenanceRotationConfig;
    observability?: MaintenanceRotationConfig;
    etcdEncryptionKey?: MaintenanceRotationConfig;
  };
}

export interface MaintenanceSpec {
  autoUpdate?: MaintenanceAutoUpdate;
  timeWindow?: TimeWindowSpec;
  confineSpecUpdateRollout?: boolean;
  autoRotation?: MaintenanceAutoRotation;
  [key: string]: unknown;
}

export interface WorkerMachineImage {
  name?: string;
  version?: string;
}

export interface ContainerRuntime {
  type: string;
}

export interface WorkerCRI {
  name: string;
  containerRuntimes?: ContainerRuntime[];
}

export interface Worker {
  name: string;
  machine: {
    /** Empty or absent in a Shoot read as Gardener reads it; validation requires it. */
    type?: string;
    image?: WorkerMachineImage;
    architecture?: string;
    [key: string]: unknown;
  };
  cri?: WorkerCRI;
  kubernetes?: { version?: string; [key: string]: unknown };
  volume?: { type?: string; [key: string]: unknown };
  zones?: string[];
  /** AutoRollingUpdate (default), AutoInPlaceUpdate, ManualInPlaceUpdate. */
  updateStrategy?: string;
  minimum?: number;
  maximum?: number;
  [key: string]: unknown;
}

export interface ShootSpec {
  cloudProfileName?: string;
  cloudProfile?: { kind?: string; name: string };
  /** Always an object (a non-pointer struct in Gardener); the version is defaulted when absent. */
  kubernetes: { version?: string; [key: string]: unknown };
  /** Always an object (a non-pointer struct in Gardener); validation requires the type. */
  provider: {
    type?: string;
    workers?: Worker[];
    /** `sshAccess.enabled` is a plain bool in Gardener: `sshAccess: {}` means disabled. */
    workersSettings?: { sshAccess?: { enabled?: boolean } };
    [key: string]: unknown;
  };
  maintenance?: MaintenanceSpec;
  hibernation?: { enabled?: boolean; [key: string]: unknown };
  region?: string;
  [key: string]: unknown;
}

export type LastOperationState = 'Processing' | 'Succeeded' | 'Error' | 'Failed' | 'Pending' | 'Aborted';

export interface LastOperation {
  type?: string;
  state?: LastOperationState | string;
  lastUpdateTime?: string;
  description?: string;
  progress?: number;
}

export type LastMaintenanceState = 'Processing' | 'Succeeded' | 'Failed';

export interface LastMaintenance {
  description: string;
  triggeredTime: string;
  state: LastMaintenanceState;
  failureReason?: string;
}

/** status.credentials.rotation.<credential> (instants as RFC 3339 text). */
export interface CredentialRotationStatus {
  phase?: string;
  lastInitiationTime?: string;
  lastCompletionTime?: string;
  [key: string]: unknown;
}

export interface ShootCredentialsStatus {
  rotation?: {
    sshKeypair?: CredentialRotationStatus;
    observability?: CredentialRotationStatus;
    etcdEncryptionKey?: CredentialRotationStatus;
    [key: string]: CredentialRotationStatus | undefined;
  };
  [key: string]: unknown;
}

export interface ShootStatus {
  lastOperation?: LastOperation;
  lastMaintenance?: LastMaintenance;
  isHibernated?: boolean;
  credentials?: ShootCredentialsStatus;
  [key: string]: unknown;
}

export interface Shoot {
  apiVersion: string;
  kind: 'Shoot' | string;
  metadata: ObjectMeta;
  spec: ShootSpec;
  status?: ShootStatus;
}

/** Worker update strategies that update machines in place. */
export const IN_PLACE_UPDATE_STRATEGIES: readonly string[] = ['AutoInPlaceUpdate', 'ManualInPlaceUpdate'];

/** Whether a worker update strategy is one of the in-place ones. */
export function isInPlaceUpdateStrategy(strategy: string | undefined): boolean {
  return strategy !== undefined && IN_PLACE_UPDATE_STRATEGIES.includes(strategy);
}

/** The CloudProfile a shoot names: `spec.cloudProfile.name` wins over `spec.cloudProfileName`. */
export function cloudProfileNameOf(shoot: Shoot): string | undefined {
  return shoot.spec.cloudProfile?.name ?? shoot.spec.cloudProfileName;
}

/** Which profile a shoot is judged against: a CloudProfile by name, or a NamespacedCloudProfile in the shoot's namespace. */
export interface ProfileRef {
  kind: string;
  name: string;
  /** The shoot's namespace, for a NamespacedCloudProfile. */
  namespace?: string;
}

/**
 * The profile reference of a shoot (gardener/gardener pkg/utils/gardener/cloudprofile.go,
 * BuildCoreCloudProfileReference): `spec.cloudProfile` with its kind defaulted to CloudProfile,
 * else `spec.cloudProfileName` as a CloudProfile. A NamespacedCloudProfile is looked up in the
 * shoot's own namespace.
 */
export function cloudProfileRefOf(shoot: Shoot): ProfileRef | undefined {
  const ref = shoot.spec.cloudProfile;
  if (ref?.name) {
    const kind = ref.kind || CLOUD_PROFILE_KIND;
    return kind === NAMESPACED_CLOUD_PROFILE_KIND ? { kind, name: ref.name, namespace: shoot.metadata.namespace ?? '' } : { kind, name: ref.name };
  }
  const name = shoot.spec.cloudProfileName;
  return name ? { kind: CLOUD_PROFILE_KIND, name } : undefined;
}

/** `namespace/name` of a NamespacedCloudProfile reference, the name of a CloudProfile one (for logs and messages). */
export function profileRefText(ref: ProfileRef): string {
  return ref.namespace === undefined ? ref.name : `${ref.namespace}/${ref.name}`;
}

export function workersOf(shoot: Shoot): Worker[] {
  return shoot.spec.provider.workers ?? [];
}

export function annotationsOf(shoot: Shoot): Record<string, string> {
  return shoot.metadata.annotations ?? {};
}

/**
 * Deep copy of a JSON value (objects here are always plain JSON, decoded from a request or the
 * API). A plain recursive copy: structuredClone costs about 9x more and was the largest single
 * cost of a webhook request (bench/RESULTS.md).
 */
export function deepCopy<T>(value: T): T {
  return copyJson(value) as T;
}

function copyJson(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copyJson);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const child = copyJson((value as Record<string, unknown>)[key]);
    // A "__proto__" key (JSON.parse makes it an own key) must stay a plain key: assigning it
    // would change the copy's prototype instead.
    if (key === '__proto__') Object.defineProperty(copy, key, { value: child, enumerable: true, writable: true, configurable: true });
    else copy[key] = child;
  }
  return copy;
}
