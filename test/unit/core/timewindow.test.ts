import { describe, expect, it } from 'vitest';
import type { Shoot } from '../../../src/core/shoot.js';
import {
  ALWAYS_WINDOW,
  DAY_MS,
  EFFECTIVE_WINDOW_END_CUT_MS,
  MAINTENANCE_WINDOW_MAX_MS,
  MAINTENANCE_WINDOW_MIN_MS,
  TimeWindow,
  defaultTimeWindow,
  effectiveShootWindow,
  parseTimeOfDay,
  parseTimeWindow,
  randomInstantIn,
  windowDurationProblem,
} from '../../../src/core/timewindow.js';

/** A window from "HH:MM[:SS]" strings, UTC. */
function w(begin: string, end: string): TimeWindow {
  const t = (s: string) => {
    const [h = 0, m = 0, sec = 0] = s.split(':').map(Number);
    return { hour: h, minute: m, second: sec };
  };
  return new TimeWindow(t(begin), t(end));
}

function parsed(begin: string, end: string): TimeWindow {
  const r = parseTimeWindow({ begin, end });
  if (!r.ok) throw new Error(r.error);
  return r.window;
}

const at = (iso: string) => new Date(iso);

describe('constants', () => {
  it('are 30m, 6h and 15m', () => {
    expect(MAINTENANCE_WINDOW_MIN_MS).toBe(30 * 60_000);
    expect(MAINTENANCE_WINDOW_MAX_MS).toBe(6 * 3_600_000);
    expect(EFFECTIVE_WINDOW_END_CUT_MS).toBe(15 * 60_000);
  });
});

describe('parseTimeOfDay (Go time.Parse "150405-0700", kept as UTC time of day)', () => {
  it.each([
    ['220000+0100', '21:00:00'],
    ['220000-0500', '03:00:00'],
    ['160554+0200', '14:05:54'],
    ['000000+0100', '23:00:00'],
    ['235959-0100', '00:59:59'],
    ['123456+0000', '12:34:56'],
    ['123456-0000', '12:34:56'],
    ['100000+0130', '08:30:00'],
    ['100000+2400', '10:00:00'], // Go allows a 24h offset
    ['100000+0060', '09:00:00'], // and a 60-minute one
    ['101010.123+0000', '10:10:10'], // Go swallows an unrequested fractional second
  ])('%s → %s UTC', (value, expected) => {
    const r = parseTimeOfDay(value);
    expect(r.ok).toBe(true);
    if (r.ok) {
      const { hour, minute, second } = r.time;
      expect([hour, minute, second].map((n) => String(n).padStart(2, '0')).join(':')).toBe(expected);
    }
  });

  it.each([
    ['foo', 'parsing time "foo" as "150405-0700": cannot parse "foo" as "15"'],
    ['', 'parsing time "" as "150405-0700": cannot parse "" as "15"'],
    ['220000+01000', 'parsing time "220000+01000": extra text: "0"'],
    ['220000+0100 ', 'parsing time "220000+0100 ": extra text: " "'],
    ['220000Z', 'parsing time "220000Z" as "150405-0700": cannot parse "Z" as "-0700"'],
    ['220000Z0000', 'parsing time "220000Z0000" as "150405-0700": cannot parse "Z0000" as "-0700"'],
    ['220000', 'parsing time "220000" as "150405-0700": cannot parse "" as "-0700"'],
    ['220000+01', 'parsing time "220000+01" as "150405-0700": cannot parse "+01" as "-0700"'],
    ['22:00:00+0100', 'parsing time "22:00:00+0100" as "150405-0700": cannot parse ":00:00+0100" as "04"'],
    ['2200+0100', 'parsing time "2200+0100" as "150405-0700": cannot parse "+0100" as "05"'],
    ['2a0000+0000', 'parsing time "2a0000+0000" as "150405-0700": cannot parse "a0000+0000" as "04"'],
    ['240000+0000', 'parsing time "240000+0000": hour out of range'],
    ['90000+0000', 'parsing time "90000+0000": hour out of range'], // Go's hour takes two digits when it can
    ['9a0000+0000', 'parsing time "9a0000+0000" as "150405-0700": cannot parse "a0000+0000" as "04"'],
    ['226000+0000', 'parsing time "226000+0000": minute out of range'],
    ['220060+0000', 'parsing time "220060+0000": second out of range'],
    ['220000+2500', 'parsing time "220000+2500": time zone offset hour out of range'],
    ['220000+0061', 'parsing time "220000+0061": time zone offset minute out of range'],
    ['220000+0a00', 'parsing time "220000+0a00" as "150405-0700": cannot parse "+0a00" as "-0700"'],
    ['22"000+0000', 'parsing time "22\\"000+0000" as "150405-0700": cannot parse "\\"000+0000" as "04"'],
    ['22é000+0000', 'parsing time "22\\xc3\\xa9000+0000" as "150405-0700": cannot parse "\\xc3\\xa9000+0000" as "04"'],
  ])('%j is rejected with Go error text', (value, error) => {
    expect(parseTimeOfDay(value)).toEqual({ ok: false, error });
  });
});

