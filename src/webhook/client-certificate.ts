// `--client-ca`: the routes of a plugin that calls this answer 401 unless the TLS client sent a
// certificate signed by that CA (kube-apiserver's `--admission-control-config-file` client cert).
// The TLS server asks every client for a certificate but does not reject the handshake, so the
// health routes (kubelet probes) keep working without one; the check is an encapsulated hook.
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance } from 'fastify';

export function requireClientCertificate(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    const socket = request.raw.socket as TLSSocket;
    if (!socket.authorized) {
      return reply.code(401).type('text/plain; charset=utf-8').send('a client certificate signed by the configured CA is required\n');
    }
  });
}
