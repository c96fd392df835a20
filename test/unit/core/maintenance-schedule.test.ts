// The occurrence rules of maintenance-schedule.ts against an independent computation: js-joda
// (java.time's rules, with its own copy of the IANA tzdb) turns each local day's begin and end into
// instants; the code under test uses the runtime's ICU data and its own gap/overlap handling.
import { DayOfWeek, LocalDate as JodaDate, LocalDateTime, ZonedDateTime, ZoneId } from '@js-joda/core';
import '@js-joda/timezone';
import { describe, expect, it } from 'vitest';
import {
  DAYS_ANNOTATION,
  effectiveTimeWithin,
  parseDays,
  scheduleOf,
  TIME_ZONE_ANNOTATION,
  WEEKDAYS,
} from '../../../src/core/maintenance-schedule.js';
import type { Shoot } from '../../../src/core/shoot.js';
import { renderFieldErrors } from '../../../src/core/field-errors.js';
import { scheduleAnnotationErrors, scheduleWarning } from '../../../src/core/schedule-validation.js';
import { effectiveShootWindow } from '../../../src/core/timewindow.js';

function shoot(window: { begin: string; end: string } | undefined, annotations: Record<string, string> = {}): Shoot {
  return {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'Shoot',
    metadata: { name: 's', namespace: 'n', annotations },
    spec: { kubernetes: { version: '1.33.1' }, provider: { type: 'local' }, ...(window ? { maintenance: { timeWindow: window } } : {}) },
  };
}

const CUT_MS = 15 * 60_000;

/** The oracle: the occurrences beginning on the local days [first, first + count), by java.time's rules. */
function oracle(zone: string, begin: string, end: string, first: string, count: number, days?: string[]): { begin: string; end: string }[] {
  const hms = (v: string) => [Number(v.slice(0, 2)), Number(v.slice(2, 4)), Number(v.slice(4, 6))] as const;
  const [bh, bm, bs] = hms(begin);
  const [eh, em, es] = hms(end);
  const wraps = eh * 3600 + em * 60 + es <= bh * 3600 + bm * 60 + bs;
  const out: { begin: string; end: string }[] = [];
  for (let i = 0; i < count; i++) {
    const date = JodaDate.parse(first).plusDays(i);
    const name = WEEKDAYS[date.dayOfWeek().value() - 1] ?? '';
    if (days && !days.includes(name)) continue;
    const b = ZonedDateTime.of(LocalDateTime.of(date.year(), date.monthValue(), date.dayOfMonth(), bh, bm, bs), ZoneId.of(zone));
    const endDate = wraps ? date.plusDays(1) : date;
    const e = ZonedDateTime.of(LocalDateTime.of(endDate.year(), endDate.monthValue(), endDate.dayOfMonth(), eh, em, es), ZoneId.of(zone));
    const bMs = b.toInstant().toEpochMilli();
    const eMs = e.toInstant().toEpochMilli() - CUT_MS;
    if (eMs <= bMs) continue;
    out.push({ begin: new Date(bMs).toISOString(), end: new Date(eMs).toISOString() });
  }
  return out;
}

/** What the schedule says for the same local days (occurrences beginning in their span, with a margin). */
function actual(zone: string, begin: string, end: string, offset: string, first: string, count: number, days?: string[]) {
  const s = scheduleOf(shoot({ begin: begin + offset, end: end + offset }, { [TIME_ZONE_ANNOTATION]: zone, ...(days ? { [DAYS_ANNOTATION]: days.join(',') } : {}) }));
  const firstDay = JodaDate.parse(first);
  const from = ZonedDateTime.of(firstDay.atStartOfDay(), ZoneId.of(zone)).toInstant().toEpochMilli();
  const to = ZonedDateTime.of(firstDay.plusDays(count).atStartOfDay(), ZoneId.of(zone)).toInstant().toEpochMilli();
  return s.occurrencesBetween(new Date(from), new Date(to)).map((o) => ({ begin: o.begin.toISOString(), end: o.end.toISOString() }));
}

