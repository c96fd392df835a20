// Operation annotations (gardener/gardener pkg/apis/core/v1beta1/constants/types_constants.go and
// pkg/api/core/validation/shoot.go): the values a user may put into
// `gardener.cloud/operation` and `maintenance.gardener.cloud/operation`, how they are parsed,
// and Gardener's validation of them (`validateShootOperation`, `validateShootOperationContext`,
// `ValidateHibernation`), with Gardener's exact texts and field paths.
// docs/design.md, "Differences from Gardener" 5: `rotate-kubeconfig-credentials` is a valid value here too; it may run in
// parallel with other operations and the reconciler acts on it.

import { type FieldError, forbidden, duplicate, invalid, notSupported, required } from './field-errors.js';
import { type Shoot, annotationsOf, isInPlaceUpdateStrategy, workersOf } from './shoot.js';

export const OPERATION_ANNOTATION = 'gardener.cloud/operation';
export const MAINTENANCE_OPERATION_ANNOTATION = 'maintenance.gardener.cloud/operation';
/** Where the scheduler keeps the forced-update notices it gave (src/scheduler/forced-update-notifier.ts). */
export const FORCED_UPDATE_NOTICES_ANNOTATION = 'maintenance.gardener.cloud/forced-update-notices';
export const NEEDS_RETRY_ANNOTATION = 'maintenance.shoot.gardener.cloud/needs-retry-operation';
export const TASKS_ANNOTATION = 'shoot.gardener.cloud/tasks';

/** Separator of the operation lists in both annotations. */
export const OPERATION_SEPARATOR = ';';

export const OP_MAINTAIN = 'maintain';
export const OP_RETRY = 'retry';
export const OP_RECONCILE = 'reconcile';
export const OP_FORCE_IN_PLACE_UPDATE = 'force-in-place-update';
export const OP_ROTATE_CREDENTIALS_START = 'rotate-credentials-start';
export const OP_ROTATE_CREDENTIALS_START_WO_WORKERS = 'rotate-credentials-start-without-workers-rollout';
export const OP_ROTATE_CREDENTIALS_COMPLETE = 'rotate-credentials-complete';
export const OP_ROTATE_SSH_KEYPAIR = 'rotate-ssh-keypair';
export const OP_ROTATE_KUBECONFIG_CREDENTIALS = 'rotate-kubeconfig-credentials';
export const OP_ROTATE_CA_START = 'rotate-ca-start';
export const OP_ROTATE_CA_START_WO_WORKERS = 'rotate-ca-start-without-workers-rollout';
export const OP_ROTATE_CA_COMPLETE = 'rotate-ca-complete';
export const OP_ROTATE_OBSERVABILITY_CREDENTIALS = 'rotate-observability-credentials';
export const OP_ROTATE_SA_KEY_START = 'rotate-serviceaccount-key-start';
export const OP_ROTATE_SA_KEY_START_WO_WORKERS = 'rotate-serviceaccount-key-start-without-workers-rollout';
export const OP_ROTATE_SA_KEY_COMPLETE = 'rotate-serviceaccount-key-complete';
export const OP_ROTATE_ETCD_ENCRYPTION_KEY = 'rotate-etcd-encryption-key';
export const OP_ROTATE_ETCD_ENCRYPTION_KEY_START = 'rotate-etcd-encryption-key-start';
export const OP_ROTATE_ETCD_ENCRYPTION_KEY_COMPLETE = 'rotate-etcd-encryption-key-complete';
/** Prefix operations: `rotate-rollout-workers=<p1>[,<p2>…]` and `rollout-workers=<p1>[,…]|*`. */
export const OP_ROTATE_ROLLOUT_WORKERS = 'rotate-rollout-workers';
export const OP_ROLLOUT_WORKERS = 'rollout-workers';

/** Operations forbidden while the shoot is hibernated or waking up. */
export const FORBIDDEN_WHEN_HIBERNATED: ReadonlySet<string> = new Set([
  OP_ROTATE_CREDENTIALS_START,
  OP_ROTATE_CREDENTIALS_START_WO_WORKERS,
  OP_ROTATE_CREDENTIALS_COMPLETE,
  OP_ROTATE_ETCD_ENCRYPTION_KEY,
  OP_ROTATE_ETCD_ENCRYPTION_KEY_START,
  OP_ROTATE_ETCD_ENCRYPTION_KEY_COMPLETE,
  OP_ROTATE_SA_KEY_START,
  OP_ROTATE_SA_KEY_START_WO_WORKERS,
  OP_ROTATE_SA_KEY_COMPLETE,
]);

