// Prometheus metrics of the webhook, in a registry of its own (several apps in one process, as in
// tests, never collide).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type ReviewOutcome = 'allowed' | 'denied' | 'patched' | 'malformed';

export interface WebhookMetrics {
  registry: Registry;
  requests: Counter<'route' | 'operation' | 'outcome'>;
  latency: Histogram<'route'>;
  certificateReloads: Counter<'result'>;
  /** HTTP/2 sessions opened (only with --http2): shows whether kube-apiserver speaks h2 to it. */
  http2Sessions: Counter;
}

/** `certificateNotAfter` is read at scrape time, so the expiry gauge follows reloads. */
export function createWebhookMetrics(certificateNotAfter: () => Date, withProcessMetrics = true): WebhookMetrics {
  const registry = new Registry();
  if (withProcessMetrics) collectDefaultMetrics({ register: registry, prefix: 'shoot_maintenance_' });
  const requests = new Counter({
    name: 'shoot_maintenance_webhook_requests_total',
    help: 'Admission reviews answered, by route, operation and outcome.',
    labelNames: ['route', 'operation', 'outcome'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'shoot_maintenance_webhook_request_duration_seconds',
    help: 'Time from request received to response sent, by route.',
    labelNames: ['route'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const certificateReloads = new Counter({
    name: 'shoot_maintenance_webhook_certificate_reloads_total',
    help: 'Reloads of the serving certificate that found a new pair, by result (success, failure).',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'shoot_maintenance_webhook_certificate_expiry_seconds',
    help: 'Seconds until the serving certificate expires (negative once expired).',
    registers: [registry],
    collect() {
      this.set((certificateNotAfter().getTime() - Date.now()) / 1000);
    },
  });
  const http2Sessions = new Counter({
    name: 'shoot_maintenance_webhook_http2_sessions_total',
    help: 'HTTP/2 sessions opened (stays 0 unless --http2 is given).',
    registers: [registry],
  });
  return { registry, requests, latency, certificateReloads, http2Sessions };
}
