// The notice before a forced update, as the scheduler gives it (docs/design.md, "Notice before a
// forced update"): for every notice core computes (src/core/forced-update-notice.ts) ONE Normal
// Event `ForcedUpdateScheduled` on the Shoot, once per component, version and expiry, also across
// restarts and after the Event itself expired (kube-apiserver --event-ttl): the notices given are
// kept in the Shoot's `maintenance.gardener.cloud/forced-update-notices` annotation, a JSON object
// component → `<version>@<expiry>`, pruned to the notices that still apply, written by a merge
// patch of metadata only. The gauge shoot_maintenance_forced_update_timestamp_seconds carries each
// notice's planned instant. Leader only (the scheduler calls it only while leading).
import type { Gauge } from 'prom-client';
import type { CatalogueIndex } from '../core/cloudprofile.js';
import { CLOUD_PROFILE_KIND } from '../core/cloudprofile-types.js';
import {
  type ForcedUpdateNotice,
  forcedUpdateNoticeMessage,
  forcedUpdateNotices,
  noticeKey,
} from '../core/forced-update-notice.js';
import type { ExclusionSet } from '../core/maintenance-exclusion.js';
import type { MaintenanceOptions } from '../core/maintenance.js';
import type { PlannedEvent } from '../core/maintenance-messages.js';
import { FORCED_UPDATE_NOTICES_ANNOTATION } from '../core/operations.js';
import { annotationsOf, cloudProfileRefOf, type ProfileRef, type Shoot } from '../core/shoot.js';

export { FORCED_UPDATE_NOTICES_ANNOTATION };
export const EVENT_REASON_FORCED_UPDATE_SCHEDULED = 'ForcedUpdateScheduled';

/** The API calls the notifier makes (the scheduler's guarded client in production, fakes in tests). */
export interface NoticeApi {
  /** `dedupKey`: the same key for the same shoot records the Event once (a deterministic name). */
  recordEvent(shoot: Shoot, event: PlannedEvent, dedupKey: string): Promise<void>;
  /** Merge patch of metadata.annotations (null deletes). */
  patchAnnotations(shoot: Shoot, annotations: Record<string, string | null>): Promise<void>;
}

export interface NotifierDeps {
  api: NoticeApi;
  catalogue: (ref: ProfileRef) => CatalogueIndex | undefined;
  options: MaintenanceOptions;
  /** ≤ 0: no notices (and no annotation written). */
  noticePeriodMs: number;
  exclusions: () => ExclusionSet;
  now: () => Date;
  /** shoot_maintenance_forced_update_timestamp_seconds{namespace,name,component}. */
  gauge: Gauge<'namespace' | 'name' | 'component'>;
}

