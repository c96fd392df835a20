// The schedule annotations (maintenance.gardener.cloud/time-zone and /days) through a real
// kube-apiserver, the real kubectl and the scheduler as deployed: what the webhook accepts and
// refuses, its warning, and a scheduler that maintains only on the allowed local weekday. The
// expected instants are computed here with js-joda (its own tzdb), not with the code under test.
import { LocalDateTime, ZonedDateTime, ZoneId } from '@js-joda/core';
import '@js-joda/timezone';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopPid } from '../../tools/test-cluster/processes.js';
import { applyYaml, ctx, getJson, kubectl, uniqueName, waitFor, type KubectlResult } from './harness.js';
import { must, schedulerAsDeployed, shootYaml, type SchedulerChild, type ShootJson } from './scheduler-support.js';

const VALIDATE_SHOOTS = 'validate.shoots.maintenance.gardener.cloud';
const TZ = 'maintenance.gardener.cloud/time-zone';
const DAYS = 'maintenance.gardener.cloud/days';
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const KOLKATA = ZoneId.of('Asia/Kolkata');

let namespace: string;

const yaml = (name: string, window: { begin: string; end: string }, annotations: Record<string, string>) =>
  shootYaml({ name, namespace, cloudProfile: ctx().cloudProfileName, window, annotations });

function denial(res: KubectlResult): string {
  expect(res.code, res.stdout).toBe(1);
  return res.stderr.replace('error when creating "STDIN": ', '').trim();
}

const pad = (n: number) => String(n).padStart(2, '0');
/** `HHMMSS+0530`: a wall-clock time in Kolkata as a window value. */
const kolkataValue = (t: ZonedDateTime) => `${pad(t.hour())}${pad(t.minute())}${pad(t.second())}+0530`;

beforeAll(async () => {
  namespace = uniqueName('schedule');
  await must(kubectl(['create', 'namespace', namespace]));
});

afterAll(async () => {
  await kubectl(['delete', 'namespace', namespace, '--wait=false']);
});

describe('the webhook and the schedule annotations', () => {
  it('accepts Europe/Berlin with either of its offsets and weekdays in any case', async () => {
    await must(applyYaml(yaml('berlin-winter', { begin: '020000+0100', end: '040000+0100' }, { [TZ]: 'Europe/Berlin', [DAYS]: 'tue,Thu' })));
    await must(applyYaml(yaml('berlin-summer', { begin: '020000+0200', end: '040000+0200' }, { [TZ]: 'Europe/Berlin' })));
    const stored = await getJson<ShootJson>('shoot', 'berlin-winter', namespace);
    expect(stored.metadata.annotations?.[TZ]).toBe('Europe/Berlin');
    expect(stored.metadata.annotations?.[DAYS]).toBe('tue,Thu');
  });

  it('refuses an offset Europe/Berlin does not use, naming the ones it does', async () => {
    const res = await applyYaml(yaml('berlin-utc', { begin: '020000+0000', end: '040000+0000' }, { [TZ]: 'Europe/Berlin' }));
    expect(denial(res)).toBe(
      `Error from server (Forbidden): admission webhook "${VALIDATE_SHOOTS}" denied the request: ` +
        '[spec.maintenance.timeWindow.begin: Invalid value: "020000+0000": offset +0000 is not one time zone "Europe/Berlin" uses: +0100, +0200, ' +
        'spec.maintenance.timeWindow.end: Invalid value: "040000+0000": offset +0000 is not one time zone "Europe/Berlin" uses: +0100, +0200]',
    );
  });

  it('refuses an unknown zone and a weekday list with a repeat', async () => {
    const res = await applyYaml(yaml('bad-annotations', { begin: '020000+0100', end: '040000+0100' }, { [TZ]: 'Berlin', [DAYS]: 'Mon,Funday' }));
    expect(denial(res)).toBe(
      `Error from server (Forbidden): admission webhook "${VALIDATE_SHOOTS}" denied the request: ` +
        '[metadata.annotations[maintenance.gardener.cloud/time-zone]: Invalid value: "Berlin": unknown time zone: must be an IANA time zone such as "Europe/Berlin", ' +
        'metadata.annotations[maintenance.gardener.cloud/days]: Invalid value: "Mon,Funday": unknown weekday "Funday": supported values: "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]',
    );
  });

  it('warns, and accepts, when the schedule leaves less than 4h in 28 days', async () => {
    const res = await applyYaml(yaml('sparse', { begin: '220000+0100', end: '223000+0100' }, { [TZ]: 'Europe/Berlin', [DAYS]: 'Sun' }));
    expect(res.code, res.stderr).toBe(0);
    // The example's 1.32.0 is deprecated: kubectl prints that warning too.
    expect(res.stderr.split('\n')).toContain('Warning: maintenance schedule leaves 1h0m0s of effective time in the next 28 days (less than 4h0m0s)');
  });
});

