// A small fake Kubernetes API server for the client stack's unit tests: node:http on 127.0.0.1,
// every request recorded, answers decided by the test's handler. A handler may answer with a
// status and a JSON body, or turn the request into a watch stream the test writes events to; it
// may also answer later (a promise), so a test can hold a response back.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Answer = { status: number; body?: unknown; raw?: string } | 'watch';

export interface FakeApiServer {
  url: string;
  requests: RecordedRequest[];
  handler: (req: RecordedRequest) => Answer | Promise<Answer>;
  /** Open watch streams, oldest first. */
  watches: { request: RecordedRequest; response: ServerResponse }[];
  /** Writes one event (or a raw chunk, text or bytes) to the newest open watch stream (on `path`, when given). */
  send(event: { type: string; object: unknown } | string | Buffer, path?: string): void;
  /** Ends the newest watch stream cleanly, as the API server does at its timeoutSeconds. */
  endWatch(): void;
  kubeConfig(user?: Record<string, unknown>): KubeConfig;
  close(): Promise<void>;
}

export async function startFakeApiServer(handler: FakeApiServer['handler'] = () => ({ status: 404 })): Promise<FakeApiServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      fake.requests.push(recorded);
      const answer = fake.handler(recorded);
      // A held answer is written when it comes, unless the client has gone meanwhile.
      if (answer instanceof Promise) {
        void answer.then((later) => {
          if (!res.destroyed) respond(recorded, res, later);
        });
      } else respond(recorded, res, answer);
    });
  });
  const respond = (recorded: RecordedRequest, res: ServerResponse, answer: Answer): void => {
    if (answer === 'watch') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      fake.watches.push({ request: recorded, response: res });
      res.on('close', () => {
        const i = fake.watches.findIndex((w) => w.response === res);
        if (i >= 0) fake.watches.splice(i, 1);
      });
      return;
    }
    const text = answer.raw ?? (answer.body === undefined ? '' : JSON.stringify(answer.body));
    res.writeHead(answer.status, { 'content-type': answer.raw === undefined ? 'application/json' : 'text/plain' }).end(text);
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const newest = (path?: string) => {
    const w = fake.watches.filter((x) => path === undefined || x.request.path === path).at(-1);
    if (!w) throw new Error(path === undefined ? 'no open watch' : `no open watch on ${path}`);
    return w.response;
  };
  const fake: FakeApiServer = {
    url,
    requests: [],
    handler,
    watches: [],
    send(event, path) {
      newest(path).write(typeof event === 'string' || Buffer.isBuffer(event) ? event : `${JSON.stringify(event)}\n`);
    },
    endWatch() {
      newest().end();
    },
    kubeConfig(user = {}) {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'fake', server: url, skipTLSVerify: true }],
        users: [{ name: 'fake', ...user }],
        contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
        currentContext: 'fake',
      });
      return kc;
    },
    close: async () => {
      for (const w of [...fake.watches]) w.response.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return fake;
}

/** A Kubernetes Status body as the API server sends it with an error. */
export function status(code: number, reason: string, message: string): { status: number; body: unknown } {
  return { status: code, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message } };
}

/** Waits for `check` to hold; `what` names the condition in the error when it never does. */
export async function eventually(check: () => boolean, timeoutMs = 5_000, what?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(what === undefined ? 'condition not met in time' : `condition not met in time: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
