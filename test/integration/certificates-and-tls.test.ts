// The webhook's HTTPS side, by subject: its serving certificate (hot reload in process and rotation
// under load in the webhook command, a mismatched pair refused, the expiry metric), the TLS
// versions it accepts and its client-certificate check (--client-ca).
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { createSignedCertificate, type KeyPairPem } from '../../src/pki/certificates.js';
import { httpsCall, newCa, readExample, type RunningApp, servingPair, startApp, tlsHandshake as handshake, writePair } from './helpers.js';
import { sleep, startWebhookChild, type WebhookChild, writeSecretVolume } from './webhook-child.js';

// The app in process: certificate hot reload (cert-manager's symlink swap and a plain re-read), a
// refused mismatched key, the expiry metric, client certificates on the routes that need them.
describe('in process', () => {
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
      // The gauge is computed when scraped: it lies between notAfter minus the times just before
      // and just after the scrape (a bracket, not a tolerance).
      const asked = Date.now();
      const metrics = await httpsCall(running.url, '/metrics', { ca: running.ca.certPem });
      const answered = Date.now();
      const match = /^shoot_maintenance_webhook_certificate_expiry_seconds (\S+)$/m.exec(metrics.text);
      const seconds = Number(match?.[1]);
      const notAfter = running.certificates.current().notAfter.getTime();
      expect(seconds).toBeGreaterThanOrEqual((notAfter - answered) / 1000);
      expect(seconds).toBeLessThanOrEqual((notAfter - asked) / 1000);
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
});

