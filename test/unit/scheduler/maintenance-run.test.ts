import { describe, expect, it } from 'vitest';
import type { CloudProfile } from '../../../src/core/cloudprofile-types.js';
import { indexCloudProfile } from '../../../src/core/cloudprofile.js';
import type { PlannedEvent } from '../../../src/core/maintenance-messages.js';
import type { LastMaintenance, ProfileRef, Shoot } from '../../../src/core/shoot.js';
import type { ExclusionSet, MaintenanceExclusion } from '../../../src/core/maintenance-exclusion.js';
import { runMaintenance, type RunApi } from '../../../src/scheduler/maintenance-run.js';

class Conflict extends Error {}

const PROFILE: CloudProfile = {
  apiVersion: 'core.gardener.cloud/v1beta1',
  kind: 'CloudProfile',
  metadata: { name: 'local' },
  spec: {
    kubernetes: { versions: [{ version: '1.31.0', expirationDate: '2020-01-01T00:00:00Z' }, { version: '1.31.6' }] },
    machineImages: [],
    machineTypes: [],
  },
};
const TASKS = 'deployInfrastructure,deployDNSRecordInternal,deployDNSRecordExternal,deployDNSRecordIngress,restartControlPlanePods';
const IN_WINDOW = new Date('2026-03-10T10:20:00Z');
const OUTSIDE = new Date('2026-03-10T15:00:00Z');

function shoot(o: { version?: string; annotations?: Record<string, string>; lastMaintenance?: LastMaintenance; rv?: string; replicas?: number } = {}): Shoot {
  return {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'Shoot',
    metadata: { name: 's', namespace: 'n', resourceVersion: o.rv ?? '1', annotations: o.annotations ?? {} },
    spec: {
      cloudProfileName: 'local',
      kubernetes: { version: o.version ?? '1.31.0' },
      provider: { type: 'local' },
      maintenance: { timeWindow: { begin: '100000+0000', end: '110000+0000' } },
      ...(o.replicas === undefined ? {} : { replicas: o.replicas }),
    },
    status: { lastOperation: { type: 'Reconcile', state: 'Succeeded' }, ...(o.lastMaintenance ? { lastMaintenance: o.lastMaintenance } : {}) },
  };
}

/** A fake API server: a sequence of objects GET returns, scripted failures, and a call log. */
function fakeApi(reads: Shoot[], failures: { dryRun?: Error[]; update?: Error[]; removeMaintain?: Error; event?: Error } = {}) {
  const calls: string[] = [];
  const updates: Shoot[] = [];
  const statuses: LastMaintenance[] = [];
  const events: PlannedEvent[] = [];
  const eventKeys: (string | undefined)[] = [];
  let read = 0;
  const api: RunApi = {
    async getShoot() {
      calls.push('get');
      return structuredClone(reads[Math.min(read++, reads.length - 1)]!);
    },
    async updateShoot(s, dryRun) {
      calls.push(dryRun ? 'dry-run' : 'update');
      const err = (dryRun ? failures.dryRun : failures.update)?.shift();
      if (err) throw err;
      if (!dryRun) updates.push(s);
      return s;
    },
    async patchLastMaintenance(_ns, _name, lm) {
      calls.push('status');
      statuses.push(lm);
    },
    async removeAnnotation(_s, key) {
      const isMaintain = key === 'gardener.cloud/operation';
      calls.push(isMaintain ? 'remove-maintain' : `remove ${key}`);
      if (isMaintain && failures.removeMaintain) throw failures.removeMaintain;
    },
    async recordEvent(_s, e, key) {
      calls.push('event');
      eventKeys.push(key);
      if (failures.event) throw failures.event;
      events.push(e);
    },
  };
  return { api, calls, updates, statuses, events, eventKeys };
}

function deps(api: RunApi, now: Date) {
  const index = indexCloudProfile(PROFILE);
  return {
    api,
    catalogue: (ref: ProfileRef) => (ref.kind === 'CloudProfile' && ref.name === 'local' ? index : undefined),
    now: () => now,
    options: { forceUpdateVanishedVersions: false },
    isConflict: (err: unknown) => err instanceof Conflict,
  };
}

