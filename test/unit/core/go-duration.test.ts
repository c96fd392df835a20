import { describe, expect, it } from 'vitest';
import { formatGoDuration, parseGoDuration } from '../../../src/core/go-duration.js';

describe('Go durations', () => {
  it.each([
    ['0', 0, '0s'],
    ['0s', 0, '0s'],
    ['10m', 600e9, '10m0s'],
    ['168h', 168 * 3600e9, '168h0m0s'],
    ['1h30m', 5400e9, '1h30m0s'],
    ['1.5s', 1.5e9, '1.5s'],
    ['500ms', 500e6, '500ms'],
    ['-2m', -120e9, '-2m0s'],
  ])('%s = %d ns, printed %s', (text, ns, printed) => {
    expect(parseGoDuration(text)).toBe(ns);
    expect(formatGoDuration(ns)).toBe(printed);
  });
  it.each(['', 'abc', '10', '5d', '1h-2m'])('rejects %j', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});
