// Slow clients against the real app over TLS (src/webhook/connection-bounds.ts): 1,000 connections
// that send half of a request's headers and stall do not keep real reviews waiting, and every one
// of them is closed within the headers bound; a body that stops arriving is cut at the request
// bound; the open-connection cap refuses the connections above it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONNECTION_BOUNDS } from '../../src/webhook/connection-bounds.js';
import { EXAMPLES, httpsCall, type RunningApp, startApp } from './helpers.js';

const review = readFileSync(join(EXAMPLES, 'reviews', 'create-without-window.json'));

/** A TLS connection that sends `bytes` and then nothing; resolves once the handshake is done. */
function stalled(app: RunningApp, bytes: string, closed: number[]): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: app.port, ca: app.ca.certPem, servername: 'localhost' }, () => {
      socket.write(bytes);
      resolve(socket);
    });
    socket.on('close', () => closed.push(Date.now()));
    socket.on('error', (err) => (socket.listenerCount('secureConnect') > 0 ? reject(err) : undefined));
  });
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not true after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let app: RunningApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('slow clients', () => {
  it('1,000 connections stalled in their headers: reviews still answered at once, each closed within 15 s', async () => {
    app = await startApp();
    const closed: number[] = [];
    const opened: TLSSocket[] = [];
    for (let i = 0; i < 1000; i += 50) {
      opened.push(...(await Promise.all(Array.from({ length: 50 }, () => stalled(app as RunningApp, 'POST /mutate/shoots HTTP/1.1\r\nHost: x\r\n', closed)))));
    }
    const lastOpened = Date.now();
    expect(opened).toHaveLength(1000);
    const answer = await httpsCall(app.url, '/mutate/shoots', { body: review, ca: app.ca.certPem });
    expect(answer.status).toBe(200);
    expect(closed.length).toBeLessThan(1000);
    await until(() => closed.length === 1000, DEFAULT_CONNECTION_BOUNDS.headersMs + 10_000);
    // None outlives the bound by more than the timer's own granularity and the close's delivery.
    expect(Math.max(...closed) - lastOpened).toBeLessThanOrEqual(DEFAULT_CONNECTION_BOUNDS.headersMs + 5_000);
  }, 60_000);

  it('a body that stops arriving is cut at the request bound; a kept-alive connection gets its next headers bound', async () => {
    app = await startApp({ connectionBounds: { headersMs: 1_000, requestMs: 2_000, maxConnections: 100 } });
    const closed: number[] = [];
    const start = Date.now();
    await stalled(app, `POST /mutate/shoots HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${review.length}\r\n\r\n{"api`, closed);
    await until(() => closed.length === 1, 10_000);
    expect((closed[0] ?? 0) - start).toBeGreaterThanOrEqual(1_900);
    // A complete request, then half of the next one's headers on the same connection.
    const socket = await stalled(app, `POST /mutate/shoots HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${review.length}\r\n\r\n${review.toString()}`, closed);
    const answered = await new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString())));
    expect(answered).toMatch(/^HTTP\/1\.1 200/);
    socket.write('POST /mutate/shoots HTTP/1.1\r\nHost: x\r\n');
    const half = Date.now();
    await until(() => closed.length === 2, 10_000);
    expect((closed[1] ?? 0) - half).toBeLessThan(5_000);
  }, 30_000);

  it('refuses connections above the cap', async () => {
    app = await startApp({ connectionBounds: { headersMs: 30_000, requestMs: 30_000, maxConnections: 20 } });
    const closed: number[] = [];
    const sockets = await Promise.allSettled(Array.from({ length: 20 }, () => stalled(app as RunningApp, 'GET /healthz HTTP/1.1\r\n', closed)));
    expect(sockets.every((s) => s.status === 'fulfilled')).toBe(true);
    const over = await Promise.allSettled([stalled(app, 'GET /healthz HTTP/1.1\r\n', closed)]);
    expect(over[0]?.status).toBe('rejected');
    for (const s of sockets) if (s.status === 'fulfilled') s.value.destroy();
  }, 30_000);
});
