// Leader election on a coordination.k8s.io/v1 Lease, after client-go's leaderelection:
// - a candidate takes the lease when it is free, released, or not renewed for leaseDuration
//   (measured on OUR clock from when we last saw the record change, so clock skew between
//   replicas does not matter);
// - the leader renews every retryPeriod; if it has not renewed for renewDeadline (< leaseDuration)
//   it stops acting, so it has stopped before any other replica can take the lease over;
// - on shutdown the leader releases the lease (holder cleared) so a standby takes over at once.
// The store is an interface (LeaseStore, src/kube/lease-store.ts) so the logic is tested with a
// fake store and an injected clock.

import { abortableSleep } from '../abortable-sleep.js';
import type { LeaseRecord, LeaseStore } from '../kube/lease-store.js';

export interface LeaderElectionOptions {
  store: LeaseStore;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  now?: () => number;
  /** Sleep that resolves early when the signal aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  onStartedLeading?: () => void;
  onStoppedLeading?: () => void;
  onError?: (err: unknown) => void;
}

/** Kubernetes MicroTime: RFC 3339 with exactly six fractional digits. */
export function formatMicroTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  private readonly o: Required<Omit<LeaderElectionOptions, 'onStartedLeading' | 'onStoppedLeading' | 'onError'>> &
    Pick<LeaderElectionOptions, 'onStartedLeading' | 'onStoppedLeading' | 'onError'>;
  private observed: { holder: string; renewTime: string | undefined; at: number } | undefined;
  private leading = false;
  private lastRenewAt = 0;

  constructor(options: LeaderElectionOptions) {
    if (!(options.renewDeadlineMs < options.leaseDurationMs)) {
      throw new Error('renew deadline must be shorter than the lease duration');
    }
    if (!(options.retryPeriodMs < options.renewDeadlineMs)) {
      throw new Error('retry period must be shorter than the renew deadline');
    }
    this.o = { now: Date.now, sleep: abortableSleep, ...options };
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** The holder we last saw in the lease ('' when free or never read). */
  get observedHolder(): string {
    return this.observed?.holder ?? '';
  }

  /** One attempt to acquire or renew. True when we hold the lease afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.o.now();
    const fresh: LeaseRecord = {
      holderIdentity: this.o.identity,
      leaseDurationSeconds: Math.ceil(this.o.leaseDurationMs / 1000),
      acquireTime: formatMicroTime(now),
      renewTime: formatMicroTime(now),
      leaseTransitions: 0,
    };
    const current = await this.o.store.get();
    if (current === null) {
      const created = await this.o.store.create(fresh);
      if (created) this.remember(fresh, now);
      return created;
    }
    const { record, version } = current;
    if (
      this.observed === undefined ||
      this.observed.holder !== record.holderIdentity ||
      this.observed.renewTime !== record.renewTime
    ) {
      this.observed = { holder: record.holderIdentity, renewTime: record.renewTime, at: now };
    }
    const heldByUs = record.holderIdentity === this.o.identity;
    const durationMs = (record.leaseDurationSeconds > 0 ? record.leaseDurationSeconds * 1000 : this.o.leaseDurationMs);
    const free = record.holderIdentity === '';
    const expired = this.observed.at + durationMs <= now;
    if (!heldByUs && !free && !expired) return false;

    const next: LeaseRecord = heldByUs
      ? { ...record, leaseDurationSeconds: fresh.leaseDurationSeconds, renewTime: fresh.renewTime }
      : { ...fresh, leaseTransitions: record.leaseTransitions + 1 };
    const updated = await this.o.store.update(next, version);
    if (updated) this.remember(next, now);
    return updated;
  }

  private remember(record: LeaseRecord, now: number): void {
    this.observed = { holder: record.holderIdentity, renewTime: record.renewTime, at: now };
    this.lastRenewAt = now;
  }

  private async attempt(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), Math.max(1, timeoutMs));
        timer.unref?.();
      });
      return await Promise.race([this.tryAcquireOrRenew(), timeout]);
    } catch (err) {
      this.o.onError?.(err);
      return false;
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  private setLeading(value: boolean): void {
    if (this.leading === value) return;
    this.leading = value;
    if (value) this.o.onStartedLeading?.();
    else this.o.onStoppedLeading?.();
  }

  /** Whether we are still within renewDeadline of our last successful renew. */
  withinRenewDeadline(): boolean {
    return this.o.now() - this.lastRenewAt < this.o.renewDeadlineMs;
  }

  /**
   * Campaign until the signal aborts: acquire, lead while renewals succeed, fall back to
   * candidate when they do not. On abort a leader stops acting and releases the lease.
   */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      // Candidate: retry every retryPeriod (with a little jitter so replicas do not align).
      while (!signal.aborted) {
        if (await this.attempt(this.o.renewDeadlineMs)) break;
        await this.o.sleep(this.o.retryPeriodMs * (1 + Math.random() * 0.2), signal);
      }
      if (signal.aborted) break;
      this.setLeading(true);
      // Leader: renew every retryPeriod; give up once renewDeadline passed without a renewal.
      while (!signal.aborted) {
        await this.o.sleep(this.o.retryPeriodMs, signal);
        if (signal.aborted) break;
        const remaining = this.o.renewDeadlineMs - (this.o.now() - this.lastRenewAt);
        const renewed = remaining > 0 && (await this.attempt(remaining));
        if (!renewed && !this.withinRenewDeadline()) {
          this.setLeading(false);
          break;
        }
      }
    }
    if (this.leading) {
      this.setLeading(false);
      await this.release();
    }
  }

  /** Give the lease up (holder cleared) if we hold it, so a standby need not wait for expiry. */
  async release(): Promise<boolean> {
    try {
      const current = await this.o.store.get();
      if (current === null || current.record.holderIdentity !== this.o.identity) return false;
      const now = this.o.now();
      return await this.o.store.update(
        { ...current.record, holderIdentity: '', leaseDurationSeconds: 1, renewTime: formatMicroTime(now) },
        current.version,
      );
    } catch (err) {
      this.o.onError?.(err);
      return false;
    }
  }
}
