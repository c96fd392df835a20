// Shoot defaulting (mutating webhook, before the rollout decision): Gardener's v1beta1 defaults
// for `spec.maintenance` (gardener/gardener pkg/apis/core/v1beta1/defaults_shoot.go, SetDefaults_Shoot and
// SetDefaults_Maintenance) and the ShootMutator's version completion (plugin/pkg/shoot/mutator/admission.go,
// defaultKubernetes, defaultKubernetesVersionForWorkers, ensureMachineImages).
//
// - `spec.maintenance` is created; `autoUpdate` defaults to `{kubernetesVersion: true}`, and
//   `autoUpdate.machineImageVersion` to true for shoots with workers.
// - A missing `timeWindow` gets the stable default window (docs/design.md, "Differences from Gardener" 4), on CREATE and
//   on UPDATE alike (so removing the window yields the default one). A window that is present
//   with an empty begin or end is left alone: validation reports the parse error.
// - Short Kubernetes versions (control plane and pools) and partial machine images are
//   completed from the CloudProfile. Without a CloudProfile (unknown name) this is skipped:
//   validation rejects the shoot. A shoot in deletion gets no version work.

import type { CatalogueIndex } from './cloudprofile.js';
import { type FieldError, invalid } from './field-errors.js';
import { type Shoot, type Worker, deepCopy, workersOf } from './shoot.js';
import { defaultTimeWindow } from './timewindow.js';
import { completeKubernetesVersion, completeMachineImage } from './version-completion.js';

/**
 * The name the default window is hashed from. A CREATE with `generateName` has no name yet
 * (kube-apiserver generates it after admission), so `generateName` plus the uid stands in; when
 * there is no uid either, every shoot of that generateName gets the same (still valid) window.
 */
export function windowSeedName(shoot: Shoot): string {
  const meta = shoot.metadata;
  if (meta.name) return meta.name;
  return `${meta.generateName ?? ''}${meta.uid ?? ''}`;
}

function defaultMaintenance(shoot: Shoot): void {
  const maintenance = (shoot.spec.maintenance ??= {});
  maintenance.autoUpdate ??= { kubernetesVersion: true };
  if (workersOf(shoot).length > 0 && maintenance.autoUpdate.machineImageVersion === undefined) {
    maintenance.autoUpdate.machineImageVersion = true;
  }
  if (maintenance.timeWindow === undefined || maintenance.timeWindow === null) {
    maintenance.timeWindow = defaultTimeWindow(shoot.metadata.namespace ?? '', windowSeedName(shoot));
  }
}

function completeVersions(shoot: Shoot, oldShoot: Shoot | undefined, index: CatalogueIndex, now: Date): FieldError[] {
  const errors: FieldError[] = [];
  const controlPlane = completeKubernetesVersion(shoot.spec.kubernetes.version ?? '', index.kubernetes, now);
  if (controlPlane.ok) shoot.spec.kubernetes.version = controlPlane.version;
  else errors.push(invalid('spec.kubernetes.version', controlPlane.badValue, controlPlane.detail));

  const oldWorkers = oldShoot ? workersOf(oldShoot) : [];
  workersOf(shoot).forEach((worker: Worker, i) => {
    const path = `spec.provider.workers[${i}]`;
    const workerVersion = worker.kubernetes?.version;
    if (worker.kubernetes !== undefined && workerVersion !== undefined) {
      const completed = completeKubernetesVersion(workerVersion, index.kubernetes, now);
      if (completed.ok) worker.kubernetes.version = completed.version;
      else errors.push(invalid(`${path}.kubernetes.version`, completed.badValue, completed.detail));
    }

    const oldWorker = oldWorkers.find((w) => w.name === worker.name);
    const kubeletVersion = worker.kubernetes?.version ?? shoot.spec.kubernetes.version ?? '';
    const image = completeMachineImage({ index, worker, oldWorker, kubeletVersion, now });
    if (!image.ok) {
      errors.push(invalid(`${path}.machine.image`, image.badValue, image.detail));
      return;
    }
    const keptOld = oldWorker?.machine.image;
    const base = keptOld && keptOld.name === image.image.name && keptOld.version === image.image.version ? keptOld : {};
    // Other image fields (providerConfig, …) of the request win over the kept old image's.
    worker.machine.image = { ...base, ...(worker.machine.image ?? {}), name: image.image.name, version: image.image.version };
  });
  return errors;
}

/** Defaults a Shoot for the mutating webhook; returns a mutated deep copy and the field errors. */
export function defaultShoot(input: {
  shoot: Shoot;
  oldShoot?: Shoot;
  operation: 'CREATE' | 'UPDATE';
  index?: CatalogueIndex;
  now: Date;
}): { shoot: Shoot; errors: FieldError[] } {
  const shoot = deepCopy(input.shoot);
  defaultMaintenance(shoot);
  const deleting = input.operation === 'UPDATE' && Boolean(shoot.metadata.deletionTimestamp);
  if (input.index === undefined || deleting) return { shoot, errors: [] };
  const oldShoot = input.operation === 'UPDATE' ? input.oldShoot : undefined;
  return { shoot, errors: completeVersions(shoot, oldShoot, input.index, input.now) };
}
