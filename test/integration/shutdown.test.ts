// Graceful shutdown of the webhook: the app's shutdown() in process, and SIGTERM to the webhook
// command under load.
import { Agent, request as httpsRequest } from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SHUTDOWN_DELAY_SECONDS, DEFAULT_SHUTDOWN_GRACE_MS } from '../../src/webhook/app.js';
import { httpsCall, readExample, type RunningApp, startApp } from './helpers.js';
import { sleep, startWebhookChild } from './webhook-child.js';

// The app in process: readiness off first, the listener closed, an in-flight request finished,
// connections still open after the grace period closed.
describe('in process', () => {
  let running: RunningApp | undefined;

  /** Resolves when the server has the headers of a request to `url` (the HTTPS server's 'request' event). */
  function requestArrived(r: RunningApp, url: string): Promise<void> {
    return new Promise((resolve) => {
      const onRequest = (req: { url?: string }) => {
        if (req.url !== url) return;
        r.app.server.off('request', onRequest);
        resolve();
      };
      r.app.server.on('request', onRequest);
    });
  }
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  describe('graceful shutdown', () => {
    it('turns readiness off first, stops accepting, and lets an in-flight request finish', async () => {
      running = await startApp();
      const r = running;
      const body = Buffer.from(readExample('reviews/create-without-window.json'));
      expect((await httpsCall(r.url, '/readyz', { ca: r.ca.certPem })).status).toBe(200);

      // A request whose body is only half sent when the shutdown begins; the shutdown begins once
      // the server has its headers (its 'request' event), not after a guessed delay.
      const arrived = requestArrived(r, '/mutate/shoots');
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
      await arrived;
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
      const arrived = requestArrived(r, '/mutate/shoots');
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
      await arrived;
      await r.app.webhook.shutdown(200);
      expect(await stuck).toMatch(/ECONNRESET|socket hang up|status 503/);
    });
  });
});

