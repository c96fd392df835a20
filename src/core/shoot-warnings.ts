// The warnings of the validating webhook for Shoots (this project's, beside Gardener's validation
// in validation.ts): versions this request sets or changes that are deprecated, expire within
// --expiry-warning-days (with when maintenance forces the update: the first occurrence of the
// shoot's schedule after the expiry; freezes are not known here), or are expired. Every admission
// warning stays below 120 characters (MAX_WARNING_LENGTH, also applied to every warning by
// src/admission/review.ts).

import type { CatalogueIndex } from './cloudprofile.js';
import { goQuote } from './field-errors.js';
import { scheduleOf } from './maintenance-schedule.js';
import { scheduleWarning } from './schedule-validation.js';
import { type Shoot, workersOf } from './shoot.js';
import { DAY_MS, isoSeconds } from './timewindow.js';
import { imageChanged, workerVersionOf } from './validation.js';
import { expiryMsOf, type IndexedVersion, isDeprecated, isExpired } from './versions.js';

/** Kubernetes warns that longer warnings may be truncated: every warning stays below 120 characters. */
export const MAX_WARNING_LENGTH = 119;

/** A warning cut to MAX_WARNING_LENGTH characters, ending in `...` when cut. */
export function clipWarning(text: string): string {
  return text.length <= MAX_WARNING_LENGTH ? text : `${text.slice(0, MAX_WARNING_LENGTH - 3)}...`;
}

/** An instant without its seconds when they are zero: `2026-12-09T01:00Z` (still ISO 8601). */
function isoMinutes(ms: number): string {
  const text = isoSeconds(ms);
  return text.endsWith(':00Z') ? `${text.slice(0, -4)}Z` : text;
}

/**
 * The texts a version's warning may end in, longest first (the caller takes the first that fits
 * MAX_WARNING_LENGTH): `is deprecated and expires on <date>, forced update from <begin>`, the same
 * without `is deprecated and`, then with minute precision, then without `on`; `is expired`, `is deprecated`; none: [].
 */
function versionRemarks(shoot: Shoot, v: IndexedVersion, now: Date, expiryWarningDays: number): string[] {
  if (isExpired(v, now)) return ['is expired'];
  const deprecated = isDeprecated(v, now);
  const expiry = expiryMsOf(v);
  if (expiry === undefined || expiry <= now.getTime() || expiry - now.getTime() > expiryWarningDays * DAY_MS) {
    return deprecated ? ['is deprecated'] : [];
  }
  const forced = scheduleOf(shoot).nextOccurrence(new Date(expiry)).begin.getTime();
  const long = `expires on ${isoSeconds(expiry)}, forced update from ${isoSeconds(forced)}`;
  return [
    ...(deprecated ? [`is deprecated and ${long}`] : []),
    long,
    `expires on ${isoMinutes(expiry)}, forced update from ${isoMinutes(forced)}`,
    `expires ${isoMinutes(expiry)}, forced update from ${isoMinutes(forced)}`,
  ];
}

/** `<subject> <remark>` with the longest remark that fits MAX_WARNING_LENGTH, else the shortest clipped. */
function versionWarning(subject: string, remarks: string[]): string | undefined {
  if (remarks.length === 0) return undefined;
  const texts = remarks.map((r) => `${subject} ${r}`);
  return texts.find((t) => t.length <= MAX_WARNING_LENGTH) ?? clipWarning(texts.at(-1) ?? '');
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
    const warning = v && versionWarning(`Kubernetes version ${controlPlane} of the control plane`, versionRemarks(shoot, v, now, expiryWarningDays));
    if (warning) warnings.push(warning);
  }

  const oldWorkers = oldShoot ? workersOf(oldShoot) : [];
  for (const worker of workersOf(shoot)) {
    const oldWorker = oldWorkers.find((w) => w.name === worker.name);
    const version = workerVersionOf(worker);
    if (version !== undefined && (oldWorker === undefined || version !== workerVersionOf(oldWorker))) {
      const v = findIndexed(index.kubernetes, version);
      const warning = v && versionWarning(`Kubernetes version ${version} of worker pool ${goQuote(worker.name)}`, versionRemarks(shoot, v, now, expiryWarningDays));
      if (warning) warnings.push(warning);
    }
    const image = worker.machine.image;
    if (image?.name !== undefined && image.version !== undefined && imageChanged(worker, oldWorker)) {
      const entry = index.machineImages.get(image.name.toLowerCase());
      const v = entry && findIndexed(entry.versions, image.version);
      const warning = v && versionWarning(`machine image ${image.name} ${image.version} of worker pool ${goQuote(worker.name)}`, versionRemarks(shoot, v, now, expiryWarningDays));
      if (warning) warnings.push(warning);
    }
  }
  return warnings;
}
