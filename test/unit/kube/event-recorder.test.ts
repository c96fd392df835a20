// EventRecorder against the fake API server: the Event it POSTs, and its de-duplication by name
// (docs/design.md: a run's Events are named from the shoot's uid, the run's triggeredTime and
// their position, so a run finished twice records each Event once).
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Shoot } from '../../../src/core/shoot.js';
import { EventRecorder } from '../../../src/kube/event-recorder.js';
import { KubeApiError, KubeRestClient } from '../../../src/kube/rest-client.js';
import { startFakeApiServer, status, type Answer, type FakeApiServer } from './fake-api-server.js';

const EVENTS = '/api/v1/namespaces/garden-dev/events';
const NOW = new Date('2026-03-10T15:00:07.123Z');
const KEY = '2026-03-10T15:00:00Z/0';
const EVENT = { type: 'Normal', reason: 'MaintenanceDone', message: 'Control Plane: Updated Kubernetes version' } as const;

function shoot(o: { uid?: string; namespace?: string } = {}): Shoot {
  return {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'Shoot',
    metadata: { name: 's', resourceVersion: '42', ...('namespace' in o ? {} : { namespace: 'garden-dev' }), ...(o.uid ? { uid: o.uid } : {}) },
    spec: { kubernetes: { version: '1.31.6' }, provider: { type: 'local' } },
  };
}

/** sha256 over "<uid or namespace/name>\0<key>", its first 20 hex digits, worked out here. */
function suffix(input: string): string {
  return createHash('sha256').update(input).digest('hex').slice(0, 20);
}

let stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.reverse()) await stop();
  stops = [];
});

interface Posted {
  path: string;
  body: { metadata: { name: string; namespace: string } } & Record<string, unknown>;
}

/** A fake API server keeping Events by name (a second create of a name is 409 AlreadyExists, as the API server answers) unless `answer` overrides. */
async function recorder(answer?: () => Answer) {
  const names = new Set<string>();
  const fake: FakeApiServer = await startFakeApiServer((r) => {
    if (answer) return answer();
    if (r.method !== 'POST') return status(405, 'MethodNotAllowed', r.method);
    const { name } = (JSON.parse(r.body) as Posted['body']).metadata;
    if (names.has(name)) return status(409, 'AlreadyExists', `events "${name}" already exists`);
    names.add(name);
    return { status: 201, body: JSON.parse(r.body) };
  });
  const client = await KubeRestClient.fromKubeConfig(fake.kubeConfig());
  stops.push(
    () => fake.close(),
    () => client.close(),
  );
  const posted = (): Posted[] => fake.requests.map((r) => ({ path: `${r.method} ${r.path}`, body: JSON.parse(r.body) as Posted['body'] }));
  return { events: new EventRecorder(client, 'scheduler-0', () => NOW), posted };
}

