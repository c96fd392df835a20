import { describe, expect, it } from 'vitest';
import { parseDurationFlag, parseFeatureGates, parseNow } from '../../../src/commands/options.js';

describe('parseDurationFlag', () => {
  it.each([
    ['15s', 15_000],
    ['500ms', 500],
    ['1m30s', 90_000],
    ['2h', 7_200_000],
    ['1.5s', 1_500],
  ])('%s = %d ms', (text, ms) => expect(parseDurationFlag(text)).toBe(ms));

  it.each(['', '15', 's', '10x', '-1s'])('rejects %j', (text) => expect(() => parseDurationFlag(text)).toThrow(/invalid duration/));
});

describe('parseNow', () => {
  it('reads an ISO 8601 instant', () => expect(parseNow('2026-03-10T10:20:00Z').toISOString()).toBe('2026-03-10T10:20:00.000Z'));
  it.each(['yesterday', '2026-03-10', '1700000000'])('rejects %j', (text) => expect(() => parseNow(text)).toThrow(/is not an ISO 8601 instant/));
});

describe('parseFeatureGates', () => {
  it('defaults every gate to off', () => expect(parseFeatureGates(undefined)).toEqual({ VersionClassificationLifecycle: false }));
  it.each([
    ['VersionClassificationLifecycle=true', true],
    ['VersionClassificationLifecycle=false', false],
    [' VersionClassificationLifecycle = true ,', true],
    ['VersionClassificationLifecycle=true,VersionClassificationLifecycle=false', false],
  ])('%j', (text, on) => expect(parseFeatureGates(text).VersionClassificationLifecycle).toBe(on));
  it('names the known gates for an unknown one', () =>
    expect(() => parseFeatureGates('Foo=true')).toThrow('--feature-gates: unknown feature gate "Foo" (known gates: VersionClassificationLifecycle)'));
  it.each(['VersionClassificationLifecycle', 'VersionClassificationLifecycle=yes', 'VersionClassificationLifecycle=true=false'])(
    'rejects the value of %j',
    (text) => expect(() => parseFeatureGates(text)).toThrow(/invalid value of VersionClassificationLifecycle: .*expected VersionClassificationLifecycle=true or VersionClassificationLifecycle=false \(known gates: VersionClassificationLifecycle\)/),
  );
});
