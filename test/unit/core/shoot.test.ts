import { describe, expect, it } from 'vitest';
import { deepCopy } from '../../../src/core/shoot.js';

describe('deepCopy', () => {
  it('copies nested objects and arrays so that changing the copy leaves the original alone', () => {
    const original = { spec: { workers: [{ name: 'a', machine: { image: { version: '1.0.0' } } }], hibernation: null }, n: 1 };
    const copy = deepCopy(original);
    expect(copy).toEqual(original);
    copy.spec.workers[0]!.machine.image.version = '2.0.0';
    copy.spec.workers.push({ name: 'b', machine: { image: { version: '3.0.0' } } });
    expect(original.spec.workers).toHaveLength(1);
    expect(original.spec.workers[0]!.machine.image.version).toBe('1.0.0');
  });

  it('keeps a "__proto__" key as plain data, never as a prototype', () => {
    const original = JSON.parse('{"a":{"__proto__":{"polluted":true}}}') as { a: Record<string, unknown> };
    const copy = deepCopy(original);
    expect(Object.keys(copy.a)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(copy.a)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(copy)).toBe(JSON.stringify(original));
  });
});