/** Operations that may also be scheduled for the maintenance window, and may run in parallel. */
export const MAINTENANCE_OPERATIONS: ReadonlySet<string> = new Set([
  OP_RECONCILE,
  OP_ROTATE_CA_START,
  OP_ROTATE_CA_START_WO_WORKERS,
  OP_ROTATE_CA_COMPLETE,
  OP_ROTATE_OBSERVABILITY_CREDENTIALS,
  OP_ROTATE_SSH_KEYPAIR,
  OP_ROTATE_KUBECONFIG_CREDENTIALS,
  OP_ROTATE_ROLLOUT_WORKERS,
  OP_ROLLOUT_WORKERS,
  ...FORBIDDEN_WHEN_HIBERNATED,
]);

/** Every valid operation value (both annotations are validated against this one set). */
export const SHOOT_OPERATIONS: ReadonlySet<string> = new Set([
  OP_MAINTAIN,
  OP_RETRY,
  OP_FORCE_IN_PLACE_UPDATE,
  ...MAINTENANCE_OPERATIONS,
]);

/** The sorted list rendered in the `Unsupported value` detail. */
export const SUPPORTED_OPERATION_VALUES: readonly string[] = [...SHOOT_OPERATIONS].sort();

/** Ops that no longer exist for Kubernetes ≥ 1.34. */
const FORBIDDEN_WITH_K8S_134: ReadonlySet<string> = new Set([
  OP_ROTATE_ETCD_ENCRYPTION_KEY_START,
  OP_ROTATE_ETCD_ENCRYPTION_KEY_COMPLETE,
]);

/** Ops refused while an encryption configuration change is still rolling out. */
const FORBIDDEN_WHEN_ENCRYPTION_ROLLING_OUT: ReadonlySet<string> = new Set([
  OP_ROTATE_CREDENTIALS_START,
  OP_ROTATE_ETCD_ENCRYPTION_KEY,
  OP_ROTATE_ETCD_ENCRYPTION_KEY_START,
]);

/** Pairs that must not share one list: op → the ops it conflicts with (order as Gardener prints it). */
const INCOMPATIBLE_OPERATIONS: ReadonlyMap<string, readonly string[]> = new Map([
  [OP_ROTATE_CREDENTIALS_START, [OP_ROTATE_CA_START_WO_WORKERS, OP_ROTATE_SA_KEY_START_WO_WORKERS, OP_ROTATE_CREDENTIALS_START_WO_WORKERS]],
  [OP_ROTATE_CREDENTIALS_START_WO_WORKERS, [OP_ROTATE_CA_START, OP_ROTATE_SA_KEY_START]],
  [OP_ROTATE_CA_START, [OP_ROTATE_CA_START_WO_WORKERS]],
  [OP_ROTATE_SA_KEY_START, [OP_ROTATE_SA_KEY_START_WO_WORKERS]],
  [OP_ROTATE_ETCD_ENCRYPTION_KEY, [OP_ROTATE_ETCD_ENCRYPTION_KEY_START]],
]);

/** What the "rotate all credentials" start/complete ops cover, for the cross-list conflict check. */
const COVERED_BY_CREDENTIALS_START: readonly string[] = [
  OP_ROTATE_CA_START,
  OP_ROTATE_CA_START_WO_WORKERS,
  OP_ROTATE_SA_KEY_START,
  OP_ROTATE_SA_KEY_START_WO_WORKERS,
  OP_ROTATE_ETCD_ENCRYPTION_KEY,
  OP_ROTATE_ETCD_ENCRYPTION_KEY_START,
];
const COVERED_BY_CREDENTIALS_COMPLETE: readonly string[] = [
  OP_ROTATE_CA_COMPLETE,
  OP_ROTATE_SA_KEY_COMPLETE,
  OP_ROTATE_ETCD_ENCRYPTION_KEY_COMPLETE,
];

const OPERATION_FIELD = `metadata.annotations[${OPERATION_ANNOTATION}]`;
const MAINTENANCE_OPERATION_FIELD = `metadata.annotations[${MAINTENANCE_OPERATION_ANNOTATION}]`;

/** An annotation's operation list: split on `;`, trimmed, empty entries dropped. */
export function parseOperations(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(OPERATION_SEPARATOR)
    .map((op) => op.trim())
    .filter((op) => op.length > 0);
}

