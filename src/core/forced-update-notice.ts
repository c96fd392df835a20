// Notice before a forced update (this project's; docs/design.md, "Notice before a forced update"):
// which versions of a shoot are not expired yet but expire within the notice period, and when
// maintenance will force them up. Pure and deterministic: the caller hands in `now`.
//
// Per component (the control plane's Kubernetes version, each pool's Kubernetes version and
// machine image version): the expiry is the start of the version's `expired` lifecycle stage
// (versions.ts, expiryMsOf: lifecycle or expirationDate). The planned instant is the begin of the
// first occurrence of the shoot's schedule after the expiry that no freeze defers the change in
// (maintenance-exclusion.ts: NoUpgrades defers all, the other scopes a minor or image change as
// plan() decides it); the target is what plan() computes at that instant. A version an occurrence
// before the expiry already updates (auto-update) gets no notice: it is never forced.
import type { CatalogueIndex } from './cloudprofile.js';
import { goQuote } from './field-errors.js';
import { type MaintenanceOptions, type MaintenancePlan, plan } from './maintenance.js';
import { exclusionName, type ExclusionScope, type ExclusionSet, restrictionAt, scopeEffects } from './maintenance-exclusion.js';
import { scheduleOf } from './maintenance-schedule.js';
import { type Shoot, workersOf } from './shoot.js';
import { isoSeconds } from './timewindow.js';
import { expiryMsOf, findVersion, type IndexedVersion, isExpired } from './versions.js';

export type NoticeSubject = 'kubernetes' | 'machine-image';

export interface ForcedUpdateNotice {
  /** `control plane`, `worker pool "a"`, `worker pool "a" machine image`. */
  component: string;
  subject: NoticeSubject;
  /** The worker pool, for the pool components. */
  pool?: string;
  /** The machine image, for an image notice. */
  imageName?: string;
  from: string;
  /** What plan() updates to at the planned instant; undefined when it reports `error`. */
  to?: string;
  /** plan()'s failure at the planned instant (no suitable version), when there is one. */
  error?: string;
  /** Start of the expired stage, UTC ISO seconds. */
  expiry: string;
  /** Begin of the occurrence the forced update happens in: UTC ISO seconds and local ISO. */
  planned: string;
  plannedLocal: string;
  /** The freeze that deferred the update past the first occurrence after the expiry (the last one, when several did). */
  deferredBy?: { exclusion: string; scope: ExclusionScope; until: string };
}

/** Occurrences a freeze may push the forced update across before the search gives up (far beyond any freeze). */
const MAX_DEFERRED_OCCURRENCES = 1000;

interface Candidate {
  component: string;
  subject: NoticeSubject;
  pool?: string;
  imageName?: string;
  from: string;
  expiryMs: number;
}

type ComponentChange = { to: string } | { error: string } | undefined;

/** The change plan() makes to the candidate's component (undefined: none). */
function changeIn(p: MaintenancePlan, c: Candidate): ComponentChange {
  let change;
  if (c.pool === undefined) change = p.kubernetes;
  else {
    const w = p.workers.find((x) => x.name === c.pool);
    change = c.subject === 'kubernetes' ? w?.kubernetes : w?.machineImage;
  }
  if (!change) return undefined;
  return 'to' in change ? { to: change.to } : { error: change.error };
}

function withinPeriod(v: IndexedVersion | undefined, now: Date, noticePeriodMs: number): number | undefined {
  if (v === undefined || isExpired(v, now)) return undefined;
  const expiry = expiryMsOf(v);
  if (expiry === undefined || expiry < now.getTime() || expiry - now.getTime() > noticePeriodMs) return undefined;
  return expiry;
}

/** The components whose version expires within the notice period (not expired at now). */
function candidatesOf(shoot: Shoot, index: CatalogueIndex, now: Date, noticePeriodMs: number): Candidate[] {
  const out: Candidate[] = [];
  const controlPlane = shoot.spec.kubernetes.version;
  if (controlPlane !== undefined) {
    const expiry = withinPeriod(findVersion(index.kubernetes, controlPlane), now, noticePeriodMs);
    if (expiry !== undefined) out.push({ component: 'control plane', subject: 'kubernetes', from: controlPlane, expiryMs: expiry });
  }
  for (const worker of workersOf(shoot)) {
    const version = worker.kubernetes?.version;
    if (version !== undefined) {
      const expiry = withinPeriod(findVersion(index.kubernetes, version), now, noticePeriodMs);
      if (expiry !== undefined) out.push({ component: `worker pool ${goQuote(worker.name)}`, subject: 'kubernetes', pool: worker.name, from: version, expiryMs: expiry });
    }
    const image = worker.machine.image;
    if (image?.name !== undefined && image.version !== undefined) {
      const entry = index.machineImages.get(image.name.toLowerCase());
      const expiry = withinPeriod(entry?.versions.find((v) => v.version === image.version), now, noticePeriodMs);
      if (expiry !== undefined) {
        out.push({
          component: `worker pool ${goQuote(worker.name)} machine image`,
          subject: 'machine-image',
          pool: worker.name,
          imageName: entry?.image.name ?? image.name,
          from: image.version,
          expiryMs: expiry,
        });
      }
    }
  }
  return out;
}

