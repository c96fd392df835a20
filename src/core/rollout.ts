// confineSpecUpdateRollout on a CRD (docs/design.md, "Differences from Gardener" 1): what rolls out now, what waits.
//
// Gardener keeps a confined change in `.spec` and does not raise the generation (gardener/gardener
// pkg/apiserver/registry/core/shoot/strategy.go, mustIncreaseGenerationForSpecChanges); a CRD's
// generation is raised by kube-apiserver on every spec change, so this project holds the
// change back instead: the whole desired spec goes into the `pending-spec` annotation and
// `.spec` stays the live one. A later change composes with the held one (a three-way merge:
// the update's own old→new changes win, everything else held is kept), and the held spec
// rolls out at once on a hibernation change, a newly added `reconcile`, confinement switched
// off, or an update from the scheduler.

import { type FieldError, invalid } from './field-errors.js';
import { type JsonObject, isJsonObject, jsonEqual } from './json.js';
import { FORCED_UPDATE_NOTICES_ANNOTATION, NEEDS_RETRY_ANNOTATION, OPERATION_ANNOTATION, OP_RECONCILE, hasOperation } from './operations.js';
import { type Shoot, type ShootSpec, annotationsOf, deepCopy } from './shoot.js';
import { specShapeProblem } from './shoot-spec-shape.js';
import { maintainedInOccurrence, scheduleOf } from './maintenance-schedule.js';
import { isoSeconds } from './timewindow.js';

export const PENDING_SPEC_ANNOTATION = 'maintenance.gardener.cloud/pending-spec';
/** The field of held-spec errors. */
export const PENDING_SPEC_FIELD = `metadata.annotations[${PENDING_SPEC_ANNOTATION}]`;

export type RolloutOutcome = 'not-confined' | 'no-spec-change' | 'held' | 'released';

/** Why a held spec rolled out (the `releaseReason` of a `released` outcome). */
export const RELEASE_REASONS = {
  scheduler: 'update from the maintenance scheduler',
  confinementOff: 'confineSpecUpdateRollout switched off',
  hibernation: 'hibernation setting changed',
  reconcile: 'reconcile operation annotation added',
} as const;

// ---- JSON helpers: three-way composition, changed paths ------------------------------------


/** A list of objects that all carry a distinct string `name` (worker pools, extensions, …). */
function isNamedList(value: unknown): value is JsonObject[] {
  if (!Array.isArray(value)) return false;
  const names = new Set<string>();
  for (const item of value) {
    if (!isJsonObject(item) || typeof item.name !== 'string' || names.has(item.name)) return false;
    names.add(item.name);
  }
  return true;
}

function composeNamedList(base: JsonObject[], oldList: JsonObject[], newList: JsonObject[]): JsonObject[] {
  const byName = (list: JsonObject[]) => new Map(list.map((item) => [item.name as string, item]));
  const oldByName = byName(oldList);
  const newByName = byName(newList);
  const result: JsonObject[] = [];
  for (const item of base) {
    const name = item.name as string;
    const oldItem = oldByName.get(name);
    const newItem = newByName.get(name);
    if (oldItem !== undefined && newItem === undefined) continue; // removed by this update
    if (oldItem !== undefined && newItem !== undefined) result.push(composeValue(item, oldItem, newItem) as JsonObject);
    else if (newItem !== undefined) result.push(newItem); // added by this update and already held: update wins
    else result.push(item);
  }
  const inResult = new Set(result.map((item) => item.name as string));
  for (const item of newList) {
    const name = item.name as string;
    if (inResult.has(name)) continue;
    const oldItem = oldByName.get(name);
    // New in this update, or changed by it while the held spec had dropped it: the update wins.
    if (oldItem === undefined || !jsonEqual(oldItem, item)) result.push(item);
  }
  return result;
}

/**
 * Three-way merge: apply this update's changes (old → new) onto `base`. Objects merge key by
 * key, lists of named objects merge by name, anything else is replaced by the update's value.
 */
export function composeValue(base: unknown, oldValue: unknown, newValue: unknown): unknown {
  if (jsonEqual(oldValue, newValue)) return base;
  if (isJsonObject(base) && isJsonObject(oldValue) && isJsonObject(newValue)) {
    const result: JsonObject = { ...base };
    for (const key of new Set([...Object.keys(oldValue), ...Object.keys(newValue)])) {
      const inOld = Object.hasOwn(oldValue, key);
      const inNew = Object.hasOwn(newValue, key);
      if (inOld === inNew && jsonEqual(oldValue[key], newValue[key])) continue; // untouched: the held value stays
      if (inOld && !inNew) delete result[key];
      else if (!inOld || !Object.hasOwn(base, key)) result[key] = newValue[key];
      else result[key] = composeValue(base[key], oldValue[key], newValue[key]);
    }
    return result;
  }
  if (isNamedList(base) && isNamedList(oldValue) && isNamedList(newValue)) {
    return composeNamedList(base, oldValue, newValue);
  }
  return newValue;
}

