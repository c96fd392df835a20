// The shoot maintenance time window (gardener/gardener pkg/apis/utils/timewindow/timewindow.go,
// MaintenanceTimeWindow; the effective window from pkg/utils/gardener/shoot.go).
// A window is two UTC times of day; the date is never part of it. Values arrive as Go
// `150405-0700` strings and are parsed exactly as Go's time.Parse does, so that error texts
// read the same as Gardener's.

import type { Shoot } from './shoot.js';

/** A time of day in UTC, whole seconds. */
export interface TimeOfDay {
  hour: number;
  minute: number;
  second: number;
}

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_SECONDS = 24 * 60 * 60;
/** One day in milliseconds. */
export const DAY_MS = DAY_SECONDS * SECOND_MS;

/** Shortest allowed maintenance window (Gardener `MaintenanceTimeWindowDurationMinimum`, 30m). */
export const MAINTENANCE_WINDOW_MIN_MS = 30 * MINUTE_MS;
/** Longest allowed maintenance window (Gardener `MaintenanceTimeWindowDurationMaximum`, 6h). */
export const MAINTENANCE_WINDOW_MAX_MS = 6 * HOUR_MS;
/** How much earlier than the configured end maintenance must start (pkg/utils/gardener/shoot.go, EffectiveMaintenanceTimeWindow). */
export const EFFECTIVE_WINDOW_END_CUT_MS = 15 * MINUTE_MS;

/** The Go layout of a maintenance time value. */
export const MAINTENANCE_TIME_LAYOUT = '150405-0700';

/** Seconds since midnight of a time of day. */
export function secondsOfDay(t: TimeOfDay): number {
  return t.hour * 3600 + t.minute * 60 + t.second;
}

/** The time of day `seconds` after midnight, wrapping modulo 24h. */
export function timeOfDayFromSeconds(seconds: number): TimeOfDay {
  const s = ((Math.floor(seconds) % DAY_SECONDS) + DAY_SECONDS) % DAY_SECONDS;
  return { hour: Math.floor(s / 3600), minute: Math.floor((s % 3600) / 60), second: s % 60 };
}

/** The UTC time of day of an instant, truncated to whole seconds. */
export function timeOfDayOf(instant: Date): TimeOfDay {
  return timeOfDayFromSeconds(Math.floor(instant.getTime() / SECOND_MS));
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `HH:MM:SS`, as Go's MaintenanceTime.String(). */
export function formatTimeOfDay(t: TimeOfDay): string {
  return `${pad2(t.hour)}:${pad2(t.minute)}:${pad2(t.second)}`;
}

/** `HHMMSS+0000`, as Go's MaintenanceTime.Formatted() (always UTC). */
export function formatMaintenanceTime(t: TimeOfDay): string {
  return `${pad2(t.hour)}${pad2(t.minute)}${pad2(t.second)}+0000`;
}

/** Midnight (UTC) of the day an instant falls on, in epoch milliseconds. */
function utcMidnightMs(instant: Date): number {
  const ms = instant.getTime();
  return ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
}

/** A daily window between two UTC times of day; it wraps midnight when end < begin. */
export class TimeWindow {
  constructor(
    readonly begin: TimeOfDay,
    readonly end: TimeOfDay,
  ) {}

  /** Length of one occurrence: end − begin, plus 24h when end ≤ begin (so begin == end is 24h). */
  durationMs(): number {
    const b = secondsOfDay(this.begin);
    const e = secondsOfDay(this.end);
    return (e <= b ? e + DAY_SECONDS - b : e - b) * SECOND_MS;
  }

  /** Whether the window wraps midnight (end strictly before begin). */
  spansDays(): boolean {
    return secondsOfDay(this.end) < secondsOfDay(this.begin);
  }

  /** Whether the instant (UTC, truncated to seconds) lies in the window, both ends inclusive. */
  contains(instant: Date): boolean {
    const t = secondsOfDay(timeOfDayOf(instant));
    const b = secondsOfDay(this.begin);
    const e = secondsOfDay(this.end);
    return this.spansDays() ? t <= e || t >= b : b <= t && t <= e;
  }

  /** The window maintenance actually uses: same begin, end 15 minutes earlier (wrapping). */
  effective(): TimeWindow {
    return new TimeWindow(
      this.begin,
      timeOfDayFromSeconds(secondsOfDay(this.end) - EFFECTIVE_WINDOW_END_CUT_MS / SECOND_MS),
    );
  }

  /** The occurrence (absolute begin/end) that contains `at`, if any. For a wrapping window the
   *  occurrence that began yesterday is the one containing an instant after midnight. */
  occurrenceContaining(at: Date): { begin: Date; end: Date } | undefined {
    if (!this.contains(at)) return undefined;
    const t = secondsOfDay(timeOfDayOf(at));
    const b = secondsOfDay(this.begin);
    let beginMs = utcMidnightMs(at) + b * SECOND_MS;
    // In the after-midnight tail of a wrapping window the occurrence began the day before.
    if (this.spansDays() && t < b) beginMs -= DAY_MS;
    return this.occurrenceAt(beginMs);
  }

  /** The first occurrence whose begin is strictly after `after` (so once inside, the current
   *  occurrence does not count). */
  nextOccurrence(after: Date): { begin: Date; end: Date } {
    let beginMs = utcMidnightMs(after) + secondsOfDay(this.begin) * SECOND_MS;
    if (beginMs <= after.getTime()) beginMs += DAY_MS;
    return this.occurrenceAt(beginMs);
  }

  /** Begin and end rendered as Gardener writes them: `HHMMSS+0000`. */
  formatted(): { begin: string; end: string } {
    return { begin: formatMaintenanceTime(this.begin), end: formatMaintenanceTime(this.end) };
  }

  /** `begin=HH:MM:SS, end=HH:MM:SS`, as Go's MaintenanceTimeWindow.String(). */
  toString(): string {
    return `begin=${formatTimeOfDay(this.begin)}, end=${formatTimeOfDay(this.end)}`;
  }

  /** Whether both windows have the same begin and end. */
  equals(other: TimeWindow): boolean {
    return secondsOfDay(this.begin) === secondsOfDay(other.begin) && secondsOfDay(this.end) === secondsOfDay(other.end);
  }

  private occurrenceAt(beginMs: number): { begin: Date; end: Date } {
    return { begin: new Date(beginMs), end: new Date(beginMs + this.durationMs()) };
  }
}

/** The window used when a shoot has none (or an unparsable one): the whole day, no 15-minute cut. */
export const ALWAYS_WINDOW: TimeWindow = new TimeWindow(
  { hour: 0, minute: 0, second: 0 },
  { hour: 23, minute: 59, second: 59 },
);

// ---- Go time.Parse("150405-0700", value), reproduced for this one layout -------------------

/** Go's time-package quote(): ASCII printable kept (with `"` and `\` escaped), everything else \x-escaped bytes. */
function goTimeQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 0x80 || code < 0x20) {
      for (const byte of Buffer.from(ch, 'utf8')) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    } else {
      if (ch === '"' || ch === '\\') out += '\\';
      out += ch;
    }
  }
  return out + '"';
}

