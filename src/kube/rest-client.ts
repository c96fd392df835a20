// The one Kubernetes client of both processes (the webhook's CloudProfile informer; the
// scheduler's informers, runs, Events and Lease): a thin JSON client over node:https. Where the
// cluster is and who we are comes from @kubernetes/client-node's KubeConfig (kubeconfig files,
// in-cluster config, token files, exec and OIDC plugins; src/kube/config.ts): TLS material once,
// the Authorization header on every request through KubeConfig.applyToHTTPSOptions, so a rotated
// service account token (client-node re-reads a token file after 60 s) or a renewed exec
// credential is used. The requests themselves are made here, not by client-node, because
// client-node 2.x (checked in node_modules/@kubernetes/client-node/dist, 2.0.1) cannot do three
// things this client exists for:
// - one hook over EVERY request, watch opens included (the token bucket and the request counter,
//   src/kube/request-accounting.ts): its generated APIs have request middleware
//   (gen/configuration.d.ts `middleware`), but `Watch.watch` (watch.js) calls undici's `fetch`
//   itself after only `KubeConfig.applySecurityAuthentication`, outside any middleware;
// - API errors with the API server's Status: `Watch.watch` turns a non-200 answer into
//   `new Error(statusText)` with `statusCode` and drops the Status body (reason, message), and
//   the generated APIs (e.g. gen/apis/CustomObjectsApi.js) throw `ApiException` with the message
//   "Unknown API Status Code!" (a 401: "Unauthorized", body dropped) and the body beside it;
//   here every error is a KubeApiError (code, reason, and the message kubectl prints), for
//   watches too;
// - watch options and stream errors: `ListWatch` (cache.js) sends only resourceVersion,
//   labelSelector and fieldSelector (no `allowWatchBookmarks`, no `timeoutSeconds`) while
//   `Watch` aborts a watch that is quiet for 30 s (`requestTimeoutMs = 30000`), so a quiet
//   resource would reopen its watch every 30 s; and `Watch` silently skips a line that is not
//   JSON and hands ERROR events to the callback, where `ListWatch` ignores all but 410. Here a
//   watch asks for bookmarks and a server-side timeout, and an ERROR event or a broken line ends
//   it with an error.
// Dry-run updates, subresources and merge patches are plain requests of the same code path.
import https from 'node:https';
import http from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';

export interface KubeStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
}

/** An API server error response; `message` is the Status message kubectl would print. */
export class KubeApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }

  get isConflict(): boolean {
    return this.statusCode === 409 && this.reason !== 'AlreadyExists';
  }
  get isAlreadyExists(): boolean {
    return this.statusCode === 409 && this.reason === 'AlreadyExists';
  }
  get isNotFound(): boolean {
    return this.statusCode === 404;
  }
  get isGone(): boolean {
    return this.statusCode === 410;
  }
}

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
}

export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

export interface KubeRestClientOptions {
  /** Awaited before every request (rate limiting). */
  beforeRequest?: () => Promise<void>;
  /** Called after every request with its status code (metrics). */
  afterResponse?: (method: string, statusCode: number) => void;
  userAgent?: string;
}

export class KubeRestClient {
  private constructor(
    private readonly server: URL,
    private readonly kubeConfig: KubeConfig,
    private readonly agent: http.Agent,
    private readonly options: KubeRestClientOptions,
  ) {}