describe('occurrences against java.time (js-joda)', () => {
  // Transition nights: Berlin 2026-03-29 / 2026-10-25 at 02:00/03:00; New York 2026-03-08 / 2026-11-01 at
  // 02:00/02:00; Adelaide (+09:30/+10:30) 2026-04-05 at 03:00 and 2026-10-04 at 02:00; Kolkata (+05:30) none.
  const cases = [
    { zone: 'Europe/Berlin', offset: '+0100', first: '2026-03-26', windows: ['020000-040000', '023000-033000', '013000-023000', '230000-013000', '021500-030000', '020000-023000'] },
    { zone: 'Europe/Berlin', offset: '+0200', first: '2026-10-22', windows: ['020000-040000', '023000-033000', '013000-023000', '230000-013000', '020000-030000', '000000-060000'] },
    { zone: 'America/New_York', offset: '-0500', first: '2026-03-05', windows: ['020000-040000', '013000-023000', '023000-043000', '220000-030000'] },
    { zone: 'America/New_York', offset: '-0400', first: '2026-10-29', windows: ['010000-030000', '013000-020000', '003000-013000', '230000-013000'] },
    { zone: 'Australia/Adelaide', offset: '+1030', first: '2026-04-02', windows: ['020000-040000', '023000-033000', '230000-030000'] },
    { zone: 'Australia/Adelaide', offset: '+0930', first: '2026-10-01', windows: ['020000-040000', '021500-030000', '013000-033000'] },
    { zone: 'Asia/Kolkata', offset: '+0530', first: '2026-03-26', windows: ['020000-040000', '233000-013000'] },
  ];
  for (const { zone, offset, first, windows } of cases) {
    for (const w of windows) {
      const [begin = '', end = ''] = w.split('-');
      it(`${zone} ${begin}–${end} from ${first} (7 days)`, () => {
        expect(actual(zone, begin, end, offset, first, 7)).toEqual(oracle(zone, begin, end, first, 7));
      });
    }
  }

  it('with weekdays: only the days listed, a wrapping window belonging to the day it begins', () => {
    const days = ['Tue', 'Sun'];
    const got = actual('Europe/Berlin', '230000', '010000', '+0100', '2026-03-23', 21, days);
    expect(got).toEqual(oracle('Europe/Berlin', '230000', '010000', '2026-03-23', 21, days));
    expect(got).toHaveLength(6);
    for (const o of got) {
      const local = ZonedDateTime.parse(o.begin).withZoneSameInstant(ZoneId.of('Europe/Berlin'));
      expect([DayOfWeek.TUESDAY, DayOfWeek.SUNDAY]).toContain(local.dayOfWeek());
    }
  });
});

describe('the done-when schedule: Europe/Berlin, 020000+0100–040000+0100', () => {
  const s = scheduleOf(shoot({ begin: '020000+0100', end: '040000+0100' }, { [TIME_ZONE_ANNOTATION]: 'Europe/Berlin' }));
  it.each([
    { before: '2026-10-24T12:00:00Z', begin: '2026-10-25T00:00:00.000Z', end: '2026-10-25T02:45:00.000Z', local: '2026-10-25T02:00:00+02:00', localEnd: '2026-10-25T03:45:00+01:00' },
    { before: '2026-10-25T12:00:00Z', begin: '2026-10-26T01:00:00.000Z', end: '2026-10-26T02:45:00.000Z', local: '2026-10-26T02:00:00+01:00', localEnd: '2026-10-26T03:45:00+01:00' },
    { before: '2026-03-28T12:00:00Z', begin: '2026-03-29T01:00:00.000Z', end: '2026-03-29T01:45:00.000Z', local: '2026-03-29T03:00:00+02:00', localEnd: '2026-03-29T03:45:00+02:00' },
    { before: '2026-03-29T12:00:00Z', begin: '2026-03-30T00:00:00.000Z', end: '2026-03-30T01:45:00.000Z', local: '2026-03-30T02:00:00+02:00', localEnd: '2026-03-30T03:45:00+02:00' },
  ])('next after $before: $local – $localEnd', ({ before, begin, end, local, localEnd }) => {
    const o = s.nextOccurrence(new Date(before));
    expect([o.begin.toISOString(), o.end.toISOString()]).toEqual([begin, end]);
    expect([s.localIso(o.begin), s.localIso(o.end)]).toEqual([local, localEnd]);
  });

  it('contains its occurrence inclusively, and nothing between', () => {
    expect(s.occurrenceContaining(new Date('2026-10-25T00:00:00Z'))?.end.toISOString()).toBe('2026-10-25T02:45:00.000Z');
    expect(s.occurrenceContaining(new Date('2026-10-25T02:45:00.900Z'))?.begin.toISOString()).toBe('2026-10-25T00:00:00.000Z');
    expect(s.occurrenceContaining(new Date('2026-10-25T02:46:00Z'))).toBeUndefined();
    expect(s.occurrenceContaining(new Date('2026-10-24T23:59:59Z'))).toBeUndefined();
  });
});

