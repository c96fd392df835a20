// The matchConditions of the webhook configurations (CEL, GA since Kubernetes 1.30): kube-apiserver
// skips a webhook whose condition is false, so a write that cannot change a handler's answer never
// leaves it (docs/design.md, "No call where none is needed"). manifests/webhook/*configuration.yaml
// carry these expressions verbatim (test/unit/manifests.test.ts compares them) and
// the test cluster registers them from here (tools/test-cluster/webhook-registration.ts).
//
// What the handlers read, and so what an UPDATE must change to be sent:
// - Shoots (mutate and validate): `spec`; `status` (the mutating webhook sees the status a client
//   sent, before kube-apiserver resets it, and reads lastOperation and credential rotation);
//   whether `metadata.deletionTimestamp` is set; and five annotations. Labels and every other
//   annotation (kubectl's last-applied configuration, the scheduler's run record and forced-update
//   notices, Gardener's tasks) are read by neither handler.
// - CloudProfiles and both freeze kinds: `spec` only.
// - NamespacedCloudProfiles get no condition: Gardener's plugin validates an update that changes
//   only the metadata against the parent too (src/core/namespaced-cloudprofile-validation.ts).
import { MAINTENANCE_OPERATION_ANNOTATION, OPERATION_ANNOTATION } from '../core/operations.js';
import { PENDING_SPEC_ANNOTATION } from '../core/rollout.js';
import { DAYS_ANNOTATION, TIME_ZONE_ANNOTATION } from '../core/maintenance-schedule.js';
import type { AdmittedResource } from './review.js';

export interface MatchCondition {
  name: string;
  expression: string;
}

/** The annotations a Shoot handler reads; a change of any other does not reach the webhook. */
export const SHOOT_ANNOTATIONS_READ = [
  OPERATION_ANNOTATION,
  MAINTENANCE_OPERATION_ANNOTATION,
  PENDING_SPEC_ANNOTATION,
  TIME_ZONE_ANNOTATION,
  DAYS_ANNOTATION,
] as const;

/** `field` (a top-level key such as `spec`) differs between object and oldObject, absence included. */
function fieldChanged(field: string): string {
  return `has(object.${field}) != has(oldObject.${field}) || (has(object.${field}) && object.${field} != oldObject.${field})`;
}

/** An annotation `k` of the list was added, removed or changed. No optional types: plain has() and `in`. */
function annotationsChanged(keys: readonly string[]): string {
  const present = (o: string) => `(has(${o}.metadata.annotations) && k in ${o}.metadata.annotations)`;
  const list = keys.map((k) => `'${k}'`).join(', ');
  return `[${list}].exists(k, ${present('object')} != ${present('oldObject')} || (${present('object')} && object.metadata.annotations[k] != oldObject.metadata.annotations[k]))`;
}

const SHOOT_EXPRESSION = [
  "request.operation != 'UPDATE'",
  fieldChanged('spec'),
  fieldChanged('status'),
  'has(object.metadata.deletionTimestamp) != has(oldObject.metadata.deletionTimestamp)',
  annotationsChanged(SHOOT_ANNOTATIONS_READ),
].join(' || ');

const SPEC_EXPRESSION = ["request.operation != 'UPDATE'", fieldChanged('spec')].join(' || ');

/** The matchConditions of the webhook for `resource` (mutate and validate of Shoots alike); [] = always called. */
export function matchConditionsFor(resource: AdmittedResource): MatchCondition[] {
  switch (resource) {
    case 'shoots':
      return [{ name: 'changes-what-the-shoot-webhooks-read', expression: SHOOT_EXPRESSION }];
    case 'cloudprofiles':
    case 'maintenanceexclusions':
    case 'clustermaintenanceexclusions':
      return [{ name: 'creates-or-changes-the-spec', expression: SPEC_EXPRESSION }];
    case 'namespacedcloudprofiles':
      return [];
  }
}
