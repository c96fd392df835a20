// `--http2` against the real app over TLS: HTTP/2 offered by ALPN with HTTP/1.1 still served, off
// by default; reviews answered over h2 streams; the slow-client bounds of connection-bounds.ts for
// sessions (a session that never completes a stream's headers is closed, a stalled stream is
// cancelled while its session keeps serving); a shutdown with open sessions ends.
import { readFileSync } from 'node:fs';
import { connect as h2connect, type ClientHttp2Session } from 'node:http2';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { HTTP2_SETTINGS } from '../../src/webhook/app.js';
import { EXAMPLES, httpsCall, type RunningApp, startApp } from './helpers.js';

const review = readFileSync(join(EXAMPLES, 'reviews', 'create-without-window.json'));

/** The protocol the server picks when a client offers h2 and http/1.1. */
function negotiated(app: RunningApp): Promise<string | false> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port: app.port, ca: app.ca.certPem, servername: 'localhost', ALPNProtocols: ['h2', 'http/1.1'] }, () => {
      const protocol = socket.alpnProtocol ?? false;
      socket.destroy();
      resolve(protocol);
    });
    socket.on('error', reject);
  });
}

function session(app: RunningApp): ClientHttp2Session {
  return h2connect(app.url, { ca: app.ca.certPem, servername: 'localhost' });
}

/** One POST on `s`; `body` undefined sends headers and leaves the stream open. */
function post(s: ClientHttp2Session, path: string, body?: Buffer): Promise<{ status: number; text: string; reset?: number }> {
  return new Promise((resolve, reject) => {
    const stream = s.request({ ':method': 'POST', ':path': path, 'content-type': 'application/json' }, { endStream: false });
    let status = 0;
    let text = '';
    stream.on('response', (headers) => (status = Number(headers[':status'])));
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (text += chunk));
    stream.on('close', () => resolve({ status, text, ...(stream.rstCode ? { reset: stream.rstCode } : {}) }));
    stream.on('error', (err) => (stream.rstCode ? undefined : reject(err)));
    if (body) stream.end(body);
  });
}

let app: RunningApp | undefined;
const sessions: ClientHttp2Session[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) s.destroy();
  await app?.close();
  app = undefined;
});

describe('--http2', () => {
  it('off by default: only HTTP/1.1 is negotiated', async () => {
    app = await startApp();
    expect(await negotiated(app)).toBe('http/1.1');
  });

  it('on: h2 negotiated, a review answered over a stream, and HTTP/1.1 clients (probes) still served', async () => {
    app = await startApp({ http2: true });
    expect(await negotiated(app)).toBe('h2');
    const s = session(app);
    sessions.push(s);
    await new Promise((resolve) => s.once('remoteSettings', resolve));
    expect(s.remoteSettings.maxConcurrentStreams).toBe(HTTP2_SETTINGS.maxConcurrentStreams);
    const answers = await Promise.all([post(s, '/mutate/shoots', review), post(s, '/mutate/shoots', review)]);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      const parsed = JSON.parse(answer.text) as { kind: string; response: { allowed: boolean; patchType?: string } };
      expect(parsed.kind).toBe('AdmissionReview');
      expect(parsed.response).toMatchObject({ allowed: true, patchType: 'JSONPatch' });
    }
    const overHttp1 = await httpsCall(app.url, '/mutate/shoots', { body: review, ca: app.ca.certPem });
    expect(overHttp1.status).toBe(200);
    expect((await httpsCall(app.url, '/healthz', { method: 'GET', ca: app.ca.certPem })).status).toBe(200);
  });

  it('a session that never completes a stream’s headers is closed at the headers bound', async () => {
    app = await startApp({ http2: true, connectionBounds: { headersMs: 1_000, requestMs: 2_000, maxConnections: 100 } });
    // TLS with ALPN h2 and then only part of the client preface: no stream ever starts.
    const started = Date.now();
    const closedAt = await new Promise<number>((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: app!.port, ca: app!.ca.certPem, servername: 'localhost', ALPNProtocols: ['h2'] }, () => {
        expect(socket.alpnProtocol).toBe('h2');
        socket.write('PRI * HTTP/2.0\r\n');
      });
      // Read what the server sends (its SETTINGS), or a paused socket never reports the close.
      socket.resume();
      socket.on('close', () => resolve(Date.now()));
      socket.on('error', () => undefined);
      setTimeout(() => reject(new Error('not closed within 10 s')), 10_000).unref();
    });
    expect(closedAt - started).toBeGreaterThanOrEqual(900);
    expect(closedAt - started).toBeLessThan(5_000);
  }, 15_000);

  it('a stream whose body stalls is cancelled at the request bound; its session keeps serving', async () => {
    app = await startApp({ http2: true, connectionBounds: { headersMs: 1_000, requestMs: 2_000, maxConnections: 100 } });
    const s = session(app);
    sessions.push(s);
    const started = Date.now();
    const stalledStream = await post(s, '/mutate/shoots');
    expect(stalledStream.status).toBe(0);
    expect(stalledStream.reset).toBeGreaterThan(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(s.destroyed).toBe(false);
    expect((await post(s, '/mutate/shoots', review)).status).toBe(200);
  }, 15_000);

  it('a shutdown with an open session ends: the session is told to go away', async () => {
    app = await startApp({ http2: true });
    const s = session(app);
    sessions.push(s);
    const goaway = new Promise<void>((resolve) => s.once('goaway', () => resolve()));
    expect((await post(s, '/mutate/shoots', review)).status).toBe(200);
    const stopping = app.app.webhook.shutdown(5_000, 300);
    // A review during the shutdown delay is still answered, and its session gets a GOAWAY.
    expect((await post(s, '/mutate/shoots', review)).status).toBe(200);
    await goaway;
    await stopping;
  }, 15_000);
});
