// The rows of `shoot-maintenance schedule`: one per occurrence of each shoot's maintenance window
// (src/core/maintenance-schedule.ts, scheduleOf(shoot).occurrencesBetween) beginning in
// [from, to), sorted by start, each with what a run at the occurrence's begin would do:
// plan() called with now = that begin and the freeze covering the shoot then
// (maintenance-exclusion.ts, restrictionAt), so a version that expires before an occurrence shows
// as forced in it and a freeze shows where it suppresses or restricts the run. Every row plans the
// shoot as it is now: a row does not assume that the runs before it happened. Pure: no I/O, no clock.
import type { CatalogueIndex } from '../core/cloudprofile.js';
import {
  type CredentialRotationChange,
  type DeferredChange,
  type KubernetesChange,
  type MaintenanceOptions,
  plan,
  type PlanRestriction,
  type WorkerPlan,
} from '../core/maintenance.js';
import { type ExclusionSet, restrictionAt } from '../core/maintenance-exclusion.js';
import { scheduleOf, type Weekday } from '../core/maintenance-schedule.js';
import type { Shoot } from '../core/shoot.js';
import { isoSeconds } from '../core/timewindow.js';
import { changeLines, deferredText, windowText } from './plan-text.js';

/** One shoot as the command found it: with its profile, or the reason it cannot be planned. */
export interface ScheduleInput {
  namespace: string;
  name: string;
  /** Absent when the object could not be read as a Shoot (then `error` says why). */
  shoot?: Shoot;
  /** The (merged) profile the shoot references; absent with `error`. */
  index?: CatalogueIndex;
  error?: string;
}

export interface ScheduleRow {
  /** `namespace/name`. */
  shoot: string;
  namespace: string;
  name: string;
  /** The window as plan's text prints it (`020000+0100-040000+0100 (Europe/Berlin, Tue,Thu; effective end 034500+0100)`). */
  window: string | null;
  timeZone: string | null;
  days: Weekday[] | null;
  /** The occurrence of the effective window: UTC ISO instants (whole seconds), and local. */
  start: string | null;
  end: string | null;
  localStart: string | null;
  localEnd: string | null;
  /** What the run changes: `Control plane: Kubernetes 1.32.0 -> 1.32.4 FORCED (…)`, … (plan's text lines). */
  changes: string[];
  /** Whether the run rolls out a held spec (maintenance.gardener.cloud/pending-spec). */
  heldSpec: boolean;
  kubernetes: KubernetesChange | null;
  workers: WorkerPlan[];
  credentialRotations: CredentialRotationChange[];
  /** The freeze covering the shoot at the occurrence's begin. */
  restriction: PlanRestriction | null;
  /** A NoUpgrades freeze: no run starts in this occurrence. */
  suppressed: boolean;
  /** What the freeze holds back (all of the run when suppressed). */
  deferred: DeferredChange[];
  /** Why the shoot cannot be planned (profile missing or unusable, object unreadable); the row has no changes. */
  error: string | null;
}

function emptyRow(input: ScheduleInput): ScheduleRow {
  return {
    shoot: `${input.namespace}/${input.name}`,
    namespace: input.namespace,
    name: input.name,
    window: null,
    timeZone: null,
    days: null,
    start: null,
    end: null,
    localStart: null,
    localEnd: null,
    changes: [],
    heldSpec: false,
    kubernetes: null,
    workers: [],
    credentialRotations: [],
    restriction: null,
    suppressed: false,
    deferred: [],
    error: input.error ?? null,
  };
}