/** One changed leaf between two JSON values: its path and both sides (undefined = absent). */
export interface JsonChange {
  path: string;
  from: unknown;
  to: unknown;
}

/** Every changed leaf path from `from` to `to`, e.g. `spec.kubernetes.version`, `spec.provider.workers[0].maximum`. */
export function changedPaths(from: unknown, to: unknown, path: string): JsonChange[] {
  if (jsonEqual(from, to)) return [];
  if (isJsonObject(from) && isJsonObject(to)) {
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
    return keys.flatMap((k) => changedPaths(from[k], to[k], `${path}.${k}`));
  }
  if (Array.isArray(from) && Array.isArray(to)) {
    const length = Math.max(from.length, to.length);
    const changes: JsonChange[] = [];
    for (let i = 0; i < length; i++) changes.push(...changedPaths(from[i], to[i], `${path}[${i}]`));
    return changes;
  }
  return [{ path, from, to }];
}

// ---- the pending-spec annotation --------------------------------------------------------------

function shortValue(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * The held spec of a shoot: undefined when there is none; an Invalid error at
 * `metadata.annotations[maintenance.gardener.cloud/pending-spec]` when it is not JSON (`notJson`)
 * or not the JSON of a spec (shoot-spec-shape.ts, specShapeProblem). This is the only check of a
 * held spec: the webhooks (src/admission/object-shape.ts, heldSpecErrors) and plan() rely on it.
 */
export function pendingSpecOf(shoot: Shoot): { ok: true; spec: ShootSpec | undefined } | { ok: false; notJson: boolean; error: FieldError } {
  const raw = annotationsOf(shoot)[PENDING_SPEC_ANNOTATION];
  if (raw === undefined) return { ok: true, spec: undefined };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return { ok: false, notJson: true, error: invalid(PENDING_SPEC_FIELD, shortValue(raw), `must be the JSON of a Shoot spec: ${reason}`) };
  }
  const problem = specShapeProblem(parsed);
  if (problem !== undefined) {
    return { ok: false, notJson: false, error: invalid(PENDING_SPEC_FIELD, shortValue(raw), `must be the JSON of a Shoot spec: ${problem}`) };
  }
  return { ok: true, spec: parsed as ShootSpec };
}

function withoutAnnotation(shoot: Shoot, key: string): void {
  const annotations = shoot.metadata.annotations;
  if (annotations === undefined || !Object.hasOwn(annotations, key)) return;
  delete annotations[key];
  if (Object.keys(annotations).length === 0) delete shoot.metadata.annotations;
}

function setAnnotation(shoot: Shoot, key: string, value: string): void {
  shoot.metadata.annotations = { ...(shoot.metadata.annotations ?? {}), [key]: value };
}

/** The shoot as it would be if its held spec rolled out now (spec := pending spec, annotation removed).
 *  A shoot without a (valid) held spec is returned as an unchanged copy. */
export function withPendingSpecApplied(shoot: Shoot): Shoot {
  const pending = pendingSpecOf(shoot);
  const copy = deepCopy(shoot);
  if (!pending.ok || pending.spec === undefined) return copy;
  copy.spec = deepCopy(pending.spec);
  withoutAnnotation(copy, PENDING_SPEC_ANNOTATION);
  return copy;
}

// ---- the decision -----------------------------------------------------------------------------

function hibernationEnabled(spec: ShootSpec): boolean {
  return spec.hibernation?.enabled === true;
}

function releaseReasonFor(input: { desired: ShootSpec; shoot: Shoot; oldShoot: Shoot; fromScheduler: boolean; confined: boolean }): string | undefined {
  if (input.fromScheduler) return RELEASE_REASONS.scheduler;
  if (!input.confined) return RELEASE_REASONS.confinementOff;
  if (hibernationEnabled(input.desired) !== hibernationEnabled(input.oldShoot.spec)) return RELEASE_REASONS.hibernation;
  const reconcileAdded =
    hasOperation(input.shoot, OPERATION_ANNOTATION, OP_RECONCILE) && !hasOperation(input.oldShoot, OPERATION_ANNOTATION, OP_RECONCILE);
  if (reconcileAdded) return RELEASE_REASONS.reconcile;
  return undefined;
}

