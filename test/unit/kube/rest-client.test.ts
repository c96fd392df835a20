// KubeRestClient against a fake API server: requests (path, query, body, headers, credentials
// from the kubeconfig on every request), errors as KubeApiError, the rate-limit and response
// hooks on every request (watch opens included), and the parsing of watch streams.
import type { User } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeApiError, KubeRestClient, type KubeRestClientOptions, type WatchEvent } from '../../../src/kube/rest-client.js';
import { eventually, startFakeApiServer, status, type FakeApiServer } from './fake-api-server.js';

let fake: FakeApiServer;
let client: KubeRestClient;
let stops: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const stop of stops.reverse()) await stop();
  stops = [];
});

async function setUp(handler: FakeApiServer['handler'], options: KubeRestClientOptions = {}, user: Record<string, unknown> = {}): Promise<void> {
  fake = await startFakeApiServer(handler);
  client = await KubeRestClient.fromKubeConfig(fake.kubeConfig(user), options);
  stops.push(() => fake.close(), () => client.close());
}

const thing = (name: string, resourceVersion: string) => ({ metadata: { name, resourceVersion } });

describe('KubeRestClient requests', () => {
  it('sends the method, path, query and JSON body, and decodes the JSON answer', async () => {
    await setUp((req) => ({ status: 200, body: { echoed: req.method, rv: '7' } }), { userAgent: 'test-agent' }, { token: 's3cret' });
    const got = await client.request<{ echoed: string }>({
      method: 'PUT',
      path: '/apis/g/v1/namespaces/a b/things/x',
      query: { dryRun: 'All', skipped: undefined },
      body: { spec: { n: 1 } },
    });
    expect(got).toEqual({ echoed: 'PUT', rv: '7' });
    const [req] = fake.requests;
    expect(req?.method).toBe('PUT');
    expect(req?.path).toBe('/apis/g/v1/namespaces/a%20b/things/x');
    expect([...(req?.query ?? [])]).toEqual([['dryRun', 'All']]);
    expect(JSON.parse(req?.body ?? '')).toEqual({ spec: { n: 1 } });
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers.accept).toBe('application/json');
    expect(req?.headers['user-agent']).toBe('test-agent');
    expect(req?.headers.authorization).toBe('Bearer s3cret');
  });

  it('sends a merge patch with its content type; an empty answer is {}', async () => {
    await setUp(() => ({ status: 200 }));
    await expect(
      client.request({ method: 'PATCH', path: '/x', contentType: 'application/merge-patch+json', body: { a: null } }),
    ).resolves.toEqual({});
    expect(fake.requests[0]?.headers['content-type']).toBe('application/merge-patch+json');
    expect(fake.requests[0]?.body).toBe('{"a":null}');
    await client.request({ method: 'GET', path: '/y' });
    expect(fake.requests[1]?.headers['content-type']).toBeUndefined();
  });

  it('asks the kubeconfig for credentials on every request, so a renewed token is used', async () => {
    let issued = 0;
    fake = await startFakeApiServer(() => ({ status: 200, body: {} }));
    const kc = fake.kubeConfig({ name: 'fake', authProvider: { name: 'rotating', config: {} } });
    kc.addAuthenticator({
      isAuthProvider: (user: User) => user.authProvider?.name === 'rotating',
      applyAuthentication: async (_user, opts) => {
        opts.headers = { ...opts.headers, Authorization: `Bearer token-${++issued}` };
      },
    });
    client = await KubeRestClient.fromKubeConfig(kc);
    stops.push(() => fake.close(), () => client.close());
    await client.request({ method: 'GET', path: '/a' });
    await client.request({ method: 'GET', path: '/b' });
    expect(fake.requests.map((r) => r.headers.authorization)).toEqual(['Bearer token-2', 'Bearer token-3']);
  });
});

