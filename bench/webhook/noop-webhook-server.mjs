// The no-op webhook pair of the cluster benchmark: what *any* admission webhook costs kube-apiserver.
// A bare fastify HTTPS server with the webhook's certificate and TLS settings that answers
// /mutate/shoots with `allowed` and a one-operation JSON patch (a `test` of `/kind`, which
// kube-apiserver decodes and applies like any patch, and which changes nothing), and
// /validate/shoots with `allowed`. It is registered exactly like ours (same configurations, same
// URLs but its port), so the difference between the two is our admission work alone.
// GET /counts tells how many reviews each route answered (the bench uses it to see which server
// kube-apiserver calls after a registration change).
//
//   node bench/webhook/noop-webhook-server.mjs --port P --cert-dir DIR [--host ADDRESS]
//
// (--host 0.0.0.0 in a Pod: bench/node-service.mjs runs it behind the webhook's Service.)
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';

function flag(name, fallback) {
  const i = process.argv.indexOf(name);
  if (i < 0 || process.argv[i + 1] === undefined) {
    if (fallback !== undefined) return fallback;
    throw new Error(`missing ${name}`);
  }
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
  // As ours: kube-apiserver's idle connections (Go, 90 s) are not closed under it.
  keepAliveTimeout: 95_000,
});

const PATCH = Buffer.from(JSON.stringify([{ op: 'test', path: '/kind', value: 'Shoot' }])).toString('base64');
const counts = { mutate: 0, validate: 0 };

app.post('/mutate/shoots', async (request) => {
  counts.mutate++;
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid: request.body?.request?.uid ?? '', allowed: true, patchType: 'JSONPatch', patch: PATCH },
  };
});
app.post('/validate/shoots', async (request) => {
  counts.validate++;
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: request.body?.request?.uid ?? '', allowed: true } };
});
app.get('/counts', async () => counts);
app.get('/readyz', async () => 'ok');

await app.listen({ host: flag('--host', '127.0.0.1'), port });
const stop = () => void app.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