describe('runMaintenance', () => {
  it('in the window: one update with the read resourceVersion (no dry run), then lastMaintenance, then events', async () => {
    const f = fakeApi([shoot({ rv: '7' })]);
    const report = await runMaintenance(deps(f.api, IN_WINDOW), 'n', 's');
    expect(report.result).toBe('maintained');
    expect(f.calls).toEqual(['get', 'update', 'status', 'event', 'remove maintenance.gardener.cloud/last-maintenance']);
    expect(f.updates[0]?.metadata.resourceVersion).toBe('7');
    expect(f.updates[0]?.spec.kubernetes.version).toBe('1.31.6');
    expect(f.updates[0]?.status).toBeUndefined();
    const { 'maintenance.gardener.cloud/last-maintenance': record, ...annotations } = f.updates[0]?.metadata.annotations ?? {};
    expect(annotations).toEqual({ 'gardener.cloud/operation': 'reconcile', 'shoot.gardener.cloud/tasks': TASKS });
    // The record rides in the same update as the spec, and is what the status patch then writes.
    expect(JSON.parse(record ?? '{}')).toEqual({ lastMaintenance: f.statuses[0], events: f.events });
    expect(f.eventKeys).toEqual([`${f.statuses[0]?.triggeredTime}/0`]);
    expect(f.statuses).toEqual([
      {
        state: 'Succeeded',
        description:
          'All maintenance operations successful. Control Plane: Updated Kubernetes version from "1.31.0" to "1.31.6". Reason: Kubernetes version expired - force update required',
        triggeredTime: '2026-03-10T10:20:00Z',
      },
    ]);
    expect(f.events).toHaveLength(1);
  });

  it('a due credential rotation is written into gardener.cloud/operation and reported in lastMaintenance, without an Event', async () => {
    const s = shoot({ version: '1.31.6' });
    s.metadata.creationTimestamp = '2026-03-01T10:00:00Z';
    s.spec.maintenance = { ...s.spec.maintenance, autoRotation: { credentials: { observability: { rotationPeriod: '168h' } } } };
    const f = fakeApi([s]);
    const report = await runMaintenance(deps(f.api, IN_WINDOW), 'n', 's');
    expect(report.result).toBe('maintained');
    expect(report.changes).toEqual(['rotate-observability-credentials started', 'Added "reconcile;rotate-observability-credentials" operation annotation']);
    expect(f.updates[0]?.metadata.annotations?.['gardener.cloud/operation']).toBe('reconcile;rotate-observability-credentials');
    expect(f.statuses).toEqual([
      {
        state: 'Succeeded',
        description:
          'All maintenance operations successful. Credentials "rotate-observability-credentials": Observability passwords rotation started. Reason: Automatic rotation of observability passwords configured, Added "reconcile;rotate-observability-credentials" operation annotation',
        triggeredTime: '2026-03-10T10:20:00Z',
      },
    ]);
    expect(f.events).toEqual([]);
  });

  it('a refused update, confirmed by a dry run, records Failed with the apiserver error, drops `maintain`, and changes nothing else', async () => {
    const denied = () => new Error('admission webhook "validate.shoots" denied the request: nope');
    const f = fakeApi([shoot({ annotations: { 'gardener.cloud/operation': 'maintain' } })], { update: [denied()], dryRun: [denied()] });
    const report = await runMaintenance(deps(f.api, OUTSIDE), 'n', 's');
    expect(report.result).toBe('dry-run-failed');
    expect(f.calls).toEqual(['get', 'update', 'dry-run', 'status', 'remove-maintain']);
    expect(f.updates).toEqual([]);
    expect(f.statuses).toEqual([
      {
        description: 'Maintenance failed',
        state: 'Failed',
        failureReason: 'Updates to the Shoot failed to be applied: admission webhook "validate.shoots" denied the request: nope',
        triggeredTime: '2026-03-10T15:00:00Z',
      },
    ]);
  });

  it('a conflict re-reads and re-plans: the newer user change is kept, never overwritten', async () => {
    const f = fakeApi([shoot({ rv: '1' }), shoot({ rv: '2', replicas: 3 })], { update: [new Conflict('the object has been modified')] });
    const report = await runMaintenance(deps(f.api, IN_WINDOW), 'n', 's');
    expect(report.result).toBe('maintained');
    expect(f.calls).toEqual(['get', 'update', 'get', 'update', 'status', 'event', 'remove maintenance.gardener.cloud/last-maintenance']);
    expect(f.updates).toHaveLength(1);
    expect(f.updates[0]?.metadata.resourceVersion).toBe('2');
    expect(f.updates[0]?.spec.replicas).toBe(3);
  });

  it('gives up after bounded conflicts', async () => {
    const c = () => new Conflict('conflict');
    const f = fakeApi([shoot()], { update: [c(), c(), c(), c()] });
    const report = await runMaintenance({ ...deps(f.api, IN_WINDOW), maxAttempts: 3 }, 'n', 's');
    expect(report.result).toBe('conflict');
    expect(f.calls.filter((c) => c === 'update')).toHaveLength(3);
    expect(f.calls).not.toContain('status');
  });

  it('an update that failed for the moment (its dry run passes) is an error with a Warning Event, not a failed maintenance', async () => {
    const f = fakeApi([shoot({ annotations: { 'gardener.cloud/operation': 'maintain' } })], { update: [new Error('etcdserver: request timed out')] });
    const report = await runMaintenance(deps(f.api, IN_WINDOW), 'n', 's');
    expect(report).toMatchObject({ result: 'error', error: 'etcdserver: request timed out' });
    expect(f.calls).toEqual(['get', 'update', 'dry-run', 'event']);
    expect(f.events).toEqual([{ type: 'Warning', reason: 'MaintenanceFailed', message: 'etcdserver: request timed out' }]);
    expect(f.calls).not.toContain('status');
  });

  it('a failed update whose dry run conflicts (it may have landed) re-reads instead of recording a failure', async () => {
    const c = () => new Conflict('conflict');
    const timeout = () => new Error('request timed out');
    const f = fakeApi([shoot({ annotations: { 'gardener.cloud/operation': 'maintain' } })], {
      update: [timeout(), timeout(), timeout()],
      dryRun: [c(), c(), c()],
    });
    const report = await runMaintenance({ ...deps(f.api, IN_WINDOW), maxAttempts: 3 }, 'n', 's');
    expect(report.result).toBe('conflict');
    expect(f.calls.filter((call) => call === 'get')).toHaveLength(3);
    expect(f.calls.filter((call) => call === 'dry-run')).toHaveLength(3);
    expect(f.calls).not.toContain('status');
    expect(f.calls).not.toContain('remove-maintain');
  });

  it.each([
    { name: 'outside the window, no maintain', s: shoot(), now: OUTSIDE, result: 'not-due' },
    {
      name: 'already maintained in this occurrence',
      s: shoot({ lastMaintenance: { description: 'x', state: 'Succeeded', triggeredTime: '2026-03-10T10:01:00Z' } }),
      now: IN_WINDOW,
      result: 'not-due',
    },
    {
      name: 'nothing to change',
      s: shoot({ version: '1.31.6', annotations: { 'gardener.cloud/operation': 'reconcile', 'shoot.gardener.cloud/tasks': TASKS } }),
      now: IN_WINDOW,
      result: 'unchanged',
    },
  ])('$name → $result, nothing written', async ({ s, now, result }) => {
    const f = fakeApi([s]);
    expect((await runMaintenance(deps(f.api, now), 'n', 's')).result).toBe(result);
    expect(f.calls).toEqual(['get']);
  });

  it('maintain runs even when maintained in this occurrence', async () => {
    const f = fakeApi([
      shoot({
        annotations: { 'gardener.cloud/operation': 'maintain' },
        lastMaintenance: { description: 'x', state: 'Succeeded', triggeredTime: '2026-03-10T10:01:00Z' },
      }),
    ]);
    expect((await runMaintenance(deps(f.api, IN_WINDOW), 'n', 's')).result).toBe('maintained');
  });

  it('after a failed maintenance, a clean run only writes "Maintenance succeeded"', async () => {
    const f = fakeApi([
      shoot({
        version: '1.31.6',
        annotations: { 'gardener.cloud/operation': 'reconcile', 'shoot.gardener.cloud/tasks': TASKS },
        lastMaintenance: { description: 'Maintenance failed', state: 'Failed', failureReason: 'x', triggeredTime: '2026-03-09T10:01:00Z' },
      }),
    ]);
    expect((await runMaintenance(deps(f.api, IN_WINDOW), 'n', 's')).result).toBe('status-only');
    expect(f.calls).toEqual(['get', 'status']);
    expect(f.statuses[0]).toEqual({ description: 'Maintenance succeeded', state: 'Succeeded', triggeredTime: '2026-03-10T10:20:00Z' });
  });

  it('a missing CloudProfile is an error and writes nothing', async () => {
    const s = shoot();
    s.spec.cloudProfileName = 'other';
    const f = fakeApi([s]);
    const report = await runMaintenance(deps(f.api, IN_WINDOW), 'n', 's');
    expect(report).toMatchObject({ result: 'error', error: 'CloudProfile "other" not found' });
    expect(f.calls).toEqual(['get']);
  });

  it('a refused removal of `maintain` after a failed dry-run is reported, not thrown', async () => {
    const f = fakeApi([shoot({ annotations: { 'gardener.cloud/operation': 'maintain' } })], {
      update: [new Error('denied')],
      dryRun: [new Error('denied')],
      removeMaintain: new Error('also denied'),
    });
    const report = await runMaintenance(deps(f.api, OUTSIDE), 'n', 's');
    expect(report).toMatchObject({
      result: 'dry-run-failed',
      error: 'Updates to the Shoot failed to be applied: denied; removing "maintain" failed: also denied',
    });
    expect(f.statuses).toHaveLength(1);
  });

  it('failed Events do not turn a done maintenance into a failure', async () => {
    const f = fakeApi([shoot()], { event: new Error('events forbidden') });
    const report = await runMaintenance(deps(f.api, IN_WINDOW), 'n', 's');
    expect(report).toMatchObject({ result: 'maintained', error: 'recording events failed: events forbidden' });
    expect(f.calls).toEqual(['get', 'update', 'status', 'event', 'remove maintenance.gardener.cloud/last-maintenance']);
  });

  it('finishes a run that died after its update: status and events from the record, record removed, nothing planned', async () => {
    const recorded = { description: 'All maintenance operations successful.', state: 'Succeeded' as const, triggeredTime: '2026-03-10T10:05:00Z' };
    const events = [{ type: 'Normal' as const, reason: 'KubernetesVersionMaintenance', message: 'Control Plane: x.' }];
    const s = shoot({
      version: '1.31.6',
      annotations: { 'maintenance.gardener.cloud/last-maintenance': JSON.stringify({ lastMaintenance: recorded, events }) },
    });
    const f = fakeApi([s]);
    const report = await runMaintenance(deps(f.api, IN_WINDOW), 'n', 's');
    expect(report.result).toBe('completed');
    expect(f.calls).toEqual(['get', 'status', 'event', 'remove maintenance.gardener.cloud/last-maintenance']);
    expect(f.statuses).toEqual([recorded]);
    expect(f.events).toEqual(events);
    // The same keys the interrupted run used: the API server keeps one Event per key.
    expect(f.eventKeys).toEqual(['2026-03-10T10:05:00Z/0']);
    expect(f.updates).toHaveLength(0);
  });

  it('removes an unreadable record without applying it', async () => {
    const f = fakeApi([shoot({ annotations: { 'maintenance.gardener.cloud/last-maintenance': '{"lastMaintenance": 42}' } })]);
    const report = await runMaintenance(deps(f.api, IN_WINDOW), 'n', 's');
    expect(report.result).toBe('error');
    expect(f.calls).toEqual(['get', 'remove maintenance.gardener.cloud/last-maintenance']);
  });

  describe('maintenance freezes', () => {
    const freeze = (scope: MaintenanceExclusion['spec']['scope'], end = '2026-03-20T00:00:00Z'): ExclusionSet => ({
      exclusions: [
        {
          kind: 'MaintenanceExclusion',
          metadata: { name: 'release', namespace: 'n' },
          spec: { start: '2026-03-01T00:00:00Z', end, scope, reason: 'release week' },
        },
      ],
      namespaceLabels: () => ({}),
    });
    const EVENT =
      'Deferred by MaintenanceExclusion "n/release" (NoUpgrades) until 2026-03-20T00:00:00Z: control plane: Kubernetes version "1.31.0" to "1.31.6"';

    it('NoUpgrades in the window: nothing written, one MaintenanceDeferred Event keyed by the occurrence', async () => {
      const f = fakeApi([shoot()]);
      const report = await runMaintenance({ ...deps(f.api, IN_WINDOW), exclusions: () => freeze('NoUpgrades') }, 'n', 's');
      expect(report.result).toBe('excluded');
      expect(report.changes).toEqual(['deferred control plane: Kubernetes version "1.31.0" to "1.31.6"']);
      expect(f.calls).toEqual(['get', 'event']);
      expect(f.events).toEqual([{ type: 'Normal', reason: 'MaintenanceDeferred', message: EVENT }]);
      expect(f.eventKeys).toEqual(['excluded/2026-03-10T10:00:00.000Z/0']);
      // A second run in the same occurrence asks for the same key: the recorder creates the Event once.
      const again = fakeApi([shoot()]);
      await runMaintenance({ ...deps(again.api, new Date('2026-03-10T10:40:00Z')), exclusions: () => freeze('NoUpgrades') }, 'n', 's');
      expect(again.eventKeys).toEqual(f.eventKeys);
    });

    it('NoUpgrades outside the window: not due, no Event', async () => {
      const f = fakeApi([shoot()]);
      const report = await runMaintenance({ ...deps(f.api, OUTSIDE), exclusions: () => freeze('NoUpgrades') }, 'n', 's');
      expect(report.result).toBe('not-due');
      expect(f.calls).toEqual(['get']);
    });

    it('a freeze that ended before now does not apply: the forced update lands', async () => {
      const f = fakeApi([shoot()]);
      const report = await runMaintenance({ ...deps(f.api, IN_WINDOW), exclusions: () => freeze('NoUpgrades', '2026-03-10T10:00:00Z') }, 'n', 's');
      expect(report.result).toBe('maintained');
      expect(f.updates[0]?.spec.kubernetes.version).toBe('1.31.6');
    });

    it('`maintain` ignores the freeze', async () => {
      const f = fakeApi([shoot({ annotations: { 'gardener.cloud/operation': 'maintain' } })]);
      const report = await runMaintenance({ ...deps(f.api, OUTSIDE), exclusions: () => freeze('NoUpgrades') }, 'n', 's');
      expect(report.result).toBe('maintained');
      expect(f.updates[0]?.spec.kubernetes.version).toBe('1.31.6');
      expect(f.events.map((e) => e.reason)).toEqual(['KubernetesVersionMaintenance']);
    });

    it('NoMinorUpgrades lets the patch update through, with no deferral', async () => {
      const f = fakeApi([shoot()]);
      const report = await runMaintenance({ ...deps(f.api, IN_WINDOW), exclusions: () => freeze('NoMinorUpgrades') }, 'n', 's');
      expect(report.result).toBe('maintained');
      expect(f.updates[0]?.spec.kubernetes.version).toBe('1.31.6');
      expect(f.events.map((e) => e.reason)).toEqual(['KubernetesVersionMaintenance']);
    });
  });
});
