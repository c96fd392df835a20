// The two Shoot webhooks. Mutating: defaulting, then (on UPDATE) the confined-rollout hold; the
// patch is computed from the original and the mutated copy. Validating: the Shoot rules and the
// warnings. Both answer DELETE/CONNECT with a plain allow and dry-run requests like real ones.
import { defaultShoot } from '../core/defaulting.js';
import { renderFieldErrors } from '../core/field-errors.js';
import { confineRollout, heldChangeWarning } from '../core/rollout.js';
import { cloudProfileRefOf, type Shoot } from '../core/shoot.js';
import { shootWarnings } from '../core/shoot-warnings.js';
import { validateShoot } from '../core/validation.js';
import { guarded, inOldObject, objectName, type AdmissionDeps } from './handler-deps.js';
import { createJsonPatch } from './json-patch.js';
import { heldSpecErrors, readShoot } from './object-shape.js';
import {
  allowedResponse,
  deniedResponse,
  patchedResponse,
  type AdmissionRequest,
  type AdmissionResponse,
} from './review.js';

type ShootReview =
  | { kind: 'skip' }
  | { kind: 'denied'; response: AdmissionResponse }
  | { kind: 'shoot'; operation: 'CREATE' | 'UPDATE'; shoot: Shoot; oldShoot: Shoot | undefined };

/**
 * The typed objects of a CREATE/UPDATE review, read as Gardener reads them (absent and `null`
 * sections: gardener-decoding.ts), or the denial for objects of the wrong shape.
 */
function readShootReview(request: AdmissionRequest): ShootReview {
  const { operation } = request;
  if (operation !== 'CREATE' && operation !== 'UPDATE') return { kind: 'skip' };
  const shoot = readShoot(request.object);
  const errors = shoot.ok ? heldSpecErrors(shoot.object) : shoot.errors;
  // The stored object is checked too: core code reads both.
  const oldShoot = operation === 'UPDATE' ? readShoot(request.oldObject) : undefined;
  if (oldShoot && !oldShoot.ok) errors.push(...inOldObject(oldShoot.errors));
  if (!shoot.ok || (oldShoot && !oldShoot.ok) || errors.length > 0) {
    return {
      kind: 'denied',
      response: deniedResponse(request.uid, { resource: 'shoots', name: objectName(request), errors }),
    };
  }
  return { kind: 'shoot', operation, shoot: shoot.object, oldShoot: oldShoot?.object };
}

/** POST /mutate/shoots */
export function mutateShootReview(request: AdmissionRequest, deps: AdmissionDeps): AdmissionResponse {
  return guarded('shoots', request, deps, () => {
    const review = readShootReview(request);
    if (review.kind === 'skip') return allowedResponse(request.uid);
    if (review.kind === 'denied') return review.response;
    const now = deps.now();
    const profileRef = cloudProfileRefOf(review.shoot);
    const index = profileRef ? deps.profiles.get(profileRef) : undefined;
    const defaulted = defaultShoot({
      shoot: review.shoot,
      oldShoot: review.oldShoot,
      operation: review.operation,
      index,
      now,
    });
    if (defaulted.errors.length > 0) {
      return deniedResponse(request.uid, {
        resource: 'shoots',
        name: objectName(request),
        errors: defaulted.errors,
      });
    }
    let mutated = defaulted.shoot;
    const warnings: string[] = [];
    if (review.oldShoot) {
      const username = request.userInfo?.username ?? '';
      const confined = confineRollout({
        shoot: mutated,
        oldShoot: review.oldShoot,
        fromScheduler: deps.schedulerUsers.includes(username),
      });
      mutated = confined.shoot;
      if (confined.outcome === 'held') warnings.push(heldChangeWarning(mutated, now));
      if (confined.outcome !== 'not-confined' && confined.outcome !== 'no-spec-change') {
        deps.log?.debug({ outcome: confined.outcome, releaseReason: confined.releaseReason }, 'confined rollout');
      }
    }
    // Against the object as sent: the patch also carries what reading it as Gardener does changed.
    return patchedResponse(request.uid, createJsonPatch(request.object, mutated), warnings);
  });
}

/** POST /validate/shoots */
export function validateShootReview(request: AdmissionRequest, deps: AdmissionDeps): AdmissionResponse {
  return guarded('shoots', request, deps, () => {
    const review = readShootReview(request);
    if (review.kind === 'skip') return allowedResponse(request.uid);
    if (review.kind === 'denied') return review.response;
    const now = deps.now();
    // A submitted held spec is validated as if it rolled out now, against the profile it names.
    const result = validateShoot({
      shoot: review.shoot,
      oldShoot: review.oldShoot,
      operation: review.operation,
      profiles: (ref) => deps.profiles.get(ref),
      now,
    });
    if (result.errors.length > 0) {
      deps.log?.debug({ errors: renderFieldErrors(result.errors) }, 'shoot denied');
      return deniedResponse(request.uid, {
        resource: 'shoots',
        name: objectName(request),
        errors: result.errors,
      });
    }
    const warnings = shootWarnings({
      shoot: result.shoot,
      oldShoot: review.oldShoot,
      index: result.index,
      now,
      expiryWarningDays: deps.expiryWarningDays,
    });
    return allowedResponse(request.uid, warnings);
  });
}