const isDigitAt = (s: string, i: number): boolean => i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57;

/** Go's getnum: one or two digits (fixed forces two). */
function getnum(s: string, fixed: boolean): { n: number; rest: string; bad: boolean } {
  if (!isDigitAt(s, 0)) return { n: 0, rest: s, bad: true };
  if (!isDigitAt(s, 1)) {
    if (fixed) return { n: 0, rest: s, bad: true };
    return { n: s.charCodeAt(0) - 48, rest: s.slice(1), bad: false };
  }
  return { n: (s.charCodeAt(0) - 48) * 10 + (s.charCodeAt(1) - 48), rest: s.slice(2), bad: false };
}

/** A window value as written: its wall-clock seconds after midnight and its `±hhmm` offset in seconds. */
export interface WrittenTime {
  localSeconds: number;
  offsetSeconds: number;
}

/** Parse one `HHMMSS±hhmm` value like Go's time.Parse and keep only the UTC time of day;
 *  on failure the error is Go's ParseError text. */
export function parseTimeOfDay(value: string): { ok: true; time: TimeOfDay; written: WrittenTime } | { ok: false; error: string } {
  const cannotParse = (rest: string, elem: string) => ({
    ok: false as const,
    error: `parsing time ${goTimeQuote(value)} as ${goTimeQuote(MAINTENANCE_TIME_LAYOUT)}: cannot parse ${goTimeQuote(rest)} as ${goTimeQuote(elem)}`,
  });
  const outOfRange = (what: string) => ({ ok: false as const, error: `parsing time ${goTimeQuote(value)}: ${what} out of range` });

  // "15": hour, one or two digits.
  const hour = getnum(value, false);
  if (hour.n >= 24) return outOfRange('hour');
  if (hour.bad) return cannotParse(value, '15');
  // "04": minute, exactly two digits.
  const minute = getnum(hour.rest, true);
  if (minute.n >= 60) return outOfRange('minute');
  if (minute.bad) return cannotParse(hour.rest, '04');
  // "05": second, exactly two digits; Go also swallows an unrequested fractional part.
  const second = getnum(minute.rest, true);
  if (second.bad) return cannotParse(minute.rest, '05');
  if (second.n >= 60) return outOfRange('second');
  let rest = second.rest;
  if (rest.length >= 2 && (rest[0] === '.' || rest[0] === ',') && isDigitAt(rest, 1)) {
    let n = 2;
    while (isDigitAt(rest, n)) n++;
    rest = rest.slice(n);
  }
  // "-0700": sign and four offset digits.
  const zoneStart = rest;
  if (rest.length < 5) return cannotParse(zoneStart, '-0700');
  const sign = rest[0];
  const offHour = getnum(rest.slice(1, 3), true);
  const offMinute = offHour.bad ? { n: 0, bad: true } : getnum(rest.slice(3, 5), true);
  rest = rest.slice(5);
  // Go tests the range before the syntax, and allows 24 hours / 60 minutes.
  if (offMinute.n > 60) return outOfRange('time zone offset minute');
  if (offHour.n > 24) return outOfRange('time zone offset hour');
  if (offHour.bad || offMinute.bad || (sign !== '+' && sign !== '-')) return cannotParse(zoneStart, '-0700');
  if (rest.length > 0) return { ok: false, error: `parsing time ${goTimeQuote(value)}: extra text: ${goTimeQuote(rest)}` };

  const offsetSeconds = (offHour.n * 60 + offMinute.n) * 60 * (sign === '-' ? -1 : 1);
  const local = hour.n * 3600 + minute.n * 60 + second.n;
  return { ok: true, time: timeOfDayFromSeconds(local - offsetSeconds), written: { localSeconds: local, offsetSeconds } };
}

