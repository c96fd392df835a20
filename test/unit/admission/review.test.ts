import { describe, expect, it } from 'vitest';
import {
  MAX_NESTING_DEPTH,
  MalformedReviewError,
  allowedResponse,
  decodeAdmissionReview,
  deniedResponse,
  encodeAdmissionReview,
  parseJsonDocument,
  patchOf,
  patchedResponse,
} from '../../../src/admission/review.js';
import { invalid, notSupported } from '../../../src/core/field-errors.js';

const request = { uid: 'u-1', operation: 'CREATE', object: { metadata: { name: 'a' } } };
const review = (overrides: Record<string, unknown> = {}, requestOverrides: Record<string, unknown> = {}) => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: { ...request, ...requestOverrides },
  ...overrides,
});

describe('decodeAdmissionReview', () => {
  it('accepts a well-formed review', () => {
    const decoded = decodeAdmissionReview(review({}, { dryRun: true, userInfo: { username: 'bob' } }));
    expect(decoded.request.uid).toBe('u-1');
    expect(decoded.request.dryRun).toBe(true);
    expect(decoded.request.userInfo?.username).toBe('bob');
  });

  it.each([
    ['not an object', 'hello', /must be object/],
    ['no apiVersion', { kind: 'AdmissionReview', request }, /apiVersion is required/],
    ['wrong apiVersion', review({ apiVersion: 'admission.k8s.io/v1beta1' }), /apiVersion must be admission\.k8s\.io\/v1/],
    ['wrong kind', review({ kind: 'Pod' }), /kind must be AdmissionReview/],
    ['no request', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, /request is required/],
    ['no uid', review({}, { uid: undefined }), /request\.uid is required/],
    ['empty uid', review({}, { uid: '' }), /request\.uid must not be empty/],
    ['uid of the wrong type', review({}, { uid: 7 }), /request\.uid must be string/],
    ['unknown operation', review({}, { operation: 'PATCH' }), /request\.operation must be one of CREATE, UPDATE, DELETE, CONNECT/],
    ['object of the wrong type', review({}, { object: 'x' }), /request\.object must be object,null/],
    ['CREATE without object', review({}, { object: null }), /request\.object is required for CREATE/],
    ['UPDATE without oldObject', review({}, { operation: 'UPDATE' }), /request\.oldObject is required for UPDATE/],
    ['username of the wrong type', review({}, { userInfo: { username: 1 } }), /request\.userInfo\.username must be string/],
    ['dryRun of the wrong type', review({}, { dryRun: 'yes' }), /request\.dryRun must be boolean/],
  ])('refuses %s with a one-line reason', (_name, body, reason) => {
    let error: unknown;
    try {
      decodeAdmissionReview(body);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MalformedReviewError);
    const message = (error as Error).message;
    expect(message).toMatch(reason);
    expect(message).not.toContain('\n');
  });

  it('accepts DELETE without object', () => {
    expect(decodeAdmissionReview(review({}, { operation: 'DELETE', object: null, oldObject: { a: 1 } })).request.operation).toBe('DELETE');
  });
});

describe('parseJsonDocument', () => {
  it.each([
    ['truncated JSON', '{"apiVersion": "adm', /^body is not valid JSON: Unterminated string at position 19$/],
    ['empty body', '', /^body is not valid JSON: Unexpected end of JSON input$/],
    ['a __proto__ key', '{"a": {"__proto__": {"polluted": true}}}', /"__proto__" key/],
    ['deep nesting', `${'['.repeat(MAX_NESTING_DEPTH + 2)}${']'.repeat(MAX_NESTING_DEPTH + 2)}`, /nests deeper than/],
  ])('refuses %s', (_name, text, reason) => {
    expect(() => parseJsonDocument(text)).toThrow(reason);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('parses a document within the limits', () => {
    expect(parseJsonDocument('{"a":[1,{"b":null}]}')).toEqual({ a: [1, { b: null }] });
  });
});

describe('responses', () => {
  it('encodes an allow', () => {
    expect(encodeAdmissionReview(allowedResponse('u-1'))).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: 'u-1', allowed: true },
    });
  });

  it('encodes a patch as base64 JSONPatch and an empty one as a plain allow', () => {
    const ops = [{ op: 'add' as const, path: '/a', value: 1 }];
    const response = patchedResponse('u-1', ops, ['held']);
    expect(response.patchType).toBe('JSONPatch');
    expect(JSON.parse(Buffer.from(response.patch ?? '', 'base64').toString())).toEqual(ops);
    expect(patchOf(response)).toEqual(ops);
    expect(response.warnings).toEqual(['held']);
    expect(patchedResponse('u-1', [])).toEqual({ uid: 'u-1', allowed: true });
  });

  it('keeps every warning on one line and below 120 characters', () => {
    const response = allowedResponse('u', ['x'.repeat(300), 'a\nb']);
    expect(response.warnings?.[0]?.length).toBeLessThan(120);
    expect(response.warnings?.[1]).toBe('a b');
  });

  it('encodes a denial as 403 Forbidden whose message is the field errors, one cause each', () => {
    const response = deniedResponse('u-1', {
      resource: 'shoots',
      name: 'dev',
      errors: [invalid('spec.maintenance.timeWindow', 'x', 'too short')],
    });
    expect(response).toEqual({
      uid: 'u-1',
      allowed: false,
      status: {
        code: 403,
        reason: 'Forbidden',
        message: 'spec.maintenance.timeWindow: Invalid value: "x": too short',
        details: {
          name: 'dev',
          group: 'core.gardener.cloud',
          kind: 'shoots',
          causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: "x": too short', field: 'spec.maintenance.timeWindow' }],
        },
      },
    });
  });

  it('lists several errors in brackets with one cause each', () => {
    const response = deniedResponse('u-1', {
      resource: 'cloudprofiles',
      name: 'local',
      errors: [invalid('a', 1, 'bad'), notSupported('b', 'x', ['y', 'z'])],
    });
    expect(response.status?.message).toBe(
      '[a: Invalid value: 1: bad, b: Unsupported value: "x": supported values: "y", "z"]',
    );
    expect(response.status?.details.causes.map((c) => c.reason)).toEqual(['FieldValueInvalid', 'FieldValueNotSupported']);
  });
});
