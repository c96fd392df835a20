// The informer against a fake API server: list, watch, resume from the last resourceVersion
// (events and bookmarks), 410 Gone re-list replaying the differences (deletes included), and
// the exponential back-off after failures.
import { afterEach, describe, expect, it } from 'vitest';
import { Informer, keyOf, type InformerHandlers, type KubeObject } from '../../../src/kube/informer.js';
import { KubeRestClient } from '../../../src/kube/rest-client.js';
import { eventually, startFakeApiServer, status, type Answer, type FakeApiServer, type RecordedRequest } from './fake-api-server.js';

const PATH = '/apis/g/v1/things';

interface Thing extends KubeObject {
  metadata: { name: string; namespace?: string; resourceVersion: string };
  n?: number;
}

const thing = (name: string, resourceVersion: string, n = 0, namespace = 'ns'): Thing => ({ metadata: { name, namespace, resourceVersion }, n });

let stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.reverse()) await stop();
  stops = [];
});

interface Run {
  fake: FakeApiServer;
  informer: Informer<Thing>;
  log: string[];
  errors: number[];
  lists: () => RecordedRequest[];
  watches: () => RecordedRequest[];
}

/** `list` answers each list request (the n-th, counting from 0); watches stay open for the test to feed. */
async function run(list: (n: number) => Answer, options: { minBackoffMs?: number; maxBackoffMs?: number } = {}): Promise<Run> {
  let lists = 0;
  const fake = await startFakeApiServer((req) => {
    if (req.path !== PATH) return { status: 404 };
    return req.query.get('watch') === 'true' ? 'watch' : list(lists++);
  });
  const client = await KubeRestClient.fromKubeConfig(fake.kubeConfig());
  const log: string[] = [];
  const errors: number[] = [];
  const handlers: InformerHandlers<Thing> = {
    onAdd: (t) => log.push(`add ${keyOf(t)}@${t.metadata.resourceVersion}`),
    onUpdate: (t, old) => log.push(`update ${keyOf(t)}@${old.metadata.resourceVersion}→${t.metadata.resourceVersion}`),
    onDelete: (t) => log.push(`delete ${keyOf(t)}`),
    onSynced: () => log.push('synced'),
    onError: (_err, retryInMs) => errors.push(retryInMs),
  };
  const informer = new Informer<Thing>(client, { path: PATH, ...options }, handlers);
  stops.push(
    () => fake.close(),
    () => client.close(),
    () => informer.stop(),
  );
  const isWatch = (r: RecordedRequest) => r.query.get('watch') === 'true';
  return { fake, informer, log, errors, lists: () => fake.requests.filter((r) => !isWatch(r)), watches: () => fake.requests.filter(isWatch) };
}

const listOf = (resourceVersion: string, items: Thing[]): Answer => ({ status: 200, body: { kind: 'ThingList', metadata: { resourceVersion }, items } });