describe('KubeRestClient errors', () => {
  it.each([
    { answer: status(404, 'NotFound', 'things "x" not found'), code: 404, reason: 'NotFound', message: 'things "x" not found', flag: 'isNotFound' },
    { answer: status(409, 'Conflict', 'the object has been modified'), code: 409, reason: 'Conflict', message: 'the object has been modified', flag: 'isConflict' },
    { answer: status(409, 'AlreadyExists', 'things "x" already exists'), code: 409, reason: 'AlreadyExists', message: 'things "x" already exists', flag: 'isAlreadyExists' },
    { answer: status(410, 'Expired', 'too old resource version'), code: 410, reason: 'Expired', message: 'too old resource version', flag: 'isGone' },
    { answer: { status: 502, raw: 'bad gateway\n' }, code: 502, reason: '', message: 'bad gateway', flag: undefined },
    { answer: { status: 503, raw: '' }, code: 503, reason: '', message: 'HTTP 503', flag: undefined },
  ] as const)('$code $reason → KubeApiError "$message"', async ({ answer, code, reason, message, flag }) => {
    await setUp(() => answer);
    const err = await client.request({ method: 'GET', path: '/x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    const apiError = err as KubeApiError;
    expect({ statusCode: apiError.statusCode, reason: apiError.reason, message: apiError.message }).toEqual({ statusCode: code, reason, message });
    for (const f of ['isNotFound', 'isConflict', 'isAlreadyExists', 'isGone'] as const) expect(apiError[f]).toBe(f === flag);
  });

  it('rejects when the server cannot be reached', async () => {
    await setUp(() => ({ status: 200 }));
    await fake.close();
    await expect(client.request({ method: 'GET', path: '/x' })).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('KubeRestClient hooks', () => {
  it('waits for beforeRequest before every request and watch open, and reports each status code', async () => {
    const gate: { open: () => void; waiting: number } = { open: () => undefined, waiting: 0 };
    const answered: [string, number][] = [];
    await setUp((req) => (req.query.get('watch') === 'true' ? 'watch' : req.method === 'POST' ? status(409, 'AlreadyExists', 'exists') : { status: 200, body: {} }), {
      beforeRequest: () =>
        new Promise<void>((resolve) => {
          gate.waiting++;
          gate.open = resolve;
        }),
      afterResponse: (method, code) => answered.push([method, code]),
    });
    const get = client.request({ method: 'GET', path: '/x' });
    await eventually(() => gate.waiting === 1);
    expect(fake.requests).toHaveLength(0); // held by the rate limit
    gate.open();
    await get;
    const post = client.request({ method: 'POST', path: '/x', body: {} }).catch(() => undefined);
    await eventually(() => gate.waiting === 2);
    gate.open();
    await post;
    const abort = new AbortController();
    const watch = client.watch('/x', {}, () => undefined, abort.signal);
    await eventually(() => gate.waiting === 3);
    expect(fake.requests).toHaveLength(2);
    gate.open();
    // Abort only once the client has the watch's response: an abort before that would cancel the
    // request itself (AbortError), which is not what this test is about.
    await eventually(() => answered.length === 3);
    abort.abort();
    await watch;
    expect(answered).toEqual([
      ['GET', 200],
      ['POST', 409],
      ['WATCH', 200],
    ]);
  });
  it('sends nothing when beforeRequest refuses: the request and the watch reject with its error', async () => {
    // Deterministic proof that the hook is awaited: a client that did not wait for it would have
    // sent the request and resolved with the answer instead of rejecting.
    await setUp(() => ({ status: 200, body: {} }), { beforeRequest: () => Promise.reject(new Error('rate limiter closed')) });
    await expect(client.request({ method: 'GET', path: '/x' })).rejects.toThrow('rate limiter closed');
    await expect(client.watch('/x', {}, () => undefined, new AbortController().signal)).rejects.toThrow('rate limiter closed');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('KubeRestClient watch', () => {
  async function watching(): Promise<{ events: WatchEvent<{ metadata: { name: string } }>[]; done: Promise<void>; abort: AbortController }> {
    await setUp(() => 'watch');
    const events: WatchEvent<{ metadata: { name: string } }>[] = [];
    const abort = new AbortController();
    const done = client.watch<{ metadata: { name: string } }>('/apis/g/v1/things', { resourceVersion: '5', allowWatchBookmarks: true }, (e) => events.push(e), abort.signal);
    stops.push(() => abort.abort());
    await eventually(() => fake.watches.length === 1);
    return { events, done, abort };
  }

  it('joins a multi-byte character split across chunks (UTF-8 decoded as a stream, not per chunk)', async () => {
    const { events } = await watching();
    const first = Buffer.from(`${JSON.stringify({ type: 'ADDED', object: thing('z', '6') })}\n`);
    // "Wartung — geplant": the em dash is three bytes; the chunk ends after its first byte.
    const line = Buffer.from(`${JSON.stringify({ type: 'MODIFIED', object: { metadata: { name: 'Wartung — geplant', resourceVersion: '7' } } })}\n`);
    const cut = line.indexOf(Buffer.from('—')) + 1;
    fake.send(Buffer.concat([first, line.subarray(0, cut)]));
    await eventually(() => events.length === 1);
    fake.send(line.subarray(cut));
    await eventually(() => events.length === 2);
    expect(events[1]?.object.metadata.name).toBe('Wartung — geplant');
  });

  it('opens the watch with its query and delivers events split across chunks, several per chunk, blank lines skipped', async () => {
    const { events, done } = await watching();
    const q = fake.requests[0]?.query;
    expect([q?.get('watch'), q?.get('resourceVersion'), q?.get('allowWatchBookmarks')]).toEqual(['true', '5', 'true']);
    const first = JSON.stringify({ type: 'ADDED', object: thing('z', '6') });
    const added = JSON.stringify({ type: 'ADDED', object: thing('a', '6') });
    // The second event is split across chunks: its first part travels with a whole event, its
    // rest is sent only once that whole event was delivered, so the client held half a line.
    fake.send(`${first}\n${added.slice(0, 10)}`);
    await eventually(() => events.length === 1);
    fake.send(`${added.slice(10)}\n\n${JSON.stringify({ type: 'MODIFIED', object: thing('a', '7') })}\n`);
    fake.send(`${JSON.stringify({ type: 'BOOKMARK', object: thing('', '8') })}\n${JSON.stringify({ type: 'DELETED', object: thing('a', '9') })}\n`);
    await eventually(() => events.length === 5);
    expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([
      ['ADDED', 'z'],
      ['ADDED', 'a'],
      ['MODIFIED', 'a'],
      ['BOOKMARK', ''],
      ['DELETED', 'a'],
    ]);
    fake.endWatch();
    await expect(done).resolves.toBeUndefined();
  });

  it('ends with KubeApiError on an ERROR event (410 Gone)', async () => {
    const { done } = await watching();
    fake.send({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 5 (10)' } });
    const err = (await done.catch((e: unknown) => e)) as KubeApiError;
    expect(err).toBeInstanceOf(KubeApiError);
    expect([err.statusCode, err.isGone, err.message]).toEqual([410, true, 'too old resource version: 5 (10)']);
  });

  it('ends with an error on a line that is not JSON', async () => {
    const { done } = await watching();
    fake.send('{"type":"ADDED",\n');
    await expect(done).rejects.toThrow(SyntaxError);
  });

  it('resolves, not rejects, when aborted before the watch response arrived (a stop, not an error)', async () => {
    // The fake never answers the watch request: the abort lands while it is still being opened.
    await setUp(() => new Promise<never>(() => undefined));
    const abort = new AbortController();
    const done = client.watch('/x', {}, () => undefined, abort.signal);
    await eventually(() => fake.requests.length === 1);
    abort.abort();
    await expect(done).resolves.toBeUndefined();
  });

  it('resolves when its signal aborts', async () => {
    const { done, abort } = await watching();
    abort.abort();
    await expect(done).resolves.toBeUndefined();
  });

  it('rejects with KubeApiError when the watch is refused', async () => {
    await setUp(() => status(403, 'Forbidden', 'things is forbidden: User "x" cannot watch resource "things"'));
    const err = (await client.watch('/x', {}, () => undefined, new AbortController().signal).catch((e: unknown) => e)) as KubeApiError;
    expect(err).toBeInstanceOf(KubeApiError);
    expect([err.statusCode, err.reason, err.message]).toEqual([403, 'Forbidden', 'things is forbidden: User "x" cannot watch resource "things"']);
  });
});
