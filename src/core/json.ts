// JSON values as every layer compares them: one structural equality for the rollout decision, the
// validating webhook, the maintenance run's "did anything change" and the mutating webhook's
// JSON Patch (src/admission/json-patch.ts).

export type JsonObject = Record<string, unknown>;

/** A JSON object: not null, not an array. */
export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Set in Gardener's sense: a pointer, map or slice that is not nil (JSON null is absent). */
export function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** Deep equality of two JSON values (object key order ignored; a key present on one side only differs). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}
