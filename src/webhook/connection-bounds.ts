// Bounds on the webhook's connections (slow clients): Node's own headersTimeout/requestTimeout
// did not close an HTTPS connection that stalls halfway through its headers (measured with Node
// 24: none of 20 within 75 s), and with failurePolicy Fail anything that can hold connections
// open can starve kube-apiserver's calls. Here every TLS connection must complete a request's
// headers within `headersMs` of connecting (or of its next bytes on a kept-alive connection),
// the whole request within `requestMs` of its headers, and the process holds at most
// `maxConnections` (the rest are refused by the listener, with a log line).
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

const timers = new WeakMap<Socket, NodeJS.Timeout>();

function arm(socket: Socket, ms: number): void {
  clearTimeout(timers.get(socket));
  const timer = setTimeout(() => socket.destroy(), ms);
  timer.unref();
  timers.set(socket, timer);
}

function disarm(socket: Socket): void {
  clearTimeout(timers.get(socket));
  timers.delete(socket);
}

export function boundConnections(server: HttpsServer, bounds: ConnectionBounds, log: Logger): void {
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
  server.on('request', (request, response) => {
    const socket = request.socket;
    arm(socket, bounds.requestMs);
    response.once('finish', () => {
      disarm(socket);
      // The next request on this kept-alive connection gets its own headers bound from its first bytes.
      socket.once('data', () => arm(socket, bounds.headersMs));
    });
  });
}
