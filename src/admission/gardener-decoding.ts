// Absent, `null` and `{}` as Gardener reads them. Gardener decodes a Shoot or CloudProfile into
// its Go types (gardener/gardener pkg/apis/core/v1beta1/types_shoot.go, types_cloudprofile.go)
// with Go's JSON semantics: a `null` leaves a pointer, slice, map or scalar at its zero value
// (so it is the same as leaving the field out), and a field that is a non-pointer struct —
// `ShootSpec.Kubernetes`, `ShootSpec.Provider`, `Worker.Machine`, `CloudProfileSpec.Kubernetes` —
// is always there, empty when absent or `null`. Users rely on it: a Shoot whose `kubernetes:`
// block is left empty gets the latest supported version from the ShootMutator
// (gardener/gardener plugin/pkg/shoot/mutator/admission.go).
//
// This reads an untrusted document the same way before the shape check (object-shape.ts), walking
// only the fields the shape schemas name: a `null` there is dropped, and a field marked
// `goStruct` becomes `{}` when absent or `null`. What must be an object or a list in both worlds
// keeps its `null` for the shape check to deny: `metadata`, `spec` (marked `nullDenied`) and the
// elements of lists. Note that `spec.maintenance.autoUpdate` is a pointer in Gardener's types:
// absent and `null` get the default `{kubernetesVersion: true}`, `{}` means `kubernetesVersion: false`.
import { isJsonObject } from '../core/json.js';
import { deepCopy } from '../core/shoot.js';

/** The parts of a JSON schema (object-shape.ts) the decoder walks, with its two markers. */
export interface DecodingSchema {
  type?: unknown;
  properties?: Readonly<Record<string, DecodingSchema>>;
  items?: DecodingSchema;
  /** A non-pointer struct in Gardener's Go types: absent or `null` is `{}`. */
  goStruct?: boolean;
  /** Must be an object in Kubernetes and in Gardener alike: a `null` is left for the shape check. */
  nullDenied?: boolean;
}

/** A schema's properties as a Map, made once per schema node (not per object decoded). */
const propertyMaps = new WeakMap<DecodingSchema, ReadonlyMap<string, DecodingSchema>>();

function propertiesOf(schema: DecodingSchema): ReadonlyMap<string, DecodingSchema> | undefined {
  if (!schema.properties) return undefined;
  let map = propertyMaps.get(schema);
  if (!map) {
    map = new Map(Object.entries(schema.properties));
    propertyMaps.set(schema, map);
  }
  return map;
}

function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  // A "__proto__" key (JSON.parse makes it an own key) must stay a plain key.
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * Copies and decodes in one walk: keys keep their order, a dropped `null` is never copied (no
 * `delete`), absent non-pointer structs are appended in the schema's order.
 */
function copyDecoded(value: unknown, schema: DecodingSchema): unknown {
  if (Array.isArray(value)) {
    const items = schema.items;
    return items ? value.map((item: unknown) => copyDecoded(item, items)) : deepCopy(value);
  }
  if (!isJsonObject(value)) return value;
  const properties = propertiesOf(schema);
  if (!properties) return deepCopy(value);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = value[key];
    const child = properties.get(key);
    if (!child) setKey(copy, key, deepCopy(field));
    else if (field === null) {
      if (child.goStruct) copy[key] = {};
      else if (child.nullDenied) copy[key] = null;
    } else copy[key] = copyDecoded(field, child);
  }
  for (const [key, child] of properties) {
    if (child.goStruct && !Object.prototype.hasOwnProperty.call(value, key)) copy[key] = {};
  }
  return copy;
}

/**
 * The document as Gardener's decoder would read it: a copy with `null`s dropped and non-pointer
 * structs present. Anything that is not an object is returned as it is, for the shape check.
 */
export function decodeLikeGardener<T>(document: T, schema: DecodingSchema): T {
  if (!isJsonObject(document)) return document;
  return copyDecoded(document, schema) as T;
}