describe('EventRecorder', () => {
  it('with a dedupKey the same Event recorded twice is one name, from uid and key; the second create\'s 409 AlreadyExists is swallowed', async () => {
    const r = await recorder();
    await r.events.record(shoot({ uid: 'uid-1234' }), EVENT, KEY);
    await expect(r.events.record(shoot({ uid: 'uid-1234' }), EVENT, KEY)).resolves.toBeUndefined();
    // printf '%s\0%s' uid-1234 2026-03-10T15:00:00Z/0 | sha256sum → 5a132e9179aa6b94fcb5…
    expect(suffix('uid-1234\u00002026-03-10T15:00:00Z/0')).toBe('5a132e9179aa6b94fcb5');
    expect(r.posted().map((p) => [p.path, p.body.metadata.name])).toEqual([
      [`POST ${EVENTS}`, 's.5a132e9179aa6b94fcb5'],
      [`POST ${EVENTS}`, 's.5a132e9179aa6b94fcb5'],
    ]);
  });

  it('the name changes with the key, and without a uid is derived from namespace/name', async () => {
    const r = await recorder();
    await r.events.record(shoot({ uid: 'uid-1234' }), EVENT, '2026-03-10T15:00:00Z/1');
    await r.events.record(shoot(), EVENT, KEY);
    // printf '%s\0%s' uid-1234 2026-03-10T15:00:00Z/1 | sha256sum; printf '%s\0%s' garden-dev/s 2026-03-10T15:00:00Z/0 | sha256sum
    expect([suffix('uid-1234\u00002026-03-10T15:00:00Z/1'), suffix('garden-dev/s\u00002026-03-10T15:00:00Z/0')]).toEqual([
      'c187c2157fe715b0f356',
      'e0d603d94ecc522aa960',
    ]);
    expect(r.posted().map((p) => p.body.metadata.name)).toEqual(['s.c187c2157fe715b0f356', 's.e0d603d94ecc522aa960']);
  });

  it('without a dedupKey every record is a new name, and a 409 AlreadyExists is thrown', async () => {
    const r = await recorder();
    await r.events.record(shoot({ uid: 'uid-1234' }), EVENT);
    await r.events.record(shoot({ uid: 'uid-1234' }), EVENT);
    const [first, second] = r.posted().map((p) => p.body.metadata.name);
    expect(first).toMatch(/^s\.[0-9a-f]+$/);
    expect(second).toMatch(/^s\.[0-9a-f]+$/);
    expect(second).not.toBe(first);

    const taken = await recorder(() => status(409, 'AlreadyExists', 'events "s.x" already exists'));
    const err = await taken.events.record(shoot({ uid: 'uid-1234' }), EVENT).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect(err).toMatchObject({ statusCode: 409, reason: 'AlreadyExists', message: 'events "s.x" already exists' });
  });

  it.each([
    [409, 'Conflict', 'the object has been modified'],
    [403, 'Forbidden', 'events is forbidden: User "x" cannot create resource "events"'],
    [500, 'InternalError', 'etcdserver: request timed out'],
  ])('with a dedupKey any other error is thrown: %i %s', async (code, reason, message) => {
    const r = await recorder(() => status(code, reason, message));
    const err = await r.events.record(shoot({ uid: 'uid-1234' }), EVENT, KEY).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect(err).toMatchObject({ statusCode: code, reason, message });
  });

  it('POSTs a core/v1 Event about the shoot: involvedObject, source and reporting component, count 1, both timestamps from its clock', async () => {
    const r = await recorder();
    await r.events.record(shoot({ uid: 'uid-1234' }), { type: 'Warning', reason: 'MaintenanceFailed', message: 'nope' }, KEY);
    expect(r.posted()).toEqual([
      {
        path: `POST ${EVENTS}`,
        body: {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name: 's.5a132e9179aa6b94fcb5', namespace: 'garden-dev' },
          involvedObject: {
            apiVersion: 'core.gardener.cloud/v1beta1',
            kind: 'Shoot',
            namespace: 'garden-dev',
            name: 's',
            uid: 'uid-1234',
            resourceVersion: '42',
          },
          reason: 'MaintenanceFailed',
          message: 'nope',
          type: 'Warning',
          action: 'Reconcile',
          source: { component: 'shoot-maintenance-scheduler', host: 'scheduler-0' },
          reportingComponent: 'shoot-maintenance-scheduler',
          reportingInstance: 'scheduler-0',
          firstTimestamp: '2026-03-10T15:00:07.123Z',
          lastTimestamp: '2026-03-10T15:00:07.123Z',
          count: 1,
        },
      },
    ]);
  });

  it('a shoot without a namespace is recorded in "default"', async () => {
    const r = await recorder();
    await r.events.record(shoot({ uid: 'uid-1234', namespace: undefined }), EVENT, KEY);
    expect(r.posted().map((p) => [p.path, p.body.metadata.namespace, (p.body.involvedObject as { namespace: string }).namespace])).toEqual([
      ['POST /api/v1/namespaces/default/events', 'default', 'default'],
    ]);
  });
});
