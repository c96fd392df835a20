import { describe, expect, it } from 'vitest';
import { schedulerConfigFrom, type SchedulerCommandOptions } from '../../../src/commands/scheduler.js';

describe('schedulerConfigFrom', () => {
  const base: SchedulerCommandOptions = {
    leaseName: 'shoot-maintenance-scheduler',
    leaseNamespace: 'ns',
    leaseDuration: '15s',
    renewDeadline: '10s',
    retryPeriod: '2s',
    maxConcurrent: 4,
    qps: 10,
    burst: 20,
    metricsHost: '127.0.0.1',
    metricsPort: 8080,
    forceUpdateVanishedVersions: false,
    restartControlPlanePods: true,
    restartCoreAddons: false,
    logLevel: 'info',
    forcedUpdateNotice: '168h',
  };

  it('defaults give the documented timings and a hostname_pid identity', () => {
    const c = schedulerConfigFrom(base);
    expect(c).toMatchObject({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, leaseNamespace: 'ns' });
    expect(c.identity).toMatch(new RegExp(`_${process.pid}$`));
    expect(c.forcedUpdateNoticeMs).toBe(168 * 3600_000);
    expect(schedulerConfigFrom({ ...base, forcedUpdateNotice: '0' }).forcedUpdateNoticeMs).toBe(0);
    expect(c.maintenance).toEqual({ forceUpdateVanishedVersions: false, restartControlPlanePods: true, restartCoreAddons: false });
  });

  it.each([
    [{ renewDeadline: '15s' }, /--renew-deadline must be shorter/],
    [{ retryPeriod: '10s' }, /--retry-period must be shorter/],
    [{ logLevel: 'loud' }, /--log-level/],
    [{ forcedUpdateNotice: '7d' }, /^--forced-update-notice: invalid duration "7d"/],
    [{ forcedUpdateNotice: '-1h' }, /^--forced-update-notice: invalid duration "-1h"/],
  ])('rejects %j', (override, message) => {
    expect(() => schedulerConfigFrom({ ...base, ...override })).toThrow(message);
  });
});
