// RFC 6902 JSON Patch computed from (original, mutated), the model of controller-runtime's
// PatchResponseFromRaw: handlers mutate a copy of the object and never write patches by hand.
// Objects are diffed key by key, arrays index by index (tail added or removed), anything else
// that differs is replaced (equality: src/core/json.ts, jsonEqual).
import { isJsonObject, jsonEqual } from '../core/json.js';

export type JsonPatchOperation =
  | { op: 'add'; path: string; value: unknown }
  | { op: 'replace'; path: string; value: unknown }
  | { op: 'remove'; path: string };

/** RFC 6901: `~` → `~0`, `/` → `~1`. */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}


function diff(original: unknown, mutated: unknown, path: string, out: JsonPatchOperation[]): void {
  if (isJsonObject(original) && isJsonObject(mutated)) {
    for (const key of Object.keys(original)) {
      if (!Object.hasOwn(mutated, key) || mutated[key] === undefined) {
        if (original[key] !== undefined) out.push({ op: 'remove', path: `${path}/${escapePointerToken(key)}` });
      }
    }
    for (const key of Object.keys(mutated)) {
      const value = mutated[key];
      if (value === undefined) continue;
      const child = `${path}/${escapePointerToken(key)}`;
      if (!Object.hasOwn(original, key) || original[key] === undefined) out.push({ op: 'add', path: child, value });
      else diff(original[key], value, child, out);
    }
    return;
  }
  if (Array.isArray(original) && Array.isArray(mutated)) {
    const common = Math.min(original.length, mutated.length);
    for (let i = 0; i < common; i++) diff(original[i], mutated[i], `${path}/${i}`, out);
    for (let i = common; i < mutated.length; i++) out.push({ op: 'add', path: `${path}/${i}`, value: mutated[i] });
    // Remove from the end so that earlier indices stay valid while the patch is applied.
    for (let i = original.length - 1; i >= common; i--) out.push({ op: 'remove', path: `${path}/${i}` });
    return;
  }
  if (!jsonEqual(original, mutated)) out.push({ op: 'replace', path, value: mutated });
}

/** The operations that turn `original` into `mutated` (both JSON documents; the root is an object). */
export function createJsonPatch(original: unknown, mutated: unknown): JsonPatchOperation[] {
  const out: JsonPatchOperation[] = [];
  diff(original, mutated, '', out);
  return out;
}

function unescapePointerToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * Applies add/replace/remove operations to a copy of `document` (enough for the patches this
 * project produces; the `review` command uses it to hand the mutated object to validation).
 */
export function applyJsonPatch<T>(document: T, operations: readonly JsonPatchOperation[]): T {
  let root: unknown = structuredClone(document);
  for (const operation of operations) {
    if (operation.path === '') {
      if (operation.op === 'remove') throw new Error('cannot remove the document root');
      root = structuredClone(operation.value);
      continue;
    }
    const tokens = operation.path.split('/').slice(1).map(unescapePointerToken);
    const last = tokens.pop() ?? '';
    let parent: unknown = root;
    for (const token of tokens) {
      parent = Array.isArray(parent)
        ? parent[Number(token)]
        : isJsonObject(parent) && Object.hasOwn(parent, token)
          ? parent[token]
          : undefined;
      if (parent === undefined) throw new Error(`path ${operation.path} does not exist`);
    }
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (!Number.isInteger(index) || index < 0 || index > parent.length) {
        throw new Error(`index ${last} out of range in ${operation.path}`);
      }
      if (operation.op === 'add') parent.splice(index, 0, structuredClone(operation.value));
      else if (operation.op === 'replace') parent[index] = structuredClone(operation.value);
      else parent.splice(index, 1);
    } else if (isJsonObject(parent)) {
      if (operation.op === 'remove') {
        if (!Object.hasOwn(parent, last)) throw new Error(`path ${operation.path} does not exist`);
        delete parent[last];
      } else {
        // defineProperty, not assignment: a "__proto__" key stays a plain property.
        Object.defineProperty(parent, last, {
          value: structuredClone(operation.value),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
    } else {
      throw new Error(`path ${operation.path} does not exist`);
    }
  }
  return root as T;
}
