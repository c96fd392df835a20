// Shared pieces of the integration tests: certificates in a temporary directory, the real app on
// 127.0.0.1:0 over HTTPS, and a small HTTPS client that reports status, body and peer certificate.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { pino } from 'pino';
import { DEFAULT_SCHEDULER_USER } from '../../src/admission/handler-deps.js';
import type { ConnectionBounds } from '../../src/webhook/connection-bounds.js';
import { buildApp, type WebhookApp } from '../../src/webhook/app.js';
import type { CloudProfileSource } from '../../src/admission/handler-deps.js';
import { loadCloudProfileFiles } from '../../src/catalogue/profile-files.js';
import { ServingCertificateStore } from '../../src/webhook/serving-certificate.js';
import { createCertificateAuthority, createSignedCertificate, type KeyPairPem } from '../../src/pki/certificates.js';
import { connect } from 'node:tls';

export const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');

export function newCa(): KeyPairPem {
  return createCertificateAuthority('shoot-maintenance test CA');
}

export function servingPair(ca: KeyPairPem): KeyPairPem {
  return createSignedCertificate(ca, { commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server' });
}

export function writePair(dir: string, pair: KeyPairPem): void {
  writeFileSync(join(dir, 'tls.crt'), pair.certPem);
  writeFileSync(join(dir, 'tls.key'), pair.keyPem);
}

export interface RunningApp {
  app: WebhookApp;
  url: string;
  port: number;
  ca: KeyPairPem;
  certDir: string;
  certificates: ServingCertificateStore;
  close(): Promise<void>;
}

export interface StartOptions {
  profiles?: CloudProfileSource;
  now?: Date;
  clientCaPem?: string;
  watch?: boolean;
  connectionBounds?: ConnectionBounds;
  http2?: boolean;
}

export async function startApp(options: StartOptions = {}): Promise<RunningApp> {
  const certDir = mkdtempSync(join(tmpdir(), 'sm-webhook-'));
  const ca = newCa();
  writePair(certDir, servingPair(ca));
  const logger = pino({ level: 'silent' });
  const certificates = new ServingCertificateStore(certDir, logger);
  const now = options.now ?? new Date('2026-03-01T12:00:00Z');
  const app = buildApp({
    profiles: options.profiles ?? loadCloudProfileFiles([join(EXAMPLES, 'cloudprofile.yaml')]),
    now: () => now,
    schedulerUsers: [DEFAULT_SCHEDULER_USER],
    expiryWarningDays: 30,
    logger,
    certificates,
    processMetrics: false,
    ...(options.connectionBounds ? { connectionBounds: options.connectionBounds } : {}),
    ...(options.clientCaPem ? { clientCaPem: options.clientCaPem } : {}),
    ...(options.http2 ? { http2: true } : {}),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  if (options.watch) certificates.watch(60_000);
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    app,
    url: `https://127.0.0.1:${port}`,
    port,
    ca,
    certDir,
    certificates,
    async close() {
      certificates.close();
      await app.close();
      rmSync(certDir, { recursive: true, force: true });
    },
  };
}

export interface HttpsResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  peerFingerprint: string;
}

export interface RequestOptions {
  method?: string;
  body?: string | Buffer;
  contentType?: string | null;
  ca: string;
  agent?: Agent | false;
  cert?: string;
  key?: string;
}

export function httpsCall(url: string, path: string, options: RequestOptions): Promise<HttpsResult> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {};
    if (options.body !== undefined) {
      if (options.contentType !== null) headers['content-type'] = options.contentType ?? 'application/json';
      headers['content-length'] = Buffer.byteLength(options.body);
    }
    const req = httpsRequest(
      `${url}${path}`,
      {
        method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
        ca: options.ca,
        headers,
        agent: options.agent ?? false,
        ...(options.cert ? { cert: options.cert, key: options.key } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        const peer = (res.socket as TLSSocket).getPeerCertificate?.();
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
            peerFingerprint: peer?.fingerprint256 ?? '',
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

export function readExample(path: string): string {
  return readFileSync(join(EXAMPLES, path), 'utf8');
}

/** A JSON path: object keys and array indexes. */
export type Path = (string | number)[];

/** Every path in a JSON value, the root (`[]`) included. */
export function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...prefix, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
}

/** A copy of `root` with `value` at `path` (a "__proto__" key is set as a plain own key). */
export function setAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  Object.defineProperty(parent, path[path.length - 1] as string, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** One TLS handshake at exactly `version`: `ok <protocol>` or `error <code>`. */
export function tlsHandshake(port: number, ca: string, version: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'): Promise<string> {
  return new Promise<string>((resolve) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      ca,
      minVersion: version,
      maxVersion: version,
      // Let this client offer the old versions at all (OpenSSL 3 disables them by default).
      ciphers: 'DEFAULT:@SECLEVEL=0',
      servername: 'localhost',
    });
    socket.once('secureConnect', () => {
      resolve(`ok ${socket.getProtocol()}`);
      socket.destroy();
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(`error ${err.code ?? err.message}`));
  });
}
