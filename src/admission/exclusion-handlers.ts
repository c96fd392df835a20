// The maintenance freezes' webhook: /validate/maintenanceexclusions and
// /validate/clustermaintenanceexclusions (src/core/maintenance-exclusion-validation.ts; docs/design.md,
// "Maintenance freezes"). The CRD schemas check only types; every rule and its text is the core's.
import { CLUSTER_MAINTENANCE_EXCLUSION_KIND, MAINTENANCE_EXCLUSION_KIND } from '../core/maintenance-exclusion.js';
import { validateMaintenanceExclusion } from '../core/maintenance-exclusion-validation.js';
import { guarded, objectName, type AdmissionDeps } from './handler-deps.js';
import { allowedResponse, deniedResponse, type AdmissionRequest, type AdmissionResponse, type AdmittedResource } from './review.js';

function validateExclusionReview(resource: AdmittedResource, kind: string, request: AdmissionRequest, deps: AdmissionDeps): AdmissionResponse {
  return guarded(resource, request, deps, () => {
    const { operation } = request;
    if (operation !== 'CREATE' && operation !== 'UPDATE') return allowedResponse(request.uid);
    const errors = validateMaintenanceExclusion(kind, request.object);
    if (errors.length > 0) return deniedResponse(request.uid, { resource, name: objectName(request), errors });
    return allowedResponse(request.uid);
  });
}

/** POST /validate/maintenanceexclusions */
export function validateMaintenanceExclusionReview(request: AdmissionRequest, deps: AdmissionDeps): AdmissionResponse {
  return validateExclusionReview('maintenanceexclusions', MAINTENANCE_EXCLUSION_KIND, request, deps);
}

/** POST /validate/clustermaintenanceexclusions */
export function validateClusterMaintenanceExclusionReview(request: AdmissionRequest, deps: AdmissionDeps): AdmissionResponse {
  return validateExclusionReview('clustermaintenanceexclusions', CLUSTER_MAINTENANCE_EXCLUSION_KIND, request, deps);
}
