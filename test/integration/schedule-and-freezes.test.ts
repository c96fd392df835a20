// `plan --exclusions` and `schedule` offline: called as functions on the examples, and run as a
// user runs them (`node dist/cli.js …`, built first) — the table, JSON and a calendar, and one
// line with exit code 1 for bad input.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ICAL from 'ical.js';
import { afterAll, describe, expect, it } from 'vitest';
import { runPlanCommand } from '../../src/commands/plan.js';
import { runScheduleCommand } from '../../src/commands/schedule.js';
import type { ScheduleRow } from '../../src/commands/schedule-rows.js';
import { EXAMPLES } from './helpers.js';
import { CLI, requireBuild } from './webhook-child.js';

const profile = join(EXAMPLES, 'cloudprofile.yaml');
const namespacedProfile = join(EXAMPLES, 'namespacedcloudprofile.yaml');
const freezes = join(EXAMPLES, 'exclusions', 'year-end-freeze.yaml');
const berlin = join(EXAMPLES, 'shoots', 'berlin-tue-thu.yaml');

describe('plan with --exclusions and the schedule annotations', () => {
  it('prints the window as written with zone and days, the next run local and UTC, and the freeze', () => {
    const text = runPlanCommand({ shoot: berlin, cloudProfile: profile, exclusions: [freezes], now: '2026-12-20T12:00:00Z', output: 'text' });
    expect(text.split('\n').slice(0, 5)).toEqual([
      'Shoot garden-dev/berlin',
      'Window: 020000+0100-040000+0100 (Europe/Berlin, Tue,Thu; effective end 034500+0100), now outside; due: no',
      'Next run: between 2026-12-22T02:00:00+01:00 and 2026-12-22T03:45:00+01:00 (UTC 2026-12-22T01:00:00Z – 2026-12-22T02:45:00Z)',
      'Freeze: ClusterMaintenanceExclusion "year-end-minor-freeze" (NoMinorUpgrades) until 2027-01-07T00:00:00Z: year-end change freeze',
      'Deferred by the freeze: nothing',
    ]);
  });

  it('a NoUpgrades freeze: no run, and what it would have done listed as deferred', () => {
    const text = runPlanCommand({ shoot: berlin, cloudProfile: profile, exclusions: [freezes], now: '2026-12-24T01:30:00Z', output: 'text' });
    expect(text).toContain('now inside; due: no (NoUpgrades freeze: MaintenanceExclusion "garden-dev/holidays" until 2026-12-27T00:00:00Z)');
    expect(text).toContain('Deferred by the freeze:\n  control plane: Kubernetes version "1.32.0" to "1.32.4"\n');
    expect(text).toMatch(/Changes: none \(the NoUpgrades freeze suppresses the run\)\n$/);
    const json = JSON.parse(runPlanCommand({ shoot: berlin, cloudProfile: profile, exclusions: [freezes], now: '2026-12-24T01:30:00Z', output: 'json' })) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['window', 'due', 'dueReason', 'nextRun', 'kubernetes', 'workers', 'credentialRotations', 'operations', 'lastMaintenance', 'shoot', 'restriction', 'deferred']);
    expect(json).toMatchObject({
      window: { timeZone: 'Europe/Berlin', days: ['Tue', 'Thu'], inWindow: true },
      due: false,
      dueReason: 'excluded',
      nextRun: { earliest: '2026-12-29T01:00:00.000Z', localEarliest: '2026-12-29T02:00:00+01:00', localLatest: '2026-12-29T03:45:00+01:00' },
      restriction: { scope: 'NoUpgrades', exclusion: 'MaintenanceExclusion "garden-dev/holidays"', reason: 'holidays, nobody on call', end: '2026-12-27T00:00:00Z' },
    });
  });

  it('a shoot without annotations keeps the old lines', () => {
    const text = runPlanCommand({ shoot: join(EXAMPLES, 'shoots', 'outdated.yaml'), cloudProfile: profile, now: '2026-03-01T12:00:00Z', output: 'text' });
    expect(text.split('\n').slice(1, 3)).toEqual([
      'Window: 220000+0000-230000+0000 (effective end 224500+0000), now outside; due: no',
      'Next run: between 2026-03-01T22:00:00.000Z and 2026-03-01T22:45:00.000Z',
    ]);
  });
});

