// The CloudProfile informer against a small fake API server (list + watch stream over HTTP):
// synced after the first list, re-indexed on MODIFIED, dropped on DELETED, restarted after a
// failed list, re-listed after a watch ERROR 410 (Expired); the webhook on it is ready only once
// it has listed.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { parse as parseYaml } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { CloudProfileInformerSource } from '../../src/kube/cloudprofile-informer.js';
import { KubeRestClient } from '../../src/kube/rest-client.js';
import type { ProfileRef } from '../../src/core/shoot.js';
import { httpsCall, readExample, startApp } from './helpers.js';

interface Fake {
  url: string;
  lists: number;
  failNextLists: number;
  /** What the next list returns (and at which resourceVersion). */
  items: unknown[];
  listResourceVersion: string;
  send(event: { type: string; object: unknown }): void;
  /** Ends every open watch stream, as the API server does after an ERROR event. */
  endWatches(): void;
  close(): Promise<void>;
}

function profile(name: string, resourceVersion: string, latest = '1.33.2'): Record<string, unknown> {
  const p = parseYaml(readExample('cloudprofile.yaml')) as { metadata: Record<string, unknown>; spec: { kubernetes: { versions: { version: string }[] } } };
  p.metadata = { name, resourceVersion };
  const first = p.spec.kubernetes.versions[0];
  if (first) first.version = latest;
  return p;
}

async function fakeApiServer(initialItems: unknown[]): Promise<Fake> {
  const watchers: ServerResponse[] = [];
  const quietWatchers: ServerResponse[] = [];
  // Events sent before the informer's watch is open wait for it, as a real API server delivers
  // every event after the listed resourceVersion to a watch started from it.
  const pending: string[] = [];
  const fake: Fake = {
    url: '',
    lists: 0,
    failNextLists: 0,
    items: initialItems,
    listResourceVersion: '10',
    send(event: { type: string; object: unknown }) {
      if (watchers.length === 0) pending.push(`${JSON.stringify(event)}\n`);
      for (const w of watchers) w.write(`${JSON.stringify(event)}\n`);
    },
    endWatches() {
      for (const w of watchers.splice(0)) w.end();
    },
    close: async () => {
      for (const w of [...watchers, ...quietWatchers]) w.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    // The source also lists and watches NamespacedCloudProfiles: none here, and a watch that stays open.
    if (url.pathname === '/apis/core.gardener.cloud/v1beta1/namespacedcloudprofiles') {
      if (url.searchParams.get('watch') === 'true') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.flushHeaders();
        quietWatchers.push(res);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ kind: 'NamespacedCloudProfileList', metadata: { resourceVersion: '1' }, items: [] }),
      );
      return;
    }
    if (url.pathname !== '/apis/core.gardener.cloud/v1beta1/cloudprofiles') {
      res.writeHead(404).end();
      return;
    }
    if (url.searchParams.get('watch') === 'true') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      watchers.push(res);
      for (const line of pending.splice(0)) res.write(line);
      return;
    }
    fake.lists++;
    if (fake.failNextLists > 0) {
      fake.failNextLists--;
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"kind":"Status","code":500}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({ apiVersion: 'core.gardener.cloud/v1beta1', kind: 'CloudProfileList', metadata: { resourceVersion: fake.listResourceVersion }, items: fake.items }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

function cp(name: string): ProfileRef {
  return { kind: 'CloudProfile', name };
}

async function clientFor(url: string): Promise<KubeRestClient> {
  const client = await KubeRestClient.fromKubeConfig(kubeConfigFor(url));
  cleanup.push(async () => client.close());
  return client;
}

function kubeConfigFor(url: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server: url, skipTLSVerify: true }],
    users: [{ name: 'fake' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
    currentContext: 'fake',
  });
  return kc;
}

