// Automatic credential rotation in the maintenance run: which rotations a run at `now` starts
// (gardener/gardener pkg/controllermanager/controller/shoot/maintenance/reconciler.go,
// computeCredentialsToRotationResults; the helpers of pkg/api/core/v1beta1/helper/shoot.go,
// Is*AutoRotationEnabled, *RotationPassedRotationPeriod, ShootEnablesSSHAccess, HibernationIsEnabled).
//
// A credential is rotated when `spec.maintenance.autoRotation.credentials.<c>.rotationPeriod` is
// set and not zero and its last completed rotation (status.credentials.rotation.<c>.lastCompletionTime,
// else the shoot's creationTimestamp) lies strictly before `now − rotationPeriod`. The results are
// in Gardener's order of checks (SSH keypair, observability, ETCD encryption key); Gardener keeps
// them in a map, so its own order of them in texts and the annotation is not fixed.
import { parseGoDuration } from './go-duration.js';
import type { ItemResult } from './maintenance-messages.js';
import {
  OP_ROTATE_ETCD_ENCRYPTION_KEY,
  OP_ROTATE_OBSERVABILITY_CREDENTIALS,
  OP_ROTATE_SSH_KEYPAIR,
} from './operations.js';
import { type MaintenanceRotationConfig, type Shoot, workersOf } from './shoot.js';

/** The rotations maintenance starts; each is also the operation it adds to `gardener.cloud/operation`. */
export type RotationOperation =
  | typeof OP_ROTATE_SSH_KEYPAIR
  | typeof OP_ROTATE_OBSERVABILITY_CREDENTIALS
  | typeof OP_ROTATE_ETCD_ENCRYPTION_KEY;

export interface CredentialRotation {
  /** Gardener's key of the result, the operation it starts (`rotate-ssh-keypair`, …). */
  operation: RotationOperation;
  result: ItemResult;
}

/** Default of a rotation config without rotationPeriod (pkg/apis/core/v1beta1/defaults_shoot.go, SetDefaults_MaintenanceRotationConfig). */
export const DEFAULT_ROTATION_PERIOD_MS = 7 * 24 * 3600 * 1000;

/** Rotation phase after which a new ETCD encryption key rotation may start (besides none). */
const ROTATION_COMPLETED = 'Completed';

type Credential = 'sshKeypair' | 'observability' | 'etcdEncryptionKey';

/**
 * The rotation period of a credential in milliseconds, or undefined when its automatic rotation
 * is off (no config, or a zero period). A config without a period has Gardener's default, 7d. A
 * period that does not parse counts as off: validation rejects it (validation.ts, validateMaintenance).
 */
function rotationPeriodMs(config: MaintenanceRotationConfig | undefined): number | undefined {
  if (config === undefined || config === null) return undefined;
  if (config.rotationPeriod === undefined) return DEFAULT_ROTATION_PERIOD_MS;
  const ns = parseGoDuration(config.rotationPeriod);
  return ns === undefined || ns === 0 ? undefined : ns / 1e6;
}

/**
 * Gardener's *RotationPassedRotationPeriod: the reference instant strictly before now − period.
 * A missing reference is Go's zero time (always passed), as for a Shoot without
 * creationTimestamp. An instant that does not read as one (the API server would not have stored
 * it) never counts as passed: no rotation is started on it.
 */
function rotationPeriodPassed(shoot: Shoot, credential: Credential, periodMs: number, now: Date): boolean {
  const reference = shoot.status?.credentials?.rotation?.[credential]?.lastCompletionTime ?? shoot.metadata.creationTimestamp;
  if (reference === undefined) return true;
  const ms = Date.parse(reference);
  return !Number.isNaN(ms) && ms < now.getTime() - periodMs;
}

/** ShootEnablesSSHAccess: workers, and `workersSettings.sshAccess` absent or enabled. */
function enablesSSHAccess(shoot: Shoot): boolean {
  const sshAccess = shoot.spec.provider.workersSettings?.sshAccess;
  return workersOf(shoot).length > 0 && (sshAccess === undefined || sshAccess === null || sshAccess.enabled === true);
}

function due(shoot: Shoot, credential: Credential, now: Date): boolean {
  const periodMs = rotationPeriodMs(shoot.spec.maintenance?.autoRotation?.credentials?.[credential]);
  return periodMs !== undefined && rotationPeriodPassed(shoot, credential, periodMs, now);
}

/** computeCredentialsToRotationResults: the rotations a maintenance run at `now` starts, or cannot start. */
export function credentialRotationsDue(shoot: Shoot, now: Date): CredentialRotation[] {
  const rotations: CredentialRotation[] = [];
  if (enablesSSHAccess(shoot) && due(shoot, 'sshKeypair', now)) {
    rotations.push({
      operation: OP_ROTATE_SSH_KEYPAIR,
      result: { ok: true, description: 'SSH keypair rotation started', reason: 'Automatic rotation of SSH keypair configured' },
    });
  }
  if (due(shoot, 'observability', now)) {
    rotations.push({
      operation: OP_ROTATE_OBSERVABILITY_CREDENTIALS,
      result: { ok: true, description: 'Observability passwords rotation started', reason: 'Automatic rotation of observability passwords configured' },
    });
  }
  // The ETCD encryption key cannot be rotated while the shoot is hibernated.
  if (shoot.spec.hibernation?.enabled !== true && due(shoot, 'etcdEncryptionKey', now)) {
    const phase = shoot.status?.credentials?.rotation?.etcdEncryptionKey?.phase ?? '';
    rotations.push({
      operation: OP_ROTATE_ETCD_ENCRYPTION_KEY,
      result:
        phase === '' || phase === ROTATION_COMPLETED
          ? { ok: true, description: 'ETCD Encryption key rotation started', reason: 'Automatic rotation of etcd encryption key configured' }
          : { ok: false, description: 'Could not start ETCD encryption key rotation', reason: 'ETCD encryption key rotation is already in progress' },
    });
  }
  return rotations;
}