describe('schedule offline, called as a function', () => {
  const run = (output: 'table' | 'json' | 'ics', extra: Partial<Parameters<typeof runScheduleCommand>[0]> = {}) =>
    runScheduleCommand({
      shoots: join(EXAMPLES, 'shoots'),
      cloudProfile: [profile, namespacedProfile],
      exclusions: [freezes],
      from: '2026-12-21T00:00:00Z',
      days: '7',
      output,
      ...extra,
    });

  it('json: every shoot of examples/shoots, each occurrence once, sorted by start', async () => {
    const rows = JSON.parse(await run('json')) as ScheduleRow[];
    const starts = rows.map((r) => r.start ?? '');
    expect([...starts].sort()).toEqual(starts);
    expect([...new Set(rows.map((r) => r.shoot))].sort()).toEqual(
      ['berlin', 'confined', 'defaults', 'dev', 'expired', 'extended', 'outdated', 'rotating', 'short-window'].map((n) => `garden-dev/${n}`),
    );
    const berlinRows = rows.filter((r) => r.shoot === 'garden-dev/berlin');
    expect(berlinRows.map((r) => [r.localStart, r.suppressed])).toEqual([
      ['2026-12-22T02:00:00+01:00', false],
      ['2026-12-24T02:00:00+01:00', true],
    ]);
    expect(berlinRows[0]?.restriction).toMatchObject({ scope: 'NoMinorUpgrades', exclusion: 'ClusterMaintenanceExclusion "year-end-minor-freeze"' });
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'shoot', 'namespace', 'name', 'window', 'timeZone', 'days', 'start', 'end', 'localStart', 'localEnd', 'changes', 'heldSpec',
      'kubernetes', 'workers', 'credentialRotations', 'restriction', 'suppressed', 'deferred', 'error',
    ]);
  });

  it('a shoot whose profile is not among the files gets rows with the error', async () => {
    const rows = JSON.parse(await run('json', { cloudProfile: [profile] })) as ScheduleRow[];
    const extended = rows.filter((r) => r.error !== null);
    expect(extended.length).toBeGreaterThan(0);
    expect(extended.every((r) => r.shoot === 'garden-dev/extended' && r.error === 'namespacedcloudprofiles.core.gardener.cloud "local-dev" not found')).toBe(true);
  });

  it('ics parses back: one event per row', async () => {
    const rows = JSON.parse(await run('json')) as ScheduleRow[];
    const events = new ICAL.Component(ICAL.parse(await run('ics'))).getAllSubcomponents('vevent').map((c) => new ICAL.Event(c));
    expect(events.map((e) => e.startDate.toJSDate().toISOString().replace('.000Z', 'Z'))).toEqual(rows.map((r) => r.start));
    expect(events.map((e) => e.summary.split(':')[0])).toEqual(rows.map((r) => r.shoot));
  });
});

describe('schedule run as a user runs it', () => {
  requireBuild();
  const tmp = mkdtempSync(join(tmpdir(), 'sm-schedule-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const cli = (args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(process.execPath, [CLI, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
      });
    });
  const offline = ['schedule', '--shoots', berlin, '--cloud-profile', profile, '--exclusions', freezes, '--from', '2026-12-21T00:00:00Z', '--days', '7'];

  it('prints the table', async () => {
    const run = await cli(offline);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')).toEqual([
      'Maintenance from 2026-12-21T00:00:00Z to 2026-12-28T00:00:00Z: 2 runs',
      'START (UTC)       END (UTC)         LOCAL START             ZONE                   SHOOT              RUN',
      '2026-12-22 01:00  2026-12-22 02:45  2026-12-22 02:00+01:00  Europe/Berlin Tue,Thu  garden-dev/berlin  control plane 1.32.0 -> 1.32.4, pool "worker" image gardenlinux 1592.3.0 -> 1592.4.0; restricted by ClusterMaintenanceExclusion "year-end-minor-freeze" (NoMinorUpgrades)',
      '2026-12-24 01:00  2026-12-24 02:45  2026-12-24 02:00+01:00  Europe/Berlin Tue,Thu  garden-dev/berlin  suppressed by MaintenanceExclusion "garden-dev/holidays" (NoUpgrades)',
      '',
    ]);
  });

  it('prints a calendar with -o ics', async () => {
    const run = await cli([...offline, '-o', 'ics']);
    expect(run.code).toBe(0);
    const events = new ICAL.Component(ICAL.parse(run.stdout)).getAllSubcomponents('vevent');
    expect(events).toHaveLength(2);
    expect(run.stdout).toContain('DTSTART:20261222T010000Z');
  });

  it.each([
    [['--days', '0'], /^shoot-maintenance: --days must be a whole number from 1 to 366, not "0"\n$/],
    [['--from', 'tomorrow'], /^shoot-maintenance: --from "tomorrow" is not an ISO 8601 instant\n$/],
    [['--exclusions', 'BAD'], /^shoot-maintenance: exclusions file .*: ClusterMaintenanceExclusion "x": spec\.scope "Sometimes" is not one of NoMinorUpgrades, NoMinorOrImageUpgrades, NoUpgrades\n$/],
    [['--exclusions', 'KIND'], /^shoot-maintenance: exclusions file .*: kind is "ConfigMap", expected MaintenanceExclusion or ClusterMaintenanceExclusion\n$/],
    [['--exclusions', '/nonexistent.yaml'], /^shoot-maintenance: cannot read \/nonexistent\.yaml: /],
    [['--kubeconfig', '/nonexistent'], /^shoot-maintenance: --kubeconfig reads the cluster; --shoots, --cloud-profile and --exclusions read files: give one or the other\n$/],
  ])('refuses %j with one line and exit code 1', async (extra, message) => {
    const bad = join(tmp, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: maintenance.shoot-maintenance.io/v1alpha1\nkind: ClusterMaintenanceExclusion\nmetadata: {name: x}\nspec: {start: "2026-12-01T00:00:00Z", end: "2026-12-02T00:00:00Z", scope: Sometimes}\n');
    const kind = join(tmp, 'kind.yaml');
    writeFileSync(kind, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
    const args = extra.map((a) => (a === 'BAD' ? bad : a === 'KIND' ? kind : a));
    const run = await cli([...offline, ...args]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
  });

  it('plan refuses a bad --exclusions file the same way', async () => {
    const bad = join(tmp, 'bad-end.yaml');
    writeFileSync(bad, 'kind: MaintenanceExclusion\nmetadata: {name: x, namespace: a}\nspec: {start: "2026-12-02T00:00:00Z", end: "2026-12-01T00:00:00Z", scope: NoUpgrades}\n');
    const run = await cli(['plan', '--shoot', berlin, '--cloud-profile', profile, '--exclusions', bad]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`shoot-maintenance: exclusions file ${bad}: MaintenanceExclusion "x": spec.end must be after spec.start\n`);
  });
});
