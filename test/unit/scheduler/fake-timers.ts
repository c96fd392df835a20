// A fake clock with a fake setTimeout, so queue and leader-election tests never sleep.
import type { TimerApi } from '../../../src/scheduler/due-queue.js';

export class FakeClock implements TimerApi {
  ms: number;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private nextId = 1;
  armed = 0;

  constructor(start = 0) {
    this.ms = start;
  }

  now = (): number => this.ms;

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.ms + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  get pending(): number {
    return this.timers.size;
  }

  /** Advance time, firing timers in due order. */
  advance(ms: number): void {
    const until = this.ms + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= until && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.ms = Math.max(this.ms, next[1].at);
      next[1].fn();
    }
    this.ms = until;
  }
}
