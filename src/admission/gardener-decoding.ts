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

function decodeInPlace(value: unknown, schema: DecodingSchema): void {
  if (Array.isArray(value)) {
    if (schema.items) for (const item of value) decodeInPlace(item, schema.items);
    return;
  }
  if (!isJsonObject(value) || !schema.properties) return;
  for (const [key, child] of Object.entries(schema.properties)) {
    const present = Object.prototype.hasOwnProperty.call(value, key);
    const field = present ? value[key] : undefined;
    if (child.goStruct && (field === undefined || field === null)) {
      value[key] = {};
    } else if (field === null && !child.nullDenied) {
      delete value[key];
    } else if (present) {
      decodeInPlace(field, child);
    }
  }
}

/**
 * The document as Gardener's decoder would read it: a copy with `null`s dropped and non-pointer
 * structs present. Anything that is not an object is returned as it is, for the shape check.
 */
export function decodeLikeGardener<T>(document: T, schema: DecodingSchema): T {
  if (!isJsonObject(document)) return document;
  const copy = deepCopy(document);
  decodeInPlace(copy, schema);
  return copy;
}
