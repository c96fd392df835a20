// schedule's rows (one per occurrence, planned at its begin under the freeze then), the table and
// the calendar (parsed back with ical.js, an independent RFC 5545 parser).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { exclusionSetOf } from '../../../src/commands/exclusion-files.js';
import { renderScheduleIcs } from '../../../src/commands/schedule-ics.js';
import { type ScheduleInput, type ScheduleRow, scheduleRows } from '../../../src/commands/schedule-rows.js';
import { renderScheduleTable } from '../../../src/commands/schedule-text.js';
import { prepareCloudProfile } from '../../../src/catalogue/prepare.js';
import type { CatalogueIndex } from '../../../src/core/cloudprofile.js';
import { type ExclusionScope, type MaintenanceExclusion, NO_EXCLUSIONS } from '../../../src/core/maintenance-exclusion.js';
import type { Shoot } from '../../../src/core/shoot.js';

const EXAMPLES = join(import.meta.dirname, '..', '..', '..', 'examples');
const OPTIONS = { forceUpdateVanishedVersions: false, restartControlPlanePods: true, restartCoreAddons: false };

/** examples/cloudprofile.yaml, with expiration dates of Kubernetes versions changed. */
function profile(expirations: Record<string, string> = {}): CatalogueIndex {
  const raw = parseYaml(readFileSync(join(EXAMPLES, 'cloudprofile.yaml'), 'utf8')) as {
    spec: { kubernetes: { versions: { version: string; expirationDate?: string }[] } };
  };
  for (const v of raw.spec.kubernetes.versions) if (expirations[v.version]) v.expirationDate = expirations[v.version];
  const p = prepareCloudProfile(raw);
  if (!p.ok) throw new Error(p.reason);
  return p.index;
}

function shoot(o: { name?: string; version?: string; window?: [string, string]; annotations?: Record<string, string>; autoUpdate?: boolean; labels?: Record<string, string> } = {}): Shoot {
  return {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'Shoot',
    metadata: { name: o.name ?? 'a', namespace: 'team', annotations: o.annotations ?? {}, labels: o.labels ?? {} },
    spec: {
      cloudProfileName: 'local',
      region: 'local',
      kubernetes: { version: o.version ?? '1.32.4' },
      maintenance: {
        autoUpdate: { kubernetesVersion: o.autoUpdate ?? false, machineImageVersion: false },
        timeWindow: { begin: o.window?.[0] ?? '220000+0000', end: o.window?.[1] ?? '230000+0000' },
      },
      provider: {
        type: 'local',
        workers: [{ name: 'w', machine: { type: 'm5.large', image: { name: 'gardenlinux', version: '1592.4.0' } }, minimum: 1, maximum: 1 }],
      },
    },
  } as Shoot;
}

const input = (s: Shoot, index: CatalogueIndex | undefined = profile(), error?: string): ScheduleInput => ({
  namespace: s.metadata.namespace ?? '',
  name: s.metadata.name ?? '',
  shoot: s,
  ...(index ? { index } : {}),
  ...(error ? { error } : {}),
});

function exclusion(scope: ExclusionScope, start: string, end: string, name = 'freeze'): MaintenanceExclusion {
  return { kind: 'MaintenanceExclusion', metadata: { name, namespace: 'team' }, spec: { start, end, scope, reason: 'release' } };
}

const rowsOf = (inputs: ScheduleInput[], from: string, days: number, exclusions = NO_EXCLUSIONS): ScheduleRow[] =>
  scheduleRows(inputs, exclusions, new Date(from), new Date(Date.parse(from) + days * 86_400_000), OPTIONS);

