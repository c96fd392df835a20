// The HTTPS side of the webhook: certificate hot reload (cert-manager's symlink swap and a plain
// re-read), a refused mismatched key, TLS 1.1 refused, client certificates, graceful shutdown.
import { X509Certificate } from 'node:crypto';
import { mkdirSync, renameSync, symlinkSync, unlinkSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSignedCertificate, type KeyPairPem } from '../../src/pki/certificates.js';
import { httpsCall, newCa, readExample, servingPair, startApp, tlsHandshake as handshake, writePair, type RunningApp } from './helpers.js';

let running: RunningApp | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const fingerprintOf = (pair: KeyPairPem) => new X509Certificate(pair.certPem).fingerprint256;

async function servedFingerprint(r: RunningApp, ca: string): Promise<string> {
  return (await httpsCall(r.url, '/healthz', { ca })).peerFingerprint;
}

/** Polls until `check` holds (an fs event has to arrive; no fixed sleep). */
async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('condition not met in time');
}

/** Writes a pair the way kubelet updates a Secret volume: a new timestamped dir, `..data` swapped. */
function atomicWrite(dir: string, pair: KeyPairPem, generation: number): void {
  const target = `..${generation}`;
  mkdirSync(join(dir, target));
  writePair(join(dir, target), pair);
  symlinkSync(target, join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
}

describe('serving certificate reload', () => {
  it('serves a certificate rotated on disk (symlink swap) to new connections without restart', async () => {
    running = await startApp();
    const r = running;
    // Re-lay the directory out as a Secret volume: tls.crt -> ..data/tls.crt.
    atomicWrite(r.certDir, servingPair(r.ca), 1);
    for (const f of ['tls.crt', 'tls.key']) {
      unlinkSync(join(r.certDir, f));
      symlinkSync(join('..data', f), join(r.certDir, f));
    }
    r.certificates.reload('test-setup');
    r.certificates.watch(60_000);
    const before = await servedFingerprint(r, r.ca.certPem);

    const rotated = servingPair(r.ca);
    atomicWrite(r.certDir, rotated, 2);
    await eventually(async () => (await servedFingerprint(r, r.ca.certPem)) === fingerprintOf(rotated));
    expect(fingerprintOf(rotated)).not.toBe(before);
    const metrics = await httpsCall(r.url, '/metrics', { ca: r.ca.certPem });
    expect(metrics.text).toMatch(/shoot_maintenance_webhook_certificate_reloads_total\{result="success"\} [1-9]/);
  });

  it('refuses a key that does not match its certificate and keeps serving the old pair', async () => {
    running = await startApp();
    const r = running;
    const before = await servedFingerprint(r, r.ca.certPem);
    const a = servingPair(r.ca);
    const b = servingPair(r.ca);
    writePair(r.certDir, { certPem: a.certPem, keyPem: b.keyPem });
    expect(r.certificates.reload('test')).toBe('failure');
    expect(await servedFingerprint(r, r.ca.certPem)).toBe(before);
    const metrics = await httpsCall(r.url, '/metrics', { ca: r.ca.certPem });
    expect(metrics.text).toMatch(/shoot_maintenance_webhook_certificate_reloads_total\{result="failure"\} 1/);

    // A good pair afterwards is taken (the refusal did not wedge the reloader).
    writePair(r.certDir, a);
    expect(r.certificates.reload('test')).toBe('success');
    expect(await servedFingerprint(r, r.ca.certPem)).toBe(fingerprintOf(a));
  });

  it('reports the seconds until the serving certificate expires', async () => {
    running = await startApp();
    const metrics = await httpsCall(running.url, '/metrics', { ca: running.ca.certPem });
    const match = /^shoot_maintenance_webhook_certificate_expiry_seconds (\S+)$/m.exec(metrics.text);
    const seconds = Number(match?.[1]);
    const notAfter = running.certificates.current().notAfter.getTime();
    expect(Math.abs(seconds - (notAfter - Date.now()) / 1000)).toBeLessThan(60);
  });
});

describe('TLS versions', () => {
  it('refuses TLS 1.1 and accepts 1.2 and 1.3', async () => {
    running = await startApp();
    const ca = running.ca.certPem;
    expect(await handshake(running.port, ca, 'TLSv1.2')).toBe('ok TLSv1.2');
    expect(await handshake(running.port, ca, 'TLSv1.3')).toBe('ok TLSv1.3');
    expect(await handshake(running.port, ca, 'TLSv1.1')).toMatch(/^error .*(PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|WRONG_VERSION)/i);
  });
});

describe('client certificates (--client-ca)', () => {
  it('requires a client certificate signed by the CA on admission routes, not on probes', async () => {
    const clientCa = newCa();
    const client = createSignedCertificate(clientCa, { commonName: 'kube-apiserver', usage: 'client' });
    const stranger = createSignedCertificate(newCa(), { commonName: 'someone', usage: 'client' });
    running = await startApp({ clientCaPem: clientCa.certPem });
    const r = running;
    const body = readExample('reviews/create-without-window.json');
    const ca = r.ca.certPem;
    expect((await httpsCall(r.url, '/mutate/shoots', { ca, body })).status).toBe(401);
    expect((await httpsCall(r.url, '/mutate/shoots', { ca, body, cert: stranger.certPem, key: stranger.keyPem })).status).toBe(401);
    expect((await httpsCall(r.url, '/mutate/shoots', { ca, body, cert: client.certPem, key: client.keyPem })).status).toBe(200);
    expect((await httpsCall(r.url, '/healthz', { ca })).status).toBe(200);
    expect((await httpsCall(r.url, '/metrics', { ca })).status).toBe(401);
  });
});

describe('graceful shutdown', () => {
  it('turns readiness off first, stops accepting, and lets an in-flight request finish', async () => {
    running = await startApp();
    const r = running;
    const body = Buffer.from(readExample('reviews/create-without-window.json'));
    expect((await httpsCall(r.url, '/readyz', { ca: r.ca.certPem })).status).toBe(200);

    // A request whose body is only half sent when the shutdown begins.
    const inFlight = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpsRequest(
        `${r.url}/mutate/shoots`,
        { method: 'POST', ca: r.ca.certPem, agent: false, headers: { 'content-type': 'application/json', 'content-length': body.length } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write(body.subarray(0, 100));
      // Send the rest only once the server is shutting down.
      const finish = setInterval(() => {
        if (r.app.webhook.notReadyReason() === 'shutting down') {
          clearInterval(finish);
          req.end(body.subarray(100));
        }
      }, 5);
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const shutdown = r.app.webhook.shutdown(10_000);
    expect(r.app.webhook.notReadyReason()).toBe('shutting down');
    // A new connection is refused (listener closed) or, on the way there, answered 503.
    const refused = await httpsCall(r.url, '/healthz', { ca: r.ca.certPem }).then(
      (res) => `status ${res.status}`,
      (err: NodeJS.ErrnoException) => err.code,
    );
    expect(['ECONNREFUSED', 'status 503']).toContain(refused);
    const answered = await inFlight;
    expect(answered.status).toBe(200);
    expect(JSON.parse(answered.text).response.uid).toBe('3f7a1c2e-0001-4c1d-8a55-5b0c1e2d3f40');
    await shutdown;
  });

  it('closes connections still open when the grace period ends', async () => {
    running = await startApp();
    const r = running;
    const stuck = new Promise<string>((resolve) => {
      const req = httpsRequest(`${r.url}/mutate/shoots`, {
        method: 'POST',
        ca: r.ca.certPem,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': 1000 },
      });
      req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      req.on('response', (res) => resolve(`status ${res.statusCode}`));
      req.write('{');
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await r.app.webhook.shutdown(200);
    expect(await stuck).toMatch(/ECONNRESET|socket hang up|status 503/);
  });
});
