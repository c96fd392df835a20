import { describe, expect, it } from 'vitest';
import type { LeaseRecord, LeaseStore, StoredLease } from '../../../src/kube/lease-store.js';
import { formatMicroTime, LeaderElector } from '../../../src/scheduler/leader-election.js';

/** An in-memory Lease with optimistic concurrency, and a switch to make it fail. */
class FakeLeaseStore implements LeaseStore {
  lease: StoredLease | null = null;
  private version = 0;
  failing = false;

  async get(): Promise<StoredLease | null> {
    if (this.failing) throw new Error('apiserver unreachable');
    return this.lease ? structuredClone(this.lease) : null;
  }
  async create(record: LeaseRecord): Promise<boolean> {
    if (this.failing) throw new Error('apiserver unreachable');
    if (this.lease) return false;
    this.lease = { record: structuredClone(record), version: String(++this.version) };
    return true;
  }
  async update(record: LeaseRecord, version: string): Promise<boolean> {
    if (this.failing) throw new Error('apiserver unreachable');
    if (!this.lease || this.lease.version !== version) return false;
    this.lease = { record: structuredClone(record), version: String(++this.version) };
    return true;
  }
}

const TIMING = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

function elector(store: LeaseStore, identity: string, clock: { ms: number }, extra: Partial<ConstructorParameters<typeof LeaderElector>[0]> = {}) {
  return new LeaderElector({ store, identity, ...TIMING, now: () => clock.ms, ...extra });
}

describe('LeaderElector.tryAcquireOrRenew', () => {
  it('the first candidate creates the lease; the other cannot take it while it is renewed', async () => {
    const store = new FakeLeaseStore();
    const clock = { ms: 1_000_000 };
    const a = elector(store, 'a', clock);
    const b = elector(store, 'b', clock);
    expect(await a.tryAcquireOrRenew()).toBe(true);
    expect(store.lease?.record).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0 });
    for (let i = 0; i < 20; i++) {
      clock.ms += 2_000;
      expect(await a.tryAcquireOrRenew()).toBe(true);
      expect(await b.tryAcquireOrRenew()).toBe(false);
    }
    expect(b.observedHolder).toBe('a');
  });

  it.each([
    { waitedMs: 14_999, takesOver: false },
    { waitedMs: 15_000, takesOver: true },
  ])('after the leader stops renewing, a candidate takes over once leaseDuration passed on its own clock ($waitedMs ms)', async ({ waitedMs, takesOver }) => {
    const store = new FakeLeaseStore();
    const clock = { ms: 0 };
    const a = elector(store, 'a', clock);
    const b = elector(store, 'b', clock);
    await a.tryAcquireOrRenew();
    expect(await b.tryAcquireOrRenew()).toBe(false); // b first sees a's record now
    clock.ms += waitedMs;
    expect(await b.tryAcquireOrRenew()).toBe(takesOver);
    if (takesOver) expect(store.lease?.record).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  });

  it('measures expiry from when it saw the record change, not from renewTime (clock skew)', async () => {
    const store = new FakeLeaseStore();
    const skewedLeader = { ms: 0 }; // leader's clock is an hour behind
    const clock = { ms: 3_600_000 };
    const a = elector(store, 'a', skewedLeader);
    const b = elector(store, 'b', clock);
    await a.tryAcquireOrRenew();
    expect(await b.tryAcquireOrRenew()).toBe(false);
    clock.ms += 5_000;
    expect(await b.tryAcquireOrRenew()).toBe(false);
  });

  it('a released lease (holder cleared) is taken at once', async () => {
    const store = new FakeLeaseStore();
    const clock = { ms: 0 };
    const a = elector(store, 'a', clock);
    const b = elector(store, 'b', clock);
    await a.tryAcquireOrRenew();
    expect(await b.tryAcquireOrRenew()).toBe(false);
    expect(await a.release()).toBe(true);
    expect(store.lease?.record.holderIdentity).toBe('');
    expect(await b.tryAcquireOrRenew()).toBe(true);
    expect(store.lease?.record.holderIdentity).toBe('b');
  });

  it('two candidates racing for a free lease: exactly one wins', async () => {
    const store = new FakeLeaseStore();
    const clock = { ms: 0 };
    const results = await Promise.all(['a', 'b', 'c'].map((id) => elector(store, id, clock).tryAcquireOrRenew()));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('writes MicroTime with six fractional digits', () => {
    expect(formatMicroTime(Date.parse('2026-01-02T03:04:05.678Z'))).toBe('2026-01-02T03:04:05.678000Z');
  });

  it('refuses timings where the leader could outlive its lease', () => {
    const store = new FakeLeaseStore();
    expect(() => new LeaderElector({ store, identity: 'a', leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 })).toThrow(/renew deadline/);
    expect(() => new LeaderElector({ store, identity: 'a', leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 10_000 })).toThrow(/retry period/);
  });
});

describe('LeaderElector.run', () => {
  it('a leader that cannot renew stops acting after renewDeadline, before its lease could expire elsewhere', async () => {
    const store = new FakeLeaseStore();
    const clock = { ms: 0 };
    const abort = new AbortController();
    const events: [string, number][] = [];
    let lastRenewOk = 0;
    const a = elector(store, 'a', clock, {
      sleep: async (ms) => {
        if (!store.failing) lastRenewOk = clock.ms;
        clock.ms += ms;
        if (clock.ms >= 20_000 && !store.failing) store.failing = true;
        if (clock.ms > 60_000) abort.abort();
      },
      onStartedLeading: () => events.push(['started', clock.ms]),
      onStoppedLeading: () => events.push(['stopped', clock.ms]),
    });
    await a.run(abort.signal);
    expect(events[0]).toEqual(['started', 0]);
    const stopped = events.find(([e]) => e === 'stopped');
    expect(stopped).toBeDefined();
    const stoppedAt = stopped![1];
    // Stopped no earlier than renewDeadline and strictly before leaseDuration after the last good renewal.
    expect(stoppedAt - lastRenewOk).toBeGreaterThanOrEqual(TIMING.renewDeadlineMs - TIMING.retryPeriodMs);
    expect(stoppedAt - 20_000).toBeLessThan(TIMING.leaseDurationMs);
    expect(a.isLeader).toBe(false);
  });

  it('standby takes over within leaseDuration (+ one retry period) after the leader died, and a stopped leader releases', async () => {
    const store = new FakeLeaseStore();
    const clock = { ms: 0 };
    const abortA = new AbortController();
    const a = elector(store, 'a', clock);
    expect(await a.tryAcquireOrRenew()).toBe(true); // a leads, then dies (never renews again)
    const abortB = new AbortController();
    let tookOverAt = -1;
    const b = elector(store, 'b', clock, {
      sleep: async (ms) => {
        clock.ms += Math.round(ms);
        if (clock.ms > 40_000) abortB.abort();
      },
      onStartedLeading: () => {
        tookOverAt = clock.ms;
      },
    });
    await b.run(abortB.signal);
    expect(tookOverAt).toBeGreaterThanOrEqual(TIMING.leaseDurationMs);
    expect(tookOverAt).toBeLessThanOrEqual(TIMING.leaseDurationMs + TIMING.retryPeriodMs * 1.2 + 1);
    // b was aborted while leading: it released the lease.
    expect(store.lease?.record.holderIdentity).toBe('');
    abortA.abort();
  });
});
