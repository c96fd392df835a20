// GET /metrics in the Prometheus text format.
import type { FastifyPluginCallback } from 'fastify';
import type { WebhookMetrics } from '../metrics.js';

export const metricsRoutes: FastifyPluginCallback<{ metrics: WebhookMetrics }> = (app, options, done) => {
  const { registry } = options.metrics;
  app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  done();
};