/** The notices given, as the annotation keeps them (an unreadable value counts as none given). */
export function givenNoticesOf(shoot: Shoot): Record<string, string> {
  const raw = annotationsOf(shoot)[FORCED_UPDATE_NOTICES_ANNOTATION];
  if (raw === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
}

function annotationValue(given: Record<string, string>): string | null {
  const keys = Object.keys(given).sort();
  return keys.length === 0 ? null : JSON.stringify(Object.fromEntries(keys.map((k) => [k, given[k]])));
}

const keyOfShoot = (shoot: Shoot) => `${shoot.metadata.namespace ?? ''}/${shoot.metadata.name ?? ''}`;

export class ForcedUpdateNotifier {
  /** The gauge's components per shoot key, to remove the series that no longer apply. */
  private readonly series = new Map<string, Set<string>>();
  /** One observation per shoot at a time; a newer one asked for meanwhile runs after it, with the newest shoot. */
  private readonly busy = new Map<string, Promise<void>>();
  private readonly pending = new Map<string, Shoot>();

  constructor(private readonly deps: NotifierDeps) {}

  get enabled(): boolean {
    return this.deps.noticePeriodMs > 0;
  }

  /** Records the notices the shoot has not had yet and updates the gauge. Resolves when done (errors are thrown). */
  observe(shoot: Shoot): Promise<void> {
    if (!this.enabled) return Promise.resolve();
    const key = keyOfShoot(shoot);
    const running = this.busy.get(key);
    if (running) {
      this.pending.set(key, shoot);
      return running;
    }
    const task = this.observeNow(shoot).finally(() => {
      this.busy.delete(key);
      const next = this.pending.get(key);
      this.pending.delete(key);
      if (next) void this.observe(next).catch(() => undefined);
    });
    this.busy.set(key, task);
    return task;
  }

  /** The shoot is gone (or this replica stopped leading): its series go. */
  forget(key: string): void {
    const [namespace = '', name = ''] = key.split('/');
    for (const component of this.series.get(key) ?? []) this.deps.gauge.remove({ namespace, name, component });
    this.series.delete(key);
    this.pending.delete(key);
  }

  forgetAll(): void {
    for (const key of [...this.series.keys()]) this.forget(key);
  }

  /** The notices that apply to the shoot now (undefined: its profile is unknown, nothing is decided). */
  noticesOf(shoot: Shoot): ForcedUpdateNotice[] | undefined {
    if (shoot.metadata.deletionTimestamp) return [];
    const index = this.deps.catalogue(cloudProfileRefOf(shoot) ?? { kind: CLOUD_PROFILE_KIND, name: '' });
    if (!index) return undefined;
    return forcedUpdateNotices(shoot, index, this.deps.now(), this.deps.noticePeriodMs, this.deps.options, this.deps.exclusions());
  }

  private async observeNow(shoot: Shoot): Promise<void> {
    const key = keyOfShoot(shoot);
    const notices = this.noticesOf(shoot);
    if (notices === undefined) return;
    try {
      await this.record(shoot, notices);
    } finally {
      // Last: a series present means this observation is complete (the e2e test waits on it).
      this.updateGauge(key, notices);
    }
  }

  private async record(shoot: Shoot, notices: ForcedUpdateNotice[]): Promise<void> {

    const given = givenNoticesOf(shoot);
    const desired: Record<string, string> = {};
    const errors: string[] = [];
    for (const notice of notices) {
      const noticed = noticeKey(notice);
      if (given[notice.component] === noticed) {
        desired[notice.component] = noticed;
        continue;
      }
      try {
        await this.deps.api.recordEvent(
          shoot,
          { type: 'Normal', reason: EVENT_REASON_FORCED_UPDATE_SCHEDULED, message: forcedUpdateNoticeMessage(notice) },
          `forced-update-notice/${notice.component}/${noticed}`,
        );
        desired[notice.component] = noticed;
      } catch (err) {
        // Not marked as given: the next observation tries again.
        errors.push(err instanceof Error ? err.message : String(err));
      }
    }
    const before = annotationValue(given);
    const after = annotationValue(desired);
    if (before !== after || (after === null && annotationsOf(shoot)[FORCED_UPDATE_NOTICES_ANNOTATION] !== undefined)) {
      await this.deps.api.patchAnnotations(shoot, { [FORCED_UPDATE_NOTICES_ANNOTATION]: after });
    }
    if (errors.length > 0) throw new Error(`recording ForcedUpdateScheduled events failed: ${errors.join('; ')}`);
  }

  private updateGauge(key: string, notices: ForcedUpdateNotice[]): void {
    const [namespace = '', name = ''] = key.split('/');
    const now = new Set(notices.map((n) => n.component));
    for (const component of this.series.get(key) ?? []) {
      if (!now.has(component)) this.deps.gauge.remove({ namespace, name, component });
    }
    for (const n of notices) this.deps.gauge.set({ namespace, name, component: n.component }, Date.parse(n.planned) / 1000);
    if (now.size === 0) this.series.delete(key);
    else this.series.set(key, now);
  }
}
