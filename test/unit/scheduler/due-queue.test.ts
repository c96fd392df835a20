import { describe, expect, it } from 'vitest';
import { DueQueue } from '../../../src/scheduler/due-queue.js';
import { FakeClock } from './fake-timers.js';

function setup() {
  const clock = new FakeClock(1_000);
  const fired: string[] = [];
  const queue = new DueQueue<string>({ onDue: (key) => fired.push(key), now: clock.now, timers: clock });
  queue.start();
  return { clock, fired, queue };
}

describe('DueQueue', () => {
  it.each([
    { name: 'fires in due order regardless of insertion order', entries: [['c', 300], ['a', 100], ['b', 200]], want: ['a', 'b', 'c'] },
    { name: 'equal due times all fire', entries: [['x', 50], ['y', 50]], want: ['x', 'y'] },
    { name: 'a due time in the past fires at once', entries: [['late', -500], ['b', 10]], want: ['late', 'b'] },
  ] as const)('$name', ({ entries, want }) => {
    const { clock, fired, queue } = setup();
    for (const [key, offset] of entries) queue.schedule(key, clock.ms + offset);
    clock.advance(1_000);
    expect(fired).toEqual(want);
    expect(queue.size).toBe(0);
  });

  it('update moves a key earlier or later; it fires once at the new time', () => {
    const { clock, fired, queue } = setup();
    queue.schedule('a', clock.ms + 100);
    queue.schedule('b', clock.ms + 200);
    queue.schedule('a', clock.ms + 300);
    expect(queue.size).toBe(2);
    clock.advance(250);
    expect(fired).toEqual(['b']);
    queue.schedule('a', clock.ms + 10);
    clock.advance(20);
    expect(fired).toEqual(['b', 'a']);
    clock.advance(1_000);
    expect(fired).toEqual(['b', 'a']);
  });

  it('remove takes a key out; removing the head re-arms for the next one', () => {
    const { clock, fired, queue } = setup();
    for (const [k, t] of [['a', 100], ['b', 200], ['c', 300], ['d', 400]] as const) queue.schedule(k, clock.ms + t);
    expect(queue.remove('a')).toBe(true);
    expect(queue.remove('c')).toBe(true);
    expect(queue.remove('zzz')).toBe(false);
    expect(queue.peek()).toEqual({ key: 'b', dueAt: clock.ms + 200 });
    clock.advance(1_000);
    expect(fired).toEqual(['b', 'd']);
  });

  it('holds ONE timer however many keys are queued', () => {
    const { clock, queue } = setup();
    for (let i = 0; i < 1_000; i++) queue.schedule(`k${i}`, clock.ms + 10_000 + ((i * 7919) % 5_000));
    expect(clock.pending).toBe(1);
    for (let i = 0; i < 500; i++) queue.remove(`k${i}`);
    expect(clock.pending).toBe(1);
    queue.clear();
    expect(clock.pending).toBe(0);
  });

  it('keeps heap order under random updates and removes', () => {
    const { clock, fired, queue } = setup();
    const due = new Map<string, number>();
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 2_000; i++) {
      const key = `k${Math.floor(rnd() * 300)}`;
      if (rnd() < 0.2) {
        queue.remove(key);
        due.delete(key);
      } else {
        const at = clock.ms + 1 + Math.floor(rnd() * 100_000);
        queue.schedule(key, at);
        due.set(key, at);
      }
    }
    expect(queue.size).toBe(due.size);
    clock.advance(200_000);
    const expected = [...due.entries()].sort((a, b) => a[1] - b[1]).map(([k]) => k);
    expect(fired.map((k) => due.get(k))).toEqual(expected.map((k) => due.get(k)));
    expect(new Set(fired)).toEqual(new Set(expected));
  });

  it('does not fire while stopped; keeps entries', () => {
    const { clock, fired, queue } = setup();
    queue.schedule('a', clock.ms + 100);
    queue.stop();
    clock.advance(500);
    expect(fired).toEqual([]);
    expect(queue.size).toBe(1);
    queue.start();
    clock.advance(0);
    expect(fired).toEqual(['a']);
  });

  it('caps the timer delay at the 32-bit maximum and re-arms on wake-up', () => {
    const { clock, fired, queue } = setup();
    const farAway = clock.ms + 40 * 24 * 3600 * 1000; // 40 days > 2^31-1 ms
    queue.schedule('far', farAway);
    clock.advance(2 ** 31 - 1);
    expect(fired).toEqual([]);
    expect(clock.pending).toBe(1);
    clock.advance(farAway - clock.ms);
    expect(fired).toEqual(['far']);
  });
});
