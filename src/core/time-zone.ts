// IANA time zones for maintenance schedules (docs/design.md, "Maintenance schedules"): the
// offset of a zone at an instant, a wall-clock time turned into an instant with java.time's
// rules for gaps and overlaps, and the offsets a zone uses. The zone data is the runtime's
// (Node's ICU, read through luxon's IANAZone); the tests check it against js-joda's own tzdb.
import { IANAZone } from 'luxon';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** A calendar date without a zone. */
export interface LocalDate {
  year: number;
  month: number; // 1..12
  day: number; // 1..31
}

/** Whether the name is an IANA zone the runtime knows (`Europe/Berlin`, `UTC`; not `CET+1`). */
export function isKnownTimeZone(name: string): boolean {
  return name !== '' && IANAZone.isValidZone(name);
}

/** The zone's offset from UTC at an instant, in minutes (Berlin in summer: 120). */
export function zoneOffsetMinutes(zone: string, instantMs: number): number {
  return IANAZone.create(zone).offset(instantMs);
}

/**
 * The instant of a wall-clock time in a zone (java.time ZonedDateTime.of, and luxon for gaps):
 * a time that does not exist (spring forward) moves forward by the length of the gap; a time
 * that exists twice (fall back) is the earlier instant. `seconds` may exceed one day (it is
 * added to the date's midnight as wall-clock time).
 */
export function instantOfLocal(zone: string, date: LocalDate, seconds: number): number {
  const wallMs = Date.UTC(date.year, date.month - 1, date.day) + seconds * 1000;
  // Zones change their offset at most once within a day on either side of any wall-clock time.
  const before = zoneOffsetMinutes(zone, wallMs - DAY_MS) * MINUTE_MS;
  const after = zoneOffsetMinutes(zone, wallMs + DAY_MS) * MINUTE_MS;
  const candidates = [wallMs - before, wallMs - after].filter((ms) => zoneOffsetMinutes(zone, ms) * MINUTE_MS === wallMs - ms);
  if (candidates.length > 0) return Math.min(...candidates);
  // In a gap: the offset before the transition, which lands the length of the gap later.
  return wallMs - before;
}

/** The local calendar date of an instant in a fixed offset (minutes east of UTC). */
export function localDateAt(instantMs: number, offsetMinutes: number): LocalDate {
  const d = new Date(instantMs + offsetMinutes * MINUTE_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** The date `days` after a date (negative: before). */
export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day) + days * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** ISO weekday of a date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: LocalDate): number {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
  return d === 0 ? 7 : d;
}

const usedOffsetsCache = new Map<string, number[]>();

/**
 * The offsets (minutes) a zone uses in the year either side of `now`, ascending: Europe/Berlin
 * [60, 120], Asia/Kolkata [330]. Sampled weekly; no zone changes its offset for less than a week.
 */
export function offsetsInUse(zone: string, now: Date): number[] {
  const year = now.getUTCFullYear();
  const key = `${zone}@${year}`;
  const cached = usedOffsetsCache.get(key);
  if (cached) return cached;
  const start = Date.UTC(year - 1, 0, 1);
  const end = Date.UTC(year + 2, 0, 1);
  const offsets = new Set<number>();
  for (let ms = start; ms < end; ms += 7 * DAY_MS) offsets.add(zoneOffsetMinutes(zone, ms));
  const sorted = [...offsets].sort((a, b) => a - b);
  usedOffsetsCache.set(key, sorted);
  return sorted;
}

/** `+0100`, `-0430`: an offset in minutes as a window's `±hhmm`. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

/** An instant as ISO 8601 in a fixed offset, whole seconds: `2026-03-29T02:00:00+02:00` (`Z` for 0). */
export function isoInOffset(instantMs: number, offsetMinutes: number): string {
  const local = new Date(instantMs + offsetMinutes * MINUTE_MS).toISOString().slice(0, 19);
  if (offsetMinutes === 0) return `${local}Z`;
  const text = formatOffset(offsetMinutes);
  return `${local}${text.slice(0, 3)}:${text.slice(3)}`;
}
