// `npm start` (after `npm run build`): development certificates in certs/ when missing, then the
// webhook on https://127.0.0.1:8443 with the example CloudProfile, and a curl line to try it.
// Signals are passed on to the webhook, whose exit code becomes ours.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const certDir = 'certs';
const cli = join('dist', 'cli.js');

if (!existsSync(join(certDir, 'tls.crt')) || !existsSync(join(certDir, 'tls.key')) || !existsSync(join(certDir, 'ca.crt'))) {
  const certs = spawnSync(process.execPath, [cli, 'certs', '--dir', certDir], { stdio: 'inherit' });
  if (certs.status !== 0) process.exit(certs.status ?? 1);
}

const webhook = spawn(
  process.execPath,
  [cli, 'webhook', '--host', '127.0.0.1', '--port', '8443', '--cert-dir', certDir, '--cloud-profile', 'examples/cloudprofile.yaml'],
  { stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => webhook.kill(signal));
}
webhook.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

console.log(
  'try: curl --cacert certs/ca.crt -H "Content-Type: application/json" ' +
    '--data @examples/reviews/create-without-window.json https://127.0.0.1:8443/mutate/shoots',
);