/** Result of parsing a window's begin and end (`written`: both values as written, for zoned schedules). */
export type TimeWindowParse =
  | { ok: true; window: TimeWindow; written: { begin: WrittenTime; end: WrittenTime } }
  | { ok: false; error: string };

/** ParseMaintenanceTimeWindow: both ends, begin first; error texts exactly
 *  `could not parse begin time: could not parse the value into the maintenanceTime format: <go error>` */
export function parseTimeWindow(spec: { begin?: string; end?: string }): TimeWindowParse {
  const key = `${spec.begin ?? ''}\u0000${spec.end ?? ''}`;
  let parsed = parsedWindows.get(key);
  if (parsed === undefined) {
    parsed = deepFreeze(parseTimeWindowUncached(spec));
    if (parsedWindows.size >= PARSED_WINDOWS_LIMIT) parsedWindows.clear();
    parsedWindows.set(key, parsed);
  }
  return parsed;
}

// Parsed windows by their two texts: plan() and the due queue read each shoot's window several
// times, and a fleet uses few distinct windows. Bounded (cleared when full); the results are
// frozen because callers share them.
const PARSED_WINDOWS_LIMIT = 4096;
const parsedWindows = new Map<string, TimeWindowParse>();

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function parseTimeWindowUncached(spec: { begin?: string; end?: string }): TimeWindowParse {
  const begin = parseTimeOfDay(spec.begin ?? '');
  if (!begin.ok) return { ok: false, error: `could not parse begin time: ${maintenanceTimeError(begin.error)}` };
  const end = parseTimeOfDay(spec.end ?? '');
  if (!end.ok) return { ok: false, error: `could not parse end time: ${maintenanceTimeError(end.error)}` };
  return { ok: true, window: new TimeWindow(begin.time, end.time), written: { begin: begin.written, end: end.written } };
}

function maintenanceTimeError(goError: string): string {
  return `could not parse the value into the maintenanceTime format: ${goError}`;
}

/** `time window must not be greater than 6h0m0s` / `... smaller than 30m0s` or undefined (bounds inclusive). */
export function windowDurationProblem(window: TimeWindow): string | undefined {
  const d = window.durationMs();
  if (d > MAINTENANCE_WINDOW_MAX_MS) return 'time window must not be greater than 6h0m0s';
  if (d < MAINTENANCE_WINDOW_MIN_MS) return 'time window must not be smaller than 30m0s';
  return undefined;
}

/** The effective maintenance window of a shoot: ALWAYS_WINDOW if missing/unparsable, else parsed.effective(). */
export function effectiveShootWindow(shoot: Shoot): TimeWindow {
  const spec = shoot.spec.maintenance?.timeWindow;
  if (!spec) return ALWAYS_WINDOW;
  const parsed = parseTimeWindow(spec);
  return parsed.ok ? parsed.window.effective() : ALWAYS_WINDOW;
}

/** An instant as ISO 8601 in UTC with whole seconds (`2026-03-10T10:20:00Z`): triggeredTime, warnings. */
export function isoSeconds(instant: Date | number): string {
  return new Date(instant).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** 32-bit FNV-1a over the UTF-8 bytes of a string. */
function fnv1a32(s: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(s, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** docs/design.md, "Differences from Gardener" 4 (Gardener: RandomMaintenanceTimeWindow):
 *  hour 0..22 from a stable hash (FNV-1a 32-bit) of "namespace/name",
 *  uniform over 23 values; begin "HH0000+0000", end one hour later. */
export function defaultTimeWindow(namespace: string, name: string): { begin: string; end: string } {
  const hour = fnv1a32(`${namespace}/${name}`) % 23;
  return {
    begin: formatMaintenanceTime({ hour, minute: 0, second: 0 }),
    end: formatMaintenanceTime({ hour: hour + 1, minute: 0, second: 0 }),
  };
}

/** A uniformly random instant in [occ.begin, occ.end) using the supplied random() in [0,1). */
export function randomInstantIn(occurrence: { begin: Date; end: Date }, random: () => number): Date {
  const begin = occurrence.begin.getTime();
  const span = Math.max(0, occurrence.end.getTime() - begin);
  const offset = Math.min(Math.floor(random() * span), Math.max(0, span - 1));
  return new Date(begin + Math.max(0, offset));
}
