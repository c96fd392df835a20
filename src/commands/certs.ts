// `shoot-maintenance certs [--dir certs] [--host NAME...]`: a development CA and a serving
// certificate signed by it, as `ca.crt`, `tls.crt`, `tls.key` (the names cert-manager uses).
import { mkdirSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { Command } from 'commander';
import { createCertificateAuthority, createSignedCertificate } from '../pki/certificates.js';
import { collect } from './options.js';

export interface WrittenCertificates {
  dir: string;
  caPath: string;
  certPath: string;
  keyPath: string;
  dnsNames: string[];
  ipAddresses: string[];
}

/** Writes ca.crt, tls.crt and tls.key to `dir`; SANs localhost, 127.0.0.1 and `hosts`. */
export function writeDevelopmentCertificates(dir: string, hosts: readonly string[] = []): WrittenCertificates {
  const names = ['localhost', '127.0.0.1', ...hosts];
  const dnsNames = [...new Set(names.filter((h) => isIP(h) === 0))];
  const ipAddresses = [...new Set(names.filter((h) => isIP(h) !== 0))];
  const ca = createCertificateAuthority('shoot-maintenance development CA');
  const leaf = createSignedCertificate(ca, {
    commonName: dnsNames[0] ?? 'localhost',
    dnsNames,
    ipAddresses,
    usage: 'server',
  });
  mkdirSync(dir, { recursive: true });
  const caPath = join(dir, 'ca.crt');
  const certPath = join(dir, 'tls.crt');
  const keyPath = join(dir, 'tls.key');
  writeFileSync(caPath, ca.certPem);
  writeFileSync(certPath, leaf.certPem);
  writeFileSync(keyPath, leaf.keyPem, { mode: 0o600 });
  return { dir, caPath, certPath, keyPath, dnsNames, ipAddresses };
}

export function registerCertsCommand(program: Command): void {
  program
    .command('certs')
    .description('write a development CA (ca.crt) and a serving certificate (tls.crt, tls.key) signed by it')
    .option('--dir <dir>', 'directory to write to', 'certs')
    .option('--host <name>', 'extra DNS name or IP address for the certificate (repeatable)', collect, [])
    .action((options: { dir: string; host: string[] }) => {
      const written = writeDevelopmentCertificates(options.dir, options.host);
      process.stdout.write(
        `wrote ${written.caPath}, ${written.certPath}, ${written.keyPath} ` +
          `(SANs: ${[...written.dnsNames, ...written.ipAddresses].join(', ')})\n`,
      );
    });
}