describe('parseTimeWindow', () => {
  it.each([
    [{ begin: 'foo', end: 'bar' }, 'could not parse begin time: could not parse the value into the maintenanceTime format: parsing time "foo" as "150405-0700": cannot parse "foo" as "15"'],
    [{ begin: '220000+0000', end: 'bar' }, 'could not parse end time: could not parse the value into the maintenanceTime format: parsing time "bar" as "150405-0700": cannot parse "bar" as "15"'],
    [{ begin: '220000+0000' }, 'could not parse end time: could not parse the value into the maintenanceTime format: parsing time "" as "150405-0700": cannot parse "" as "15"'],
    [{ begin: '220000+01000', end: '230000+0000' }, 'could not parse begin time: could not parse the value into the maintenanceTime format: parsing time "220000+01000": extra text: "0"'],
  ])('%j → error', (spec, error) => {
    expect(parseTimeWindow(spec)).toEqual({ ok: false, error });
  });

  it('the spec example 230000+0100–010000+0100 is valid (22:00–00:00 UTC)', () => {
    const win = parsed('230000+0100', '010000+0100');
    expect(win.toString()).toBe('begin=22:00:00, end=00:00:00');
    expect(win.durationMs()).toBe(2 * 3_600_000);
    expect(windowDurationProblem(win)).toBeUndefined();
  });

  it('different offsets on begin and end are both normalised to UTC', () => {
    expect(parsed('220000+0200', '220000+0000').toString()).toBe('begin=20:00:00, end=22:00:00');
  });
});

describe('durationMs / spansDays', () => {
  it.each([
    ['01:00', '02:00', 1 * 3600, false],
    ['23:00', '01:00', 2 * 3600, true],
    ['22:00', '00:00', 2 * 3600, true],
    ['10:00', '10:00', 24 * 3600, false],
    ['00:00', '23:59:59', 24 * 3600 - 1, false],
    ['10:00', '10:30', 30 * 60, false],
    ['23:59:59', '00:00', 1, true],
  ])('%s–%s → %is, spans days %s', (b, e, seconds, spans) => {
    expect(w(b, e).durationMs()).toBe(seconds * 1000);
    expect(w(b, e).spansDays()).toBe(spans);
  });
});

describe('windowDurationProblem (bounds inclusive)', () => {
  it.each([
    ['10:00', '10:30', undefined],
    ['10:00', '10:29:59', 'time window must not be smaller than 30m0s'],
    ['10:00', '16:00', undefined],
    ['10:00', '16:00:01', 'time window must not be greater than 6h0m0s'],
    ['10:00', '10:00', 'time window must not be greater than 6h0m0s'], // equal = 24h
    ['22:00', '04:00', undefined],
    ['22:00', '04:00:01', 'time window must not be greater than 6h0m0s'],
    ['23:50', '00:10', 'time window must not be smaller than 30m0s'],
  ])('%s–%s → %s', (b, e, problem) => {
    expect(windowDurationProblem(w(b, e))).toBe(problem);
  });
});

