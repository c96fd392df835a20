import { describe, expect, it } from 'vitest';
import type { Shoot } from '../../../src/core/shoot.js';
import { maintainedInCurrentOccurrence } from '../../../src/core/maintenance-schedule.js';
import { dueTimeOf, needsReplan } from '../../../src/scheduler/due-time.js';

function shoot(o: { window?: { begin: string; end: string }; op?: string; triggered?: string; deleting?: boolean; record?: boolean } = {}): Shoot {
  return {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'Shoot',
    metadata: {
      name: 's',
      namespace: 'n',
      ...(o.op ? { annotations: { 'gardener.cloud/operation': o.op } } : {}),
      ...(o.record ? { annotations: { 'maintenance.gardener.cloud/last-maintenance': '{}' } } : {}),
      ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
    spec: {
      kubernetes: { version: '1.33.1' },
      provider: { type: 'local' },
      maintenance: { timeWindow: o.window ?? { begin: '100000+0000', end: '110000+0000' } },
    },
    ...(o.triggered ? { status: { lastMaintenance: { description: 'x', state: 'Succeeded', triggeredTime: o.triggered } } } : {}),
  };
}

const withAnnotations = (s: Shoot, annotations: Record<string, string>): Shoot => ({ ...s, metadata: { ...s.metadata, annotations } });

const lowest = () => 0;
const highest = () => 0.999999999;

describe('dueTimeOf', () => {
  it.each([
    { name: 'outside the window → begin of the next occurrence (random lowest)', s: shoot(), now: '2026-03-10T08:00:00Z', random: lowest, at: '2026-03-10T10:00:00.000Z', reason: 'next-window' },
    { name: 'outside → before the effective end (random highest)', s: shoot(), now: '2026-03-10T08:00:00Z', random: highest, at: '2026-03-10T10:44:59.999Z', reason: 'next-window' },
    { name: 'after today’s window → tomorrow', s: shoot(), now: '2026-03-10T12:00:00Z', random: lowest, at: '2026-03-11T10:00:00.000Z', reason: 'next-window' },
    { name: 'inside, not yet maintained → rest of this occurrence, from now', s: shoot(), now: '2026-03-10T10:30:00Z', random: lowest, at: '2026-03-10T10:30:00.000Z', reason: 'in-window' },
    { name: 'inside, not yet maintained → never past the effective end', s: shoot(), now: '2026-03-10T10:30:00Z', random: highest, at: '2026-03-10T10:44:59.999Z', reason: 'in-window' },
    { name: 'inside, maintained earlier in this occurrence → next occurrence (docs/design.md, difference 3)', s: shoot({ triggered: '2026-03-10T10:05:00Z' }), now: '2026-03-10T10:30:00Z', random: lowest, at: '2026-03-11T10:00:00.000Z', reason: 'next-window' },
    { name: 'inside, maintained yesterday → this occurrence', s: shoot({ triggered: '2026-03-09T10:05:00Z' }), now: '2026-03-10T10:30:00Z', random: lowest, at: '2026-03-10T10:30:00.000Z', reason: 'in-window' },
    { name: 'an unfinished run’s record → now, even outside the window', s: shoot({ record: true, triggered: '2026-03-10T10:05:00Z' }), now: '2026-03-10T15:00:00Z', random: highest, at: '2026-03-10T15:00:00.000Z', reason: 'unfinished' },
    { name: 'maintain → now, even when maintained in this occurrence', s: shoot({ op: 'maintain', triggered: '2026-03-10T10:05:00Z' }), now: '2026-03-10T10:30:00Z', random: highest, at: '2026-03-10T10:30:00.000Z', reason: 'maintain' },
    { name: 'wrapping window, after midnight, maintained before midnight → next occurrence', s: shoot({ window: { begin: '233000+0000', end: '010000+0000' }, triggered: '2026-03-09T23:40:00Z' }), now: '2026-03-10T00:10:00Z', random: lowest, at: '2026-03-10T23:30:00.000Z', reason: 'next-window' },
  ])('$name', ({ s, now, random, at, reason }) => {
    const due = dueTimeOf(s, new Date(now), random);
    expect(due?.at.toISOString()).toBe(at);
    expect(due?.reason).toBe(reason);
  });

  it('follows the schedule annotations: a Tue,Thu Berlin shoot inside its hours on a Wednesday waits for Thursday', () => {
    const s = shoot({ window: { begin: '100000+0100', end: '110000+0100' } });
    s.metadata.annotations = { 'maintenance.gardener.cloud/time-zone': 'Europe/Berlin', 'maintenance.gardener.cloud/days': 'Tue,Thu' };
    // Wednesday 2026-03-11, 10:20 Berlin (09:20Z): inside the hours, not one of its days.
    const due = dueTimeOf(s, new Date('2026-03-11T09:20:00Z'), lowest);
    expect(due).toEqual({ at: new Date('2026-03-12T09:00:00Z'), reason: 'next-window' });
    expect(dueTimeOf(s, new Date('2026-03-12T09:20:00Z'), lowest)).toEqual({ at: new Date('2026-03-12T09:20:00Z'), reason: 'in-window' });
  });

  it('a shoot being deleted is not queued', () => {
    expect(dueTimeOf(shoot({ deleting: true, op: 'maintain' }), new Date(), lowest)).toBeNull();
  });

  it('maintainedInCurrentOccurrence', () => {
    expect(maintainedInCurrentOccurrence(shoot({ triggered: '2026-03-10T10:05:00Z' }), new Date('2026-03-10T10:30:00Z'))).toBe(true);
    expect(maintainedInCurrentOccurrence(shoot({ triggered: '2026-03-10T10:05:00Z' }), new Date('2026-03-10T11:30:00Z'))).toBe(false);
  });
});

describe('needsReplan (Gardener’s update predicate)', () => {
  it.each([
    { name: 'maintain newly added', old: shoot(), cur: shoot({ op: 'maintain' }), want: true },
    { name: 'maintain still there', old: shoot({ op: 'maintain' }), cur: shoot({ op: 'maintain' }), want: false },
    { name: 'maintain removed', old: shoot({ op: 'maintain' }), cur: shoot(), want: false },
    { name: 'window changed', old: shoot(), cur: shoot({ window: { begin: '120000+0000', end: '130000+0000' } }), want: true },
    { name: 'status only', old: shoot(), cur: shoot({ triggered: '2026-03-10T10:05:00Z' }), want: false },
    { name: 'time-zone annotation added', old: shoot(), cur: withAnnotations(shoot(), { 'maintenance.gardener.cloud/time-zone': 'Europe/Berlin' }), want: true },
    { name: 'days annotation changed', old: withAnnotations(shoot(), { 'maintenance.gardener.cloud/days': 'Tue' }), cur: withAnnotations(shoot(), { 'maintenance.gardener.cloud/days': 'Wed' }), want: true },
    { name: 'another annotation changed', old: shoot(), cur: withAnnotations(shoot(), { team: 'a' }), want: false },
    { name: 'deletion started', old: shoot(), cur: shoot({ deleting: true }), want: true },
  ])('$name → $want', ({ old, cur, want }) => {
    expect(needsReplan(cur, old)).toBe(want);
  });
});
