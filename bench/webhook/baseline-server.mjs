// The baseline of the webhook load test: a bare fastify HTTPS server with the webhook's certificate
// and TLS settings (TLS ≥ 1.2, same body limit), that parses the same review body with fastify's
// JSON parser and answers a constant `allowed: true` review for its uid. No logger, no metrics:
// the ceiling a fastify admission webhook can reach on this machine.
//
//   node bench/webhook/baseline-server.mjs --port P --cert-dir DIR
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';

function flag(name) {
  const i = process.argv.indexOf(name);
  if (i < 0 || process.argv[i + 1] === undefined) throw new Error(`missing ${name}`);
  return process.argv[i + 1];
}

const certDir = flag('--cert-dir');
const port = Number(flag('--port'));

const app = Fastify({
  https: {
    cert: readFileSync(join(certDir, 'tls.crt'), 'utf8'),
    key: readFileSync(join(certDir, 'tls.key'), 'utf8'),
    minVersion: 'TLSv1.2',
  },
  logger: false,
  bodyLimit: 3 * 1024 * 1024,
  requestTimeout: 30_000,
});

const answer = (request) => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  response: { uid: request.body?.request?.uid ?? '', allowed: true },
});
for (const route of ['/mutate/shoots', '/validate/shoots']) app.post(route, async (request) => answer(request));
app.get('/readyz', async () => 'ok');

await app.listen({ host: '127.0.0.1', port });
const stop = () => void app.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