describe('contains (UTC, truncated to seconds, inclusive)', () => {
  it.each([
    ['10:00', '11:00', '2024-05-01T09:59:59.999Z', false],
    ['10:00', '11:00', '2024-05-01T10:00:00.000Z', true],
    ['10:00', '11:00', '2024-05-01T10:30:00.000Z', true],
    ['10:00', '11:00', '2024-05-01T11:00:00.000Z', true],
    ['10:00', '11:00', '2024-05-01T11:00:00.999Z', true], // truncated to 11:00:00
    ['10:00', '11:00', '2024-05-01T11:00:01.000Z', false],
    ['10:00', '11:00', '2024-05-01T12:00:00+01:00', true], // 11:00 UTC
    ['23:00', '01:00', '2024-05-01T23:30:00Z', true],
    ['23:00', '01:00', '2024-05-01T00:30:00Z', true],
    ['23:00', '01:00', '2024-05-01T01:00:00Z', true],
    ['23:00', '01:00', '2024-05-01T01:00:01Z', false],
    ['23:00', '01:00', '2024-05-01T22:59:59Z', false],
    ['23:00', '01:00', '2024-05-01T12:00:00Z', false],
    ['10:00', '10:00', '2024-05-01T10:00:00Z', true], // begin == end: only that second
    ['10:00', '10:00', '2024-05-01T10:00:01Z', false],
    ['00:00', '23:59:59', '2024-05-01T23:59:59.5Z', true],
  ])('%s–%s contains %s: %s', (b, e, instant, expected) => {
    expect(w(b, e).contains(at(instant))).toBe(expected);
  });
});

describe('effective (end − 15m, wrapping)', () => {
  it.each([
    ['00:00', '01:00', 'begin=00:00:00, end=00:45:00'],
    ['01:00', '02:00', 'begin=01:00:00, end=01:45:00'],
    ['23:00', '00:00', 'begin=23:00:00, end=23:45:00'],
    ['23:00', '00:10', 'begin=23:00:00, end=23:55:00'],
    ['22:00', '00:05', 'begin=22:00:00, end=23:50:00'],
  ])('%s–%s → %s', (b, e, expected) => {
    expect(w(b, e).effective().toString()).toBe(expected);
  });

  it('23:00–00:00 no longer wraps once effective', () => {
    expect(w('23:00', '00:00').spansDays()).toBe(true);
    expect(w('23:00', '00:00').effective().spansDays()).toBe(false);
  });
});

describe('formatted / toString / ALWAYS_WINDOW', () => {
  it('formats in UTC with +0000', () => {
    expect(w('16:15:23', '18:00:05').formatted()).toEqual({ begin: '161523+0000', end: '180005+0000' });
    expect(parsed('220000+0100', '230000+0100').formatted()).toEqual({ begin: '210000+0000', end: '220000+0000' });
  });
  it('ALWAYS_WINDOW is 00:00:00–23:59:59', () => {
    expect(ALWAYS_WINDOW.toString()).toBe('begin=00:00:00, end=23:59:59');
    expect(ALWAYS_WINDOW.formatted()).toEqual({ begin: '000000+0000', end: '235959+0000' });
  });
});

describe('occurrenceContaining', () => {
  it.each([
    ['10:00', '11:00', '2024-05-01T10:30:00Z', '2024-05-01T10:00:00.000Z', '2024-05-01T11:00:00.000Z'],
    ['10:00', '11:00', '2024-05-01T11:00:00.500Z', '2024-05-01T10:00:00.000Z', '2024-05-01T11:00:00.000Z'],
    ['23:00', '01:00', '2024-05-01T23:30:00Z', '2024-05-01T23:00:00.000Z', '2024-05-02T01:00:00.000Z'],
    ['23:00', '01:00', '2024-05-02T00:30:00Z', '2024-05-01T23:00:00.000Z', '2024-05-02T01:00:00.000Z'],
    ['23:00', '01:00', '2024-05-02T00:00:00Z', '2024-05-01T23:00:00.000Z', '2024-05-02T01:00:00.000Z'],
    ['23:00', '23:45', '2024-12-31T23:10:00Z', '2024-12-31T23:00:00.000Z', '2024-12-31T23:45:00.000Z'],
    ['00:00', '23:59:59', '2024-05-01T23:59:59Z', '2024-05-01T00:00:00.000Z', '2024-05-01T23:59:59.000Z'],
  ])('%s–%s at %s → %s … %s', (b, e, instant, begin, end) => {
    const occ = w(b, e).occurrenceContaining(at(instant));
    expect(occ?.begin.toISOString()).toBe(begin);
    expect(occ?.end.toISOString()).toBe(end);
  });

  it.each([
    ['10:00', '11:00', '2024-05-01T11:00:01Z'],
    ['23:00', '01:00', '2024-05-01T12:00:00Z'],
  ])('%s–%s at %s → none', (b, e, instant) => {
    expect(w(b, e).occurrenceContaining(at(instant))).toBeUndefined();
  });
});