/**
 * The mutating webhook's rollout decision for an UPDATE (`shoot` already defaulted). Returns a
 * copy; the input is not changed.
 * - `not-confined`: no held spec and the desired spec does not confine rollouts: untouched.
 * - `no-spec-change`: this request does not change the spec (metadata-only): untouched. A held
 *   spec stays held; removing the annotation in such a request cancels it. An unparsable
 *   pending-spec annotation is also left as is here; validation rejects it.
 * - `held`: the desired spec (the held one composed with this update's changes) is stored in
 *   the annotation and `.spec` restored to the live spec; a Failed shoot gets the needs-retry
 *   annotation (as in gardener/gardener plugin/pkg/shoot/mutator/admission.go, addMetadataAnnotations).
 * - `released`: spec := desired spec, annotation removed; `releaseReason` says why.
 */
export function confineRollout(input: { shoot: Shoot; oldShoot: Shoot; fromScheduler: boolean }): {
  shoot: Shoot;
  outcome: RolloutOutcome;
  releaseReason?: string;
} {
  const { oldShoot, fromScheduler } = input;
  const shoot = deepCopy(input.shoot);
  const pending = pendingSpecOf(shoot);
  if (!pending.ok) return { shoot, outcome: 'no-spec-change' };

  const liveSpec = oldShoot.spec;
  const specChanged = !jsonEqual(shoot.spec, liveSpec);
  // kubectl apply keeps the annotation while `.spec` carries the user's desired spec: compose
  // this update's changes relative to the LIVE spec onto the held one.
  const held = pending.spec;
  const desired = held === undefined ? shoot.spec : (composeValue(held, liveSpec, shoot.spec) as ShootSpec);
  const confined = desired.maintenance?.confineSpecUpdateRollout === true;

  if (held === undefined) {
    if (!confined) return { shoot, outcome: 'not-confined' };
    if (!specChanged) return { shoot, outcome: 'no-spec-change' };
  }

  // The scheduler's patch of its forced-update-notices annotation (neither the spec nor the held
  // spec changed) is not a maintenance update: it releases nothing.
  const annotationOf = (s: Shoot, key: string) => annotationsOf(s)[key];
  const noticesOnly =
    !specChanged &&
    annotationOf(shoot, PENDING_SPEC_ANNOTATION) === annotationOf(oldShoot, PENDING_SPEC_ANNOTATION) &&
    annotationOf(shoot, FORCED_UPDATE_NOTICES_ANNOTATION) !== annotationOf(oldShoot, FORCED_UPDATE_NOTICES_ANNOTATION);
  if (fromScheduler && noticesOnly) return { shoot, outcome: 'no-spec-change' };
  const releaseReason = releaseReasonFor({ desired, shoot, oldShoot, fromScheduler, confined });
  if (releaseReason !== undefined) {
    shoot.spec = deepCopy(desired);
    withoutAnnotation(shoot, PENDING_SPEC_ANNOTATION);
    return { shoot, outcome: 'released', releaseReason };
  }
  if (!specChanged) return { shoot, outcome: 'no-spec-change' };

  // A spec change always leaves the desired spec different from the live one: the changed
  // fields take the request's values, which differ from the live ones.
  shoot.spec = deepCopy(liveSpec);
  setAnnotation(shoot, PENDING_SPEC_ANNOTATION, JSON.stringify(desired));
  const lastOperationState = (shoot.status ?? oldShoot.status)?.lastOperation?.state;
  if (lastOperationState === 'Failed') setAnnotation(shoot, NEEDS_RETRY_ANNOTATION, 'true');
  return { shoot, outcome: 'held' };
}

// ---- the warning --------------------------------------------------------------------------------

/**
 * Warning text (< 120 chars) for a held change, naming when it rolls out (UTC). Inside the
 * effective window and not yet maintained in this occurrence, the current window is named;
 * otherwise the start of the next one.
 */
export function heldChangeWarning(shoot: Shoot, now: Date): string {
  const schedule = scheduleOf(shoot);
  const current = schedule.occurrenceContaining(now);
  if (current !== undefined && !maintainedInOccurrence(shoot, current)) {
    return `spec change held for the current maintenance window, ending ${isoSeconds(current.end)} (confineSpecUpdateRollout)`;
  }
  const next = schedule.nextOccurrence(now);
  return `spec change held until the maintenance window starting ${isoSeconds(next.begin)} (confineSpecUpdateRollout)`;
}
