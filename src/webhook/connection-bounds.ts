// Bounds on the webhook's connections (slow clients): Node's own headersTimeout/requestTimeout
// did not close an HTTPS connection that stalls halfway through its headers (measured with Node
// 24: none of 20 within 75 s), and with failurePolicy Fail anything that can hold connections
// open can starve kube-apiserver's calls. Here every TLS connection must complete a request's
// headers within `headersMs` of connecting (or of its next bytes on a kept-alive connection),
// the whole request within `requestMs` of its headers, and the process holds at most
// `maxConnections` (the rest are refused by the listener, with a log line).
//
// With `--http2` (ALPN h2, HTTP/1.1 still offered) a connection is a session of many streams: the
// headers bound holds until its first stream's headers are complete, each stream must finish
// within `requestMs` (else it is cancelled, the session stays), and an idle session is closed by
// the server's session timeout (app.ts). A session's `socket` is a proxy that refuses destroy(),
// so the timers are kept on a symbol property (set through the proxy, on the real socket).
import { constants as http2Constants, type Http2SecureServer, type ServerHttp2Stream } from 'node:http2';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';

export interface ConnectionBounds {
  headersMs: number;
  requestMs: number;
  maxConnections: number;
}

/** 15 s for headers (the bound), 30 s per request, 4096 connections per process. */
export const DEFAULT_CONNECTION_BOUNDS: ConnectionBounds = { headersMs: 15_000, requestMs: 30_000, maxConnections: 4096 };

/** How long a kept-alive connection may stay idle: above Go's 90 s idle timeout, which kube-apiserver's transport uses. */
export const KEEP_ALIVE_TIMEOUT_MS = 95_000;

const TIMER = Symbol('connection-bound timer');
type Bounded = Socket & { [TIMER]?: NodeJS.Timeout };

function arm(socket: Bounded, ms: number): void {
  clearTimeout(socket[TIMER]);
  const timer = setTimeout(() => socket.destroy(), ms);
  timer.unref();
  socket[TIMER] = timer;
}

function disarm(socket: Bounded): void {
  clearTimeout(socket[TIMER]);
  socket[TIMER] = undefined;
}

export function boundConnections(server: HttpsServer | Http2SecureServer, bounds: ConnectionBounds, log: Logger): void {
  server.maxConnections = bounds.maxConnections;
  let lastDropLog = 0;
  server.on('drop', () => {
    const now = Date.now();
    if (now - lastDropLog < 10_000) return;
    lastDropLog = now;
    log.warn({ maxConnections: bounds.maxConnections }, 'connection refused: the open-connection limit is reached');
  });
  server.on('secureConnection', (socket: Socket) => {
    arm(socket, bounds.headersMs);
    socket.once('close', () => disarm(socket));
  });
  // HTTP/2 streams (none on an HTTP/1.1-only server).
  server.on('stream', (stream: ServerHttp2Stream) => {
    const session = stream.session;
    if (session?.socket) disarm(session.socket as Bounded);
    stream.setTimeout(bounds.requestMs, () => stream.close(http2Constants.NGHTTP2_CANCEL));
  });
  server.on('request', (request: { socket: Socket; httpVersionMajor: number }, response: { once(e: 'finish', f: () => void): void }) => {
    if (request.httpVersionMajor === 2) return;
    const socket = request.socket;
    arm(socket, bounds.requestMs);
    response.once('finish', () => {
      disarm(socket);
      // The next request on this kept-alive connection gets its own headers bound from its first bytes.
      socket.once('data', () => arm(socket, bounds.headersMs));
    });
  });
}