describe('schedules without a zone', () => {
  it('no annotation: exactly Gardener’s daily UTC window', () => {
    const sh = shoot({ begin: '220000+0100', end: '010000+0100' });
    const s = scheduleOf(sh);
    const w = effectiveShootWindow(sh);
    for (const at of ['2026-03-10T20:59:59Z', '2026-03-10T21:00:00Z', '2026-03-10T23:30:00Z', '2026-03-10T23:45:01Z']) {
      expect(s.occurrenceContaining(new Date(at))).toEqual(w.occurrenceContaining(new Date(at)));
      expect(s.nextOccurrence(new Date(at))).toEqual(w.nextOccurrence(new Date(at)));
    }
    expect(s.timeZone).toBeUndefined();
    expect(s.days).toBeUndefined();
    expect(s.localIso(new Date('2026-03-10T21:00:00Z'))).toBe('2026-03-10T22:00:00+01:00');
  });

  it('days alone: the weekday at the window’s own offset (Monday 01:00+0200 is Sunday 23:00 UTC)', () => {
    const s = scheduleOf(shoot({ begin: '010000+0200', end: '020000+0200' }, { [DAYS_ANNOTATION]: 'mon' }));
    const got = s.occurrencesBetween(new Date('2026-03-01T00:00:00Z'), new Date('2026-03-22T00:00:00Z'));
    expect(got.map((o) => o.begin.toISOString())).toEqual(['2026-03-01T23:00:00.000Z', '2026-03-08T23:00:00.000Z', '2026-03-15T23:00:00.000Z']);
    expect(got.map((o) => o.end.toISOString())).toEqual(['2026-03-01T23:45:00.000Z', '2026-03-08T23:45:00.000Z', '2026-03-15T23:45:00.000Z']);
  });

  it('no window: the whole day on the allowed days', () => {
    const s = scheduleOf(shoot(undefined, { [DAYS_ANNOTATION]: 'Wed' }));
    expect(s.nextOccurrence(new Date('2026-03-10T12:00:00Z'))).toEqual({ begin: new Date('2026-03-11T00:00:00Z'), end: new Date('2026-03-11T23:59:59Z') });
  });

  it('an invalid annotation counts as absent', () => {
    const s = scheduleOf(shoot({ begin: '100000+0000', end: '110000+0000' }, { [TIME_ZONE_ANNOTATION]: 'Mars/Olympus', [DAYS_ANNOTATION]: 'Funday' }));
    expect(s.timeZone).toBeUndefined();
    expect(s.days).toBeUndefined();
  });
});

