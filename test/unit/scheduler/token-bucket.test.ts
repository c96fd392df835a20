import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../src/kube/token-bucket.js';
import { ConcurrencyLimit } from '../../../src/scheduler/concurrency-limit.js';

describe('TokenBucket', () => {
  it.each([
    { qps: 10, burst: 20, elapsedMs: 0, want: 20 },
    { qps: 10, burst: 20, elapsedMs: 500, want: 25 },
    { qps: 1, burst: 5, elapsedMs: 3_000, want: 8 },
    { qps: 100, burst: 1, elapsedMs: 100, want: 11 },
  ])('qps $qps burst $burst: $want tokens within $elapsedMs ms', ({ qps, burst, elapsedMs, want }) => {
    let now = 0;
    const bucket = new TokenBucket({ qps, burst, now: () => now });
    let taken = 0;
    for (let t = 0; t <= elapsedMs; t += 10) {
      now = t;
      while (bucket.tryTake()) taken++;
    }
    expect(taken).toBe(want);
  });

  it('take() waits the time to the next token, served in order', async () => {
    let now = 0;
    const slept: number[] = [];
    const bucket = new TokenBucket({
      qps: 2,
      burst: 1,
      now: () => now,
      sleep: async (ms) => {
        slept.push(ms);
        now += ms;
      },
    });
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((i) => bucket.take().then(() => order.push(i))));
    expect(order).toEqual([1, 2, 3]);
    expect(slept).toEqual([500, 500]);
    expect(now).toBe(1_000);
  });

  it('rejects nonsense settings', () => {
    expect(() => new TokenBucket({ qps: 0, burst: 1 })).toThrow(/qps/);
    expect(() => new TokenBucket({ qps: 1, burst: 0 })).toThrow(/burst/);
  });
});

describe('ConcurrencyLimit', () => {
  it('never runs more than max at once and runs everything', async () => {
    const limit = new ConcurrencyLimit(3);
    let active = 0;
    let peak = 0;
    const resolvers: (() => void)[] = [];
    const done = Promise.all(
      Array.from({ length: 10 }, () =>
        limit.run(async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise<void>((r) => resolvers.push(r));
          active--;
        }),
      ),
    );
    while (resolvers.length > 0 || limit.running > 0) {
      await new Promise((r) => setImmediate(r));
      resolvers.shift()?.();
    }
    await done;
    expect(peak).toBe(3);
    expect(limit.running).toBe(0);
  });
});
