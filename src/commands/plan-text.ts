// The text `shoot-maintenance plan` prints for operators (`-o text`): the window and whether the
// run is due, then one line per change of the plan (src/core/maintenance.ts, plan), forced ones
// marked FORCED, credential rotations with Gardener's texts, the status and the Events the run
// would leave.
import type { CredentialRotationChange, KubernetesChange, MachineImageChange, MaintenancePlan } from '../core/maintenance.js';
import { OP_MAINTAIN, OPERATION_ANNOTATION } from '../core/operations.js';

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

/** What an operator reads: the window, then one line per change (forced ones marked FORCED). */
export function renderPlanText(p: MaintenancePlan): string {
  const { namespace, name } = p.shoot.metadata;
  const lines: string[] = [];
  lines.push(`Shoot ${namespace ? `${namespace}/` : ''}${name ?? ''}`);
  lines.push(
    `Window: ${p.window.begin}-${p.window.end} (effective end ${p.window.effectiveEnd}), now ${p.window.inWindow ? 'inside' : 'outside'}; due: ${dueText(p)}`,
  );
  lines.push(`Next run: between ${p.nextRun.earliest} and ${p.nextRun.latest}`);
  const changes: string[] = [];
  if (p.heldSpecReleased) changes.push('Held spec (maintenance.gardener.cloud/pending-spec): rolled out');
  if (p.kubernetes) changes.push(kubernetesLine('Control plane', p.kubernetes));
  for (const w of p.workers) {
    if (w.kubernetes) changes.push(kubernetesLine(`Worker pool "${w.name}"`, w.kubernetes));
  }
  for (const w of p.workers) {
    if (w.machineImage) changes.push(imageLine(`Worker pool "${w.name}"`, w.machineImage));
  }
  for (const r of p.credentialRotations) changes.push(rotationLine(r));
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
