// The text `shoot-maintenance plan` prints for operators (`-o text`): the window (as written, with
// its time zone and days when the schedule annotations set them) and whether the run is due, the
// next run in local time and UTC, the freeze covering the shoot and what it defers, then one line
// per change of the plan (src/core/maintenance.ts, plan), forced ones marked FORCED, credential
// rotations with Gardener's texts, the status and the Events the run would leave.
import type {
  CredentialRotationChange,
  DeferredChange,
  KubernetesChange,
  MachineImageChange,
  MaintenancePlan,
  PlanRestriction,
} from '../core/maintenance.js';
import { OP_MAINTAIN, OPERATION_ANNOTATION } from '../core/operations.js';
import { formatOffset } from '../core/time-zone.js';
import { parseTimeWindow, type WrittenTime } from '../core/timewindow.js';

function kubernetesLine(label: string, change: KubernetesChange): string {
  return 'to' in change
    ? `${label}: Kubernetes ${change.from} -> ${change.to}${change.forced ? ' FORCED' : ''} (${change.reason})`
    : `${label}: Kubernetes ${change.from} ERROR: ${change.error} (${change.reason})`;
}

function imageLine(label: string, change: MachineImageChange): string {
  return 'to' in change
    ? `${label}: machine image ${change.name} ${change.from} -> ${change.to}${change.forced ? ' FORCED' : ''} (${change.reason})`
    : `${label}: machine image ${change.name} ${change.from} ERROR: ${change.error} (${change.reason})`;
}

function rotationLine(change: CredentialRotationChange): string {
  const label = `Credentials "${change.operation}"`;
  return 'error' in change ? `${label}: ERROR: ${change.error} (${change.reason})` : `${label}: ${change.description} (${change.reason})`;
}

/** `yes`, `no`, with the reason when the window alone does not tell it. */
function dueText(p: MaintenancePlan): string {
  switch (p.dueReason) {
    case 'maintain-requested':
      return `yes (${OPERATION_ANNOTATION}=${OP_MAINTAIN})`;
    case 'in-window':
      return 'yes';
    case 'outside-window':
      return 'no';
    case 'maintained-in-this-occurrence':
      return `no (already maintained in this window occurrence at ${p.maintainedAt ?? ''})`;
    case 'excluded':
      return `no (${p.restriction?.scope ?? ''} freeze: ${p.restriction?.exclusion ?? ''} until ${p.restriction?.end ?? ''})`;
  }
}

