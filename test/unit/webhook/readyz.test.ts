// The webhook's readiness follows its CloudProfile source: /readyz answers 503 with the reason
// until the source reports synced, then 200 (docs/design.md, "HTTP routes": 200 `ok`; 503
// `not ready: CloudProfiles not synced yet`). fastify's inject, no listener, a source whose
// synced() the test flips.
import { pino } from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULER_USER, type CloudProfileSource } from '../../../src/admission/handler-deps.js';
import { createCertificateAuthority, createSignedCertificate, type KeyPairPem } from '../../../src/pki/certificates.js';
import { buildApp, type WebhookApp } from '../../../src/webhook/app.js';

class FlippedProfiles implements CloudProfileSource {
  isSynced = false;
  get(): undefined {
    return undefined;
  }
  synced(): boolean {
    return this.isSynced;
  }
}

// buildApp makes an HTTPS server, so it needs a real key pair (never used: inject has no TLS).
let pair: KeyPairPem;
beforeAll(() => {
  const ca = createCertificateAuthority('readyz test CA');
  pair = createSignedCertificate(ca, { commonName: 'localhost', dnsNames: ['localhost'], usage: 'server' });
}, 60_000);

let apps: WebhookApp[] = [];
afterEach(async () => {
  for (const app of apps) await app.close();
  apps = [];
});

function build(profiles: CloudProfileSource): WebhookApp {
  const app = buildApp({
    profiles,
    now: () => new Date('2026-03-01T12:00:00Z'),
    schedulerUsers: [DEFAULT_SCHEDULER_USER],
    expiryWarningDays: 30,
    logger: pino({ level: 'silent' }),
    certificates: {
      current: () => ({ ...pair, notAfter: new Date('2027-03-01T00:00:00Z'), fingerprint: 'test' }),
      onChange: () => undefined,
      onReload: () => undefined,
    },
    processMetrics: false,
  });
  apps.push(app);
  return app;
}

async function probe(app: WebhookApp, url: string): Promise<[number, string | undefined, string]> {
  const res = await app.inject({ method: 'GET', url });
  return [res.statusCode, res.headers['content-type'] as string | undefined, res.body];
}

const NOT_SYNCED: [number, string, string] = [503, 'text/plain; charset=utf-8', 'not ready: CloudProfiles not synced yet\n'];
const READY: [number, string, string] = [200, 'text/plain; charset=utf-8', 'ok\n'];

describe('/readyz and the CloudProfile source', () => {
  it('503 "not ready: CloudProfiles not synced yet" until the source reports synced, then 200 "ok"', async () => {
    const profiles = new FlippedProfiles();
    const app = build(profiles);
    expect(await probe(app, '/readyz')).toEqual(NOT_SYNCED);
    expect(await probe(app, '/readyz')).toEqual(NOT_SYNCED);
    expect(app.webhook.notReadyReason()).toBe('CloudProfiles not synced yet');
    profiles.isSynced = true;
    expect(await probe(app, '/readyz')).toEqual(READY);
    expect(app.webhook.notReadyReason()).toBeUndefined();
  });

  it('asks the source on every probe: readiness is not latched either way', async () => {
    const profiles = new FlippedProfiles();
    profiles.isSynced = true;
    const app = build(profiles);
    expect(await probe(app, '/readyz')).toEqual(READY);
    profiles.isSynced = false;
    expect(await probe(app, '/readyz')).toEqual(NOT_SYNCED);
    profiles.isSynced = true;
    expect(await probe(app, '/readyz')).toEqual(READY);
  });

  it('/healthz answers 200 "ok" while not synced: liveness does not wait for the CloudProfiles', async () => {
    const app = build(new FlippedProfiles());
    expect(await probe(app, '/healthz')).toEqual(READY);
    expect(await probe(app, '/readyz')).toEqual(NOT_SYNCED);
  });
});
