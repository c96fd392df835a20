// When a shoot is next due for maintenance: Gardener's requeue at a random instant of the next effective window
// (gardener/gardener pkg/controllermanager/controller/shoot/maintenance/reconciler.go, Reconcile, and add.go,
// ShootPredicate), plus once per window occurrence (docs/design.md, "Differences from Gardener" 3).
import { hasOperation, OP_MAINTAIN, OPERATION_ANNOTATION } from '../core/operations.js';
import type { Shoot } from '../core/shoot.js';
import { MAINTENANCE_RECORD_ANNOTATION } from './maintenance-record.js';
import { DAYS_ANNOTATION, maintainedInOccurrence, scheduleOf, TIME_ZONE_ANNOTATION } from '../core/maintenance-schedule.js';
import { randomInstantIn } from '../core/timewindow.js';

export type DueReason = 'maintain' | 'unfinished' | 'in-window' | 'next-window';

export interface DueTime {
  at: Date;
  reason: DueReason;
}

/**
 * The instant the shoot is due, or null when it must not be queued (being deleted).
 * - `gardener.cloud/operation=maintain`, or an unfinished run's record → now;
 * - inside the effective window and not yet maintained in this occurrence → a random instant
 *   in the rest of this occurrence;
 * - otherwise → a random instant in the next occurrence.
 */
export function dueTimeOf(shoot: Shoot, now: Date, random: () => number): DueTime | null {
  if (shoot.metadata.deletionTimestamp) return null;
  if (hasOperation(shoot, OPERATION_ANNOTATION, OP_MAINTAIN)) return { at: now, reason: 'maintain' };
  // A run that updated the shoot but died before recording it: finish it at once.
  if (shoot.metadata.annotations?.[MAINTENANCE_RECORD_ANNOTATION] !== undefined) return { at: now, reason: 'unfinished' };
  const current = scheduleOf(shoot).occurrenceContaining(now);
  if (current && !maintainedInOccurrence(shoot, current)) {
    return { at: randomInstantIn({ begin: now, end: current.end }, random), reason: 'in-window' };
  }
  return nextWindowDueTime(shoot, now, random);
}

/** A random instant in the next occurrence of the effective window (after a run). */
export function nextWindowDueTime(shoot: Shoot, now: Date, random: () => number): DueTime {
  return { at: randomInstantIn(scheduleOf(shoot).nextOccurrence(now), random), reason: 'next-window' };
}

/** Gardener's update predicate: re-plan when `maintain` is newly asked or the window (or its schedule annotations) changed. */
export function needsReplan(shoot: Shoot, old: Shoot): boolean {
  if (shoot.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) return true;
  const maintainNow = hasOperation(shoot, OPERATION_ANNOTATION, OP_MAINTAIN);
  if (maintainNow && !hasOperation(old, OPERATION_ANNOTATION, OP_MAINTAIN)) return true;
  const a = shoot.spec.maintenance?.timeWindow;
  const b = old.spec.maintenance?.timeWindow;
  if (a?.begin !== b?.begin || a?.end !== b?.end) return true;
  const scheduleAnnotation = (s: Shoot, key: string) => s.metadata.annotations?.[key];
  return [TIME_ZONE_ANNOTATION, DAYS_ANNOTATION].some((key) => scheduleAnnotation(shoot, key) !== scheduleAnnotation(old, key));
}