/** The rows of one shoot in [from, to). */
export function shootRows(input: ScheduleInput, exclusions: ExclusionSet, from: Date, to: Date, options: MaintenanceOptions): ScheduleRow[] {
  const { shoot, index } = input;
  if (!shoot) return [emptyRow(input)];
  const schedule = scheduleOf(shoot);
  const rows: ScheduleRow[] = [];
  for (const occurrence of schedule.occurrencesBetween(from, to)) {
    const row: ScheduleRow = {
      ...emptyRow(input),
      timeZone: schedule.timeZone ?? null,
      days: schedule.days === undefined ? null : [...schedule.days],
      start: isoSeconds(occurrence.begin),
      end: isoSeconds(occurrence.end),
      localStart: schedule.localIso(occurrence.begin),
      localEnd: schedule.localIso(occurrence.end),
    };
    if (!index) {
      rows.push({ ...row, error: input.error ?? 'no cloud profile' });
      continue;
    }
    const restriction = restrictionAt(shoot, occurrence.begin, exclusions);
    const p = plan(shoot, index, occurrence.begin, options, restriction ? { restriction } : {});
    rows.push({
      ...row,
      window: windowText(p),
      changes: changeLines(p),
      heldSpec: p.heldSpecReleased && p.restriction?.scope !== 'NoUpgrades',
      kubernetes: p.restriction?.scope === 'NoUpgrades' ? null : p.kubernetes,
      workers: p.restriction?.scope === 'NoUpgrades' ? p.workers.map((w) => ({ name: w.name, kubernetes: null, machineImage: null })) : p.workers,
      credentialRotations: p.restriction?.scope === 'NoUpgrades' ? [] : p.credentialRotations,
      restriction: p.restriction,
      suppressed: p.restriction?.scope === 'NoUpgrades',
      deferred: p.deferred,
    });
  }
  return rows;
}

/** Every shoot's rows in [from, to), by start, then shoot; rows without an occurrence (unreadable shoots) last. */
export function scheduleRows(
  inputs: readonly ScheduleInput[],
  exclusions: ExclusionSet,
  from: Date,
  to: Date,
  options: MaintenanceOptions,
): ScheduleRow[] {
  return inputs
    .flatMap((input) => shootRows(input, exclusions, from, to, options))
    .sort((a, b) => {
      if (a.start !== b.start) return a.start === null ? 1 : b.start === null ? -1 : a.start < b.start ? -1 : 1;
      return a.shoot < b.shoot ? -1 : a.shoot > b.shoot ? 1 : 0;
    });
}

function versionBrief(label: string, change: KubernetesChange | null): string[] {
  if (!change) return [];
  return ['to' in change ? [`${label} ${change.from} -> ${change.to}${change.forced ? ' FORCED' : ''}`] : [`${label} ${change.from} ERROR`]].flat();
}

/** The changes without Gardener's reasons: `control plane 1.32.0 -> 1.32.4 FORCED`, `pool "w" image gardenlinux 1.0 -> 1.1`, `rotate-ssh-keypair`. */
export function briefChanges(row: ScheduleRow): string[] {
  const out: string[] = [];
  if (row.heldSpec) out.push('held spec rolled out');
  out.push(...versionBrief('control plane', row.kubernetes));
  for (const w of row.workers) out.push(...versionBrief(`pool "${w.name}"`, w.kubernetes));
  for (const w of row.workers) {
    const i = w.machineImage;
    if (i) out.push('to' in i ? `pool "${w.name}" image ${i.name} ${i.from} -> ${i.to}${i.forced ? ' FORCED' : ''}` : `pool "${w.name}" image ${i.name} ERROR`);
  }
  for (const r of row.credentialRotations) out.push('error' in r ? `${r.operation} ERROR` : r.operation);
  return out;
}

/** The one-line summary of a row's run: its changes, or what stops or holds it back. */
export function rowSummary(row: ScheduleRow): string {
  if (row.error !== null) return `ERROR: ${row.error}`;
  if (row.suppressed) return `suppressed by ${row.restriction?.exclusion ?? 'a freeze'} (NoUpgrades)`;
  const brief = briefChanges(row);
  const changes = brief.length > 0 ? brief.join(', ') : 'no changes';
  if (!row.restriction) return changes;
  const deferred = row.deferred.length > 0 ? `, deferring ${row.deferred.map(deferredText).join(', ')}` : '';
  return `${changes}; restricted by ${row.restriction.exclusion} (${row.restriction.scope})${deferred}`;
}