// TLS of the webhook command under load: the serving certificate rotated on disk twice while a
// bounded load loop runs over keep-alive and fresh connections (a Secret-volume symlink swap,
// then a plain, non-atomic overwrite of both files): no request may fail. A mismatched pair is
// refused on SIGHUP and the old one kept. TLS 1.0/1.1 and plain HTTP are refused. --client-ca
// refuses admission requests without a client certificate signed by that CA.
describe('the webhook command', () => {
  let w: WebhookChild | undefined;
  afterEach(async () => {
    await w?.stop();
    w = undefined;
  });

  const BODY = readExample('reviews/create-without-window.json');
  const fingerprintOf = (pem: string) => new X509Certificate(pem).fingerprint256;

  interface Outcome {
    ok: boolean;
    detail: string;
    fingerprint: string;
  }

  /** One review; ok only for a 200 AdmissionReview that answers this uid. */
  function reviewOnce(url: string, ca: string, agent: Agent | false): Promise<Outcome> {
    return new Promise((resolve) => {
      const req = httpsRequest(
        `${url}/mutate/shoots`,
        { method: 'POST', ca, agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) } },
        (res) => {
          let text = '';
          const fingerprint = (res.socket as TLSSocket).getPeerCertificate?.().fingerprint256 ?? '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => {
            const ok = res.statusCode === 200 && text.includes('"uid":"3f7a1c2e-0001-4c1d-8a55-5b0c1e2d3f40"');
            resolve({ ok, detail: `${res.statusCode} ${text.slice(0, 100)}`, fingerprint });
          });
          res.on('error', (err) => resolve({ ok: false, detail: err.message, fingerprint }));
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, detail: err.code ?? err.message, fingerprint: '' }));
      req.end(BODY);
    });
  }

  /** Polls until `check` holds (an fs event or a log line has to arrive; no fixed sleep). */
  async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check()) return;
      await sleep(50);
    }
    throw new Error('condition not met in time');
  }

  describe('certificate rotation under load', () => {
    it.each([
      ['a Secret volume (two ..data symlink swaps)', 'secret-volume'],
      ['plain files (two non-atomic overwrites: certificate, then key)', 'files'],
    ] as const)('loses no request while %s rotate', { timeout: 60_000 }, async (_name, layout) => {
      w = await startWebhookChild([], layout);
      const r = w;
      const first = fingerprintOf(readFileSync(join(r.certDir, 'tls.crt'), 'utf8'));
      const next = [servingPair(r.ca), servingPair(r.ca)];
      const rotate = async (i: number) => {
        const pair = next[i - 1];
        if (!pair) return;
        if (layout === 'secret-volume') {
          writeSecretVolume(r.certDir, pair, i);
          return;
        }
        // Not atomic: for a moment the key does not match the certificate (refused, old pair kept).
        writeFileSync(join(r.certDir, 'tls.crt'), pair.certPem);
        await sleep(20);
        writeFileSync(join(r.certDir, 'tls.key'), pair.keyPem);
      };
      const keepAlive = new Agent({ keepAlive: true, maxSockets: 8 });

      // The load runs until the last pair has been served; each rotation waits until the pair
      // before it has answered a review under load (conditions, not timing, decide the steps).
      const outcomes: Outcome[] = [];
      const fps = [first, ...next.map((p) => fingerprintOf(p.certPem))];
      const served = () => fps.map((fp) => outcomes.filter((o) => o.fingerprint === fp).length);
      let stop = false;
      const started = Date.now();
      const worker = async (agent: Agent | false) => {
        while (!stop) outcomes.push(await reviewOnce(r.url, r.ca.certPem, agent));
      };
      const rotations = (async () => {
        try {
          for (const i of [1, 2]) {
            await eventually(async () => (served()[i - 1] ?? 0) > 0, 30_000);
            await rotate(i);
          }
          await eventually(async () => (served()[2] ?? 0) > 0, 30_000);
        } finally {
          stop = true;
        }
      })();
      await Promise.all([...Array.from({ length: 6 }, () => worker(keepAlive)), ...Array.from({ length: 4 }, () => worker(false)), rotations]);
      keepAlive.destroy();

      const failed = outcomes.filter((o) => !o.ok);
      process.stdout.write(
        `[reliability] rotation under load (${layout}): ${outcomes.length} reviews in ${Date.now() - started} ms over 6 keep-alive + 4 new-connection loops, ` +
          `${failed.length} failed; served by certificate 1/2/3: ${served().join('/')}\n`,
      );
      expect(failed.slice(0, 5).map((o) => o.detail)).toEqual([]);
      // Every pair answered reviews under load (the rotations waited for it).
      expect(served().every((n) => n > 0)).toBe(true);
      // New connections end up on the last pair without a restart.
      await eventually(async () => (await httpsCall(r.url, '/healthz', { ca: r.ca.certPem })).peerFingerprint === fps[2]);
    });

    it('refuses a mismatched pair on SIGHUP and keeps serving the old one', { timeout: 30_000 }, async () => {
      w = await startWebhookChild();
      const r = w;
      const before = (await httpsCall(r.url, '/healthz', { ca: r.ca.certPem })).peerFingerprint;
      const a = servingPair(r.ca);
      const b = servingPair(r.ca);
      writePair(r.certDir, { certPem: a.certPem, keyPem: b.keyPem });
      process.kill(r.pid, 'SIGHUP');
      // Refused by the store's own check (key against certificate), before the TLS server sees it.
      await eventually(async () => r.output().includes('serving certificate refused; keeping the previous one'));
      expect(r.output()).toContain(`${join(r.certDir, 'tls.key')} does not match the certificate ${join(r.certDir, 'tls.crt')}`);
      for (let i = 0; i < 20; i++) {
        const res = await httpsCall(r.url, '/mutate/shoots', { ca: r.ca.certPem, body: BODY });
        expect(res.status).toBe(200);
        expect(res.peerFingerprint).toBe(before);
      }
      expect(r.child.exitCode).toBeNull();
    });
  });

  describe('protocols', () => {
    it('refuses TLS 1.0, 1.1 and plain HTTP; accepts TLS 1.2 and 1.3', async () => {
      w = await startWebhookChild();
      const ca = w.ca.certPem;
      expect(await handshake(w.port, ca, 'TLSv1')).toMatch(/^error /);
      expect(await handshake(w.port, ca, 'TLSv1.1')).toMatch(/^error /);
      expect(await handshake(w.port, ca, 'TLSv1.2')).toBe('ok TLSv1.2');
      expect(await handshake(w.port, ca, 'TLSv1.3')).toBe('ok TLSv1.3');
      const plain = await new Promise<string>((resolve) => {
        const socket = netConnect(w?.port ?? 0, '127.0.0.1');
        let got = '';
        socket.on('data', (c: Buffer) => (got += c.toString('latin1')));
        socket.on('close', () => resolve(got));
        socket.on('error', () => resolve(got));
        socket.write(`POST /mutate/shoots HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(BODY)}\r\n\r\n${BODY}`);
        setTimeout(() => socket.destroy(), 5_000);
      });
      // The connection is closed; whatever came back (a TLS alert at most) is not an HTTP answer.
      expect(plain).not.toMatch(/^HTTP\//);
      expect(plain).not.toContain('AdmissionReview');
    });
  });

  describe('--client-ca', () => {
    it('refuses admission requests without a client certificate signed by the CA', async () => {
      const clientCa = newCa();
      const dir = mkdtempSync(join(tmpdir(), 'sm-client-ca-'));
      writeFileSync(join(dir, 'client-ca.crt'), clientCa.certPem);
      w = await startWebhookChild(['--client-ca', join(dir, 'client-ca.crt')]);
      const ca = w.ca.certPem;
      const client = createSignedCertificate(clientCa, { commonName: 'kube-apiserver', usage: 'client' });
      const stranger = createSignedCertificate(newCa(), { commonName: 'kube-apiserver', usage: 'client' });
      const selfIssued = createSignedCertificate(newCa(), { commonName: 'shoot-maintenance test CA', usage: 'client' });
      for (const route of ['/mutate/shoots', '/validate/shoots', '/validate/cloudprofiles']) {
        expect((await httpsCall(w.url, route, { ca, body: BODY })).status).toBe(401);
        expect((await httpsCall(w.url, route, { ca, body: BODY, cert: stranger.certPem, key: stranger.keyPem })).status).toBe(401);
        expect((await httpsCall(w.url, route, { ca, body: BODY, cert: selfIssued.certPem, key: selfIssued.keyPem })).status).toBe(401);
        // The server's own serving certificate is no client certificate either.
        const serving = servingPair(w.ca);
        expect((await httpsCall(w.url, route, { ca, body: BODY, cert: serving.certPem, key: serving.keyPem })).status).toBe(401);
        expect((await httpsCall(w.url, route, { ca, body: BODY, cert: client.certPem, key: client.keyPem })).status).toBe(200);
      }
      expect((await httpsCall(w.url, '/metrics', { ca })).status).toBe(401);
      expect((await httpsCall(w.url, '/readyz', { ca })).status).toBe(200);
      rmSync(dir, { recursive: true, force: true });
    });
  });
});