describe('scheduleRows', () => {
  it('a Europe/Berlin shoot across the end of summer time (2026-10-25): 02:00 local each night, 03:00 of the doubled hour ends in CET', () => {
    const s = shoot({ window: ['020000+0100', '040000+0100'], annotations: { 'maintenance.gardener.cloud/time-zone': 'Europe/Berlin' } });
    const rows = rowsOf([input(s)], '2026-10-24T00:00:00Z', 3);
    expect(rows.map((r) => [r.start, r.end, r.localStart, r.localEnd])).toEqual([
      ['2026-10-24T00:00:00Z', '2026-10-24T01:45:00Z', '2026-10-24T02:00:00+02:00', '2026-10-24T03:45:00+02:00'],
      // 02:00 exists twice: the earlier instant (CEST); the end, 04:00, is CET: 2h45m of effective time.
      ['2026-10-25T00:00:00Z', '2026-10-25T02:45:00Z', '2026-10-25T02:00:00+02:00', '2026-10-25T03:45:00+01:00'],
      ['2026-10-26T01:00:00Z', '2026-10-26T02:45:00Z', '2026-10-26T02:00:00+01:00', '2026-10-26T03:45:00+01:00'],
    ]);
    expect(rows[0]).toMatchObject({ shoot: 'team/a', timeZone: 'Europe/Berlin', days: null, error: null });
    expect(rows[0]?.window).toBe('020000+0100-040000+0100 (Europe/Berlin, every day; effective end 034500+0100)');
  });

  it('the days annotation: only Tuesday and Thursday nights in a week', () => {
    const s = shoot({ annotations: { 'maintenance.gardener.cloud/days': 'Tue,Thu' } });
    const rows = rowsOf([input(s)], '2026-12-21T00:00:00Z', 7);
    expect(rows.map((r) => r.start)).toEqual(['2026-12-22T22:00:00Z', '2026-12-24T22:00:00Z']);
    expect(rows[0]?.days).toEqual(['Tue', 'Thu']);
  });

  it('a version expiring between two occurrences: nothing in the first, FORCED in the second', () => {
    const index = profile({ '1.32.0': '2026-03-02T12:00:00Z' });
    const rows = rowsOf([input(shoot({ version: '1.32.0' }), index)], '2026-03-01T00:00:00Z', 2);
    expect(rows.map((r) => r.start)).toEqual(['2026-03-01T22:00:00Z', '2026-03-02T22:00:00Z']);
    expect(rows[0]?.kubernetes).toBeNull();
    expect(rows[0]?.changes).toEqual([]);
    expect(rows[1]?.kubernetes).toMatchObject({ from: '1.32.0', to: '1.32.4', forced: true });
    expect(rows[1]?.changes[0]).toMatch(/^Control plane: Kubernetes 1\.32\.0 -> 1\.32\.4 FORCED \(/);
  });

  it('a NoUpgrades freeze suppresses the occurrences it covers and defers all of the run', () => {
    const index = profile({ '1.32.0': '2026-03-01T00:00:00Z' });
    const set = exclusionSetOf([exclusion('NoUpgrades', '2026-03-02T00:00:00Z', '2026-03-03T00:00:00Z')], new Map());
    const rows = rowsOf([input(shoot({ version: '1.32.0' }), index)], '2026-03-01T00:00:00Z', 3, set);
    expect(rows.map((r) => r.suppressed)).toEqual([false, true, false]);
    const [free, frozen] = rows;
    expect(free?.kubernetes).toMatchObject({ to: '1.32.4', forced: true });
    expect(frozen).toMatchObject({ kubernetes: null, changes: [], credentialRotations: [] });
    expect(frozen?.restriction).toMatchObject({ scope: 'NoUpgrades', exclusion: 'MaintenanceExclusion "team/freeze"', end: '2026-03-03T00:00:00Z' });
    expect(frozen?.deferred).toContainEqual({ component: 'control plane', change: 'Kubernetes version "1.32.0" to "1.32.4"', forced: true });
  });

  it('a NoMinorUpgrades freeze defers a forced minor update and lets patches through', () => {
    // 1.31.6 expired and the latest of its minor: the forced update goes to the next minor.
    const index = profile({ '1.31.6': '2026-03-01T00:00:00Z' });
    const set = exclusionSetOf([exclusion('NoMinorUpgrades', '2026-03-01T00:00:00Z', '2026-03-02T00:00:00Z')], new Map());
    const rows = rowsOf([input(shoot({ version: '1.31.6' }), index), input(shoot({ name: 'b', version: '1.32.0', autoUpdate: true }), index)], '2026-03-01T00:00:00Z', 2, set);
    const [minor, patch, after] = rows;
    expect(minor).toMatchObject({ shoot: 'team/a', suppressed: false, kubernetes: null, restriction: { scope: 'NoMinorUpgrades' } });
    expect(minor?.deferred).toEqual([{ component: 'control plane', change: 'Kubernetes version "1.31.6" to "1.32.4"', forced: true }]);
    expect(patch).toMatchObject({ shoot: 'team/b', kubernetes: { from: '1.32.0', to: '1.32.4', forced: false }, deferred: [] });
    expect(after).toMatchObject({ shoot: 'team/a', start: '2026-03-02T22:00:00Z', restriction: null, kubernetes: { to: '1.32.4', forced: true } });
  });

  it('a shoot whose profile is missing gets rows with the error; rows are sorted by start, then shoot', () => {
    const missing = input(shoot({ name: 'z', window: ['100000+0000', '110000+0000'] }), undefined, 'CloudProfile "gone" not found');
    const rows = rowsOf([input(shoot({ name: 'b' })), missing, input(shoot({ name: 'a' }))], '2026-03-01T00:00:00Z', 1);
    expect(rows.map((r) => [r.shoot, r.start, r.error])).toEqual([
      ['team/z', '2026-03-01T10:00:00Z', 'CloudProfile "gone" not found'],
      ['team/a', '2026-03-01T22:00:00Z', null],
      ['team/b', '2026-03-01T22:00:00Z', null],
    ]);
  });
});

describe('renderScheduleTable', () => {
  it('one line per run with UTC and local times, the zone and what happens', () => {
    const index = profile({ '1.32.0': '2026-03-01T00:00:00Z' });
    const set = exclusionSetOf([exclusion('NoUpgrades', '2026-03-02T00:00:00Z', '2026-03-03T00:00:00Z', 'hold')], new Map());
    const berlin = shoot({ name: 'berlin', window: ['020000+0100', '040000+0100'], annotations: { 'maintenance.gardener.cloud/time-zone': 'Europe/Berlin', 'maintenance.gardener.cloud/days': 'Mon' } });
    const rows = rowsOf([input(shoot({ version: '1.32.0' }), index), input(berlin)], '2026-03-01T00:00:00Z', 2, set);
    const text = renderScheduleTable(rows, new Date('2026-03-01T00:00:00Z'), new Date('2026-03-03T00:00:00Z'));
    expect(text.split('\n')).toEqual([
      'Maintenance from 2026-03-01T00:00:00Z to 2026-03-03T00:00:00Z: 3 runs',
      'START (UTC)       END (UTC)         LOCAL START             ZONE               SHOOT        RUN',
      '2026-03-01 22:00  2026-03-01 22:45  2026-03-01 22:00        UTC                team/a       control plane 1.32.0 -> 1.32.4 FORCED',
      '2026-03-02 01:00  2026-03-02 02:45  2026-03-02 02:00+01:00  Europe/Berlin Mon  team/berlin  suppressed by MaintenanceExclusion "team/hold" (NoUpgrades)',
      '2026-03-02 22:00  2026-03-02 22:45  2026-03-02 22:00        UTC                team/a       suppressed by MaintenanceExclusion "team/hold" (NoUpgrades)',
      '',
    ]);
  });
});

describe('renderScheduleIcs', () => {
  const index = profile({ '1.32.0': '2026-03-02T12:00:00Z' });
  const set = exclusionSetOf([exclusion('NoMinorUpgrades', '2026-03-01T00:00:00Z', '2026-03-05T00:00:00Z')], new Map());
  const from = new Date('2026-03-01T00:00:00Z');
  const rows = rowsOf([input(shoot({ version: '1.32.0' }), index), input(shoot({ name: 'gone' }), undefined, 'CloudProfile "x" not found')], from.toISOString(), 2, set);
  const ics = renderScheduleIcs(rows, from);
  const events = new ICAL.Component(ICAL.parse(ics)).getAllSubcomponents('vevent').map((c) => new ICAL.Event(c));

  it('is one VEVENT per occurrence with UTC times and stable UIDs', () => {
    expect(ics).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(events.map((e) => [e.startDate.toJSDate().toISOString(), e.endDate.toJSDate().toISOString()])).toEqual([
      ['2026-03-01T22:00:00.000Z', '2026-03-01T22:45:00.000Z'],
      ['2026-03-01T22:00:00.000Z', '2026-03-01T22:45:00.000Z'],
      ['2026-03-02T22:00:00.000Z', '2026-03-02T22:45:00.000Z'],
      ['2026-03-02T22:00:00.000Z', '2026-03-02T22:45:00.000Z'],
    ]);
    expect(events.every((e) => e.startDate.isDate === false && e.startDate.zone?.tzid === 'UTC')).toBe(true);
    const uids = events.map((e) => e.uid);
    expect(new Set(uids).size).toBe(4);
    for (const uid of uids) expect(uid).toMatch(/^[0-9a-f]{32}@shoot-maintenance$/);
    // Stable: the same inputs give the same calendar, byte for byte (DTSTAMP is --from).
    expect(renderScheduleIcs(rowsOf([input(shoot({ version: '1.32.0' }), index)], from.toISOString(), 2, set), from)).toContain(`UID:${uids[0]}`);
    expect(renderScheduleIcs(rows, from)).toBe(ics);
  });

  it('summaries name the shoot and the changes; descriptions give the details', () => {
    expect(events.map((e) => e.summary)).toEqual([
      'team/a: no changes; restricted by MaintenanceExclusion "team/freeze" (NoMinorUpgrades)',
      'team/gone: ERROR: CloudProfile "x" not found',
      'team/a: control plane 1.32.0 -> 1.32.4 FORCED; restricted by MaintenanceExclusion "team/freeze" (NoMinorUpgrades)',
      'team/gone: ERROR: CloudProfile "x" not found',
    ]);
    const description = events[2]?.description ?? '';
    expect(description).toContain('Shoot team/a\n');
    expect(description).toContain('Freeze: MaintenanceExclusion "team/freeze" (NoMinorUpgrades) until 2026-03-05T00:00:00Z: release');
    expect(description).toMatch(/Change: Control plane: Kubernetes 1\.32\.0 -> 1\.32\.4 FORCED \(Kubernetes version expired/);
    expect(events[1]?.description).toContain('Error: CloudProfile "x" not found');
  });
});
