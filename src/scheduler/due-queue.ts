// One due-time queue for every shoot: a binary min-heap keyed by due time plus ONE timer armed
// for the earliest entry. No timer or closure per shoot, so 100k shoots cost 100k heap slots.
// Keys are updated or removed in O(log n) through a key → heap-position index.

export interface TimerApi {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: TimerApi = {
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface DueEntry<K> {
  key: K;
  /** Due time in epoch milliseconds. */
  dueAt: number;
}

export interface DueQueueOptions<K> {
  /** Called once per entry whose due time has come; the entry has already left the queue. */
  onDue: (key: K, dueAt: number) => void;
  now?: () => number;
  timers?: TimerApi;
}

// setTimeout takes at most a signed 32-bit delay; longer waits are re-armed on wake-up.
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

export class DueQueue<K> {
  private readonly heap: DueEntry<K>[] = [];
  private readonly position = new Map<K, number>();
  private readonly onDue: (key: K, dueAt: number) => void;
  private readonly now: () => number;
  private readonly timers: TimerApi;
  private timer: unknown = undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private running = false;

  constructor(options: DueQueueOptions<K>) {
    this.onDue = options.onDue;
    this.now = options.now ?? Date.now;
    this.timers = options.timers ?? realTimers;
  }

  get size(): number {
    return this.heap.length;
  }

  /** Whether a timer is armed (at most one ever is). */
  get timerArmed(): boolean {
    return this.timer !== undefined;
  }

  has(key: K): boolean {
    return this.position.has(key);
  }

  dueAt(key: K): number | undefined {
    const i = this.position.get(key);
    return i === undefined ? undefined : this.heap[i]?.dueAt;
  }

  peek(): DueEntry<K> | undefined {
    const top = this.heap[0];
    return top === undefined ? undefined : { ...top };
  }

  /** Start firing due entries (entries may be scheduled before). */
  start(): void {
    this.running = true;
    this.rearm();
  }

  /** Stop firing; entries stay queued. */
  stop(): void {
    this.running = false;
    this.disarm();
  }

  /** Insert the key, or move it to a new due time. */
  schedule(key: K, dueAt: number): void {
    const i = this.position.get(key);
    if (i === undefined) {
      this.heap.push({ key, dueAt });
      this.position.set(key, this.heap.length - 1);
      this.siftUp(this.heap.length - 1);
    } else {
      const entry = this.heap[i]!;
      const before = entry.dueAt;
      entry.dueAt = dueAt;
      if (dueAt < before) this.siftUp(i);
      else this.siftDown(i);
    }
    this.rearm();
  }

  remove(key: K): boolean {
    const i = this.position.get(key);
    if (i === undefined) return false;
    this.removeAt(i);
    this.rearm();
    return true;
  }

  clear(): void {
    this.heap.length = 0;
    this.position.clear();
    this.rearm();
  }

  /** Fire every entry due at or before now. Called by the timer; public for tests and shutdown. */
  fireDue(): number {
    const now = this.now();
    let fired = 0;
    for (let top = this.heap[0]; top !== undefined && top.dueAt <= now; top = this.heap[0]) {
      this.removeAt(0);
      fired++;
      this.onDue(top.key, top.dueAt);
    }
    return fired;
  }

  private onTimer(): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    if (!this.running) return;
    this.fireDue();
    this.rearm();
  }

  private rearm(): void {
    if (!this.running) return;
    const top = this.heap[0];
    if (top === undefined) {
      this.disarm();
      return;
    }
    if (this.timer !== undefined && this.timerAt === top.dueAt) return;
    this.disarm();
    const delay = Math.min(Math.max(0, top.dueAt - this.now()), MAX_TIMER_DELAY_MS);
    this.timerAt = top.dueAt;
    this.timer = this.timers.setTimeout(() => this.onTimer(), delay);
  }

  private disarm(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  private removeAt(i: number): void {
    const removed = this.heap[i]!;
    const last = this.heap.pop()!;
    this.position.delete(removed.key);
    if (last !== removed) {
      this.heap[i] = last;
      this.position.set(last.key, i);
      this.siftDown(i);
      this.siftUp(i);
    }
  }

  private less(a: number, b: number): boolean {
    return this.heap[a]!.dueAt < this.heap[b]!.dueAt;
  }

  private swap(a: number, b: number): void {
    const ea = this.heap[a]!;
    const eb = this.heap[b]!;
    this.heap[a] = eb;
    this.heap[b] = ea;
    this.position.set(eb.key, a);
    this.position.set(ea.key, b);
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < this.heap.length && this.less(l, smallest)) smallest = l;
      if (r < this.heap.length && this.less(r, smallest)) smallest = r;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }
}