/** Whether the shoot's `annotation` lists `op`. */
export function hasOperation(shoot: Shoot, annotation: string, op: string): boolean {
  return parseOperations(annotationsOf(shoot)[annotation]).includes(op);
}

/** Whether an operation is one of the worker-rollout prefix operations. */
export function isRolloutWorkersOperation(op: string): boolean {
  return op.startsWith(OP_ROTATE_ROLLOUT_WORKERS) || op.startsWith(OP_ROLLOUT_WORKERS);
}

function isKnownOperation(op: string): boolean {
  return SHOOT_OPERATIONS.has(op) || isRolloutWorkersOperation(op);
}

function mayRunInParallel(op: string): boolean {
  return MAINTENANCE_OPERATIONS.has(op) || isRolloutWorkersOperation(op);
}

// ---- reading the untyped parts of the status ------------------------------------------------

function child(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return (value as Record<string, unknown>)[key];
}

function stringAt(value: unknown, ...keys: string[]): string {
  const v = keys.reduce<unknown>((acc, key) => child(acc, key), value);
  return typeof v === 'string' ? v : '';
}

function stringListAt(value: unknown, ...keys: string[]): string[] {
  const v = keys.reduce<unknown>((acc, key) => child(acc, key), value);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

type RotationKind = 'certificateAuthorities' | 'serviceAccountKey' | 'etcdEncryptionKey';

function rotationPhase(status: unknown, kind: RotationKind): string {
  return stringAt(status, 'credentials', 'rotation', kind, 'phase');
}

/** Kubernetes version below 1.34? An unparsable version counts as not below (as Gardener's constraint check). */
function kubernetesBelow134(version: string): boolean {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return major < 1 || (major === 1 && minor < 34);
}

function isHibernatedOrWakingUp(shoot: Shoot, status: unknown): boolean {
  return shoot.spec.hibernation?.enabled === true || child(status, 'isHibernated') === true;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

/** Encryption config still rolling out: status.credentials.encryptionAtRest.resources differs from the spec's. */
function encryptionChangeRollingOut(shoot: Shoot, status: unknown): boolean {
  // `<resource>.<group>` strings compare as Gardener's parsed GroupResources do.
  const inSpec = stringListAt(shoot.spec.kubernetes, 'kubeAPIServer', 'encryptionConfig', 'resources');
  const inStatus = stringListAt(status, 'credentials', 'encryptionAtRest', 'resources');
  return !sameSet(inSpec, inStatus);
}

/** Shoot created/restored successfully, or any reconcile: rotations may start. */
function readyForRotationStart(status: unknown): boolean {
  const lastOperation = child(status, 'lastOperation');
  if (lastOperation === undefined || lastOperation === null) return false;
  const type = stringAt(lastOperation, 'type');
  const state = stringAt(lastOperation, 'state');
  if ((type === 'Create' || type === 'Restore') && state === 'Succeeded') return true;
  return type === 'Reconcile';
}

function pendingWorkerUpdateErrors(status: unknown, field: string, what: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const kind of ['autoInPlaceUpdate', 'manualInPlaceUpdate']) {
    if (stringListAt(status, 'inPlaceUpdates', 'pendingWorkerUpdates', kind).length > 0) {
      errors.push(forbidden(field, `cannot start ${what} if status.inPlaceUpdates.pendingWorkerUpdates.${kind} is not empty`));
    }
  }
  return errors;
}

const NOT_READY = 'if shoot was not yet created successfully or is not ready for reconciliation';

function phaseNot(kind: RotationKind, phase: 'Completed' | 'Prepared'): string {
  return `if .status.credentials.rotation.${kind}.phase is not '${phase}'`;
}

/** validateShootOperationContext: the context one operation needs (lastOperation, rotation phases, worker pools). */
function validateOperationContext(op: string, shoot: Shoot, status: unknown, field: string): FieldError[] {
  const errors: FieldError[] = [];
  const ca = rotationPhase(status, 'certificateAuthorities');
  const sa = rotationPhase(status, 'serviceAccountKey');
  const etcd = rotationPhase(status, 'etcdEncryptionKey');
  const startBlocked = (phase: string) => phase.length > 0 && phase !== 'Completed';

  switch (op) {
    case OP_ROTATE_CREDENTIALS_START:
    case OP_ROTATE_CREDENTIALS_START_WO_WORKERS:
      if (!readyForRotationStart(status)) errors.push(forbidden(field, `cannot start rotation of all credentials ${NOT_READY}`));
      if (startBlocked(ca)) errors.push(forbidden(field, `cannot start rotation of all credentials ${phaseNot('certificateAuthorities', 'Completed')}`));
      if (startBlocked(sa)) errors.push(forbidden(field, `cannot start rotation of all credentials ${phaseNot('serviceAccountKey', 'Completed')}`));
      if (startBlocked(etcd)) errors.push(forbidden(field, `cannot start rotation of all credentials ${phaseNot('etcdEncryptionKey', 'Completed')}`));
      errors.push(...pendingWorkerUpdateErrors(status, field, 'rotation of all credentials'));
      break;
    case OP_ROTATE_CREDENTIALS_COMPLETE:
      if (ca !== 'Prepared') errors.push(forbidden(field, `cannot complete rotation of all credentials ${phaseNot('certificateAuthorities', 'Prepared')}`));
      if (sa !== 'Prepared') errors.push(forbidden(field, `cannot complete rotation of all credentials ${phaseNot('serviceAccountKey', 'Prepared')}`));
      if (kubernetesBelow134(shoot.spec.kubernetes.version ?? '') && etcd !== 'Prepared') {
        errors.push(forbidden(field, `cannot complete rotation of all credentials ${phaseNot('etcdEncryptionKey', 'Prepared')}`));
      }
      break;
    case OP_ROTATE_CA_START:
    case OP_ROTATE_CA_START_WO_WORKERS:
      if (!readyForRotationStart(status)) errors.push(forbidden(field, `cannot start CA rotation ${NOT_READY}`));
      if (startBlocked(ca)) errors.push(forbidden(field, `cannot start CA rotation ${phaseNot('certificateAuthorities', 'Completed')}`));
      errors.push(...pendingWorkerUpdateErrors(status, field, 'CA rotation'));
      break;
    case OP_ROTATE_CA_COMPLETE:
      if (ca !== 'Prepared') errors.push(forbidden(field, `cannot complete CA rotation ${phaseNot('certificateAuthorities', 'Prepared')}`));
      break;
    case OP_ROTATE_SA_KEY_START:
    case OP_ROTATE_SA_KEY_START_WO_WORKERS:
      if (!readyForRotationStart(status)) errors.push(forbidden(field, `cannot start service account key rotation ${NOT_READY}`));
      if (startBlocked(sa)) errors.push(forbidden(field, `cannot start service account key rotation ${phaseNot('serviceAccountKey', 'Completed')}`));
      errors.push(...pendingWorkerUpdateErrors(status, field, 'service account key rotation'));
      break;
    case OP_ROTATE_SA_KEY_COMPLETE:
      if (sa !== 'Prepared') errors.push(forbidden(field, `cannot complete service account key rotation ${phaseNot('serviceAccountKey', 'Prepared')}`));
      break;
    case OP_ROTATE_ETCD_ENCRYPTION_KEY:
    case OP_ROTATE_ETCD_ENCRYPTION_KEY_START:
      if (!readyForRotationStart(status)) errors.push(forbidden(field, `cannot start ETCD encryption key rotation ${NOT_READY}`));
      if (startBlocked(etcd)) errors.push(forbidden(field, `cannot start ETCD encryption key rotation ${phaseNot('etcdEncryptionKey', 'Completed')}`));
      break;
    case OP_ROTATE_ETCD_ENCRYPTION_KEY_COMPLETE:
      if (etcd !== 'Prepared') errors.push(forbidden(field, `cannot complete ETCD encryption key rotation ${phaseNot('etcdEncryptionKey', 'Prepared')}`));
      break;
  }

  if (op.startsWith(OP_ROTATE_ROLLOUT_WORKERS)) {
    errors.push(...validateRotateRolloutWorkers(op, shoot, ca, sa, field));
  } else if (op.startsWith(OP_ROLLOUT_WORKERS)) {
    errors.push(...validateRolloutWorkers(op, shoot, field));
  }
  return errors;
}

/** The pool list after `<prefix>=`; without `=` the whole rest counts (Go's TrimPrefix then Split). */
function poolNamesOf(op: string, prefix: string): string[] {
  const withEquals = `${prefix}=`;
  const rest = op.startsWith(withEquals) ? op.slice(withEquals.length) : op;
  return rest.split(',');
}

function validateRotateRolloutWorkers(op: string, shoot: Shoot, ca: string, sa: string, field: string): FieldError[] {
  const errors: FieldError[] = [];
  if (ca !== 'WaitingForWorkersRollout' && sa !== 'WaitingForWorkersRollout') {
    errors.push(
      forbidden(
        field,
        "either .status.credentials.rotation.certificateAuthorities.phase or .status.credentials.rotation.serviceAccountKey.phase must be in 'WaitingForWorkersRollout' in order to trigger workers rollout",
      ),
    );
  }
  const poolNames = poolNamesOf(op, OP_ROTATE_ROLLOUT_WORKERS);
  if (poolNames.includes('')) {
    errors.push(required(field, `must provide at least one pool name via ${OP_ROTATE_ROLLOUT_WORKERS}=<poolName1>[,<poolName2>,...]`));
  }
  const workerNames = new Set(workersOf(shoot).map((w) => w.name));
  const seen = new Set<string>();
  for (const pool of poolNames) {
    if (seen.has(pool)) errors.push(duplicate(field, `pool name ${pool} was specified multiple times`));
    seen.add(pool);
    if (!workerNames.has(pool)) errors.push(invalid(field, pool, `worker pool name ${pool} does not exist in .spec.provider.workers[]`));
  }
  return errors;
}

function validateRolloutWorkers(op: string, shoot: Shoot, field: string): FieldError[] {
  const errors: FieldError[] = [];
  const workers = workersOf(shoot);
  let poolNames = poolNamesOf(op, OP_ROLLOUT_WORKERS);
  if (poolNames.includes('')) {
    errors.push(required(field, `must provide either '*' or at least one pool name via ${OP_ROLLOUT_WORKERS}=<poolName1>[,<poolName2>,...]`));
  }
  if (poolNames.length === 1 && poolNames[0] === '*') poolNames = workers.map((w) => w.name);
  if (poolNames.includes('*')) errors.push(forbidden(field, "if '*' is provided, no other pool names are allowed"));

  const seen = new Set<string>();
  for (const pool of poolNames) {
    if (seen.has(pool)) errors.push(duplicate(field, `pool name ${pool} was specified multiple times`));
    seen.add(pool);
    const worker = workers.find((w) => w.name === pool);
    if (worker === undefined) {
      errors.push(invalid(field, pool, `worker pool name ${pool} does not exist in .spec.provider.workers[]`));
    } else if (isInPlaceUpdateStrategy(worker.updateStrategy)) {
      errors.push(invalid(field, pool, `worker pool ${pool} is using in-place update strategy; manual worker pool rollout is not supported for such pools`));
    }
  }
  return errors;
}

/** validateShootOperation's first loops, for one list: the first unknown op, or a non-parallel op in a list of several. */
function firstListError(ops: readonly string[], field: string): FieldError | undefined {
  for (const op of ops) {
    if (!isKnownOperation(op)) return notSupported(field, op, SUPPORTED_OPERATION_VALUES);
    if (ops.length > 1 && !mayRunInParallel(op)) {
      return forbidden(field, `operation '${op}' is not permitted to be run in parallel with other operations`);
    }
  }
  return undefined;
}

/** validateShootOperation's per-operation checks, for one list. Gardener reports the 1.34 rule on the `gardener.cloud/operation` field for both lists. */
function perOperationErrors(ops: readonly string[], shoot: Shoot, status: unknown, field: string, suffix: string): FieldError[] {
  const errors: FieldError[] = [];
  const set = new Set(ops);
  const below134 = kubernetesBelow134(shoot.spec.kubernetes.version ?? '');
  const hibernated = isHibernatedOrWakingUp(shoot, status);
  const encryptionRollingOut = encryptionChangeRollingOut(shoot, status);
  for (const op of ops) {
    if (FORBIDDEN_WITH_K8S_134.has(op) && !below134) {
      errors.push(
        forbidden(
          OPERATION_FIELD,
          `for Kubernetes versions >= 1.34, operation '${op}' is no longer supported, please use 'rotate-etcd-encryption-key' instead, which performs a complete etcd encryption key rotation`,
        ),
      );
    }
    const incompatible = INCOMPATIBLE_OPERATIONS.get(op);
    if (incompatible !== undefined && incompatible.some((other) => set.has(other))) {
      errors.push(forbidden(field, `operation '${op}' is not permitted to be run together with ${incompatible.join(', ')} ${suffix}`));
    }
    if (hibernated && (FORBIDDEN_WHEN_HIBERNATED.has(op) || isRolloutWorkersOperation(op))) {
      errors.push(forbidden(field, `operation '${op}' is not permitted when shoot is hibernated or is waking up`));
    }
    if (encryptionRollingOut && FORBIDDEN_WHEN_ENCRYPTION_ROLLING_OUT.has(op)) {
      errors.push(forbidden(field, `operation '${op}' is not permitted because a previous encryption configuration change is currently being rolled out`));
    }
  }
  return errors;
}

function coveredBy(op: string): readonly string[] | undefined {
  if (op === OP_ROTATE_CREDENTIALS_START || op === OP_ROTATE_CREDENTIALS_START_WO_WORKERS) return COVERED_BY_CREDENTIALS_START;
  if (op === OP_ROTATE_CREDENTIALS_COMPLETE) return COVERED_BY_CREDENTIALS_COMPLETE;
  return undefined;
}

/** validateShootOperation's cross-list checks: a "rotate all credentials" op in one list against the ops it covers in the other. */
function crossConflictErrors(operations: readonly string[], maintenanceOperations: readonly string[]): FieldError[] {
  const errors: FieldError[] = [];
  const opSet = new Set(operations);
  const maintSet = new Set(maintenanceOperations);
  for (const op of maintenanceOperations) {
    const covered = coveredBy(op);
    const intersection = covered?.filter((x) => opSet.has(x)).sort() ?? [];
    if (intersection.length > 0) {
      errors.push(forbidden(OPERATION_FIELD, `operation '${intersection.join(', ')}' is not permitted when maintenance operation is '${op}'`));
    }
  }
  for (const op of operations) {
    const covered = coveredBy(op);
    const intersection = covered?.filter((x) => maintSet.has(x)).sort() ?? [];
    if (intersection.length > 0) {
      errors.push(forbidden(OPERATION_FIELD, `operation '${op}' is not permitted when maintenance operation is '${intersection.join(', ')}'`));
    }
  }
  return errors;
}

/**
 * Gardener's validation of both operation annotations (pkg/api/core/validation/shoot.go: validateShootOperation,
 * validateShootOperationContext, ValidateHibernation), for the new shoot.
 * Status fields (lastOperation, rotation phases, hibernation, encrypted resources) are read from
 * the new object, falling back to the old object's status when the request carries none: on a
 * CRD the status is owned by the status subresource, and the live one is what counts.
 */
export function validateOperationAnnotations(shoot: Shoot, oldShoot?: Shoot): FieldError[] {
  const annotations = annotationsOf(shoot);
  const operations = parseOperations(annotations[OPERATION_ANNOTATION]);
  const maintenanceOperations = parseOperations(annotations[MAINTENANCE_OPERATION_ANNOTATION]);
  const status: unknown = shoot.status ?? oldShoot?.status;
  const errors: FieldError[] = [];

  if (operations.length > 0 || maintenanceOperations.length > 0) {
    const listError = firstListError(operations, OPERATION_FIELD) ?? firstListError(maintenanceOperations, MAINTENANCE_OPERATION_FIELD);
    if (listError !== undefined) return [listError];

    if (operations.some((op) => maintenanceOperations.includes(op))) {
      errors.push(
        forbidden('metadata.annotations', `annotations ${OPERATION_FIELD} and ${MAINTENANCE_OPERATION_FIELD} must not have any equal operations`),
      );
    }
    errors.push(...perOperationErrors(operations, shoot, status, OPERATION_FIELD, 'operations'));
    errors.push(...perOperationErrors(maintenanceOperations, shoot, status, MAINTENANCE_OPERATION_FIELD, 'maintenance operations'));
    errors.push(...crossConflictErrors(operations, maintenanceOperations));
    for (const op of operations) errors.push(...validateOperationContext(op, shoot, status, OPERATION_FIELD));
    // Shoots in deletion run no maintenance: their maintenance ops' context is not checked.
    if (shoot.metadata.deletionTimestamp === undefined || shoot.metadata.deletionTimestamp === null) {
      for (const op of maintenanceOperations) errors.push(...validateOperationContext(op, shoot, status, MAINTENANCE_OPERATION_FIELD));
    }
  }

  // ValidateHibernation (pkg/api/core/validation/shoot.go): no hibernation while such a maintenance op is pending.
  if (shoot.spec.hibernation?.enabled === true) {
    for (const op of maintenanceOperations) {
      if (FORBIDDEN_WHEN_HIBERNATED.has(op)) {
        errors.push(
          forbidden('spec.hibernation.enabled', `shoot cannot be hibernated when ${MAINTENANCE_OPERATION_ANNOTATION} annotation contains ${op} operation`),
        );
      }
    }
  }
  return errors;
}