describe('nextOccurrence (begin strictly after)', () => {
  it.each([
    ['10:00', '11:00', '2024-05-01T09:00:00Z', '2024-05-01T10:00:00.000Z', '2024-05-01T11:00:00.000Z'],
    ['10:00', '11:00', '2024-05-01T10:00:00Z', '2024-05-02T10:00:00.000Z', '2024-05-02T11:00:00.000Z'],
    ['10:00', '11:00', '2024-05-01T09:59:59.999Z', '2024-05-01T10:00:00.000Z', '2024-05-01T11:00:00.000Z'],
    ['10:00', '11:00', '2024-05-01T10:30:00Z', '2024-05-02T10:00:00.000Z', '2024-05-02T11:00:00.000Z'],
    ['10:00', '11:00', '2024-05-01T12:00:00Z', '2024-05-02T10:00:00.000Z', '2024-05-02T11:00:00.000Z'],
    ['23:00', '01:00', '2024-05-01T22:00:00Z', '2024-05-01T23:00:00.000Z', '2024-05-02T01:00:00.000Z'],
    ['23:00', '01:00', '2024-05-01T23:30:00Z', '2024-05-02T23:00:00.000Z', '2024-05-03T01:00:00.000Z'],
    ['23:00', '01:00', '2024-05-02T00:30:00Z', '2024-05-02T23:00:00.000Z', '2024-05-03T01:00:00.000Z'],
    ['23:00', '23:45', '2024-12-31T23:50:00Z', '2025-01-01T23:00:00.000Z', '2025-01-01T23:45:00.000Z'],
    ['00:00', '00:45', '2024-02-28T23:59:59Z', '2024-02-29T00:00:00.000Z', '2024-02-29T00:45:00.000Z'],
  ])('%s–%s after %s → %s … %s', (b, e, instant, begin, end) => {
    const occ = w(b, e).nextOccurrence(at(instant));
    expect(occ.begin.toISOString()).toBe(begin);
    expect(occ.end.toISOString()).toBe(end);
  });

  it('is always strictly after and within one day', () => {
    const win = w('23:00', '01:00');
    for (let minute = 0; minute < 24 * 60; minute += 7) {
      const after = new Date(Date.UTC(2024, 4, 1) + minute * 60_000);
      const occ = win.nextOccurrence(after);
      expect(occ.begin.getTime()).toBeGreaterThan(after.getTime());
      expect(occ.begin.getTime() - after.getTime()).toBeLessThanOrEqual(DAY_MS);
      expect(occ.end.getTime() - occ.begin.getTime()).toBe(win.durationMs());
    }
  });
});

describe('effectiveShootWindow', () => {
  const shoot = (timeWindow?: { begin?: string; end?: string }): Shoot => ({
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'Shoot',
    metadata: { name: 's', namespace: 'garden-dev' },
    spec: {
      kubernetes: { version: '1.30.0' },
      provider: { type: 'local' },
      ...(timeWindow ? { maintenance: { timeWindow } } : {}),
    },
  });
  it.each([
    [undefined, 'begin=00:00:00, end=23:59:59'],
    [{ begin: 'nope', end: '230000+0000' }, 'begin=00:00:00, end=23:59:59'],
    [{ begin: '220000+0000' }, 'begin=00:00:00, end=23:59:59'],
    [{ begin: '220000+0000', end: '230000+0000' }, 'begin=22:00:00, end=22:45:00'],
    [{ begin: '230000+0000', end: '000000+0000' }, 'begin=23:00:00, end=23:45:00'],
  ])('%j → %s', (tw, expected) => {
    expect(effectiveShootWindow(shoot(tw)).toString()).toBe(expected);
  });
});

