// forcedUpdateNotices: which versions expire within the notice period and when maintenance forces them up.
import { describe, expect, it } from 'vitest';
import type { CloudProfile } from '../../../src/core/cloudprofile-types.js';
import { indexCloudProfile } from '../../../src/core/cloudprofile.js';
import { type ForcedUpdateNotice, forcedUpdateNoticeMessage, forcedUpdateNotices } from '../../../src/core/forced-update-notice.js';
import { type ExclusionSet, type MaintenanceExclusion, NO_EXCLUSIONS } from '../../../src/core/maintenance-exclusion.js';
import { DAYS_ANNOTATION, TIME_ZONE_ANNOTATION } from '../../../src/core/maintenance-schedule.js';
import type { Shoot, Worker } from '../../../src/core/shoot.js';

const NOW = new Date('2026-12-02T12:00:00Z');
const EXPIRY = '2026-12-09T00:00:00Z';
const WEEK_MS = 7 * 24 * 3600_000;
const OPTIONS = { forceUpdateVanishedVersions: false };

function profile(expiry = EXPIRY): CloudProfile {
  return {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'CloudProfile',
    metadata: { name: 'local' },
    spec: {
      type: 'local',
      kubernetes: {
        versions: [{ version: '1.33.1' }, { version: '1.32.10' }, { version: '1.32.9', expirationDate: expiry }, { version: '1.31.5', expirationDate: expiry }],
      },
      machineImages: [
        {
          name: 'gardenlinux',
          updateStrategy: 'minor',
          versions: [
            { version: '1.2.0' },
            { version: '1.1.0', lifecycle: [{ classification: 'supported' }, { classification: 'expired', startTime: expiry }] },
          ],
        },
      ],
      machineTypes: [{ name: 'm5.large' }],
    },
  };
}

function pool(name: string, overrides: Partial<Worker> = {}): Worker {
  return { name, machine: { type: 'm5.large', image: { name: 'gardenlinux', version: '1.2.0' } }, minimum: 1, maximum: 1, ...overrides } as Worker;
}

function shoot(version: string, workers: Worker[] = [], annotations: Record<string, string> = {}, window = { begin: '010000+0000', end: '020000+0000' }): Shoot {
  return {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'Shoot',
    metadata: { name: 'demo', namespace: 'garden-dev', annotations },
    spec: {
      cloudProfileName: 'local',
      region: 'local',
      provider: { type: 'local', workers },
      kubernetes: { version },
      maintenance: { autoUpdate: { kubernetesVersion: false, machineImageVersion: false }, timeWindow: window },
    },
    status: { lastOperation: { type: 'Reconcile', state: 'Succeeded' } },
  };
}

function exclusions(...list: Partial<MaintenanceExclusion['spec']>[]): ExclusionSet {
  return {
    exclusions: list.map((spec, i) => ({
      kind: 'MaintenanceExclusion',
      metadata: { name: `freeze-${i}`, namespace: 'garden-dev' },
      spec: { start: '2026-12-08T00:00:00Z', end: '2026-12-12T00:00:00Z', scope: 'NoUpgrades', ...spec },
    })),
    namespaceLabels: () => ({}),
  };
}

const notices = (s: Shoot, options: { now?: Date; period?: number; set?: ExclusionSet; expiry?: string } = {}): ForcedUpdateNotice[] =>
  forcedUpdateNotices(s, indexCloudProfile(profile(options.expiry)), options.now ?? NOW, options.period ?? WEEK_MS, OPTIONS, options.set ?? NO_EXCLUSIONS);

