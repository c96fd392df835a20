// One maintenance run of one shoot against the API server (gardener/gardener
// pkg/controllermanager/controller/shoot/maintenance/reconciler.go, (*Reconciler).reconcile, from its dry run
// on; docs/design.md, "Differences from Gardener" 1–3): re-read, plan, update (optimistic, never over
// a newer user change; a dry run only to explain a refusal), status.lastMaintenance, Events.
import type { CatalogueIndex } from '../core/cloudprofile.js';
import {
  DESCRIPTION_MAINTENANCE_FAILED,
  EVENT_REASON_FAILED,
  type PlannedEvent,
  updateFailedReason,
} from '../core/maintenance-messages.js';
import { excludedRunEvent, type MaintenanceOptions, type MaintenancePlan, plan, shootChanged, withoutStatus } from '../core/maintenance.js';
import { type ExclusionSet, NO_EXCLUSIONS, restrictionAt } from '../core/maintenance-exclusion.js';
import { scheduleOf } from '../core/maintenance-schedule.js';
import { hasOperation, OP_MAINTAIN, OPERATION_ANNOTATION } from '../core/operations.js';
import { CLOUD_PROFILE_KIND } from '../core/cloudprofile-types.js';
import { cloudProfileRefOf, profileRefText, type LastMaintenance, type ProfileRef, type Shoot } from '../core/shoot.js';
import { MAINTENANCE_RECORD_ANNOTATION, maintenanceRecordOf, withMaintenanceRecord } from './maintenance-record.js';

/** The API calls a run needs (ShootClient + EventRecorder in production, fakes in tests). */
export interface RunApi {
  getShoot(namespace: string, name: string): Promise<Shoot | null>;
  updateShoot(shoot: Shoot, dryRun: boolean): Promise<Shoot>;
  patchLastMaintenance(namespace: string, name: string, lastMaintenance: LastMaintenance): Promise<void>;
  /** Deletes one annotation (merge patch on the main resource). */
  removeAnnotation(shoot: Shoot, key: string): Promise<void>;
  /** `dedupKey`: the same key for the same shoot records the Event once, however often asked. */
  recordEvent(shoot: Shoot, event: PlannedEvent, dedupKey?: string): Promise<void>;
}

export interface RunDeps {
  api: RunApi;
  /** The profile a shoot references (a CloudProfile, or a NamespacedCloudProfile merged into its parent). */
  catalogue: (ref: ProfileRef) => CatalogueIndex | undefined;
  now: () => Date;
  options: MaintenanceOptions;
  /** The maintenance freezes known now (src/kube/exclusion-informer.ts); none when absent. */
  exclusions?: () => ExclusionSet;
  /** Attempts of the real update when it hits a conflict (re-read and re-plan in between). */
  maxAttempts?: number;
  isConflict: (err: unknown) => boolean;
}

export type RunResult =
  | 'maintained' // shoot updated (and lastMaintenance written)
  | 'completed' // an earlier run's update had landed without its record: record written now
  | 'status-only' // nothing to change on the shoot, lastMaintenance written
  | 'unchanged' // nothing to do
  | 'not-due' // outside the window and no `maintain`, or already maintained in this occurrence
  | 'excluded' // in the window, but a NoUpgrades freeze covers the shoot: nothing done, MaintenanceDeferred recorded
  | 'dry-run-failed' // lastMaintenance Failed written, nothing else
  | 'conflict' // gave up after repeated conflicts
  | 'gone' // shoot deleted or being deleted
  | 'error'; // anything else (missing CloudProfile, API errors)

