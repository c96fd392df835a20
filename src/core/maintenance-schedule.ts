// A shoot's maintenance schedule: the occurrences of its effective window in absolute time
// (docs/design.md, "Maintenance schedules"). Without the two annotations below it is Gardener's
// daily UTC window exactly (timewindow.ts, TimeWindow.effective(); gardener/gardener
// pkg/utils/gardener/shoot.go, EffectiveMaintenanceTimeWindow). With them (this project's, not
// Gardener's):
//   maintenance.gardener.cloud/time-zone: Europe/Berlin  the window's HHMMSS are wall-clock times there
//   maintenance.gardener.cloud/days: Tue,Thu             the local weekdays an occurrence may begin on
// Occurrence rules: one per allowed local day, beginning at the window's begin on that day; a
// window that wraps midnight belongs to the day it begins; a wall-clock time in a gap moves
// forward by the gap, one that exists twice is the earlier instant (time-zone.ts); the effective
// end is 15 minutes of real time before the end; an occurrence with no effective time is skipped.
import { annotationsOf, type Shoot } from './shoot.js';
import { addDays, instantOfLocal, isKnownTimeZone, isoInOffset, isoWeekday, type LocalDate, localDateAt, zoneOffsetMinutes } from './time-zone.js';
import { DAY_MS, EFFECTIVE_WINDOW_END_CUT_MS, effectiveShootWindow, parseTimeWindow } from './timewindow.js';

export const TIME_ZONE_ANNOTATION = 'maintenance.gardener.cloud/time-zone';
export const DAYS_ANNOTATION = 'maintenance.gardener.cloud/days';

/** The weekday names of the days annotation, Monday first (ISO weekday − 1). */
export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** One occurrence of the effective window: maintenance may start at any instant in [begin, end]. */
export interface Occurrence {
  begin: Date;
  end: Date;
}

export interface MaintenanceSchedule {
  /** The IANA zone of the time-zone annotation, when set (and known). */
  readonly timeZone: string | undefined;
  /** The weekdays of the days annotation, when set (and valid); undefined = every day. */
  readonly days: readonly Weekday[] | undefined;
  /** The occurrence containing the instant (seconds truncated, both ends inclusive), if any. */
  occurrenceContaining(at: Date): Occurrence | undefined;
  /** The first occurrence beginning strictly after the instant. */
  nextOccurrence(after: Date): Occurrence;
  /** The occurrences beginning in [from, to), in order. */
  occurrencesBetween(from: Date, to: Date): Occurrence[];
  /** An instant as local ISO 8601 (the zone's offset then, else the window's written offset). */
  localIso(instant: Date): string;
}

// ---- the annotations ----------------------------------------------------------------------------

/** The days annotation parsed: `Tue,thu` → [Tue, Thu]; or the reason it is not a weekday list. */
export function parseDays(value: string): { ok: true; days: Weekday[] } | { ok: false; error: string } {
  const tokens = value.split(',').map((t) => t.trim());
  if (tokens.every((t) => t === '')) return { ok: false, error: 'must name at least one weekday' };
  const days: Weekday[] = [];
  for (const token of tokens) {
    const day = WEEKDAYS.find((d) => d.toLowerCase() === token.toLowerCase());
    if (day === undefined) {
      return { ok: false, error: `unknown weekday "${token}": supported values: ${WEEKDAYS.map((d) => `"${d}"`).join(', ')}` };
    }
    if (days.includes(day)) return { ok: false, error: `weekday "${day}" is given twice` };
    days.push(day);
  }
  return { ok: true, days };
}

/** The schedule annotations of a shoot that are valid (an invalid one counts as absent; the webhook refuses it). */
export function scheduleAnnotationsOf(shoot: Shoot): { timeZone?: string; days?: Weekday[] } {
  const annotations = annotationsOf(shoot);
  const zone = annotations[TIME_ZONE_ANNOTATION];
  const daysText = annotations[DAYS_ANNOTATION];
  const days = daysText === undefined ? undefined : parseDays(daysText);
  return {
    ...(zone !== undefined && isKnownTimeZone(zone) ? { timeZone: zone } : {}),
    ...(days?.ok ? { days: days.days } : {}),
  };
}

