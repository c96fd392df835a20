import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyJsonPatch, createJsonPatch, escapePointerToken } from '../../../src/admission/json-patch.js';

/** JSON text with object keys sorted: two JSON values are equal when these texts are (key order and prototypes aside). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

// An independent applier for RFC 6902 add/replace/remove, so the round trip does not only test
// the module against itself.
function applyByHand(document: unknown, ops: { op: string; path: string; value?: unknown }[]): unknown {
  let root = JSON.parse(JSON.stringify(document)) as unknown;
  for (const op of ops) {
    if (op.path === '') {
      root = op.value;
      continue;
    }
    const tokens = op.path.slice(1).split('/').map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = tokens.pop() as string;
    let parent = root as Record<string, unknown> | unknown[];
    for (const t of tokens) parent = (parent as Record<string, unknown>)[t] as Record<string, unknown>;
    if (Array.isArray(parent)) {
      const i = Number(last);
      if (op.op === 'add') parent.splice(i, 0, op.value);
      else if (op.op === 'replace') parent[i] = op.value;
      else parent.splice(i, 1);
    } else if (op.op === 'remove') {
      if (!(last in parent)) throw new Error(`remove of missing ${op.path}`);
      delete parent[last];
    } else {
      if (op.op === 'replace' && !(last in parent)) throw new Error(`replace of missing ${op.path}`);
      parent[last] = op.value;
    }
  }
  return root;
}

describe('createJsonPatch', () => {
  it.each([
    ['no change', { a: 1 }, { a: 1 }, []],
    ['add a key', { a: 1 }, { a: 1, b: 2 }, [{ op: 'add', path: '/b', value: 2 }]],
    ['remove a key', { a: 1, b: 2 }, { a: 1 }, [{ op: 'remove', path: '/b' }]],
    ['replace a value', { a: 1 }, { a: 'x' }, [{ op: 'replace', path: '/a', value: 'x' }]],
    ['nested add', { m: { a: {} } }, { m: { a: { b: true } } }, [{ op: 'add', path: '/m/a/b', value: true }]],
    [
      'escapes ~ and / in keys',
      { metadata: { annotations: {} } },
      { metadata: { annotations: { 'maintenance.gardener.cloud/pending-spec': '{}', 'a~b': 'c' } } },
      [
        { op: 'add', path: '/metadata/annotations/maintenance.gardener.cloud~1pending-spec', value: '{}' },
        { op: 'add', path: '/metadata/annotations/a~0b', value: 'c' },
      ],
    ],
    ['array element changed', { l: [1, 2, 3] }, { l: [1, 5, 3] }, [{ op: 'replace', path: '/l/1', value: 5 }]],
    ['array grows', { l: [1] }, { l: [1, 2, 3] }, [{ op: 'add', path: '/l/1', value: 2 }, { op: 'add', path: '/l/2', value: 3 }]],
    ['array shrinks from the end', { l: [1, 2, 3] }, { l: [1] }, [{ op: 'remove', path: '/l/2' }, { op: 'remove', path: '/l/1' }]],
    ['object becomes array', { v: { a: 1 } }, { v: [1] }, [{ op: 'replace', path: '/v', value: [1] }]],
    ['null to object', { v: null }, { v: { a: 1 } }, [{ op: 'replace', path: '/v', value: { a: 1 } }]],
  ])('%s', (_name, original, mutated, expected) => {
    const ops = createJsonPatch(original, mutated);
    expect(ops).toEqual(expected);
    expect(applyByHand(original, ops)).toEqual(mutated);
    expect(applyJsonPatch(original, ops)).toEqual(mutated);
  });

  it('does not change its inputs', () => {
    const original = { a: { b: [1, 2] } };
    const mutated = { a: { b: [2] }, c: 1 };
    const before = JSON.stringify([original, mutated]);
    createJsonPatch(original, mutated);
    expect(JSON.stringify([original, mutated])).toBe(before);
  });

  it('escapes pointer tokens as RFC 6901 says', () => {
    expect(escapePointerToken('a/b~c')).toBe('a~1b~0c');
  });

  it('round-trips any pair of JSON documents', () => {
    const json = fc.jsonValue({ maxDepth: 4 });
    const doc = fc.dictionary(fc.string({ maxLength: 6 }), json, { maxKeys: 6 });
    fc.assert(
      fc.property(doc, doc, (original, mutated) => {
        const ops = createJsonPatch(original, mutated);
        // The oracle is a canonical JSON text, not the jsonEqual the patch is computed with.
        expect(canonical(applyByHand(original, ops))).toBe(canonical(mutated));
        expect(canonical(applyJsonPatch(original, ops))).toBe(canonical(mutated));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a "__proto__" key a plain property when applying', () => {
    const patched = applyJsonPatch({}, [{ op: 'add', path: '/__proto__', value: { polluted: true } }]);
    expect(Object.keys(patched)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