// SIGTERM to the webhook command under load. Every review that had reached the server before the
// signal (among them slow ones whose body is still arriving) is answered 200; readiness reports
// "shutting down" on a connection that is still served, before the listener closes; reviews sent
// while draining are still answered (with `connection: close`); the process exits 0 by itself,
// not cut short by its grace period. Requests that start after the signal get a review, a 503 or
// no connection, never a broken answer; how many of each is reported. Conditions decide each step
// (reviews answered, readiness seen, the process gone); nothing is classified by the clock.
describe('the webhook command', () => {
  const BODY = Buffer.from(readExample('reviews/create-without-window.json'));

  interface Result {
    status: number;
    text: string;
    error?: string;
    /** The response's `connection` header: `close` on every answer while draining. */
    connection?: string;
    /** Begun after SIGTERM was sent. */
    afterSignal?: boolean;
  }

  /** A review whose body is sent in two parts; the second when `release` resolves. */
  function slowReview(url: string, ca: string, release: Promise<void>): Promise<Result> {
    return new Promise((resolve) => {
      const req = httpsRequest(
        `${url}/mutate/shoots`,
        { method: 'POST', ca, agent: false, headers: { 'content-type': 'application/json', 'content-length': BODY.length } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => resolve({ status: 0, text: '', error: err.code ?? err.message }));
      req.write(BODY.subarray(0, 200));
      void release.then(() => req.end(BODY.subarray(200)));
    });
  }

  function quickCall(url: string, path: string, ca: string, agent: Agent | false, body?: Buffer): Promise<Result> {
    return new Promise((resolve) => {
      const headers: Record<string, string | number> = body ? { 'content-type': 'application/json', 'content-length': body.length } : {};
      const req = httpsRequest(`${url}${path}`, { method: body ? 'POST' : 'GET', ca, agent, headers }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, connection: String(res.headers.connection ?? '') }));
      });
      req.on('error', (err: NodeJS.ErrnoException) => resolve({ status: 0, text: '', error: err.code ?? err.message }));
      req.end(body);
    });
  }

  /** Waits until `check` holds; bounded, and fails naming what never happened. */
  async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`${what} (waited ${timeoutMs} ms)`);
      await sleep(10);
    }
  }

  describe('SIGTERM under load', () => {
    it('answers every review already in flight, reports not-ready first, serves while draining and exits 0 by itself', { timeout: 90_000 }, async () => {
      const w = await startWebhookChild();
      const ca = w.ca.certPem;
      const keepAlive = new Agent({ keepAlive: true, maxSockets: 6 });
      const probeAgent = new Agent({ keepAlive: true, maxSockets: 1 });
      let exited = false;
      void w.exited.then(() => (exited = true));
      try {
        // Open the probe connection before the signal, as kubelet keeps one.
        expect((await quickCall(w.url, '/readyz', ca, probeAgent)).status).toBe(200);

        let releaseSlow: () => void = () => undefined;
        const release = new Promise<void>((resolve) => (releaseSlow = resolve));
        const SLOW = 20;
        const slow = Array.from({ length: SLOW }, () => slowReview(w.url, ca, release));

        // The load runs until the process is gone (bounded by a count as well).
        let signalled = false;
        const results: Result[] = [];
        const MAX_PER_LOOP = 20_000;
        const loop = async (agent: Agent | false) => {
          for (let i = 0; i < MAX_PER_LOOP && !exited; i++) {
            const afterSignal = signalled;
            const r = await quickCall(w.url, '/mutate/shoots', ca, agent, BODY);
            results.push({ ...r, afterSignal });
            // Pacing only: a refused connection is retried without spinning.
            if (r.status !== 200) await sleep(20);
          }
        };
        const loops = [...Array.from({ length: 6 }, () => loop(keepAlive)), ...Array.from({ length: 2 }, () => loop(false))];
        const isReview = (r: Result) => r.status === 200 && r.text.includes('"response"');

        // The signal comes once the load is being served (a count, not a guessed delay).
        await until(() => results.filter(isReview).length >= 40, 'the load never had 40 reviews answered before the signal');
        signalled = true;
        process.kill(w.pid, 'SIGTERM');
        // Readiness, asked on the existing probe connection right after the signal.
        let readiness: Result = { status: 0, text: '' };
        for (let i = 0; i < 50 && readiness.status !== 503; i++) {
          readiness = await quickCall(w.url, '/readyz', ca, probeAgent);
          if (readiness.status === 0) break;
        }
        // Draining: not ready, yet a review on a new keep-alive connection is still answered, and
        // told to close (the client asked to keep it open: the server decides).
        const drainAgent = new Agent({ keepAlive: true, maxSockets: 1 });
        const whileDraining = await quickCall(w.url, '/mutate/shoots', ca, drainAgent, BODY);
        drainAgent.destroy();
        releaseSlow();
        const slowResults = await Promise.all(slow);
        const HANG_MS = DEFAULT_SHUTDOWN_DELAY_SECONDS * 1000 + DEFAULT_SHUTDOWN_GRACE_MS + 30_000;
        const [code, signal] = await Promise.race([
          w.exited,
          sleep(HANG_MS).then(() => {
            throw new Error(`the webhook had not exited ${HANG_MS} ms after SIGTERM:\n${w.output()}`);
          }),
        ]);
        await Promise.all(loops);

        const before = results.filter((r) => !r.afterSignal);
        const after = results.filter((r) => r.afterSignal);
        const drained = after.filter((r) => isReview(r) && r.connection === 'close');
        const refusedAfter = after.filter((r) => !isReview(r));
        const describeAll = (rs: Result[]) => JSON.stringify(countBy(rs.map((r) => (isReview(r) ? 'review' : (r.error ?? String(r.status))))));
        process.stdout.write(
          `[reliability] SIGTERM under load: ${before.length} reviews begun before the signal (${before.filter(isReview).length} answered 200), ` +
            `${SLOW} slow reviews in flight (${slowResults.filter(isReview).length} answered 200), ` +
            `${after.length} begun after it (${describeAll(after)}; ${drained.length} answered while draining with connection: close); ` +
            `readyz after the signal: ${readiness.status} ${readiness.text.trim()}; exit ${code ?? signal}\n`,
        );
        expect(slowResults.filter((r) => !isReview(r))).toEqual([]);
        // Begun before the signal: the listener stays open for the whole shutdown delay, so each was served.
        expect(before.filter((r) => !isReview(r)).slice(0, 5)).toEqual([]);
        // Not-ready while the connection is still served.
        expect(readiness.status).toBe(503);
        expect(readiness.text).toBe('not ready: shutting down\n');
        // While draining the server still serves, and asks the client to reconnect elsewhere.
        expect([whileDraining.status, JSON.parse(whileDraining.text || '{}').kind, whileDraining.connection]).toEqual([200, 'AdmissionReview', 'close']);
        // Nothing begun after the signal gets a broken answer: a review, a 503, or no connection.
        expect(refusedAfter.filter((r) => !(r.status === 503 || r.status === 0)).map((r) => `${r.status} ${r.text.slice(0, 80)}`)).toEqual([]);
        // It exited by itself once drained, not because the grace period cut connections.
        expect([code, signal]).toEqual([0, null]);
        expect(w.output()).not.toContain('grace period over');
      } finally {
        keepAlive.destroy();
        probeAgent.destroy();
        await w.stop();
      }
    });
  });

  function countBy(values: string[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const v of values) out[v] = (out[v] ?? 0) + 1;
    return out;
  }
});
