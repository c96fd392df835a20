// Token bucket on requests per second to the API server: `burst` tokens, refilled at `qps` per
// second. As a client's rate limit (src/kube/request-accounting.ts), every request it makes (GET,
// dry-run, update, status patch, events, lease, informer list) takes one token; long-running
// watch streams take one token when they open.

export interface TokenBucketOptions {
  qps: number;
  burst: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

// Refills accumulate in binary floating point; a token that is 1e-9 short is a token.
const EPSILON = 1e-9;

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly qps: number;
  private readonly burst: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  // Waiters are served in order so a steady stream cannot starve an early caller.
  private tail: Promise<void> = Promise.resolve();

  constructor(options: TokenBucketOptions) {
    if (!(options.qps > 0)) throw new Error(`qps must be positive, got ${options.qps}`);
    if (!(options.burst >= 1)) throw new Error(`burst must be at least 1, got ${options.burst}`);
    this.qps = options.qps;
    this.burst = Math.floor(options.burst);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
    this.tokens = this.burst;
    this.last = this.now();
  }

  private refill(): void {
    const now = this.now();
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.qps);
    this.last = now;
  }

  /** Take a token if one is available now. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens >= 1 - EPSILON) {
      this.tokens = Math.max(0, this.tokens - 1);
      return true;
    }
    return false;
  }

  /** Milliseconds until a token will be available (0 if one is). */
  waitTimeMs(): number {
    this.refill();
    return this.tokens >= 1 - EPSILON ? 0 : Math.ceil(((1 - this.tokens) / this.qps) * 1000);
  }

  /** Wait for a token and take it. */
  take(): Promise<void> {
    const turn = this.tail.then(async () => {
      for (;;) {
        if (this.tryTake()) return;
        await this.sleep(this.waitTimeMs());
      }
    });
    this.tail = turn.catch(() => undefined);
    return turn;
  }
}