// ---- schedules ----------------------------------------------------------------------------------

/** Gardener's daily UTC window: no annotation set. */
class DailyUtcSchedule implements MaintenanceSchedule {
  readonly timeZone = undefined;
  readonly days = undefined;
  constructor(
    private readonly shoot: Shoot,
    private readonly displayOffsetMinutes: number,
  ) {}

  occurrenceContaining(at: Date): Occurrence | undefined {
    return effectiveShootWindow(this.shoot).occurrenceContaining(at);
  }

  nextOccurrence(after: Date): Occurrence {
    return effectiveShootWindow(this.shoot).nextOccurrence(after);
  }

  occurrencesBetween(from: Date, to: Date): Occurrence[] {
    const window = effectiveShootWindow(this.shoot);
    const out: Occurrence[] = [];
    for (let o = window.nextOccurrence(new Date(from.getTime() - 1)); o.begin < to; o = window.nextOccurrence(o.begin)) out.push(o);
    return out;
  }

  localIso(instant: Date): string {
    return isoInOffset(instant.getTime(), this.displayOffsetMinutes);
  }
}

/** How each local day's occurrence is laid out. */
interface DayRule {
  /** The zone, or undefined for the fixed offset below. */
  zone: string | undefined;
  /** Without a zone: the window's begin offset (minutes), which also decides the local weekday. */
  offsetMinutes: number;
  /** Begin and end as wall-clock seconds after midnight of the day it begins. */
  beginSeconds: number;
  /** Without a zone: the window's length as written (begin and end may carry different offsets). */
  durationMs: number;
  endSeconds: number;
  /** The 15-minute cut (none for the whole-day window of a shoot without one). */
  cutMs: number;
  days: readonly Weekday[] | undefined;
}

const SEARCH_DAYS = 800;

/** A schedule with a time zone and/or weekdays. */
class DayRuleSchedule implements MaintenanceSchedule {
  readonly timeZone: string | undefined;
  readonly days: readonly Weekday[] | undefined;
  constructor(private readonly rule: DayRule) {
    this.timeZone = rule.zone;
    this.days = rule.days;
  }

  private localDateOf(instantMs: number): LocalDate {
    const offset = this.rule.zone === undefined ? this.rule.offsetMinutes : zoneOffsetMinutes(this.rule.zone, instantMs);
    return localDateAt(instantMs, offset);
  }

  /** The occurrence beginning on a local day, or undefined (not an allowed day, no effective time). */
  private occurrenceOn(date: LocalDate): Occurrence | undefined {
    const { zone, days, beginSeconds, endSeconds, offsetMinutes, durationMs, cutMs } = this.rule;
    const weekday = WEEKDAYS[isoWeekday(date) - 1];
    if (days !== undefined && (weekday === undefined || !days.includes(weekday))) return undefined;
    let begin: number;
    let end: number;
    if (zone === undefined) {
      begin = Date.UTC(date.year, date.month - 1, date.day) + (beginSeconds - offsetMinutes * 60) * 1000;
      end = begin + durationMs;
    } else {
      begin = instantOfLocal(zone, date, beginSeconds);
      end = instantOfLocal(zone, date, endSeconds <= beginSeconds ? endSeconds + DAY_MS / 1000 : endSeconds);
    }
    const effectiveEnd = end - cutMs;
    if (effectiveEnd <= begin) return undefined;
    return { begin: new Date(begin), end: new Date(effectiveEnd) };
  }

  occurrenceContaining(at: Date): Occurrence | undefined {
    const t = Math.floor(at.getTime() / 1000) * 1000;
    const today = this.localDateOf(t);
    // A window lasts at most a day (plus a DST hour): it began today, yesterday or the day before.
    for (let back = 0; back <= 2; back++) {
      const o = this.occurrenceOn(addDays(today, -back));
      if (o && o.begin.getTime() <= t && t <= o.end.getTime()) return o;
    }
    return undefined;
  }

