// The CloudProfile webhook: the catalogue rules (gardener/gardener pkg/api/core/validation/cloudprofile.go,
// ValidateCloudProfile; on UPDATE also ValidateCloudProfileSpecUpdate's rule for versions turned unavailable,
// judged at deps.now()), checked on the defaulted
// profile (the CRD has no defaulting of its own, Gardener's API server defaults before it validates);
// and the NamespacedCloudProfile webhook, against the parent the catalogue has
// (src/core/namespaced-cloudprofile-validation.ts).
import { defaultCloudProfile } from '../core/cloudprofile.js';
import { validateCloudProfile } from '../core/cloudprofile-validation.js';
import { CLOUD_PROFILE_KIND } from '../core/cloudprofile-types.js';
import { validateNamespacedCloudProfile } from '../core/namespaced-cloudprofile-validation.js';
import { guarded, inOldObject, objectName, type AdmissionDeps } from './handler-deps.js';
import { readCloudProfile, readNamespacedCloudProfile, type ReadObject } from './object-shape.js';
import { allowedResponse, deniedResponse, type AdmissionRequest, type AdmissionResponse, type AdmittedResource } from './review.js';

/** The object and, on UPDATE, the old one, read by `read`; or the denial naming their wrongly typed fields. */
function readProfileReview<T>(
  request: AdmissionRequest,
  resource: AdmittedResource,
  read: (document: unknown) => ReadObject<T>,
): { ok: true; object: T; old: T | undefined } | { ok: false; response: AdmissionResponse } {
  const current = read(request.object);
  const errors = current.ok ? [] : current.errors;
  const old = request.operation === 'UPDATE' ? read(request.oldObject) : undefined;
  if (old && !old.ok) errors.push(...inOldObject(old.errors));
  if (!current.ok || (old && !old.ok)) {
    return { ok: false, response: deniedResponse(request.uid, { resource, name: objectName(request), errors }) };
  }
  return { ok: true, object: current.object, old: old?.object };
}

/** POST /validate/cloudprofiles */
export function validateCloudProfileReview(request: AdmissionRequest, deps: AdmissionDeps): AdmissionResponse {
  return guarded('cloudprofiles', request, deps, () => {
    const { operation } = request;
    if (operation !== 'CREATE' && operation !== 'UPDATE') return allowedResponse(request.uid);
    const read = readProfileReview(request, 'cloudprofiles', readCloudProfile);
    if (!read.ok) return read.response;
    // The read objects are copies, so defaulting may change them.
    const profile = defaultCloudProfile(read.object);
    const old = read.old ? defaultCloudProfile(read.old) : undefined;
    const errors = validateCloudProfile(profile, old, {
      lifecycleFeatureGate: deps.versionClassificationLifecycle === true,
      now: deps.now(),
    });
    if (errors.length > 0) return deniedResponse(request.uid, { resource: 'cloudprofiles', name: objectName(request), errors });
    return allowedResponse(request.uid);
  });
}

/** POST /validate/namespacedcloudprofiles */
export function validateNamespacedCloudProfileReview(request: AdmissionRequest, deps: AdmissionDeps): AdmissionResponse {
  return guarded('namespacedcloudprofiles', request, deps, () => {
    const { operation } = request;
    if (operation !== 'CREATE' && operation !== 'UPDATE') return allowedResponse(request.uid);
    const read = readProfileReview(request, 'namespacedcloudprofiles', readNamespacedCloudProfile);
    if (!read.ok) return read.response;
    const parentName = read.object.spec.parent.name;
    const denial = validateNamespacedCloudProfile({
      profile: read.object,
      old: read.old,
      parent: parentName ? deps.profiles.get({ kind: CLOUD_PROFILE_KIND, name: parentName })?.profile : undefined,
      now: deps.now(),
      options: { lifecycleFeatureGate: deps.versionClassificationLifecycle === true, now: deps.now() },
    });
    if (denial) {
      return deniedResponse(request.uid, {
        resource: 'namespacedcloudprofiles',
        name: objectName(request),
        errors: denial.errors,
        ...(denial.message === undefined ? {} : { detail: denial.message }),
      });
    }
    return allowedResponse(request.uid);
  });
}
