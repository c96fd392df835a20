// What the admission handlers need from the outside world, and the guard that turns an
// unexpected exception into a denial (the webhook never answers a review with a 500).
import type { CatalogueIndex } from '../core/cloudprofile.js';
import type { FieldError } from '../core/field-errors.js';
import type { ProfileRef } from '../core/shoot.js';
import {
  deniedResponse,
  type AdmissionRequest,
  type AdmissionResponse,
  type AdmittedResource,
  type JsonObject,
} from './review.js';

export const DEFAULT_SCHEDULER_USER = 'system:serviceaccount:shoot-maintenance:shoot-maintenance-scheduler';
export const DEFAULT_EXPIRY_WARNING_DAYS = 30;

/** The two log levels handlers use (a pino or fastify request logger). */
export interface AdmissionLog {
  error(details: object, message: string): void;
  debug(details: object, message: string): void;
}

/**
 * Where handlers find CloudProfiles, each already shape-checked, defaulted and indexed, and the
 * merged profiles of NamespacedCloudProfiles (src/core/namespaced-cloudprofile.ts). The catalogue
 * implements it (src/catalogue/: files; src/kube/cloudprofile-informer.ts: the cluster).
 */
export interface CloudProfileSource {
  /** A CloudProfile by name, or the merged profile of a NamespacedCloudProfile in `ref.namespace`. */
  get(ref: ProfileRef): CatalogueIndex | undefined;
  /** True once the source has seen every profile at least once (the informer's first list). */
  synced(): boolean;
}

export interface AdmissionDeps {
  profiles: CloudProfileSource;
  now(): Date;
  /** Usernames whose updates release a held spec (the scheduler's own identity). */
  schedulerUsers: readonly string[];
  expiryWarningDays: number;
  /** Gardener's `VersionClassificationLifecycle` gate (`--feature-gates`): lifecycles pass CloudProfile validation. Default off. */
  versionClassificationLifecycle?: boolean;
  /** The request's logger (a child carrying the review uid); errors are logged here. */
  log?: AdmissionLog;
}

/** The name a response talks about: the request's, else the object's (empty on generateName). */
/** Field errors of the stored object (UPDATE's oldObject), marked so a reader knows which object. */
export function inOldObject(errors: readonly FieldError[]): FieldError[] {
  return errors.map((e) => ({ ...e, detail: `${e.detail} (in oldObject)` }));
}

export function objectName(request: AdmissionRequest): string {
  if (request.name) return request.name;
  const source: JsonObject | null | undefined = request.object ?? request.oldObject;
  const metadata = source?.metadata as { name?: unknown } | undefined;
  return typeof metadata?.name === 'string' ? metadata.name : '';
}

/** Runs a handler; an exception is logged with the uid and answered as a generic denial. */
export function guarded(
  resource: AdmittedResource,
  request: AdmissionRequest,
  deps: AdmissionDeps,
  handler: () => AdmissionResponse,
): AdmissionResponse {
  try {
    return handler();
  } catch (err) {
    deps.log?.error(
      { uid: request.uid, err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err) },
      'admission handler failed',
    );
    return deniedResponse(request.uid, {
      resource,
      name: objectName(request),
      errors: [],
      detail: `the shoot-maintenance webhook could not review this request (internal error, uid ${request.uid})`,
    });
  }
}
