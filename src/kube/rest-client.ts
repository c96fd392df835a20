// A thin JSON client for the Kubernetes API: connection settings come from a kubeconfig via
// @kubernetes/client-node's KubeConfig; requests are plain HTTPS so dry-run, subresources,
// merge patches and watches are all one code path, and every request passes one hook (the
// scheduler's token bucket).
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
    private readonly requestOptions: https.RequestOptions,
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
      ...(requestOptions.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: requestOptions.rejectUnauthorized }),
    };
    const agent = server.protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent({ keepAlive: true });
    return new KubeRestClient(server, requestOptions, agent, options);
  }

  close(): void {
    this.agent.destroy();
  }

  private url(path: string, query: KubeRequest['query']): URL {
    const url = new URL(path, this.server);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  private headers(contentType: string | undefined, body: string | undefined): http.OutgoingHttpHeaders {
    const headers: http.OutgoingHttpHeaders = {
      ...(this.requestOptions.headers as http.OutgoingHttpHeaders | undefined),
      accept: 'application/json',
      'user-agent': this.options.userAgent ?? 'shoot-maintenance',
    };
    if (body !== undefined) {
      headers['content-type'] = contentType ?? 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    return headers;
  }

  private open(req: KubeRequest, signal?: AbortSignal): Promise<http.IncomingMessage> {
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const url = this.url(req.path, req.query);
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const r = transport.request(
        url,
        {
          method: req.method,
          agent: this.agent,
          headers: this.headers(req.contentType, body),
          ...(this.requestOptions.auth ? { auth: this.requestOptions.auth } : {}),
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
    const res = await this.open({ method: 'GET', path, query: { ...query, watch: true } }, signal);
    const statusCode = res.statusCode ?? 0;
    this.options.afterResponse?.('WATCH', statusCode);
    if (statusCode >= 400) {
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      throw errorFrom(statusCode, Buffer.concat(chunks).toString('utf8'));
    }
    let buffered = '';
    try {
      for await (const chunk of res) {
        buffered += (chunk as Buffer).toString('utf8');
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
