// The types of every field this project reads on a Shoot or CloudProfile, checked before any core
// function sees the object. Mutating webhooks run before kube-apiserver's CRD schema validation,
// so an object here may be anything; core code may then rely on the typed views in
// src/core/shoot.ts and src/core/cloudprofile-types.ts. A wrong type becomes a field error
// (`<field>: Invalid value: "integer": must be of type string`), never an exception.
// The same schemas tell the decoder (gardener-decoding.ts) which fields are Gardener's non-pointer
// structs (`goStruct`) and where a `null` must reach the shape check (`nullDenied`). The fields of
// `spec` come from core's one description of them (src/core/shoot-spec-shape.ts, SHOOT_SPEC_SHAPE),
// which also checks the held spec.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { CloudProfile, NamespacedCloudProfile } from '../core/cloudprofile-types.js';
import { invalid, required, type FieldError } from '../core/field-errors.js';
import { PENDING_SPEC_FIELD, pendingSpecOf } from '../core/rollout.js';
import { SHOOT_SPEC_SHAPE, type SpecShape } from '../core/shoot-spec-shape.js';
import type { Shoot } from '../core/shoot.js';
import { decodeLikeGardener, type DecodingSchema } from './gardener-decoding.js';
import { assertSafeDocument } from './review.js';

const str = { type: 'string' } as const;
const bool = { type: 'boolean' } as const;
const int = { type: 'integer' } as const;
const stringMap = { type: 'object', additionalProperties: str } as const;
const stringList = { type: 'array', items: str } as const;

/** A list of objects that need a string `name`, with further properties. */
function namedList<P extends Record<string, unknown>>(properties: P) {
  return { type: 'array', items: { type: 'object', required: ['name'], properties: { name: str, ...properties } } } as const;
}

const objectMeta = {
  type: 'object',
  properties: {
    name: str,
    generateName: str,
    namespace: str,
    uid: str,
    generation: int,
    resourceVersion: str,
    creationTimestamp: str,
    deletionTimestamp: str,
    annotations: stringMap,
    labels: stringMap,
  },
} as const;

/** The JSON schema of a spec shape (src/core/shoot-spec-shape.ts), with the decoder's `goStruct` marker. */
function jsonSchemaOf(shape: SpecShape): DecodingSchema & Record<string, unknown> {
  if (typeof shape === 'string') return { type: shape };
  if ('items' in shape) return { type: 'array', items: jsonSchemaOf(shape.items) };
  if ('values' in shape) return { type: 'object', additionalProperties: jsonSchemaOf(shape.values) };
  return {
    type: 'object',
    ...(shape.required ? { required: [...shape.required] } : {}),
    ...(shape.goStruct ? { goStruct: true } : {}),
    properties: Object.fromEntries(Object.entries(shape.fields).map(([key, field]) => [key, jsonSchemaOf(field)])),
  };
}

const shootSchema = {
  type: 'object',
  required: ['metadata', 'spec'],
  properties: {
    apiVersion: str,
    kind: str,
    metadata: { ...objectMeta, nullDenied: true },
    spec: { ...jsonSchemaOf(SHOOT_SPEC_SHAPE), nullDenied: true },
    status: {
      type: 'object',
      properties: {
        isHibernated: bool,
        lastOperation: {
          type: 'object',
          properties: { type: str, state: str, lastUpdateTime: str, description: str },
        },
        lastMaintenance: {
          type: 'object',
          properties: { description: str, triggeredTime: str, state: str, failureReason: str },
        },
        credentials: {
          type: 'object',
          properties: {
            rotation: {
              type: 'object',
              additionalProperties: {
                type: 'object',
                properties: { phase: str, lastCompletionTime: str, lastInitiationTime: str },
              },
            },
          },
        },
      },
    },
  },
} as const;

const expirableVersion = {
  type: 'object',
  required: ['version'],
  properties: {
    version: str,
    classification: str,
    expirationDate: str,
    lifecycle: {
      type: 'array',
      items: { type: 'object', required: ['classification'], properties: { classification: str, startTime: str } },
    },
  },
} as const;

const machineImageVersion = {
  ...expirableVersion,
  properties: {
    ...expirableVersion.properties,
    cri: namedList({
      containerRuntimes: { type: 'array', items: { type: 'object', required: ['type'], properties: { type: str } } },
    }),
    architectures: stringList,
    kubeletVersionConstraint: str,
    inPlaceUpdates: { type: 'object', properties: { supported: bool, minVersionForUpdate: str } },
    capabilityFlavors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { capabilities: { type: 'object', additionalProperties: stringList } },
      },
    },
  },
} as const;

const machineImages = namedList({ updateStrategy: str, versions: { type: 'array', items: machineImageVersion } });

const machineTypes = namedList({
  architecture: str,
  capabilities: { type: 'object', additionalProperties: stringList },
  usable: bool,
});

const kubernetesVersions = { type: 'array', items: expirableVersion } as const;
const volumeTypes = namedList({ usable: bool });

/** A CloudProfile or NamespacedCloudProfile: metadata and a spec with these properties, both objects. */
function profileSchema<P extends Record<string, unknown>>(specProperties: P) {
  return {
    type: 'object',
    required: ['metadata', 'spec'],
    properties: {
      apiVersion: str,
      kind: str,
      metadata: { ...objectMeta, nullDenied: true },
      spec: { type: 'object', nullDenied: true, properties: specProperties },
    },
  } as const;
}

const cloudProfileSchema = profileSchema({
  type: str,
  kubernetes: { type: 'object', goStruct: true, properties: { versions: kubernetesVersions } },
  machineImages,
  machineTypes,
  volumeTypes,
  regions: namedList({ zones: namedList({ unavailableMachineTypes: stringList, unavailableVolumeTypes: stringList }) }),
  machineCapabilities: {
    type: 'array',
    items: { type: 'object', required: ['name'], properties: { name: str, values: stringList } },
  },
});