describe('the scheduler and a weekday schedule (Asia/Kolkata, +05:30)', () => {
  let scheduler: SchedulerChild;
  // A 45-minute window in Kolkata wall time whose effective part (end − 15 min) ends 45 s from now,
  // so the run's random instant comes within a minute (as scheduler-support.ts, windowEndingIn).
  const end = ZonedDateTime.now(KOLKATA).plusMinutes(15).plusSeconds(45).withNano(0);
  const begin = end.minusMinutes(45);
  const window = { begin: kolkataValue(begin), end: kolkataValue(end) };
  const beginDay = WEEKDAYS[begin.dayOfWeek().value() - 1] ?? '';
  const nextDay = WEEKDAYS[begin.dayOfWeek().value() % 7] ?? '';

  beforeAll(async () => {
    await must(applyYaml(yaml('today', window, { [TZ]: 'Asia/Kolkata', [DAYS]: beginDay })));
    await must(applyYaml(yaml('tomorrow', window, { [TZ]: 'Asia/Kolkata', [DAYS]: nextDay })));
    scheduler = schedulerAsDeployed('schedule-1');
  });

  afterAll(async () => {
    await stopPid(scheduler.process.pid);
  });

  it('maintains the shoot whose days include the local weekday the window began on', async () => {
    const s = await waitFor(async () => {
      const got = await getJson<ShootJson>('shoot', 'today', namespace);
      return got.status?.lastMaintenance ? got : undefined;
    }, 90_000, 500).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${scheduler.lines().filter((l) => String(l.shoot).endsWith('/today')).map((l) => JSON.stringify(l)).join('\n')}`);
    });
    expect(s.spec.kubernetes.version).toBe('1.32.4');
    const triggered = Date.parse(s.status?.lastMaintenance?.triggeredTime ?? '');
    expect(triggered).toBeGreaterThanOrEqual(begin.toInstant().toEpochMilli());
    expect(triggered).toBeLessThanOrEqual(end.minusMinutes(15).toInstant().toEpochMilli());
  });

  it('queues the other for the next day’s occurrence, and leaves it untouched', async () => {
    const key = `${namespace}/tomorrow`;
    const queued = await waitFor(async () => scheduler.lines().find((l) => l.msg === 'queued' && l.shoot === key), 30_000, 200);
    expect(queued.reason).toBe('next-window');
    const at = Date.parse(String(queued.dueAt));
    const next = ZonedDateTime.of(LocalDateTime.of(begin.toLocalDate().plusDays(1), begin.toLocalTime()), KOLKATA);
    expect(at).toBeGreaterThanOrEqual(next.toInstant().toEpochMilli());
    expect(at).toBeLessThan(next.plusMinutes(30).toInstant().toEpochMilli());
    const s = await getJson<ShootJson>('shoot', 'tomorrow', namespace);
    expect(s.metadata.generation).toBe(1);
    expect(s.status?.lastMaintenance).toBeUndefined();
  });
});