export interface RunReport {
  result: RunResult;
  changes: string[];
  error?: string;
  plan?: MaintenancePlan;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Human-readable list of what a plan changes, for the run's log line. */
export function changesOf(p: MaintenancePlan): string[] {
  const changes: string[] = [];
  if (p.heldSpecReleased) changes.push('held spec rolled out');
  if (p.kubernetes) {
    changes.push('to' in p.kubernetes ? `kubernetes ${p.kubernetes.from}->${p.kubernetes.to}` : `kubernetes error: ${p.kubernetes.error}`);
  }
  for (const w of p.workers) {
    if (w.kubernetes) {
      changes.push('to' in w.kubernetes ? `${w.name}: kubernetes ${w.kubernetes.from}->${w.kubernetes.to}` : `${w.name}: kubernetes error`);
    }
    if (w.machineImage) {
      changes.push(
        'to' in w.machineImage
          ? `${w.name}: image ${w.machineImage.name} ${w.machineImage.from}->${w.machineImage.to}`
          : `${w.name}: image error`,
      );
    }
  }
  for (const r of p.credentialRotations) changes.push('error' in r ? `${r.operation} error` : `${r.operation} started`);
  changes.push(...p.operations);
  return changes;
}

export async function runMaintenance(deps: RunDeps, namespace: string, name: string): Promise<RunReport> {
  const maxAttempts = deps.maxAttempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    const shoot = await deps.api.getShoot(namespace, name);
    if (!shoot || shoot.metadata.deletionTimestamp) return { result: 'gone', changes: [] };
    const unfinished = maintenanceRecordOf(shoot);
    if (unfinished !== undefined) return completeRecord(deps, shoot, unfinished);
    const now = deps.now();
    const maintain = hasOperation(shoot, OPERATION_ANNOTATION, OP_MAINTAIN);
    const ref = cloudProfileRefOf(shoot) ?? { kind: CLOUD_PROFILE_KIND, name: '' };
    const index = deps.catalogue(ref);
    if (!index) return { result: 'error', changes: [], error: `${ref.kind} "${profileRefText(ref)}" not found` };
    const restriction = restrictionAt(shoot, now, (deps.exclusions ?? (() => NO_EXCLUSIONS))());
    const planned = plan(shoot, index, now, deps.options, restriction ? { restriction } : {});
    // docs/design.md, "Maintenance freezes": a NoUpgrades freeze skips the run; one Event per
    // occurrence says so (keyed by the occurrence: a second run in it, or another replica's, records none).
    if (planned.dueReason === 'excluded') {
      const event = excludedRunEvent(planned);
      const occurrence = scheduleOf(shoot).occurrenceContaining(now);
      const key = `excluded/${occurrence ? occurrence.begin.toISOString() : planned.triggeredTime}`;
      const eventError = event ? await emit(deps, shoot, [event], key) : {};
      return { result: 'excluded', changes: planned.deferred.map((d) => `deferred ${d.component}: ${d.change}`), plan: planned, ...eventError };
    }
    // docs/design.md, "Differences from Gardener" 3: once per occurrence, unless `maintain` is asked
    // for (plan's dueReason `maintained-in-this-occurrence`).
    if (!planned.due) {
      return { result: 'not-due', changes: [], plan: planned };
    }
    const changed = shootChanged(planned, shoot);
    const previous = shoot.status?.lastMaintenance;
    const statusNeeded = planned.requiresPatch || previous?.state === 'Failed';
    const changes = changesOf(planned);
    if (!changed && !statusNeeded) return { result: 'unchanged', changes, plan: planned };

    const lastMaintenance: LastMaintenance = { ...planned.lastMaintenance, triggeredTime: planned.triggeredTime };
    if (!changed) {
      await deps.api.patchLastMaintenance(namespace, name, lastMaintenance);
      const eventError = await emit(deps, shoot, planned.events, lastMaintenance.triggeredTime);
      return { result: 'status-only', changes, plan: planned, ...eventError };
    }

    // The record travels in the same update as the spec: a kill after it cannot lose it.
    const desired = withMaintenanceRecord(withoutStatus(planned.shoot), { lastMaintenance, events: planned.events });
    desired.metadata.resourceVersion = shoot.metadata.resourceVersion;
    // The real update goes first: it is atomic, guarded by the resourceVersion read above and by the
    // webhooks, so a dry run before it would only repeat it (one request per maintained shoot saved).
    // Only when it fails for another reason than a conflict is the same update sent as a dry run, to
    // tell a change the API server refuses (recorded as a failed maintenance, as Gardener's reconcile
    // does after its dry run) from a failure of the moment (an Event, retried later).
    let updated: Shoot;
    try {
      updated = await deps.api.updateShoot(desired, false);
    } catch (err) {
      if (deps.isConflict(err)) {
        if (attempt < maxAttempts) continue;
        // A conflict says nothing about whether the change is valid: try again later, record nothing.
        return { result: 'conflict', changes, error: errorText(err), plan: planned };
      }
      const refusal = await deps.api.updateShoot(desired, true).then(
        () => undefined,
        (dryRunErr: unknown) => dryRunErr,
      );
      if (refusal === undefined) {
        // The change is acceptable: the real update failed for a reason of the moment.
        await deps.api.recordEvent(shoot, { type: 'Warning', reason: EVENT_REASON_FAILED, message: errorText(err) }).catch(() => undefined);
        return { result: 'error', changes, error: errorText(err), plan: planned };
      }
      // A conflict now means the shoot moved on (or a timed-out update did land, with its record):
      // re-read, as for a conflict on the update.
      if (deps.isConflict(refusal)) {
        if (attempt < maxAttempts) continue;
        return { result: 'conflict', changes, error: errorText(refusal), plan: planned };
      }
      return recordRefusal(deps, shoot, planned, changes, maintain, errorText(refusal));
    }
    await deps.api.patchLastMaintenance(namespace, name, lastMaintenance);
    const eventError = await emit(deps, updated, planned.events, lastMaintenance.triggeredTime);
    await deps.api.removeAnnotation(updated, MAINTENANCE_RECORD_ANNOTATION);
    return { result: 'maintained', changes, plan: planned, ...eventError };
  }
}

