// AdmissionReview v1 in and out (admission.k8s.io/v1). Decoding checks the envelope with an ajv
// schema and turns anything kube-apiserver would never send into a MalformedReviewError with a
// one-line reason (answered with HTTP 400). Encoding builds the three answers a webhook gives:
// allowed, allowed with a JSON Patch, denied with a Kubernetes Status carrying field causes.
import { Ajv, type ErrorObject } from 'ajv';
import { CAUSE_TYPE, renderFieldError, renderFieldErrors, type FieldError } from '../core/field-errors.js';
import { EXCLUSION_GROUP } from '../core/maintenance-exclusion.js';
import { MAX_WARNING_LENGTH } from '../core/shoot-warnings.js';
import type { JsonPatchOperation } from './json-patch.js';

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';
export const ADMISSION_KIND = 'AdmissionReview';
export const GARDENER_GROUP = 'core.gardener.cloud';

/** Deeper documents than this are refused before anything walks them recursively. */
export const MAX_NESTING_DEPTH = 512;


export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export type JsonObject = Record<string, unknown>;

export interface AdmissionRequest {
  uid: string;
  operation: AdmissionOperation;
  name?: string;
  namespace?: string;
  object?: JsonObject | null;
  oldObject?: JsonObject | null;
  userInfo?: { username?: string; groups?: string[]; [key: string]: unknown };
  dryRun?: boolean;
  [key: string]: unknown;
}

export interface AdmissionReviewRequest {
  apiVersion: typeof ADMISSION_API_VERSION;
  kind: typeof ADMISSION_KIND;
  request: AdmissionRequest;
}

export type AdmittedResource = 'shoots' | 'cloudprofiles' | 'namespacedcloudprofiles' | 'maintenanceexclusions' | 'clustermaintenanceexclusions';

/** The freezes' kinds are in their own API group (src/core/maintenance-exclusion.ts). */
const EXCLUSION_RESOURCES: ReadonlySet<AdmittedResource> = new Set(['maintenanceexclusions', 'clustermaintenanceexclusions']);

export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

export interface DenialStatus {
  code: 403;
  reason: 'Forbidden';
  message: string;
  details: { name: string; group: string; kind: AdmittedResource; causes: StatusCause[] };
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  patchType?: 'JSONPatch';
  /** base64 of the JSON Patch document. */
  patch?: string;
  status?: DenialStatus;
  warnings?: string[];
}

export interface AdmissionReviewResponse {
  apiVersion: typeof ADMISSION_API_VERSION;
  kind: typeof ADMISSION_KIND;
  response: AdmissionResponse;
}

/** A review kube-apiserver would never send: not JSON, wrong envelope, no uid… */
export class MalformedReviewError extends Error {
  override readonly name = 'MalformedReviewError';
}