describe('parseDays', () => {
  it.each([
    ['Tue,Thu', ['Tue', 'Thu']],
    [' sun , MON ', ['Sun', 'Mon']],
  ])('%j → %j', (text, days) => expect(parseDays(text)).toEqual({ ok: true, days }));
  it.each([
    ['', 'must name at least one weekday'],
    [' , ', 'must name at least one weekday'],
    ['Tue,Tuesday', 'unknown weekday "Tuesday": supported values: "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"'],
    ['Tue,,Thu', 'unknown weekday "": supported values: "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"'],
    ['tue,Tue', 'weekday "Tue" is given twice'],
  ])('%j is refused: %s', (text, error) => expect(parseDays(text)).toEqual({ ok: false, error }));
});

describe('scheduleAnnotationErrors and scheduleWarning', () => {
  const now = new Date('2026-12-02T12:00:00Z');
  it('accepts both of Berlin’s offsets, refuses another with the zone’s offsets', () => {
    for (const offset of ['+0100', '+0200']) {
      expect(scheduleAnnotationErrors(shoot({ begin: `220000${offset}`, end: `230000${offset}` }, { [TIME_ZONE_ANNOTATION]: 'Europe/Berlin' }), now)).toEqual([]);
    }
    const errors = scheduleAnnotationErrors(shoot({ begin: '220000+0000', end: '230000+0100' }, { [TIME_ZONE_ANNOTATION]: 'Europe/Berlin' }), now);
    expect(renderFieldErrors(errors)).toBe(
      'spec.maintenance.timeWindow.begin: Invalid value: "220000+0000": offset +0000 is not one time zone "Europe/Berlin" uses: +0100, +0200',
    );
  });
  it('a 30-minute zone', () => {
    expect(scheduleAnnotationErrors(shoot({ begin: '020000+0530', end: '030000+0530' }, { [TIME_ZONE_ANNOTATION]: 'Asia/Kolkata' }), now)).toEqual([]);
    expect(renderFieldErrors(scheduleAnnotationErrors(shoot({ begin: '020000+0500', end: '030000+0530' }, { [TIME_ZONE_ANNOTATION]: 'Asia/Kolkata' }), now))).toBe(
      'spec.maintenance.timeWindow.begin: Invalid value: "020000+0500": offset +0500 is not one time zone "Asia/Kolkata" uses: +0530',
    );
  });
  it('an unknown zone and bad days', () => {
    const errors = scheduleAnnotationErrors(shoot({ begin: '220000+0100', end: '230000+0100' }, { [TIME_ZONE_ANNOTATION]: 'Berlin', [DAYS_ANNOTATION]: 'Mon,Mon' }), now);
    expect(renderFieldErrors(errors)).toBe(
      '[metadata.annotations[maintenance.gardener.cloud/time-zone]: Invalid value: "Berlin": unknown time zone: must be an IANA time zone such as "Europe/Berlin", ' +
        'metadata.annotations[maintenance.gardener.cloud/days]: Invalid value: "Mon,Mon": weekday "Mon" is given twice]',
    );
  });
  it('no annotation, no error and no warning', () => {
    const sh = shoot({ begin: '220000+0100', end: '223000+0100' });
    expect(scheduleAnnotationErrors(sh, now)).toEqual([]);
    expect(scheduleWarning(sh, now)).toBeUndefined();
  });
  it('warns below 4h of effective time in 28 days, not at it', () => {
    // One day a week, 30 minutes written = 15 minutes effective: 4 × 15m = 1h.
    const weekly = shoot({ begin: '220000+0100', end: '223000+0100' }, { [DAYS_ANNOTATION]: 'Sun' });
    expect(scheduleWarning(weekly, now)).toBe('maintenance schedule leaves 1h0m0s of effective time in the next 28 days (less than 4h0m0s)');
    // 75 minutes written = 1h effective, four times: exactly 4h.
    const enough = shoot({ begin: '220000+0100', end: '231500+0100' }, { [DAYS_ANNOTATION]: 'Sun' });
    expect(effectiveTimeWithin(scheduleOf(enough), now, 28)).toBe(4 * 3600_000);
    expect(scheduleWarning(enough, now)).toBeUndefined();
  });
});
