// The webhook's HTTPS application, built by a function and listened on only by the command (and
// tests). HTTPS only (TLS ≥ 1.2), the serving certificate swapped in place on reload; bodies are
// JSON up to 3 MiB; every client error is a one-line text with a 4xx status, never a 500.
import { isUtf8 } from 'node:buffer';
import type { Http2SecureServer, ServerHttp2Session, ServerHttp2Stream } from 'node:http2';
import type { Server as HttpsServer } from 'node:https';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AdmissionDeps } from '../admission/handler-deps.js';
import { MalformedReviewError, oneLine, parseJsonDocument } from '../admission/review.js';
import { BODY_LIMIT_BYTES, replyClientError } from './client-errors.js';
import { boundConnections, type ConnectionBounds, DEFAULT_CONNECTION_BOUNDS, KEEP_ALIVE_TIMEOUT_MS } from './connection-bounds.js';
import { createWebhookMetrics, type WebhookMetrics } from './metrics.js';
import { admissionRoutes } from './routes/admission-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { metricsRoutes } from './routes/metrics-routes.js';
import type { ReloadResult, ServingCertificate } from './serving-certificate.js';

export { BODY_LIMIT_BYTES };
export const MIN_TLS_VERSION = 'TLSv1.2';
export const DEFAULT_SHUTDOWN_GRACE_MS = 25_000;
/**
 * With --http2: at most 100 streams at once per session (Node's default is unlimited; Go's
 * server allows 250, kube-apiserver's client rarely needs more than a few). The rest of the
 * rapid-reset defence is Node's own (README, "Running the webhook").
 */
export const HTTP2_SETTINGS = { maxConcurrentStreams: 100 } as const;
/** How long a stopping webhook reports not-ready while still serving (cf. kube-apiserver's --shutdown-delay-duration). */
export const DEFAULT_SHUTDOWN_DELAY_SECONDS = 5;

/** The part of ServingCertificateStore the app uses (tests may hand in their own). */
export interface CertificateSource {
  current(): ServingCertificate;
  onChange(listener: (pair: ServingCertificate) => void): void;
  onReload(listener: (result: ReloadResult) => void): void;
}

export interface WebhookAppDeps extends Omit<AdmissionDeps, 'log'> {
  logger: Logger;
  certificates: CertificateSource;
  /** PEM of a CA: when set, admission and metrics requests need a client certificate it signed. */
  clientCaPem?: string;
  /** Process metrics (CPU, memory, event loop) in /metrics; tests building many apps turn them off. */
  processMetrics?: boolean;
  /** Slow-client bounds (connection-bounds.ts); DEFAULT_CONNECTION_BOUNDS when absent. */
  connectionBounds?: ConnectionBounds;
  /** Offer HTTP/2 by ALPN (HTTP/1.1 still served); off by default (`--http2`, bench/RESULTS.md). */
  http2?: boolean;
}

export interface WebhookControl {
  metrics: WebhookMetrics;
  /** Undefined when ready, else why not. */
  notReadyReason(): string | undefined;
  /**
   * Graceful stop: readiness false first and, for `delayMs`, keep serving (every answer with
   * `Connection: close`) so that load balancers and kube-apiserver stop sending here before the
   * listener closes; then stop accepting, let in-flight requests finish and close idle
   * connections; connections still open after `graceMs` are destroyed.
   */
  shutdown(graceMs?: number, delayMs?: number): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    webhook: WebhookControl;
  }
}

export type WebhookApp = FastifyInstance<HttpsServer>;