const reviewSchema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'request'],
  properties: {
    apiVersion: { type: 'string', const: ADMISSION_API_VERSION },
    kind: { type: 'string', const: ADMISSION_KIND },
    request: {
      type: 'object',
      required: ['uid', 'operation'],
      properties: {
        uid: { type: 'string', minLength: 1 },
        operation: { type: 'string', enum: ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'] },
        name: { type: 'string' },
        namespace: { type: 'string' },
        object: { type: ['object', 'null'] },
        oldObject: { type: ['object', 'null'] },
        dryRun: { type: 'boolean' },
        userInfo: {
          type: 'object',
          properties: {
            username: { type: 'string' },
            groups: { type: 'array', items: { type: 'string' } },
          },
        },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: false, strict: true });
const validateReview = ajv.compile(reviewSchema);

/** `/request/userInfo/username` → `request.userInfo.username`. */
function dotted(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function describeSchemaError(e: ErrorObject): string {
  const where = dotted(e.instancePath);
  if (e.keyword === 'required') {
    const missing = String((e.params as { missingProperty?: unknown }).missingProperty);
    return `${where ? `${where}.` : ''}${missing} is required`;
  }
  if (e.keyword === 'const') {
    return `${where} must be ${String((e.params as { allowedValue?: unknown }).allowedValue)}`;
  }
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues ?? [];
    return `${where} must be one of ${allowed.map(String).join(', ')}`;
  }
  if (e.keyword === 'minLength') return `${where} must not be empty`;
  return `${where || 'review'} ${e.message ?? 'is invalid'}`;
}

/** Documents parseJsonDocument has already checked, so decoding the review does not walk them again. */
const checkedDocuments = new WeakSet<object>();

/**
 * Refuses `__proto__` keys (so no later assignment can reach a prototype) and nesting deeper than
 * MAX_NESTING_DEPTH (so no recursive walk can overflow the stack). Iterative on purpose; only
 * objects and arrays are stacked (parallel arrays: no allocation per value).
 */
export function assertSafeDocument(value: unknown): void {
  if (value === null || typeof value !== 'object') return;
  const values: object[] = [value];
  const depths: number[] = [0];
  while (values.length > 0) {
    const top = values.pop() as object;
    const depth = depths.pop() as number;
    if (depth > MAX_NESTING_DEPTH) {
      throw new MalformedReviewError(`document nests deeper than ${MAX_NESTING_DEPTH} levels`);
    }
    if (Array.isArray(top)) {
      for (const item of top as unknown[]) {
        if (item !== null && typeof item === 'object') {
          values.push(item);
          depths.push(depth + 1);
        }
      }
      continue;
    }
    for (const key of Object.keys(top)) {
      if (key === '__proto__') throw new MalformedReviewError('document contains a "__proto__" key');
      const child = (top as JsonObject)[key];
      if (child !== null && typeof child === 'object') {
        values.push(child);
        depths.push(depth + 1);
      }
    }
  }
}

/** Parses a request body as JSON; any failure is a MalformedReviewError with a one-line reason. */
export function parseJsonDocument(text: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    // The kind of error and its position, never body text: newer V8 versions quote the body
    // around the error (`Unexpected token 'x', "...secret..." is not valid JSON`).
    const message = err instanceof Error ? err.message : '';
    const kind = (message.split(/["'`]| in JSON| at position/)[0] ?? '').trim().replace(/,$/, '');
    const position = /position (\d+)/.exec(message)?.[1];
    const where = position === undefined ? '' : ` at position ${position}`;
    throw new MalformedReviewError(`body is not valid JSON${kind ? `: ${oneLine(kind, 80)}` : ''}${where}`);
  }
  assertSafeDocument(parsed);
  if (parsed !== null && typeof parsed === 'object') checkedDocuments.add(parsed);
  return parsed;
}

/** Checks the envelope of an AdmissionReview v1 request. */
export function decodeAdmissionReview(body: unknown): AdmissionReviewRequest {
  if (body === null || typeof body !== 'object' || !checkedDocuments.has(body)) assertSafeDocument(body);
  if (!validateReview(body)) {
    const first = validateReview.errors?.[0];
    throw new MalformedReviewError(
      `not an AdmissionReview ${ADMISSION_API_VERSION} request: ${first ? describeSchemaError(first) : 'invalid'}`,
    );
  }
  const review = body as unknown as AdmissionReviewRequest;
  const { operation, object, oldObject } = review.request;
  if ((operation === 'CREATE' || operation === 'UPDATE') && (object === undefined || object === null)) {
    throw new MalformedReviewError(`request.object is required for ${operation}`);
  }
  if (operation === 'UPDATE' && (oldObject === undefined || oldObject === null)) {
    throw new MalformedReviewError('request.oldObject is required for UPDATE');
  }
  return review;
}

/** A string on one line, at most `max` characters (for reasons and warnings). */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s*[\r\n]+\s*/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function cleanWarnings(warnings: readonly string[] | undefined): string[] | undefined {
  if (!warnings || warnings.length === 0) return undefined;
  return warnings.map((w) => oneLine(w, MAX_WARNING_LENGTH));
}

export function allowedResponse(uid: string, warnings?: readonly string[]): AdmissionResponse {
  const response: AdmissionResponse = { uid, allowed: true };
  const w = cleanWarnings(warnings);
  if (w) response.warnings = w;
  return response;
}

/** Allowed, with the patch attached when there is one (an empty patch is a plain allow). */
export function patchedResponse(
  uid: string,
  operations: readonly JsonPatchOperation[],
  warnings?: readonly string[],
): AdmissionResponse {
  const response = allowedResponse(uid, warnings);
  if (operations.length > 0) {
    response.patchType = 'JSONPatch';
    response.patch = Buffer.from(JSON.stringify(operations)).toString('base64');
  }
  return response;
}

export interface DenialInput {
  resource: AdmittedResource;
  name: string;
  errors: readonly FieldError[];
  /** Replaces the rendered field errors (e.g. the generic text for an internal error). */
  detail?: string;
  warnings?: readonly string[];
}

/**
 * Denied, always as 403 Forbidden (as Gardener's admission plugins answer). kube-apiserver then
 * shows the message after `admission webhook "<name>" denied the request: `, which is what kubectl
 * prints; with 422 kubectl would print only the causes and drop the webhook's name. The message
 * is the rendered field errors alone: kubectl's line already names the object's file and the
 * webhook. `details.causes` keep one entry per field error for API clients.
 */
export function deniedResponse(uid: string, input: DenialInput): AdmissionResponse {
  const message = input.detail ?? renderFieldErrors(input.errors);
  // A cause's message is apimachinery's ErrorBody(): the rendered error without its field path.
  const causes = input.errors.map((e) => ({
    reason: CAUSE_TYPE[e.type],
    message: renderFieldError(e).slice(e.field.length + 2),
    field: e.field,
  }));
  const response: AdmissionResponse = {
    uid,
    allowed: false,
    status: {
      code: 403,
      reason: 'Forbidden',
      message,
      details: { name: input.name, group: EXCLUSION_RESOURCES.has(input.resource) ? EXCLUSION_GROUP : GARDENER_GROUP, kind: input.resource, causes },
    },
  };
  const w = cleanWarnings(input.warnings);
  if (w) response.warnings = w;
  return response;
}

export function encodeAdmissionReview(response: AdmissionResponse): AdmissionReviewResponse {
  return { apiVersion: ADMISSION_API_VERSION, kind: ADMISSION_KIND, response };
}

/** The JSON Patch operations carried by a response (empty when none). */
export function patchOf(response: AdmissionResponse): JsonPatchOperation[] {
  if (!response.patch) return [];
  return JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as JsonPatchOperation[];
}
