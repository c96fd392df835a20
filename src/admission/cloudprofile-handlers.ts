// The CloudProfile webhook: the catalogue rules (5.1 of the reference), checked on the defaulted
// profile (the CRD has no defaulting of its own, Gardener's API server defaults before it validates).
import { defaultCloudProfile, validateCloudProfile } from '../core/cloudprofile.js';
import type { CloudProfile } from '../core/cloudprofile-types.js';
import { guarded, objectName, type AdmissionDeps } from './handler-deps.js';
import { cloudProfileShapeErrors } from './object-shape.js';
import { allowedResponse, deniedResponse, type AdmissionRequest, type AdmissionResponse } from './review.js';

/** POST /validate/cloudprofiles */
export function validateCloudProfileReview(request: AdmissionRequest, deps: AdmissionDeps): AdmissionResponse {
  return guarded('cloudprofiles', request, deps, () => {
    const { operation } = request;
    if (operation !== 'CREATE' && operation !== 'UPDATE') return allowedResponse(request.uid);
    const name = objectName(request);
    const shapeErrors = cloudProfileShapeErrors(request.object);
    if (operation === 'UPDATE') {
      for (const e of cloudProfileShapeErrors(request.oldObject)) {
        shapeErrors.push({ ...e, detail: `${e.detail} (in oldObject)` });
      }
    }
    if (shapeErrors.length > 0) {
      return deniedResponse(request.uid, { resource: 'cloudprofiles', name, errors: shapeErrors });
    }
    const profile = defaultCloudProfile(structuredClone(request.object as unknown as CloudProfile));
    const old =
      operation === 'UPDATE'
        ? defaultCloudProfile(structuredClone(request.oldObject as unknown as CloudProfile))
        : undefined;
    const errors = validateCloudProfile(profile, old);
    if (errors.length > 0) return deniedResponse(request.uid, { resource: 'cloudprofiles', name, errors });
    return allowedResponse(request.uid);
  });
}