describe('defaultTimeWindow (stable hash, docs/design.md, difference 4)', () => {
  it.each([
    ['garden-dev', 'my-shoot'],
    ['garden-prod', 'a'],
    ['garden', ''],
    ['garden-ü', 'schön'],
  ])('%s/%s is stable, on the full hour, one hour long', (ns, name) => {
    const first = defaultTimeWindow(ns, name);
    expect(defaultTimeWindow(ns, name)).toEqual(first);
    expect(first.begin).toMatch(/^(0\d|1\d|2[0-2])0000\+0000$/);
    expect(first.end).toMatch(/^(0\d|1\d|2[0-3])0000\+0000$/);
    expect(Number(first.end.slice(0, 2))).toBe(Number(first.begin.slice(0, 2)) + 1);
    const win = parsed(first.begin, first.end);
    expect(windowDurationProblem(win)).toBeUndefined();
    expect(win.durationMs()).toBe(3_600_000);
  });

  // The hash pinned by literal cases (FNV-1a 32 of "namespace/name", mod 23, worked out apart
  // from the code under test): changing it moves every shoot's default window, so it must be a
  // deliberate change of these lines. garden-dev/dev is the README's example (000000+0000).
  it.each([
    ['garden-dev', 'dev', '000000+0000', '010000+0000'],
    ['garden-dev', 'confined', '010000+0000', '020000+0000'],
    ['garden-dev', 'defaults', '080000+0000', '090000+0000'],
    ['garden-dev', 'my-shoot', '090000+0000', '100000+0000'],
    ['garden-prod', 'cluster-01', '090000+0000', '100000+0000'],
    ['garden-prod', 'a', '160000+0000', '170000+0000'],
    ['garden', '', '160000+0000', '170000+0000'],
    ['garden-ü', 'schön', '120000+0000', '130000+0000'],
    ['garden-dev', 'n1', '220000+0000', '230000+0000'],
  ])('%s/%s → %s-%s', (ns, name, begin, end) => {
    expect(defaultTimeWindow(ns, name)).toEqual({ begin, end });
  });

  it('differs between namespaces of the same name and spreads over all 23 hours', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2300; i++) {
      const { begin } = defaultTimeWindow(`garden-project-${i % 17}`, `shoot-${i}`);
      counts.set(begin, (counts.get(begin) ?? 0) + 1);
    }
    expect(counts.size).toBe(23);
    // Roughly uniform: every hour gets at least half its fair share (100).
    for (const n of counts.values()) expect(n).toBeGreaterThan(50);
    const hours = new Set(Array.from({ length: 50 }, (_, i) => defaultTimeWindow(`ns-${i}`, 'same').begin));
    expect(hours.size).toBeGreaterThan(1);
  });
});

describe('randomInstantIn', () => {
  const occ = { begin: at('2024-05-01T10:00:00Z'), end: at('2024-05-01T10:45:00Z') };
  it.each([
    [0, '2024-05-01T10:00:00.000Z'],
    [0.5, '2024-05-01T10:22:30.000Z'],
    [0.9999999999, '2024-05-01T10:44:59.999Z'],
  ])('random()=%d → %s', (r, expected) => {
    expect(randomInstantIn(occ, () => r).toISOString()).toBe(expected);
  });
  it('always lies in [begin, end)', () => {
    for (let i = 0; i < 200; i++) {
      const t = randomInstantIn(occ, Math.random).getTime();
      expect(t).toBeGreaterThanOrEqual(occ.begin.getTime());
      expect(t).toBeLessThan(occ.end.getTime());
    }
  });
});