// gardener/gardener pkg/apis/core/v1beta1/types_namespacedcloudprofile.go: `parent` is a
// non-pointer struct, `kubernetes` a pointer (absent stays absent: no Kubernetes overrides).
const namespacedCloudProfileSchema = profileSchema({
  parent: { type: 'object', goStruct: true, properties: { kind: str, name: str } },
  kubernetes: { type: 'object', properties: { versions: kubernetesVersions } },
  machineImages,
  machineTypes,
  volumeTypes,
  caBundle: str,
  limits: { type: 'object', properties: { maxNodesTotal: int } },
});

// strict: false because the schemas list properties without repeating `type` at every level;
// the decoder's markers are annotations to ajv.
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addVocabulary(['goStruct', 'nullDenied']);
const validateShootShape = ajv.compile(shootSchema);
const validateCloudProfileShape = ajv.compile(cloudProfileSchema);
const validateNamespacedCloudProfileShape = ajv.compile(namespacedCloudProfileSchema);

/** At most this many shape errors are reported (a large wrong array must not give a huge message). */
const MAX_REPORTED = 10;

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** `/spec/provider/workers/0/machine` → `spec.provider.workers[0].machine`, walking the data. */
function fieldPath(document: unknown, instancePath: string): { path: string; value: unknown } {
  let path = '';
  let value: unknown = document;
  for (const raw of instancePath.split('/').slice(1)) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(value)) {
      path += `[${token}]`;
      value = value[Number(token)];
    } else {
      path += /^[A-Za-z_][A-Za-z0-9_-]*$/.test(token) ? (path ? `.${token}` : token) : `[${token}]`;
      value =
        typeof value === 'object' && value !== null && Object.prototype.hasOwnProperty.call(value, token)
          ? (value as Record<string, unknown>)[token]
          : undefined;
    }
  }
  return { path, value };
}

function toFieldError(document: unknown, e: ErrorObject): FieldError {
  const { path, value } = fieldPath(document, e.instancePath);
  if (e.keyword === 'required') {
    const missing = String((e.params as { missingProperty?: unknown }).missingProperty);
    return required(path ? `${path}.${missing}` : missing, '');
  }
  if (e.keyword === 'type') {
    const expected = (e.params as { type?: unknown }).type;
    const names = Array.isArray(expected) ? expected.map(String).join(' or ') : String(expected);
    return invalid(path || '<root>', jsonTypeOf(value), `must be of type ${names}`);
  }
  return invalid(path || '<root>', jsonTypeOf(value), e.message ?? 'is invalid');
}

function check(validate: ValidateFunction, document: unknown): FieldError[] {
  if (validate(document)) return [];
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const e of validate.errors ?? []) {
    const fe = toFieldError(document, e);
    const key = `${fe.field}|${fe.detail}`;
    if (seen.has(key)) continue;
    seen.add(key);
    errors.push(fe);
    if (errors.length >= MAX_REPORTED) break;
  }
  return errors;
}

/** Field errors for fields of a Shoot whose type is not what this project reads. */
export function shootShapeErrors(document: unknown): FieldError[] {
  return check(validateShootShape, document);
}

/** Field errors for fields of a CloudProfile whose type is not what this project reads. */
export function cloudProfileShapeErrors(document: unknown): FieldError[] {
  return check(validateCloudProfileShape, document);
}

export type ReadObject<T> = { ok: true; object: T } | { ok: false; errors: FieldError[] };

function read<T>(document: unknown, schema: DecodingSchema, validate: ValidateFunction): ReadObject<T> {
  const decoded = decodeLikeGardener(document, schema);
  const errors = check(validate, decoded);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, object: decoded as T };
}

/**
 * An untrusted Shoot as Gardener reads it (absent, `null` and `{}` alike where Gardener's types
 * say so: gardener-decoding.ts), or the field errors of its wrongly typed fields. The result is a
 * copy; the document is not changed.
 */
export function readShoot(document: unknown): ReadObject<Shoot> {
  return read<Shoot>(document, shootSchema, validateShootShape);
}

/** An untrusted CloudProfile as Gardener reads it, or the field errors of its wrongly typed fields. */
export function readCloudProfile(document: unknown): ReadObject<CloudProfile> {
  return read<CloudProfile>(document, cloudProfileSchema, validateCloudProfileShape);
}

/** An untrusted NamespacedCloudProfile as Gardener reads it, or the field errors of its wrongly typed fields. */
export function readNamespacedCloudProfile(document: unknown): ReadObject<NamespacedCloudProfile> {
  return read<NamespacedCloudProfile>(document, namespacedCloudProfileSchema, validateNamespacedCloudProfileShape);
}

/**
 * The held spec in the pending-spec annotation is checked here like `.spec` (it becomes `.spec` at
 * rollout and is validated as such now), with core's one check of a held spec (src/core/rollout.ts,
 * pendingSpecOf), so the mutating webhook denies a wrongly typed one too. Its nesting is refused as
 * a request body's is. An annotation that is not JSON is left to core validation, which reports it.
 */
export function heldSpecErrors(shoot: Shoot): FieldError[] {
  const held = pendingSpecOf(shoot);
  if (!held.ok) return held.notJson ? [] : [held.error];
  if (held.spec === undefined) return [];
  try {
    assertSafeDocument(held.spec);
  } catch (err) {
    return [invalid(PENDING_SPEC_FIELD, '<held spec>', err instanceof Error ? err.message : String(err))];
  }
  return [];
}
