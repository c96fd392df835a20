// GET /healthz (the process answers) and /readyz (TLS loaded, CloudProfiles synced, not draining).
import type { FastifyPluginCallback } from 'fastify';

export interface HealthRoutesOptions {
  /** Why the webhook is not ready, or undefined when it is. */
  notReadyReason(): string | undefined;
}

export const healthRoutes: FastifyPluginCallback<HealthRoutesOptions> = (app, options, done) => {
  app.get('/healthz', async (_request, reply) => reply.type('text/plain; charset=utf-8').send('ok\n'));
  app.get('/readyz', async (_request, reply) => {
    const reason = options.notReadyReason();
    if (reason === undefined) return reply.type('text/plain; charset=utf-8').send('ok\n');
    return reply.code(503).type('text/plain; charset=utf-8').send(`not ready: ${reason}\n`);
  });
  done();
};
