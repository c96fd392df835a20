// What the scheduler's Shoot cache keeps of each Shoot. The cache only decides *when* a shoot is
// due (window, schedule annotations, operations, status.lastMaintenance) and what a forced-update
// notice says (spec versions); every run reads the shoot afresh before it plans and writes
// (maintenance-run.ts). So the parts nothing here reads are dropped as objects arrive, the way
// client-go informers are given a transform (Gardener's controllers strip managedFields the same
// way: pkg/controllerutils, TransformStripManagedFields):
//   - metadata.managedFields: kube-apiserver's field ownership, often the largest part of a Shoot;
//   - the `kubectl.kubernetes.io/last-applied-configuration` annotation: a second copy of what was applied;
//   - status apart from lastMaintenance (a Gardener Shoot's status holds conditions, constraints…).
import type { Shoot } from '../core/shoot.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** The Shoot as the scheduler's cache keeps it (a new object; the input is not changed). */
export function cachedShootOf(shoot: Shoot): Shoot {
  const { managedFields: _managedFields, ...metadata } = shoot.metadata as Shoot['metadata'] & { managedFields?: unknown };
  if (metadata.annotations && LAST_APPLIED_ANNOTATION in metadata.annotations) {
    const { [LAST_APPLIED_ANNOTATION]: _lastApplied, ...annotations } = metadata.annotations;
    metadata.annotations = annotations;
  }
  const cached: Shoot = { ...shoot, metadata };
  const lastMaintenance = shoot.status?.lastMaintenance;
  if (shoot.status !== undefined) cached.status = lastMaintenance === undefined ? {} : { lastMaintenance };
  return cached;
}
