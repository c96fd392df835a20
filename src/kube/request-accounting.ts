// The one way requests to the API server are accounted, the same for the webhook's CloudProfile
// informer, the scheduler's informers, its runs and leader election: every request of a
// KubeRestClient (watch opens included) first waits for the rate limit, if there is one, and is
// then counted by method (`WATCH` for a watch open) and status code.
import { Counter, type Registry } from 'prom-client';
import type { KubeRestClientOptions } from './rest-client.js';

export interface RateLimit {
  /** Resolves when the request may go (a token bucket's take). */
  take(): Promise<void>;
}

export class RequestAccounting {
  /** Requests by method and status code; registered in a process's registry by register(). */
  readonly requests: Counter<'method' | 'code'>;

  constructor(
    metricName: string,
    help: string,
    private readonly rateLimit?: RateLimit,
  ) {
    this.requests = new Counter({ name: metricName, help, labelNames: ['method', 'code'] as const, registers: [] });
  }

  register(registry: Registry): void {
    registry.registerMetric(this.requests);
  }

  /** The client hooks that apply this accounting. */
  clientOptions(): Pick<KubeRestClientOptions, 'beforeRequest' | 'afterResponse'> {
    const rateLimit = this.rateLimit;
    return {
      ...(rateLimit ? { beforeRequest: () => rateLimit.take() } : {}),
      afterResponse: (method, statusCode) => this.requests.inc({ method, code: String(statusCode) }),
    };
  }
}
