// The warnings of the validating webhook for Shoots (this project's, beside Gardener's validation
// in validation.ts): versions this request sets or changes that are deprecated, expire within
// --expiry-warning-days, or are expired. Every admission warning stays below 120 characters
// (MAX_WARNING_LENGTH, also applied to every warning by src/admission/review.ts).

import type { CatalogueIndex } from './cloudprofile.js';
import { goQuote } from './field-errors.js';
import { scheduleWarning } from './schedule-validation.js';
import { type Shoot, workersOf } from './shoot.js';
import { DAY_MS, isoSeconds } from './timewindow.js';
import { imageChanged, workerVersionOf } from './validation.js';
import { type IndexedVersion, isDeprecated, isExpired } from './versions.js';

/** Kubernetes warns that longer warnings may be truncated: every warning stays below 120 characters. */
export const MAX_WARNING_LENGTH = 119;

/** A warning cut to MAX_WARNING_LENGTH characters, ending in `...` when cut. */
export function clipWarning(text: string): string {
  return text.length <= MAX_WARNING_LENGTH ? text : `${text.slice(0, MAX_WARNING_LENGTH - 3)}...`;
}

/** When the version's expired stage begins, if it has one. */
function expiryMs(v: IndexedVersion): number | undefined {
  const stage = v.stages?.find((s) => s.classification === 'expired');
  return stage && Number.isFinite(stage.startMs) ? stage.startMs : undefined;
}

/** `… is deprecated`, `… expires on <date>`, `… is expired`, or undefined when nothing to say. */
function versionRemark(v: IndexedVersion, now: Date, expiryWarningDays: number): string | undefined {
  if (isExpired(v, now)) return 'is expired';
  const remarks: string[] = [];
  if (isDeprecated(v, now)) remarks.push('is deprecated');
  const expiry = expiryMs(v);
  if (expiry !== undefined && expiry > now.getTime() && expiry - now.getTime() <= expiryWarningDays * DAY_MS) {
    remarks.push(`expires on ${isoSeconds(expiry)}`);
  }
  return remarks.length > 0 ? remarks.join(' and ') : undefined;
}

function findIndexed(list: IndexedVersion[], version: string): IndexedVersion | undefined {
  return list.find((v) => v.version === version);
}

/**
 * Warnings for the shoot validated (validateShoot's `shoot`: a submitted held spec applied), for
 * the versions this request sets or changes (CREATE: all; UPDATE: a changed
 * control plane version, changed pool versions or images, new pools), so that unrelated
 * updates are not nagged: a deprecated version, a version expiring within `expiryWarningDays`
 * (with its date), or an expired one (accepted on update for forced maintenance). Each < 120 chars.
 */
export function shootWarnings(input: {
  shoot: Shoot;
  oldShoot?: Shoot;
  index: CatalogueIndex | undefined;
  now: Date;
  expiryWarningDays: number;
}): string[] {
  const { shoot, oldShoot, index, now, expiryWarningDays } = input;
  const warnings: string[] = [];
  const schedule = scheduleWarning(shoot, now);
  if (schedule !== undefined) warnings.push(clipWarning(schedule));
  if (index === undefined) return warnings;

  const controlPlane = shoot.spec.kubernetes.version ?? '';
  if (controlPlane !== oldShoot?.spec.kubernetes.version) {
    const v = findIndexed(index.kubernetes, controlPlane);
    const remark = v && versionRemark(v, now, expiryWarningDays);
    if (remark) warnings.push(clipWarning(`Kubernetes version ${controlPlane} of the control plane ${remark}`));
  }

  const oldWorkers = oldShoot ? workersOf(oldShoot) : [];
  for (const worker of workersOf(shoot)) {
    const oldWorker = oldWorkers.find((w) => w.name === worker.name);
    const version = workerVersionOf(worker);
    if (version !== undefined && (oldWorker === undefined || version !== workerVersionOf(oldWorker))) {
      const v = findIndexed(index.kubernetes, version);
      const remark = v && versionRemark(v, now, expiryWarningDays);
      if (remark) warnings.push(clipWarning(`Kubernetes version ${version} of worker pool ${goQuote(worker.name)} ${remark}`));
    }
    const image = worker.machine.image;
    if (image?.name !== undefined && image.version !== undefined && imageChanged(worker, oldWorker)) {
      const entry = index.machineImages.get(image.name.toLowerCase());
      const v = entry && findIndexed(entry.versions, image.version);
      const remark = v && versionRemark(v, now, expiryWarningDays);
      if (remark) warnings.push(clipWarning(`machine image ${image.name} ${image.version} of worker pool ${goQuote(worker.name)} ${remark}`));
    }
  }
  return warnings;
}
