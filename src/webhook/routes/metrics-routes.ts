// GET /metrics in the Prometheus text format (with `--client-ca`, for clients with a certificate).
import type { FastifyPluginCallback } from 'fastify';
import { requireClientCertificate } from '../client-certificate.js';
import type { WebhookMetrics } from '../metrics.js';

export const metricsRoutes: FastifyPluginCallback<{ metrics: WebhookMetrics; requireClientCertificate: boolean }> = (app, options, done) => {
  if (options.requireClientCertificate) requireClientCertificate(app);
  const { registry } = options.metrics;
  app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  done();
};
