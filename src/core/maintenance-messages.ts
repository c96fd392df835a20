// The texts one maintenance run reports, status.lastMaintenance and Events, as gardener/gardener
// pkg/controllermanager/controller/shoot/maintenance/reconciler.go builds them (buildMaintenanceMessages,
// (*Reconciler).reconcile, recordMaintenanceEventsForPool): from the per-item results in Gardener's
// order: control plane, worker Kubernetes versions, worker machine images, credential rotations,
// then operation texts. Credential rotations have no Events (Gardener records none for them).

export type ItemResult =
  | { ok: true; description: string; reason: string }
  | { ok: false; description: string; reason: string };

export interface MaintenanceResults {
  controlPlane: ItemResult | undefined;
  /** Per pool, in spec order. */
  workerKubernetes: { pool: string; result: ItemResult }[];
  workerMachineImages: { pool: string; result: ItemResult }[];
  /** Automatic credential rotations (credential-rotation.ts), keyed by their operation (`rotate-ssh-keypair`, …). */
  credentials: { operation: string; result: ItemResult }[];
  /** `Added "<op>" operation annotation` texts. */
  operations: string[];
}

export interface MaintenanceMessages {
  description: string;
  /** '' when nothing failed. */
  failureReason: string;
}

export const EVENT_REASON_KUBERNETES = 'KubernetesVersionMaintenance';
export const EVENT_REASON_MACHINE_IMAGE = 'MachineImageVersionMaintenance';
export const EVENT_REASON_FAILED = 'MaintenanceFailed';
/** This project's: a maintenance freeze held something back (maintenance-exclusion.ts). */
export const EVENT_REASON_DEFERRED = 'MaintenanceDeferred';

export const DESCRIPTION_MAINTENANCE_FAILED = 'Maintenance failed';
export const DESCRIPTION_MAINTENANCE_SUCCEEDED = 'Maintenance succeeded';

export interface PlannedEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** Gardener's buildMaintenanceMessages (reconciler.go). */
export function buildMaintenanceMessages(results: MaintenanceResults): MaintenanceMessages {
  let ok = 0;
  let failed = 0;
  const description: string[] = [];
  const failureReason: string[] = [];

  const cp = results.controlPlane;
  if (cp) {
    if (cp.ok) {
      ok++;
      description.push(`Control Plane: ${cp.description}. Reason: ${cp.reason}`);
    } else {
      failed++;
      description.push(`Control Plane: Kubernetes version update failed. Reason for update: ${cp.reason}`);
      failureReason.push(`Control Plane: Kubernetes maintenance failure due to: ${cp.description}`);
    }
  }
  for (const { pool, result } of results.workerKubernetes) {
    if (result.ok) {
      ok++;
      description.push(`Worker pool "${pool}": ${result.description}. Reason: ${result.reason}`);
    } else {
      failed++;
      description.push(`Worker pool "${pool}": Kubernetes version maintenance failed. Reason for update: ${result.reason}`);
      failureReason.push(`Worker pool "${pool}": Kubernetes maintenance failure due to: ${result.description}`);
    }
  }
  for (const { pool, result } of results.workerMachineImages) {
    if (result.ok) {
      ok++;
      description.push(`Worker pool "${pool}": ${result.description}. Reason: ${result.reason}`);
    } else {
      failed++;
      description.push(`Worker pool "${pool}": machine image version maintenance failed. Reason for update: ${result.reason}`);
      failureReason.push(`Worker pool "${pool}": ${result.description}`);
    }
  }
  for (const { operation, result } of results.credentials) {
    if (result.ok) {
      ok++;
      description.push(`Credentials "${operation}": ${result.description}. Reason: ${result.reason}`);
    } else {
      failed++;
      description.push(`Credentials "${operation}": Automatic rotation failed. Reason for update: ${result.reason}`);
      failureReason.push(`Credentials "${operation}": Automatic rotation failure due to: ${result.description}`);
    }
  }
  if (results.operations.length > 0) description.push(results.operations.join(', '));

  const items = description.join(', ');
  const head = failed === 0 ? 'All maintenance operations successful.' : `(${ok}/${ok + failed}) maintenance operations successful.`;
  return { description: `${head} ${items}`.trimEnd(), failureReason: failureReason.join(', ') };
}

/** The Events a successful spec update is followed by (reconciler.go: (*Reconciler).reconcile, recordMaintenanceEventsForPool). */
export function buildMaintenanceEvents(results: MaintenanceResults): PlannedEvent[] {
  const events: PlannedEvent[] = [];
  const cp = results.controlPlane;
  if (cp) {
    events.push(
      cp.ok
        ? { type: 'Normal', reason: EVENT_REASON_KUBERNETES, message: `Control Plane: ${cp.description}. Reason: ${cp.reason}.` }
        : {
            type: 'Warning',
            reason: EVENT_REASON_KUBERNETES,
            message: `Control Plane: Kubernetes version maintenance failed. Reason for update: ${cp.reason}. Error: ${cp.description}`,
          },
    );
  }
  const pools = (items: { pool: string; result: ItemResult }[], reason: string, what: string): void => {
    for (const { pool, result } of items) {
      events.push(
        result.ok
          ? { type: 'Normal', reason, message: `Worker pool "${pool}": ${result.description}. Reason: ${result.reason}.` }
          : {
              type: 'Warning',
              reason,
              message: `Worker pool "${pool}": ${what} version maintenance failed. Reason for update: ${result.reason}. Error: ${result.description}`,
            },
      );
    }
  };
  pools(results.workerKubernetes, EVENT_REASON_KUBERNETES, 'Kubernetes');
  pools(results.workerMachineImages, EVENT_REASON_MACHINE_IMAGE, 'Machine image');
  return events;
}

/** `Updates to the Shoot failed to be applied: <apiserver error>` (dry-run failure). */
export function updateFailedReason(apiServerError: string): string {
  return `Updates to the Shoot failed to be applied: ${apiServerError}`;
}
