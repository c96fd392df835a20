// ForcedUpdateNotifier with a fake API: one Event per notice, the annotation as the record of the
// notices given (pruned), the gauge's series, a failed Event tried again.
import { Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { CloudProfile } from '../../../src/core/cloudprofile-types.js';
import { indexCloudProfile } from '../../../src/core/cloudprofile.js';
import type { PlannedEvent } from '../../../src/core/maintenance-messages.js';
import { NO_EXCLUSIONS } from '../../../src/core/maintenance-exclusion.js';
import type { Shoot } from '../../../src/core/shoot.js';
import { FORCED_UPDATE_NOTICES_ANNOTATION, ForcedUpdateNotifier, givenNoticesOf } from '../../../src/scheduler/forced-update-notifier.js';

const NOW = new Date('2026-12-02T12:00:00Z');
const EXPIRY = '2026-12-09T00:00:00Z';

const PROFILE: CloudProfile = {
  apiVersion: 'core.gardener.cloud/v1beta1',
  kind: 'CloudProfile',
  metadata: { name: 'local' },
  spec: {
    type: 'local',
    kubernetes: { versions: [{ version: '1.32.10' }, { version: '1.32.9', expirationDate: EXPIRY }] },
    machineImages: [{ name: 'gardenlinux', versions: [{ version: '1.0.0' }] }],
    machineTypes: [{ name: 'm5.large' }],
  },
};

function shoot(version: string, annotations: Record<string, string> = {}): Shoot {
  return {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'Shoot',
    metadata: { name: 'demo', namespace: 'garden-dev', uid: 'u1', annotations },
    spec: {
      cloudProfileName: 'local',
      region: 'local',
      provider: { type: 'local', workers: [] },
      kubernetes: { version },
      maintenance: { autoUpdate: { kubernetesVersion: false }, timeWindow: { begin: '010000+0000', end: '020000+0000' } },
    },
  };
}

function setup() {
  const registry = new Registry();
  const gauge = new Gauge({ name: 'g', help: 'g', labelNames: ['namespace', 'name', 'component'] as const, registers: [registry] });
  const events: { event: PlannedEvent; dedupKey: string }[] = [];
  const patches: Record<string, string | null>[] = [];
  let failEvents = false;
  const notifier = new ForcedUpdateNotifier({
    api: {
      recordEvent: (_s, event, dedupKey) => {
        if (failEvents) return Promise.reject(new Error('events are down'));
        events.push({ event, dedupKey });
        return Promise.resolve();
      },
      patchAnnotations: (_s, annotations) => {
        patches.push(annotations);
        return Promise.resolve();
      },
    },
    catalogue: () => indexCloudProfile(PROFILE),
    options: { forceUpdateVanishedVersions: false },
    noticePeriodMs: 7 * 24 * 3600_000,
    exclusions: () => NO_EXCLUSIONS,
    now: () => NOW,
    gauge,
  });
  const series = async () => (await gauge.get()).values.map((v) => [v.labels.component, v.value]);
  return { notifier, events, patches, series, failEvents: (v: boolean) => (failEvents = v) };
}

describe('ForcedUpdateNotifier', () => {
  it('records the Event once, keeps the key in the annotation, sets and removes the series', async () => {
    const h = setup();
    await h.notifier.observe(shoot('1.32.9'));
    expect(h.events.map((e) => [e.event.type, e.event.reason, e.dedupKey])).toEqual([
      ['Normal', 'ForcedUpdateScheduled', `forced-update-notice/control plane/1.32.9@${EXPIRY}`],
    ]);
    const value = `{"control plane":"1.32.9@${EXPIRY}"}`;
    expect(h.patches).toEqual([{ [FORCED_UPDATE_NOTICES_ANNOTATION]: value }]);
    expect(await h.series()).toEqual([['control plane', Date.parse('2026-12-09T01:00:00Z') / 1000]]);

    // The shoot as the patch left it: nothing to record or write.
    await h.notifier.observe(shoot('1.32.9', { [FORCED_UPDATE_NOTICES_ANNOTATION]: value }));
    expect(h.events).toHaveLength(1);
    expect(h.patches).toHaveLength(1);

    // Updated (by hand or by maintenance): the entry is pruned, the series removed.
    await h.notifier.observe(shoot('1.32.10', { [FORCED_UPDATE_NOTICES_ANNOTATION]: value }));
    expect(h.patches.at(-1)).toEqual({ [FORCED_UPDATE_NOTICES_ANNOTATION]: null });
    expect(await h.series()).toEqual([]);
  });

  it('a deleted shoot loses its series; an unreadable annotation counts as nothing given', async () => {
    const h = setup();
    await h.notifier.observe(shoot('1.32.9', { [FORCED_UPDATE_NOTICES_ANNOTATION]: 'not json' }));
    expect(h.events).toHaveLength(1);
    expect(givenNoticesOf(shoot('1.32.9', { [FORCED_UPDATE_NOTICES_ANNOTATION]: '["a"]' }))).toEqual({});
    h.notifier.forget('garden-dev/demo');
    expect(await h.series()).toEqual([]);
  });

  it('a failed Event is not marked as given: the next observation records it', async () => {
    const h = setup();
    h.failEvents(true);
    await expect(h.notifier.observe(shoot('1.32.9'))).rejects.toThrow(/recording ForcedUpdateScheduled events failed: events are down/);
    expect(h.patches).toEqual([]);
    h.failEvents(false);
    await h.notifier.observe(shoot('1.32.9'));
    expect(h.events).toHaveLength(1);
    expect(h.patches).toHaveLength(1);
  });
});
