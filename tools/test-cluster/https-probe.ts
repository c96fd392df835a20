// Polls an HTTPS endpoint on 127.0.0.1 until it answers 200 (readiness of kube-apiserver and the
// webhook), failing early when the process behind it has exited.
import { request } from 'node:https';

export interface ProbeTls {
  ca: string;
  cert?: string;
  key?: string;
}

export function httpsGet(url: string, tls: ProbeTls, timeoutMs = 2_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', ca: tls.ca, cert: tls.cert, key: tls.key, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export async function waitForHttpsOk(
  url: string,
  tls: ProbeTls,
  options: { timeoutMs: number; gaveUp?: () => string | undefined },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const reason = options.gaveUp?.();
    if (reason) throw new Error(`${url}: ${reason}`);
    try {
      const res = await httpsGet(url, tls);
      if (res.status === 200) return;
      last = `HTTP ${res.status}: ${res.body.slice(0, 300)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} not ready after ${options.timeoutMs} ms (last: ${last})`);
}