  nextOccurrence(after: Date): Occurrence {
    const start = addDays(this.localDateOf(after.getTime()), -1);
    for (let i = 0; i < SEARCH_DAYS; i++) {
      const o = this.occurrenceOn(addDays(start, i));
      if (o && o.begin.getTime() > after.getTime()) return o;
    }
    // Unreachable for a schedule the webhook accepts: every 30-minute window keeps 15 minutes on most days.
    throw new Error(`no maintenance occurrence in the ${SEARCH_DAYS} days after ${after.toISOString()}`);
  }

  occurrencesBetween(from: Date, to: Date): Occurrence[] {
    const out: Occurrence[] = [];
    const last = this.localDateOf(to.getTime());
    for (let date = addDays(this.localDateOf(from.getTime()), -1); ; date = addDays(date, 1)) {
      const o = this.occurrenceOn(date);
      if (o && o.begin >= from && o.begin < to) out.push(o);
      if (date.year === last.year && date.month === last.month && date.day === last.day) break;
    }
    return out;
  }

  localIso(instant: Date): string {
    const offset = this.rule.zone === undefined ? this.rule.offsetMinutes : zoneOffsetMinutes(this.rule.zone, instant.getTime());
    return isoInOffset(instant.getTime(), offset);
  }
}

/** The schedule of a shoot: Gardener's daily UTC window, or the zoned / weekday schedule of its annotations. */
export function scheduleOf(shoot: Shoot): MaintenanceSchedule {
  const { timeZone, days } = scheduleAnnotationsOf(shoot);
  const spec = shoot.spec.maintenance?.timeWindow;
  const parsed = spec ? parseTimeWindow(spec) : undefined;
  const writtenOffsetMinutes = parsed?.ok ? parsed.written.begin.offsetSeconds / 60 : 0;
  if (timeZone === undefined && days === undefined) return new DailyUtcSchedule(shoot, writtenOffsetMinutes);
  if (!parsed?.ok) {
    // No (usable) window: the whole day, as Gardener's ALWAYS window, on the allowed days.
    return new DayRuleSchedule({
      zone: timeZone,
      offsetMinutes: 0,
      beginSeconds: 0,
      endSeconds: DAY_MS / 1000 - 1,
      durationMs: DAY_MS - 1000,
      cutMs: 0,
      days,
    });
  }
  return new DayRuleSchedule({
    zone: timeZone,
    offsetMinutes: writtenOffsetMinutes,
    beginSeconds: parsed.written.begin.localSeconds,
    endSeconds: parsed.written.end.localSeconds,
    durationMs: parsed.window.durationMs(),
    cutMs: EFFECTIVE_WINDOW_END_CUT_MS,
    days,
  });
}

/** Whether the shoot's last maintenance (status.lastMaintenance.triggeredTime) lies in the occurrence
 *  (docs/design.md, "Differences from Gardener" 3: once per occurrence). */
export function maintainedInOccurrence(shoot: Shoot, occurrence: Occurrence): boolean {
  const triggered = shoot.status?.lastMaintenance?.triggeredTime;
  if (!triggered) return false;
  const t = Date.parse(triggered);
  return !Number.isNaN(t) && t >= occurrence.begin.getTime() && t <= occurrence.end.getTime();
}

/** Whether the shoot was already maintained in the occurrence of its schedule that contains now. */
export function maintainedInCurrentOccurrence(shoot: Shoot, now: Date): boolean {
  const current = scheduleOf(shoot).occurrenceContaining(now);
  return current !== undefined && maintainedInOccurrence(shoot, current);
}

/** Effective maintenance time (ms) of the occurrences beginning in [from, from + days). */
export function effectiveTimeWithin(schedule: MaintenanceSchedule, from: Date, days: number): number {
  return schedule
    .occurrencesBetween(from, new Date(from.getTime() + days * DAY_MS))
    .reduce((sum, o) => sum + (o.end.getTime() - o.begin.getTime()), 0);
}
