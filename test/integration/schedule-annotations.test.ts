// The done-when of the schedule annotations through the `plan` command on the example file
// examples/shoots/berlin-tue-thu.yaml (Europe/Berlin, 020000+0100–040000+0100, Tue,Thu): maintained
// at 02:00–03:45 Berlin time on both sides of the 2026-10-25 change to winter time, and only on its days.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPlanCommand } from '../../src/commands/plan.js';
import { EXAMPLES } from './helpers.js';

interface PlanJson {
  window: { inWindow: boolean; timeZone: string | null; days: string[] | null };
  due: boolean;
  dueReason: string;
  nextRun: { earliest: string; latest: string; localEarliest: string; localLatest: string };
}

const planAt = (now: string): PlanJson =>
  JSON.parse(
    runPlanCommand({ shoot: join(EXAMPLES, 'shoots', 'berlin-tue-thu.yaml'), cloudProfile: [join(EXAMPLES, 'cloudprofile.yaml')], now, output: 'json' }),
  ) as PlanJson;

describe('plan --now on a Europe/Berlin Tue,Thu shoot around the 2026 changes of summer time', () => {
  it.each([
    // Thursday 22 October, summer time (+02:00): 02:00–03:45 local is 00:00Z–01:45Z.
    { now: '2026-10-22T00:00:00Z', due: true },
    { now: '2026-10-22T01:45:00Z', due: true },
    { now: '2026-10-22T01:46:00Z', due: false },
    { now: '2026-10-21T23:59:59Z', due: false },
    // Tuesday 27 October, winter time (+01:00): 01:00Z–02:45Z; 00:30Z would be inside a fixed-offset window.
    { now: '2026-10-27T00:30:00Z', due: false },
    { now: '2026-10-27T01:00:00Z', due: true },
    { now: '2026-10-27T02:45:00Z', due: true },
    // Monday 26 and Wednesday 28 October at 02:30 local: not its days.
    { now: '2026-10-26T01:30:00Z', due: false },
    { now: '2026-10-28T01:30:00Z', due: false },
  ])('at $now: due $due', ({ now, due }) => {
    const p = planAt(now);
    expect(p.window.timeZone).toBe('Europe/Berlin');
    expect(p.window.days).toEqual(['Tue', 'Thu']);
    expect({ inWindow: p.window.inWindow, due: p.due }).toEqual({ inWindow: due, due });
  });

  it.each([
    { now: '2026-10-20T12:00:00Z', utc: ['2026-10-22T00:00:00.000Z', '2026-10-22T01:45:00.000Z'], local: ['2026-10-22T02:00:00+02:00', '2026-10-22T03:45:00+02:00'] },
    { now: '2026-10-22T12:00:00Z', utc: ['2026-10-27T01:00:00.000Z', '2026-10-27T02:45:00.000Z'], local: ['2026-10-27T02:00:00+01:00', '2026-10-27T03:45:00+01:00'] },
    { now: '2026-10-27T12:00:00Z', utc: ['2026-10-29T01:00:00.000Z', '2026-10-29T02:45:00.000Z'], local: ['2026-10-29T02:00:00+01:00', '2026-10-29T03:45:00+01:00'] },
    // Spring: Thursday 26 March in winter time, Tuesday 31 March in summer time (the change is Sunday 29 March).
    { now: '2026-03-24T12:00:00Z', utc: ['2026-03-26T01:00:00.000Z', '2026-03-26T02:45:00.000Z'], local: ['2026-03-26T02:00:00+01:00', '2026-03-26T03:45:00+01:00'] },
    { now: '2026-03-26T12:00:00Z', utc: ['2026-03-31T00:00:00.000Z', '2026-03-31T01:45:00.000Z'], local: ['2026-03-31T02:00:00+02:00', '2026-03-31T03:45:00+02:00'] },
  ])('after $now the next run is $local.0 – $local.1', ({ now, utc, local }) => {
    const { nextRun } = planAt(now);
    expect([nextRun.earliest, nextRun.latest]).toEqual(utc);
    expect([nextRun.localEarliest, nextRun.localLatest]).toEqual(local);
  });
});