async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe('CloudProfileInformerSource', () => {
  it('is synced after the first list and follows MODIFIED and DELETED events', async () => {
    const fake = await fakeApiServer([profile('local', '5')]);
    const source = new CloudProfileInformerSource(await clientFor(fake.url), pino({ level: 'silent' }));
    cleanup.push(() => fake.close(), () => source.stop());
    expect(source.synced()).toBe(false);
    await source.start();
    await eventually(() => source.synced());
    expect(source.get(cp('local'))?.kubernetes.map((v) => v.version)).toContain('1.33.2');

    fake.send({ type: 'MODIFIED', object: profile('local', '6', '1.34.0') });
    await eventually(() => source.get(cp('local'))?.kubernetes.some((v) => v.version === '1.34.0') === true);
    fake.send({ type: 'ADDED', object: profile('other', '7') });
    await eventually(() => source.get(cp('other')) !== undefined);
    fake.send({ type: 'DELETED', object: profile('local', '8') });
    await eventually(() => source.get(cp('local')) === undefined);
    expect(source.get(cp('other'))).toBeDefined();
  });

  it('drops a profile that cannot be used instead of keeping a stale index', async () => {
    const fake = await fakeApiServer([profile('local', '5')]);
    const source = new CloudProfileInformerSource(await clientFor(fake.url), pino({ level: 'silent' }));
    cleanup.push(() => fake.close(), () => source.stop());
    await source.start();
    await eventually(() => source.get(cp('local')) !== undefined);
    const broken = profile('local', '6') as { spec: { kubernetes: unknown } };
    broken.spec.kubernetes = { versions: 'all of them' };
    fake.send({ type: 'MODIFIED', object: broken });
    await eventually(() => source.get(cp('local')) === undefined);
  });

  it('restarts after a failed list and syncs then', async () => {
    const fake = await fakeApiServer([profile('local', '5')]);
    fake.failNextLists = 1;
    const source = new CloudProfileInformerSource(await clientFor(fake.url), pino({ level: 'silent' }));
    cleanup.push(() => fake.close(), () => source.stop());
    await source.start();
    expect(source.synced()).toBe(false);
    await eventually(() => source.synced());
    expect(fake.lists).toBe(2);
    expect(source.get(cp('local'))).toBeDefined();
  });

  it('re-lists after a watch ERROR 410 (Expired) and takes the list as the truth: changed re-indexed, deleted dropped', async () => {
    const fake = await fakeApiServer([profile('local', '5'), profile('gone', '6')]);
    const source = new CloudProfileInformerSource(await clientFor(fake.url), pino({ level: 'silent' }));
    cleanup.push(() => fake.close(), () => source.stop());
    await source.start();
    await eventually(() => source.synced() && source.get(cp('gone')) !== undefined);
    expect(fake.lists).toBe(1);
    // Meanwhile (events the informer never saw): `local` changed, `gone` was deleted.
    fake.items = [profile('local', '40', '1.34.0')];
    fake.listResourceVersion = '41';
    fake.send({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 410, reason: 'Expired', message: 'too old resource version: 10 (35)' } });
    fake.endWatches();
    await eventually(() => fake.lists === 2);
    await eventually(() => source.get(cp('gone')) === undefined);
    expect(source.get(cp('local'))?.kubernetes.map((v) => v.version)).toContain('1.34.0');
    expect(source.synced()).toBe(true);
  });

  it('the webhook on it answers /readyz 503 until a list has succeeded, then 200', async () => {
    const fake = await fakeApiServer([profile('local', '5')]);
    fake.failNextLists = Number.POSITIVE_INFINITY; // no list succeeds until the test lets one through
    const source = new CloudProfileInformerSource(await clientFor(fake.url), pino({ level: 'silent' }));
    const app = await startApp({ profiles: source });
    cleanup.push(() => fake.close(), () => source.stop(), () => app.close());
    // Started after the app (its certificates take a while), so the informer's back-off is still short.
    await source.start();
    const before = await httpsCall(app.url, '/readyz', { ca: app.ca.certPem });
    expect([before.status, before.text]).toEqual([503, 'not ready: CloudProfiles not synced yet\n']);
    expect(fake.lists).toBeGreaterThanOrEqual(1);

    fake.failNextLists = 0;
    await eventually(() => source.synced());
    const after = await httpsCall(app.url, '/readyz', { ca: app.ca.certPem });
    expect([after.status, after.text]).toEqual([200, 'ok\n']);
  });
});