/**
 * As Gardener's reconcile after a failed dry run (reconciler.go, (*Reconciler).reconcile): record why,
 * drop `maintain`, change nothing else.
 */
async function recordRefusal(
  deps: RunDeps,
  shoot: Shoot,
  planned: MaintenancePlan,
  changes: string[],
  maintain: boolean,
  apiError: string,
): Promise<RunReport> {
  const reason = updateFailedReason(apiError);
  await deps.api.patchLastMaintenance(shoot.metadata.namespace ?? '', shoot.metadata.name ?? '', {
    description: DESCRIPTION_MAINTENANCE_FAILED,
    state: 'Failed',
    failureReason: reason,
    triggeredTime: planned.triggeredTime,
  });
  // Best effort: if even this patch is refused, the failure is already recorded above.
  const removal = maintain
    ? await deps.api.removeAnnotation(shoot, OPERATION_ANNOTATION).then(() => '', (e: unknown) => errorText(e))
    : '';
  const error = removal === '' ? reason : `${reason}; removing "maintain" failed: ${removal}`;
  return { result: 'dry-run-failed', changes, error, plan: planned };
}

/** Finishes a run whose spec update landed but whose status patch did not (the scheduler died). */
async function completeRecord(deps: RunDeps, shoot: Shoot, record: ReturnType<typeof maintenanceRecordOf>): Promise<RunReport> {
  const namespace = shoot.metadata.namespace ?? '';
  const name = shoot.metadata.name ?? '';
  if (!record) {
    await deps.api.removeAnnotation(shoot, MAINTENANCE_RECORD_ANNOTATION);
    return { result: 'error', changes: [], error: `unreadable ${MAINTENANCE_RECORD_ANNOTATION} annotation removed` };
  }
  await deps.api.patchLastMaintenance(namespace, name, record.lastMaintenance);
  const eventError = await emit(deps, shoot, record.events, record.lastMaintenance.triggeredTime);
  await deps.api.removeAnnotation(shoot, MAINTENANCE_RECORD_ANNOTATION);
  return { result: 'completed', changes: ['record of an interrupted run written'], ...eventError };
}

/**
 * Events are best effort: the maintenance itself is done; a failed Event is reported, not retried.
 * Each is keyed by the run (its triggeredTime) and its place, so a run finished again after a
 * crash does not record its Events twice.
 */
async function emit(deps: RunDeps, shoot: Shoot, events: PlannedEvent[], runKey?: string): Promise<{ error?: string }> {
  const errors: string[] = [];
  for (const [i, event] of events.entries()) {
    try {
      await deps.api.recordEvent(shoot, event, runKey === undefined ? undefined : `${runKey}/${i}`);
    } catch (err) {
      errors.push(errorText(err));
    }
  }
  return errors.length === 0 ? {} : { error: `recording events failed: ${errors.join('; ')}` };
}
