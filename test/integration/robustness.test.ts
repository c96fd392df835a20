// Thousands of randomly corrupted reviews against the real HTTPS server: truncated JSON, wrong
// types, huge strings, deep nesting, __proto__ keys, bad bytes, wrong content types. Nothing may
// be answered with a 5xx, every 4xx is one line, every 200 is an AdmissionReview, no handler may
// hit its internal-error guard, and the server keeps serving.
import { Agent } from 'node:https';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { BODY_LIMIT_BYTES } from '../../src/webhook/app.js';
import { httpsCall, pathsOf, readExample, setAt, startApp, type RunningApp } from './helpers.js';

let r: RunningApp;
let agent: Agent;
beforeAll(async () => {
  r = await startApp();
  agent = new Agent({ keepAlive: true, maxSockets: 8, ca: r.ca.certPem });
});
afterAll(async () => {
  agent.destroy();
  await r.close();
});

const ROUTES = ['/mutate/shoots', '/validate/shoots', '/validate/cloudprofiles'] as const;
const BASES = ['reviews/create-without-window.json', 'reviews/create-15-minute-window.json', 'reviews/update-confined.json'].map(
  (f) => JSON.parse(readExample(f)) as Record<string, unknown>,
);
const PROFILE_REVIEW = {
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: { uid: 'cp-1', operation: 'CREATE', object: parseYaml(readExample('cloudprofile.yaml')) as unknown },
};
BASES.push(PROFILE_REVIEW);


interface Case {
  route: string;
  body: Buffer;
  contentType: string | null;
  kind: string;
}

const base = fc.nat({ max: BASES.length - 1 }).map((i) => BASES[i] as Record<string, unknown>);
const route = fc.constantFrom(...ROUTES);
const wrongValue = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 20 }),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
  fc.constantFrom('', '1.33', '1.x', 'reconcile', 'foo;maintain', '250000+0000', '-1', '99999999999999999999'),
);
const atRandomPath = <T>(gen: fc.Arbitrary<T>) =>
  base.chain((b) => {
    const paths = pathsOf(b);
    return fc.tuple(fc.constant(b), fc.constantFrom(...paths), gen);
  });