describe('Informer', () => {
  it('keeps what its transform returns, for listed and watched objects alike, and hands that to the handlers', async () => {
    const fake = await startFakeApiServer((req) => (req.query.get('watch') === 'true' ? 'watch' : listOf('10', [thing('a', '3', 7)])));
    const client = await KubeRestClient.fromKubeConfig(fake.kubeConfig());
    const seen: unknown[] = [];
    const informer = new Informer<Thing>(client, { path: PATH, transform: (t) => ({ metadata: t.metadata }) }, {
      onAdd: (t) => seen.push(t),
      onUpdate: (t, old) => seen.push(t, old),
    });
    stops.push(
      () => fake.close(),
      () => client.close(),
      () => informer.stop(),
    );
    await informer.start();
    expect(informer.get('ns/a')).toEqual({ metadata: { name: 'a', namespace: 'ns', resourceVersion: '3' } });
    await eventually(() => fake.watches.length === 1);
    fake.send({ type: 'MODIFIED', object: thing('a', '11', 8) });
    await eventually(() => informer.get('ns/a')?.metadata.resourceVersion === '11');
    expect(informer.list()).toEqual([{ metadata: { name: 'a', namespace: 'ns', resourceVersion: '11' } }]);
    // The handlers saw only what the cache keeps: the new object and the old one.
    expect(seen).toEqual([
      { metadata: { name: 'a', namespace: 'ns', resourceVersion: '3' } },
      { metadata: { name: 'a', namespace: 'ns', resourceVersion: '11' } },
      { metadata: { name: 'a', namespace: 'ns', resourceVersion: '3' } },
    ]);
  });

  it('lists into its cache, reports synced, then watches from the list resourceVersion with bookmarks and a server timeout', async () => {
    const r = await run(() => listOf('10', [thing('a', '3'), thing('b', '4'), thing('c', '5', 0, '')]));
    expect(r.informer.hasSynced).toBe(false);
    await r.informer.start();
    expect(r.informer.hasSynced).toBe(true);
    expect(r.log).toEqual(['add ns/a@3', 'add ns/b@4', 'add c@5', 'synced']);
    expect(r.informer.get('ns/a')?.metadata.resourceVersion).toBe('3');
    expect(r.informer.get('c')).toBeDefined();
    expect(r.informer.list().map(keyOf).sort()).toEqual(['c', 'ns/a', 'ns/b']);
    await eventually(() => r.fake.watches.length === 1);
    const q = r.watches()[0]?.query;
    expect(q?.get('resourceVersion')).toBe('10');
    expect(q?.get('allowWatchBookmarks')).toBe('true');
    const timeout = Number(q?.get('timeoutSeconds'));
    expect(timeout).toBeGreaterThanOrEqual(240);
    expect(timeout).toBeLessThan(360);
  });

  it('applies watch events to the cache and the handlers; bookmarks change nothing', async () => {
    const r = await run(() => listOf('10', [thing('a', '3')]));
    await r.informer.start();
    await eventually(() => r.fake.watches.length === 1);
    r.fake.send({ type: 'ADDED', object: thing('b', '11') });
    r.fake.send({ type: 'MODIFIED', object: thing('a', '12', 1) });
    r.fake.send({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '13' } } });
    r.fake.send({ type: 'DELETED', object: thing('b', '14') });
    await eventually(() => r.log.length === 5);
    expect(r.log.slice(2)).toEqual(['add ns/b@11', 'update ns/a@3→12', 'delete ns/b']);
    expect(r.informer.get('ns/a')?.n).toBe(1);
    expect(r.informer.get('ns/b')).toBeUndefined();
  });

  it('resumes a watch the server ended from the last resourceVersion it saw (event or bookmark), without a re-list', async () => {
    const r = await run(() => listOf('10', [thing('a', '3')]));
    await r.informer.start();
    await eventually(() => r.fake.watches.length === 1);
    r.fake.send({ type: 'MODIFIED', object: thing('a', '11') });
    await eventually(() => r.log.length === 3);
    r.fake.endWatch();
    await eventually(() => r.watches().length === 2 && r.fake.watches.length === 1);
    expect(r.watches()[1]?.query.get('resourceVersion')).toBe('11');
    // The bookmark and the end of the watch travel on one response, in order: the informer has
    // read the bookmark when it sees the watch end.
    r.fake.send({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '25' } } });
    r.fake.endWatch();
    await eventually(() => r.watches().length === 3 && r.fake.watches.length === 1);
    expect(r.watches()[2]?.query.get('resourceVersion')).toBe('25');
    expect(r.lists()).toHaveLength(1);
    expect(r.errors).toEqual([]);
  });

  it('re-lists at once on 410 Gone and replays what changed meanwhile: deletes, updates and adds', async () => {
    const r = await run((n) =>
      n === 0 ? listOf('10', [thing('a', '3'), thing('b', '4'), thing('c', '5')]) : listOf('40', [thing('a', '3'), thing('b', '30'), thing('d', '31')]),
    );
    await r.informer.start();
    await eventually(() => r.fake.watches.length === 1);
    r.fake.send({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' } });
    await eventually(() => r.lists().length === 2 && r.fake.watches.length === 1 && r.watches().length === 2);
    expect(r.log.slice(4)).toEqual(['update ns/b@4→30', 'add ns/d@31', 'delete ns/c', 'synced']);
    expect(r.informer.list().map(keyOf).sort()).toEqual(['ns/a', 'ns/b', 'ns/d']);
    expect(r.watches()[1]?.query.get('resourceVersion')).toBe('40');
    expect(r.errors).toEqual([]); // Gone is not an error
  });

  it('re-lists on a 410 answer to the watch request as well', async () => {
    let watchOpens = 0;
    const r = await run((n) => listOf(String(10 + n), [thing('a', String(3 + n))]));
    const original = r.fake.handler;
    r.fake.handler = (req) => (req.query.get('watch') === 'true' && watchOpens++ === 0 ? status(410, 'Expired', 'too old') : original(req));
    await r.informer.start();
    await eventually(() => r.fake.watches.length === 1);
    expect(r.lists()).toHaveLength(2);
    expect(r.log).toEqual(['add ns/a@3', 'synced', 'update ns/a@3→4', 'synced']);
    expect(r.errors).toEqual([]);
  });

  it('backs off exponentially up to the maximum after failures, and starts from the minimum again after a successful list', async () => {
    let failing = 4;
    const r = await run(() => (failing-- > 0 ? status(500, 'InternalError', 'etcd is sad') : listOf('10', [thing('a', '3')])), {
      minBackoffMs: 20,
      maxBackoffMs: 50,
    });
    await r.informer.start(); // the first attempt failed
    expect(r.informer.hasSynced).toBe(false);
    await eventually(() => r.informer.hasSynced);
    expect(r.errors).toEqual([20, 40, 50, 50]);
    expect(r.lists()).toHaveLength(5);
    // A watch that fails: re-list after the minimum back-off again.
    await eventually(() => r.fake.watches.length === 1);
    r.fake.send({ type: 'ERROR', object: { kind: 'Status', code: 500, reason: 'InternalError', message: 'boom' } });
    await eventually(() => r.lists().length === 6);
    expect(r.errors).toEqual([20, 40, 50, 50, 20]);
  });

  it('stop() ends an open watch and the loop; start() again lists afresh', async () => {
    const r = await run(() => listOf('10', [thing('a', '3')]));
    await r.informer.start();
    await eventually(() => r.fake.watches.length === 1);
    await r.informer.stop();
    await eventually(() => r.fake.watches.length === 0);
    await r.informer.start();
    expect(r.lists()).toHaveLength(2);
    expect(r.log).toEqual(['add ns/a@3', 'synced', 'synced']);
  });
});
