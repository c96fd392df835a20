// What the scheduler's Shoot cache keeps: everything the due time and the notices read, none of
// managedFields, kubectl's last-applied copy or the status beyond lastMaintenance.
import { describe, expect, it } from 'vitest';
import { cachedShootOf, LAST_APPLIED_ANNOTATION } from '../../../src/scheduler/cached-shoot.js';
import type { Shoot } from '../../../src/core/shoot.js';
import { dueTimeOf } from '../../../src/scheduler/due-time.js';

const shoot = (): Shoot =>
  ({
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'Shoot',
    metadata: {
      name: 's',
      namespace: 'garden-a',
      resourceVersion: '42',
      labels: { team: 'a' },
      annotations: { 'gardener.cloud/operation': 'maintain', 'maintenance.gardener.cloud/time-zone': 'Europe/Berlin', [LAST_APPLIED_ANNOTATION]: '{"spec":{}}' },
      managedFields: [{ manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:spec': {} } }],
    },
    spec: {
      cloudProfileName: 'local',
      kubernetes: { version: '1.32.4' },
      maintenance: { timeWindow: { begin: '220000+0100', end: '230000+0100' } },
      provider: { type: 'local', workers: [] },
    },
    status: {
      lastMaintenance: { description: 'd', state: 'Succeeded', triggeredTime: '2026-12-01T21:10:00Z' },
      conditions: [{ type: 'APIServerAvailable', status: 'True' }],
    },
  }) as unknown as Shoot;

describe('cachedShootOf', () => {
  it('drops managedFields, the last-applied annotation and the status beyond lastMaintenance, and leaves its input alone', () => {
    const input = shoot();
    const before = structuredClone(input);
    const cached = cachedShootOf(input);
    expect(input).toEqual(before);
    const expected = structuredClone(before) as unknown as { metadata: Record<string, unknown> & { annotations: Record<string, string> }; status: Record<string, unknown> };
    delete expected.metadata.managedFields;
    delete expected.metadata.annotations[LAST_APPLIED_ANNOTATION];
    delete expected.status.conditions;
    expect(cached).toEqual(expected);
  });

  it('gives the same due time as the whole shoot', () => {
    const now = new Date('2026-12-02T12:00:00Z');
    const random = () => 0.5;
    expect(dueTimeOf(cachedShootOf(shoot()), now, random)).toEqual(dueTimeOf(shoot(), now, random));
    const { annotations: _a, ...withoutOperation } = shoot().metadata;
    const plain = { ...shoot(), metadata: withoutOperation };
    expect(dueTimeOf(cachedShootOf(plain), now, random)).toEqual(dueTimeOf(plain, now, random));
  });

  it('keeps a status-less shoot status-less and an annotation-less one annotation-less', () => {
    const { status: _s, ...noStatus } = shoot();
    const { annotations: _a, ...metadata } = noStatus.metadata;
    const cached = cachedShootOf({ ...noStatus, metadata });
    expect('status' in cached).toBe(false);
    expect('annotations' in cached.metadata).toBe(false);
  });
});
