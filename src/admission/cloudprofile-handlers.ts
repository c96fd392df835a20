// The CloudProfile webhook: the catalogue rules (gardener/gardener pkg/api/core/validation/cloudprofile.go,
// ValidateCloudProfile; on UPDATE also ValidateCloudProfileSpecUpdate's rule for versions turned unavailable,
// judged at deps.now()), checked on the defaulted
// profile (the CRD has no defaulting of its own, Gardener's API server defaults before it validates);
// and the NamespacedCloudProfile webhook, against the parent the catalogue has
// (src/core/namespaced-cloudprofile-validation.ts).
import { defaultCloudProfile } from '../core/cloudprofile.js';
import { validateCloudProfile } from '../core/cloudprofile-validation.js';
import { guarded, inOldObject, objectName, type AdmissionDeps } from './handler-deps.js';
import { CLOUD_PROFILE_KIND } from '../core/cloudprofile-types.js';
import { validateNamespacedCloudProfile } from '../core/namespaced-cloudprofile-validation.js';
import { readCloudProfile, readNamespacedCloudProfile } from './object-shape.js';
import { allowedResponse, deniedResponse, type AdmissionRequest, type AdmissionResponse } from './review.js';

/** POST /validate/cloudprofiles */
export function validateCloudProfileReview(request: AdmissionRequest, deps: AdmissionDeps): AdmissionResponse {
  return guarded('cloudprofiles', request, deps, () => {
    const { operation } = request;
    if (operation !== 'CREATE' && operation !== 'UPDATE') return allowedResponse(request.uid);
    const name = objectName(request);
    const read = readCloudProfile(request.object);
    const shapeErrors = read.ok ? [] : read.errors;
    const readOld = operation === 'UPDATE' ? readCloudProfile(request.oldObject) : undefined;
    if (readOld && !readOld.ok) shapeErrors.push(...inOldObject(readOld.errors));
    if (!read.ok || (readOld && !readOld.ok)) {
      return deniedResponse(request.uid, { resource: 'cloudprofiles', name, errors: shapeErrors });
    }
    // The read objects are copies, so defaulting may change them.
    const profile = defaultCloudProfile(read.object);
    const old = readOld ? defaultCloudProfile(readOld.object) : undefined;
    const errors = validateCloudProfile(profile, old, {
      lifecycleFeatureGate: deps.versionClassificationLifecycle === true,
      now: deps.now(),
    });
    if (errors.length > 0) return deniedResponse(request.uid, { resource: 'cloudprofiles', name, errors });
    return allowedResponse(request.uid);
  });
}

/** POST /validate/namespacedcloudprofiles */
export function validateNamespacedCloudProfileReview(request: AdmissionRequest, deps: AdmissionDeps): AdmissionResponse {
  return guarded('namespacedcloudprofiles', request, deps, () => {
    const { operation } = request;
    if (operation !== 'CREATE' && operation !== 'UPDATE') return allowedResponse(request.uid);
    const name = objectName(request);
    const read = readNamespacedCloudProfile(request.object);
    const shapeErrors = read.ok ? [] : read.errors;
    const readOld = operation === 'UPDATE' ? readNamespacedCloudProfile(request.oldObject) : undefined;
    if (readOld && !readOld.ok) shapeErrors.push(...inOldObject(readOld.errors));
    if (!read.ok || (readOld && !readOld.ok)) {
      return deniedResponse(request.uid, { resource: 'namespacedcloudprofiles', name, errors: shapeErrors });
    }
    const parentName = read.object.spec.parent.name;
    const denial = validateNamespacedCloudProfile({
      profile: read.object,
      old: readOld?.object,
      parent: parentName ? deps.profiles.get({ kind: CLOUD_PROFILE_KIND, name: parentName })?.profile : undefined,
      now: deps.now(),
      options: { lifecycleFeatureGate: deps.versionClassificationLifecycle === true, now: deps.now() },
    });
    if (denial) {
      return deniedResponse(request.uid, {
        resource: 'namespacedcloudprofiles',
        name,
        errors: denial.errors,
        ...(denial.message === undefined ? {} : { detail: denial.message }),
      });
    }
    return allowedResponse(request.uid);
  });
}