  /** A client for the current context of a loaded kubeconfig (see kube/config.ts loadKubeConfig). */
  static async fromKubeConfig(kc: KubeConfig, options: KubeRestClientOptions = {}): Promise<KubeRestClient> {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const requestOptions: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(requestOptions);
    const server = new URL(cluster.server);
    const agentOptions = {
      keepAlive: true,
      maxSockets: 32,
      ca: requestOptions.ca,
      cert: requestOptions.cert,
      key: requestOptions.key,
      ...(requestOptions.servername ? { servername: requestOptions.servername } : {}),
      ...(requestOptions.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: requestOptions.rejectUnauthorized }),
    };
    const agent = server.protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent({ keepAlive: true });
    return new KubeRestClient(server, kc, agent, options);
  }

  close(): void {
    this.agent.destroy();
  }

  private url(path: string, query: KubeRequest['query']): URL {
    const url = new URL(path, this.server);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  /** The credentials of this request: KubeConfig's headers (Authorization, Impersonate-User) and basic auth. */
  private async credentials(): Promise<{ headers: http.OutgoingHttpHeaders; auth?: string }> {
    const options: https.RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(options);
    return { headers: (options.headers ?? {}) as http.OutgoingHttpHeaders, ...(options.auth ? { auth: options.auth } : {}) };
  }

  private headers(credentials: http.OutgoingHttpHeaders, contentType: string | undefined, body: string | undefined): http.OutgoingHttpHeaders {
    const headers: http.OutgoingHttpHeaders = {
      ...credentials,
      accept: 'application/json',
      'user-agent': this.options.userAgent ?? 'shoot-maintenance',
    };
    if (body !== undefined) {
      headers['content-type'] = contentType ?? 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    return headers;
  }

  private async open(req: KubeRequest, signal?: AbortSignal): Promise<http.IncomingMessage> {
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const url = this.url(req.path, req.query);
    const transport = url.protocol === 'https:' ? https : http;
    const credentials = await this.credentials();
    return new Promise((resolve, reject) => {
      const r = transport.request(
        url,
        {
          method: req.method,
          agent: this.agent,
          headers: this.headers(credentials.headers, req.contentType, body),
          ...(credentials.auth ? { auth: credentials.auth } : {}),
          ...(signal ? { signal } : {}),
        },
        resolve,
      );
      r.on('error', reject);
      if (body !== undefined) r.write(body);
      r.end();
    });
  }

  /** One request; resolves with the decoded JSON body, rejects with KubeApiError for status ≥ 400. */
  async request<T>(req: KubeRequest): Promise<T> {
    await this.options.beforeRequest?.();
    const res = await this.open(req);
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const statusCode = res.statusCode ?? 0;
    this.options.afterResponse?.(req.method, statusCode);
    if (statusCode >= 400) throw errorFrom(statusCode, text);
    return (text === '' ? {} : JSON.parse(text)) as T;
  }

  /**
   * Open a watch and deliver events until the server closes the stream or the signal aborts.
   * Resolves on a clean end; rejects with KubeApiError for an error response or an ERROR event.
   */
  async watch<T>(path: string, query: KubeRequest['query'], onEvent: (e: WatchEvent<T>) => void, signal: AbortSignal): Promise<void> {
    await this.options.beforeRequest?.();
    let res: http.IncomingMessage;
    try {
      res = await this.open({ method: 'GET', path, query: { ...query, watch: true } }, signal);
    } catch (err) {
      // Aborted before the response arrived: a stop, as it is once the stream runs.
      if (signal.aborted) return;
      throw err;
    }
    const statusCode = res.statusCode ?? 0;
    this.options.afterResponse?.('WATCH', statusCode);
    if (statusCode >= 400) {
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      throw errorFrom(statusCode, Buffer.concat(chunks).toString('utf8'));
    }
    let buffered = '';
    // A chunk may end inside a multi-byte character: decode as a stream, not chunk by chunk.
    const utf8 = new TextDecoder('utf-8');
    try {
      for await (const chunk of res) {
        buffered += utf8.decode(chunk as Buffer, { stream: true });
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line === '') continue;
          const event = JSON.parse(line) as WatchEvent<T>;
          if (event.type === 'ERROR') {
            const status = event.object as KubeStatus;
            throw new KubeApiError(status.code ?? 500, status.reason ?? '', status.message ?? 'watch error');
          }
          onEvent(event);
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
  }
}

function errorFrom(statusCode: number, text: string): KubeApiError {
  try {
    const status = JSON.parse(text) as KubeStatus;
    return new KubeApiError(statusCode, status.reason ?? '', status.message ?? text);
  } catch {
    return new KubeApiError(statusCode, '', text.trim() || `HTTP ${statusCode}`);
  }
}