const cases: fc.Arbitrary<Case> = fc.oneof(
  // wrong types anywhere
  { weight: 8, arbitrary: fc.tuple(route, atRandomPath(wrongValue)).map(([rt, [b, p, v]]) => ({ route: rt, body: Buffer.from(JSON.stringify(setAt(b, p, v))), contentType: 'application/json', kind: 'wrong-type' })) },
  // truncated JSON
  { weight: 3, arbitrary: fc.tuple(route, base, fc.double({ min: 0, max: 1, noNaN: true })).map(([rt, b, f]) => {
    const text = JSON.stringify(b);
    return { route: rt, body: Buffer.from(text.slice(0, Math.floor(text.length * f))), contentType: 'application/json', kind: 'truncated' };
  }) },
  // huge strings
  { weight: 1, arbitrary: fc.tuple(route, atRandomPath(fc.integer({ min: 10_000, max: 400_000 }))).map(([rt, [b, p, n]]) => ({ route: rt, body: Buffer.from(JSON.stringify(setAt(b, p, 'x'.repeat(n)))), contentType: 'application/json', kind: 'huge-string' })) },
  // deep nesting
  { weight: 1, arbitrary: fc.tuple(route, atRandomPath(fc.integer({ min: 50, max: 20_000 }))).map(([rt, [b, p, depth]]) => {
    const marker = '"__deep__"';
    const text = JSON.stringify(setAt(b, p, '__deep__')).replace(marker, `${'['.repeat(depth)}${']'.repeat(depth)}`);
    return { route: rt, body: Buffer.from(text), contentType: 'application/json', kind: 'deep' };
  }) },
  // __proto__ / constructor keys
  { weight: 2, arbitrary: fc.tuple(route, base, fc.nat(), fc.constantFrom('__proto__', 'constructor', 'prototype')).map(([rt, b, at, key]) => {
    const text = JSON.stringify(b);
    const braces = [...text.matchAll(/\{/g)].map((m) => m.index ?? 0);
    const i = braces[at % braces.length] ?? 0;
    const injected = `${text.slice(0, i + 1)}"${key}":{"polluted":true,"prototype":{"polluted":true}}${text[i + 1] === '}' ? '' : ','}${text.slice(i + 1)}`;
    return { route: rt, body: Buffer.from(injected), contentType: 'application/json', kind: 'proto' };
  }) },
  // bad bytes
  { weight: 2, arbitrary: fc.tuple(route, base, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([rt, b, at, bytes]) => {
    const text = Buffer.from(JSON.stringify(b));
    const i = at % text.length;
    return { route: rt, body: Buffer.concat([text.subarray(0, i), Buffer.from(bytes), text.subarray(i)]), contentType: 'application/json', kind: 'bad-bytes' };
  }) },
  // wrong content types
  { weight: 1, arbitrary: fc.tuple(route, base, fc.constantFrom('text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/yaml', null)).map(([rt, b, ct]) => ({ route: rt, body: Buffer.from(JSON.stringify(b)), contentType: ct, kind: 'content-type' })) },
  // well-formed envelopes with random operations and users
  { weight: 2, arbitrary: fc.tuple(route, base, fc.constantFrom('CREATE', 'UPDATE', 'DELETE', 'CONNECT'), fc.boolean()).map(([rt, b, op, dry]) => {
    const review = structuredClone(b) as { request: Record<string, unknown> };
    review.request.operation = op;
    review.request.dryRun = dry;
    if (op === 'UPDATE' && !review.request.oldObject) review.request.oldObject = review.request.object;
    return { route: rt, body: Buffer.from(JSON.stringify(review)), contentType: 'application/json', kind: 'operations' };
  }) },
);

async function runAll<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

describe('randomly corrupted reviews', () => {
  it('never get a 5xx, never crash the server, never hit the internal-error guard', { timeout: 90_000 }, async () => {
    const samples = fc.sample(cases, { numRuns: 3000, seed: 20260301 });
    const problems: string[] = [];
    const statuses = new Map<number, number>();
    await runAll(samples, 8, async (c) => {
      const res = await httpsCall(r.url, c.route, { ca: r.ca.certPem, body: c.body, contentType: c.contentType, agent });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const describe = `${c.kind} ${c.route} → ${res.status} ${res.text.slice(0, 200)}`;
      if (res.status >= 500) problems.push(describe);
      else if (res.status === 200) {
        const review = JSON.parse(res.text) as { response?: { uid?: unknown; allowed?: unknown; status?: { message?: string } } };
        if (typeof review.response?.uid !== 'string' || typeof review.response.allowed !== 'boolean') problems.push(describe);
        if (review.response?.status?.message?.includes('internal error')) problems.push(describe);
      } else if (!/^[^\n]*\n$/.test(res.text)) problems.push(`not one line: ${describe}`);
    });
    expect(problems.slice(0, 5)).toEqual([]);
    expect(statuses.get(200)).toBeGreaterThan(0);
    expect(statuses.get(400)).toBeGreaterThan(0);
    expect(statuses.get(415)).toBeGreaterThan(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Still serving, and still right.
    expect((await httpsCall(r.url, '/healthz', { ca: r.ca.certPem })).status).toBe(200);
    const ok = await httpsCall(r.url, '/mutate/shoots', { ca: r.ca.certPem, body: readExample('reviews/create-without-window.json') });
    expect(JSON.parse(ok.text).response.allowed).toBe(true);
  });
});

describe('request limits', () => {
  it('answers a body over 3 MiB with 413 and a one-line reason', async () => {
    const body = Buffer.alloc(BODY_LIMIT_BYTES + 1, 0x20);
    const res = await httpsCall(r.url, '/validate/shoots', { ca: r.ca.certPem, body });
    expect(res.status).toBe(413);
    expect(res.text).toBe(`request body is larger than ${BODY_LIMIT_BYTES} bytes\n`);
  });

  it.each([
    ['text/plain', 415, 'content-type must be application/json\n'],
    ['application/json', 400, 'not an AdmissionReview admission.k8s.io/v1 request: kind must be AdmissionReview\n'],
  ])('answers content-type %s with %i', async (contentType, status, text) => {
    const res = await httpsCall(r.url, '/validate/shoots', {
      ca: r.ca.certPem,
      body: JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'Nope', request: { uid: 'x', operation: 'CREATE' } }),
      contentType,
    });
    expect(res.status).toBe(status);
    expect(res.text).toBe(text);
  });

  it('counts malformed reviews in /metrics', async () => {
    const res = await httpsCall(r.url, '/metrics', { ca: r.ca.certPem });
    expect(res.text).toMatch(/shoot_maintenance_webhook_requests_total\{route="\/validate\/shoots",operation="unknown",outcome="malformed"\} [1-9]/);
    expect(res.text).toMatch(/shoot_maintenance_webhook_request_duration_seconds_count\{route="\/validate\/shoots"\} [1-9]/);
  });
});