export function buildApp(deps: WebhookAppDeps): WebhookApp {
  const initial = deps.certificates.current();
  const secureContextOptions = (pair: ServingCertificate) => ({
    cert: pair.certPem,
    key: pair.keyPem,
    minVersion: MIN_TLS_VERSION,
    ...(deps.clientCaPem ? { ca: deps.clientCaPem } : {}),
  }) as const;

  const https = {
    ...secureContextOptions(initial),
    // Client certificates are asked for but checked per route, so kubelet probes need none.
    ...(deps.clientCaPem ? { requestCert: true, rejectUnauthorized: false } : {}),
  };
  const common = {
    loggerInstance: deps.logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    requestTimeout: 30_000,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  } as const;
  // HTTP/2: kube-apiserver offers h2 by ALPN to `url:` webhooks; probes and older clients keep
  // HTTP/1.1. An idle session is closed after the same time as an idle HTTP/1.1 connection.
  const app = (
    deps.http2
      ? Fastify({ ...common, http2: true, https: { ...https, allowHTTP1: true, settings: HTTP2_SETTINGS }, http2SessionTimeout: KEEP_ALIVE_TIMEOUT_MS })
      : Fastify({ ...common, https })
  ) as unknown as WebhookApp;

  boundConnections(app.server, deps.connectionBounds ?? DEFAULT_CONNECTION_BOUNDS, deps.logger);
  const metrics = createWebhookMetrics(() => deps.certificates.current().notAfter, deps.processMetrics ?? true);
  // Open HTTP/2 sessions, for the end of the shutdown grace period.
  const sessions = new Set<ServerHttp2Session>();
  if (deps.http2) {
    (app.server as unknown as Http2SecureServer).on('session', (session: ServerHttp2Session) => {
      sessions.add(session);
      metrics.http2Sessions.inc();
      session.once('close', () => sessions.delete(session));
    });
  }

  deps.certificates.onChange((pair) => app.server.setSecureContext(secureContextOptions(pair)));
  deps.certificates.onReload((result) => metrics.certificateReloads.inc({ result }));

  let draining = false;
  let shuttingDown: Promise<void> | undefined;
  const notReadyReason = (): string | undefined => {
    if (draining) return 'shutting down';
    if (!deps.profiles.synced()) return 'CloudProfiles not synced yet';
    return undefined;
  };
  const shutdown = (graceMs = DEFAULT_SHUTDOWN_GRACE_MS, delayMs = 0): Promise<void> => {
    shuttingDown ??= (async () => {
      draining = true;
      if (delayMs > 0) {
        deps.logger.info({ delayMs }, 'not ready; still serving until the shutdown delay is over');
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          deps.logger.warn({ graceMs }, 'grace period over; closing remaining connections');
          // An HTTP/2 server has no closeAllConnections: its sessions are destroyed instead.
          if (typeof app.server.closeAllConnections === 'function') app.server.closeAllConnections();
          for (const session of sessions) session.destroy();
          resolve();
        }, graceMs);
      });
      await Promise.race([app.close(), deadline]);
      clearTimeout(timer);
    })();
    return shuttingDown;
  };
  app.decorate('webhook', { metrics, notReadyReason, shutdown } satisfies WebhookControl);

  // While draining, every answer asks the client to reconnect, so keep-alive connections move
  // to another replica instead of being cut when the listener closes.
  // Callback style: no promise per response.
  // HTTP/2 has no Connection header: its session is sent a GOAWAY instead (in-flight streams finish).
  app.addHook('onSend', (request, reply, payload, done) => {
    if (draining) {
      const stream = (request.raw as { stream?: ServerHttp2Stream }).stream;
      if (stream) stream.session?.close();
      else reply.header('connection', 'close');
    }
    done(null, payload);
  });

  // One parser for JSON; every other content type is refused with 415 by fastify.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      // isUtf8 + toString: the same check as a fatal TextDecoder, at a fraction of its cost.
      const buffer = body as Buffer;
      if (!isUtf8(buffer)) throw new MalformedReviewError('body is not valid UTF-8');
      const text = buffer.toString('utf8');
      // TextDecoder dropped a leading byte-order mark; so does this.
      done(null, parseJsonDocument(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  // The client-certificate check, the latency metric and the count of malformed reviews are
  // hooks of the plugins whose routes they apply to (routes/admission-routes.ts, metrics-routes.ts).
  app.setErrorHandler(replyClientError);
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).type('text/plain; charset=utf-8').send(`no route ${request.method} ${oneLine(request.url, 200)}\n`),
  );

  app.register(admissionRoutes, {
    deps: {
      profiles: deps.profiles,
      now: deps.now,
      schedulerUsers: deps.schedulerUsers,
      expiryWarningDays: deps.expiryWarningDays,
      versionClassificationLifecycle: deps.versionClassificationLifecycle,
    },
    metrics,
    requireClientCertificate: deps.clientCaPem !== undefined,
  });
  app.register(healthRoutes, { notReadyReason });
  app.register(metricsRoutes, { metrics, requireClientCertificate: deps.clientCaPem !== undefined });
  return app;
}