describe('forcedUpdateNotices', () => {
  it('control plane: the patch maintenance forces at the first occurrence after the expiry', () => {
    expect(notices(shoot('1.32.9'))).toEqual([
      {
        component: 'control plane',
        subject: 'kubernetes',
        from: '1.32.9',
        to: '1.32.10',
        expiry: EXPIRY,
        planned: '2026-12-09T01:00:00Z',
        plannedLocal: '2026-12-09T01:00:00Z',
      },
    ]);
  });

  it('worker pool Kubernetes version and machine image', () => {
    const s = shoot('1.32.10', [pool('a', { kubernetes: { version: '1.31.5' }, machine: { type: 'm5.large', image: { name: 'gardenlinux', version: '1.1.0' } } })]);
    const got = notices(s);
    expect(got.map((n) => [n.component, n.from, n.to, n.planned])).toEqual([
      ['worker pool "a"', '1.31.5', '1.32.10', '2026-12-09T01:00:00Z'],
      ['worker pool "a" machine image', '1.1.0', '1.2.0', '2026-12-09T01:00:00Z'],
    ]);
    expect(got.map(forcedUpdateNoticeMessage)).toEqual([
      'Kubernetes version of worker pool "a" expires 2026-12-09T00:00:00Z: forced update from "1.31.5" to "1.32.10" in the maintenance window starting 2026-12-09T01:00:00Z',
      'Machine image version of worker pool "a" expires 2026-12-09T00:00:00Z: forced update of machine image "gardenlinux" from "1.1.0" to "1.2.0" in the maintenance window starting 2026-12-09T01:00:00Z',
    ]);
  });

  it('the notice period boundary: an expiry exactly one period ahead is noticed, one millisecond later is not', () => {
    const atBoundary = new Date(Date.parse(EXPIRY) - WEEK_MS);
    expect(notices(shoot('1.32.9'), { now: atBoundary })).toHaveLength(1);
    expect(notices(shoot('1.32.9'), { now: new Date(atBoundary.getTime() - 1) })).toEqual([]);
  });

  it('already expired: no notice (maintenance forces it at the next run); a period of 0 disables', () => {
    expect(notices(shoot('1.32.9'), { now: new Date('2026-12-09T00:00:01Z') })).toEqual([]);
    expect(notices(shoot('1.32.9'), { period: 0 })).toEqual([]);
    expect(notices(shoot('1.32.10'))).toEqual([]);
  });

  it('a zoned schedule on given days: the first allowed local day after the expiry, local and UTC', () => {
    // 02:00–03:00 Berlin (UTC+1 in December) on Thursdays and Fridays; 2026-12-09 is a Wednesday.
    const s = shoot('1.32.9', [], { [TIME_ZONE_ANNOTATION]: 'Europe/Berlin', [DAYS_ANNOTATION]: 'Thu,Fri' }, { begin: '020000+0100', end: '030000+0100' });
    const [n] = notices(s);
    expect([n?.planned, n?.plannedLocal]).toEqual(['2026-12-10T01:00:00Z', '2026-12-10T02:00:00+01:00']);
    expect(forcedUpdateNoticeMessage(n!)).toBe(
      'Kubernetes version of the control plane expires 2026-12-09T00:00:00Z: forced update from "1.32.9" to "1.32.10" in the maintenance window starting 2026-12-10T02:00:00+01:00 (2026-12-10T01:00:00Z)',
    );
  });

  it('a NoUpgrades freeze over the first occurrences pushes the update past its end, and is named', () => {
    const [n] = notices(shoot('1.32.9'), { set: exclusions({}) });
    expect(n?.planned).toBe('2026-12-12T01:00:00Z');
    expect(n?.deferredBy).toEqual({ exclusion: 'MaintenanceExclusion "garden-dev/freeze-0"', scope: 'NoUpgrades', until: '2026-12-12T00:00:00Z' });
    expect(forcedUpdateNoticeMessage(n!)).toBe(
      'Kubernetes version of the control plane expires 2026-12-09T00:00:00Z: forced update from "1.32.9" to "1.32.10" in the maintenance window starting 2026-12-12T01:00:00Z, deferred by MaintenanceExclusion "garden-dev/freeze-0" until 2026-12-12T00:00:00Z',
    );
  });

  it('scopes that allow the change do not defer it; NoMinorOrImageUpgrades defers an image update', () => {
    expect(notices(shoot('1.32.9'), { set: exclusions({ scope: 'NoMinorUpgrades' }) })[0]?.planned).toBe('2026-12-09T01:00:00Z');
    const s = shoot('1.32.10', [pool('a', { machine: { type: 'm5.large', image: { name: 'gardenlinux', version: '1.1.0' } } })]);
    const [image] = notices(s, { set: exclusions({ scope: 'NoMinorOrImageUpgrades' }) });
    expect([image?.component, image?.planned, image?.deferredBy?.scope]).toEqual(['worker pool "a" machine image', '2026-12-12T01:00:00Z', 'NoMinorOrImageUpgrades']);
    // A freeze on another namespace's shoots is no concern of this one.
    const other = exclusions({});
    other.exclusions[0]!.metadata.namespace = 'garden-other';
    expect(notices(shoot('1.32.9'), { set: other })[0]?.deferredBy).toBeUndefined();
  });

  it('a forced minor update in a NoMinorUpgrades freeze is deferred; no suitable version: the failure is said', () => {
    // 1.31.5 as the control plane: the patch 1.31.x is missing, so maintenance forces 1.32.10.
    const [minor] = notices(shoot('1.31.5'), { set: exclusions({ scope: 'NoMinorUpgrades' }) });
    expect([minor?.to, minor?.planned]).toEqual(['1.32.10', '2026-12-12T01:00:00Z']);
    const p = profile();
    p.spec.kubernetes.versions = [{ version: '1.32.9', expirationDate: EXPIRY }];
    const [failing] = forcedUpdateNotices(shoot('1.32.9'), indexCloudProfile(p), NOW, WEEK_MS, OPTIONS, NO_EXCLUSIONS);
    expect(failing?.to).toBeUndefined();
    expect(forcedUpdateNoticeMessage(failing!)).toMatch(
      /^Kubernetes version of the control plane expires 2026-12-09T00:00:00Z: forced update from "1.32.9" in the maintenance window starting .* will fail: could not determine higher suitable version than "1.32.9": cannot perform forceful update/,
    );
  });

  it('an auto-update before the expiry makes the update not forced: no notice', () => {
    const s = shoot('1.32.9');
    s.spec.maintenance!.autoUpdate = { kubernetesVersion: true, machineImageVersion: false };
    expect(notices(s)).toEqual([]);
  });
});