function writtenText(t: WrittenTime): string {
  const s = ((t.localSeconds % 86400) + 86400) % 86400;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(Math.floor(s / 3600))}${two(Math.floor(s / 60) % 60)}${two(s % 60)}${formatOffset(t.offsetSeconds / 60)}`;
}

/**
 * The window as a line. Without schedule annotations Gardener's daily UTC window, as before:
 * `220000+0000-230000+0000 (effective end 224500+0000)`. With them, the window as written (wall-clock
 * times in the zone) with the zone and the days: `020000+0100-040000+0100 (Europe/Berlin, Tue,Thu;
 * effective end 034500+0100)`; its UTC instants move with the zone's offset, so they are given per
 * occurrence (the next run's line).
 */
export function windowText(p: MaintenancePlan): string {
  const { timeZone, days } = p.window;
  const spec = p.shoot.spec.maintenance?.timeWindow;
  const parsed = spec ? parseTimeWindow(spec) : undefined;
  if ((timeZone === null && days === null) || !parsed?.ok) {
    const where = timeZone === null && days === null ? '' : `${timeZone ?? 'UTC'}, ${days?.join(',') ?? 'every day'}; `;
    return `${p.window.begin}-${p.window.end} (${where}effective end ${p.window.effectiveEnd})`;
  }
  const { begin, end } = parsed.written;
  const effectiveEnd = { localSeconds: end.localSeconds - 15 * 60, offsetSeconds: end.offsetSeconds };
  const zone = timeZone ?? `fixed offset ${formatOffset(begin.offsetSeconds / 60)}`;
  return `${writtenText(begin)}-${writtenText(end)} (${zone}, ${days?.join(',') ?? 'every day'}; effective end ${writtenText(effectiveEnd)})`;
}

/** `2026-10-25T00:00:00.000Z` → `2026-10-25T00:00:00Z`. */
function utcSeconds(iso: string): string {
  return iso.replace(/\.\d{3}Z$/, 'Z');
}

/** The next run: in UTC, or in local time with UTC beside it when the local offset is not zero. */
export function nextRunText(p: MaintenancePlan): string {
  const { earliest, latest, localEarliest, localLatest } = p.nextRun;
  if (localEarliest === utcSeconds(earliest) && localLatest === utcSeconds(latest)) return `between ${earliest} and ${latest}`;
  return `between ${localEarliest} and ${localLatest} (UTC ${utcSeconds(earliest)} – ${utcSeconds(latest)})`;
}

/** `MaintenanceExclusion "team-a/xmas" (NoMinorUpgrades) until 2026-12-31T00:00:00Z: release freeze` */
export function restrictionText(r: PlanRestriction): string {
  return `${r.exclusion} (${r.scope}) until ${r.end}${r.reason ? `: ${r.reason}` : ''}`;
}

/** `control plane: Kubernetes version "1.32.0" to "1.32.4" FORCED` */
export function deferredText(d: DeferredChange): string {
  return `${d.component}: ${d.change}${d.forced ? ' FORCED' : ''}`;
}

/**
 * What the run changes on the shoot: the held spec, versions, machine images (forced ones marked
 * FORCED, failures as ERROR) and credential rotations — without the operation texts, the
 * annotations and the tasks every run adds.
 */
export function changeLines(p: MaintenancePlan): string[] {
  const changes: string[] = [];
  if (p.restriction?.scope === 'NoUpgrades') return changes;
  if (p.heldSpecReleased) changes.push('Held spec (maintenance.gardener.cloud/pending-spec): rolled out');
  if (p.kubernetes) changes.push(kubernetesLine('Control plane', p.kubernetes));
  for (const w of p.workers) {
    if (w.kubernetes) changes.push(kubernetesLine(`Worker pool "${w.name}"`, w.kubernetes));
  }
  for (const w of p.workers) {
    if (w.machineImage) changes.push(imageLine(`Worker pool "${w.name}"`, w.machineImage));
  }
  for (const r of p.credentialRotations) changes.push(rotationLine(r));
  return changes;
}

/** What an operator reads: the window, the freeze, then one line per change (forced ones marked FORCED). */
export function renderPlanText(p: MaintenancePlan): string {
  const { namespace, name } = p.shoot.metadata;
  const lines: string[] = [];
  lines.push(`Shoot ${namespace ? `${namespace}/` : ''}${name ?? ''}`);
  lines.push(`Window: ${windowText(p)}, now ${p.window.inWindow ? 'inside' : 'outside'}; due: ${dueText(p)}`);
  lines.push(`Next run: ${nextRunText(p)}`);
  if (p.restriction) {
    lines.push(`Freeze: ${restrictionText(p.restriction)}`);
    lines.push(...(p.deferred.length > 0 ? ['Deferred by the freeze:', ...p.deferred.map((d) => `  ${deferredText(d)}`)] : ['Deferred by the freeze: nothing']));
  }
  if (p.restriction?.scope === 'NoUpgrades') {
    // No run starts under NoUpgrades: what it would have changed is the deferred list above.
    lines.push('Changes: none (the NoUpgrades freeze suppresses the run)');
    return `${lines.join('\n')}\n`;
  }
  const changes = changeLines(p);
  for (const op of p.operations) changes.push(`Operation: ${op}`);
  const { from, to } = p.operationAnnotation;
  if (from !== to) changes.push(`Annotation ${OPERATION_ANNOTATION}: ${from === undefined ? '(none)' : from} -> ${to === undefined ? '(removed)' : to}`);
  if (p.tasksAdded.length > 0) changes.push(`Tasks added: ${p.tasksAdded.join(',')}`);
  lines.push(...(changes.length > 0 ? ['Changes:', ...changes.map((c) => `  ${c}`)] : ['Changes: none']));
  lines.push(`Last maintenance: ${p.lastMaintenance.state}: ${p.lastMaintenance.description}`);
  if (p.lastMaintenance.failureReason) lines.push(`Failure reason: ${p.lastMaintenance.failureReason}`);
  for (const e of p.events) lines.push(`Event ${e.type} ${e.reason}: ${e.message}`);
  return `${lines.join('\n')}\n`;
}