/**
 * The notices for a shoot at now: each component whose version is not expired at now and expires
 * within `noticePeriodMs` (≤ 0: none), with the forced update maintenance will make.
 */
export function forcedUpdateNotices(
  shoot: Shoot,
  index: CatalogueIndex,
  now: Date,
  noticePeriodMs: number,
  options: MaintenanceOptions,
  exclusions: ExclusionSet,
): ForcedUpdateNotice[] {
  if (!(noticePeriodMs > 0)) return [];
  let candidates = candidatesOf(shoot, index, now, noticePeriodMs);
  if (candidates.length === 0) return [];
  const schedule = scheduleOf(shoot);
  const planAt = (at: Date) => {
    const restriction = restrictionAt(shoot, at, exclusions);
    return { restriction, p: plan(shoot, index, at, options, restriction ? { restriction } : {}) };
  };

  // A run before the expiry that already updates the version (auto-update): nothing is forced.
  const lastExpiry = Math.max(...candidates.map((c) => c.expiryMs));
  for (const o of schedule.occurrencesBetween(new Date(now.getTime() + 1), new Date(lastExpiry + 1))) {
    const open = candidates.filter((c) => o.begin.getTime() <= c.expiryMs);
    if (open.length === 0) continue;
    const { restriction, p } = planAt(o.begin);
    if (restriction && !scopeEffects(restriction.scope).run) continue;
    const updated = new Set(open.filter((c) => { const change = changeIn(p, c); return change !== undefined && 'to' in change; }));
    candidates = candidates.filter((c) => !updated.has(c));
  }

  const notices: ForcedUpdateNotice[] = [];
  for (const c of candidates) {
    let occurrence = schedule.nextOccurrence(new Date(c.expiryMs));
    let deferredBy: ForcedUpdateNotice['deferredBy'];
    let change: ComponentChange;
    for (let i = 0; ; i++) {
      const { restriction, p } = planAt(occurrence.begin);
      change = restriction && !scopeEffects(restriction.scope).run ? undefined : changeIn(p, c);
      if (change !== undefined || !restriction || i >= MAX_DEFERRED_OCCURRENCES) break;
      deferredBy = { exclusion: exclusionName(restriction.exclusion), scope: restriction.scope, until: isoSeconds(Date.parse(restriction.exclusion.spec.end)) };
      occurrence = schedule.nextOccurrence(occurrence.begin);
    }
    notices.push({
      component: c.component,
      subject: c.subject,
      ...(c.pool === undefined ? {} : { pool: c.pool }),
      ...(c.imageName === undefined ? {} : { imageName: c.imageName }),
      from: c.from,
      ...(change === undefined ? { error: 'maintenance would not update it' } : 'to' in change ? { to: change.to } : { error: change.error }),
      expiry: isoSeconds(c.expiryMs),
      planned: isoSeconds(occurrence.begin),
      plannedLocal: schedule.localIso(occurrence.begin),
      ...(deferredBy ? { deferredBy } : {}),
    });
  }
  return notices;
}

/** What a notice says has expired, e.g. `Kubernetes version of the control plane`. */
function subjectText(n: ForcedUpdateNotice): string {
  const where = n.pool === undefined ? 'the control plane' : `worker pool ${goQuote(n.pool)}`;
  return n.subject === 'kubernetes' ? `Kubernetes version of ${where}` : `Machine image version of ${where}`;
}

/**
 * The ForcedUpdateScheduled Event's message: `Kubernetes version of the control plane expires
 * <expiry>: forced update from "1.32.9" to "1.32.10" in the maintenance window starting <local>
 * (<utc>)` (the UTC time left out when the local one is UTC), with `, deferred by <exclusion> until <end>` when a freeze pushed it later.
 */
export function forcedUpdateNoticeMessage(n: ForcedUpdateNotice): string {
  const what = n.subject === 'machine-image' ? `forced update of machine image ${goQuote(n.imageName ?? '')} from ${goQuote(n.from)}` : `forced update from ${goQuote(n.from)}`;
  const window = `in the maintenance window starting ${n.plannedLocal}${n.plannedLocal === n.planned ? '' : ` (${n.planned})`}`;
  const deferral = n.deferredBy ? `, deferred by ${n.deferredBy.exclusion} until ${n.deferredBy.until}` : '';
  const body = n.to !== undefined ? `${what} to ${goQuote(n.to)} ${window}${deferral}` : `${what} ${window}${deferral} will fail: ${n.error ?? ''}`;
  return `${subjectText(n)} expires ${n.expiry}: ${body}`;
}

/** The once-only identity of a notice: its component, and the version and expiry it is about. */
export function noticeKey(n: Pick<ForcedUpdateNotice, 'from' | 'expiry'>): string {
  return `${n.from}@${n.expiry}`;
}
