// A minimal HTTPS client for the test cluster's kube-apiserver: the admin client certificate from
// a kubeconfig, keep-alive connections (at most `maxSockets`), JSON in and out. Only 127.0.0.1, or
// with `localAddress` an address of one of this host's own interfaces (the one-node cluster's bridge).
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { networkInterfaces } from 'node:os';
import { parse } from 'yaml';

export function kubeClient(kubeconfigPath, { maxSockets = 16, localAddress = false } = {}) {
  const config = parse(readFileSync(kubeconfigPath, 'utf8'));
  const cluster = config.clusters[0].cluster;
  const user = config.users[0].user;
  const server = new URL(cluster.server);
  const own = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address));
  const allowed = server.hostname === '127.0.0.1' || (localAddress && own.includes(server.hostname));
  if (!allowed) throw new Error(`the bench only talks to 127.0.0.1${localAddress ? " or this host's own addresses" : ''}, not ${server.hostname}`);
  const b64 = (s) => Buffer.from(s, 'base64').toString('utf8');
  const agent = new Agent({
    keepAlive: true,
    maxSockets,
    ca: b64(cluster['certificate-authority-data']),
    cert: b64(user['client-certificate-data']),
    key: b64(user['client-key-data']),
  });

  function call(method, path, body, contentType = 'application/json') {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const req = request(
        {
          host: server.hostname,
          port: server.port,
          method,
          path,
          agent,
          headers: { accept: 'application/json', ...(payload !== undefined ? { 'content-type': contentType } : {}) },
          timeout: 30_000,
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, text, json: () => JSON.parse(text) });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  return { call, close: () => agent.destroy() };
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight; returns results in order. */
export async function pool(count, concurrency, task) {
  const results = new Array(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) results[i] = await task(i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}
