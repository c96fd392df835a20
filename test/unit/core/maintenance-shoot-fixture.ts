// A Shoot for maintenance-run tables: the given spec fields over a workerless `local` shoot with
// auto-update of Kubernetes versions, at `version`, last operation succeeded.
import type { Shoot, ShootSpec } from '../../../src/core/shoot.js';

export function shootWith(spec: Partial<ShootSpec>, version: string): Shoot {
  return {
    apiVersion: 'core.gardener.cloud/v1beta1',
    kind: 'Shoot',
    metadata: { name: 'demo', namespace: 'garden-dev' },
    spec: {
      cloudProfileName: 'local',
      provider: { type: 'local', workers: [] },
      maintenance: { autoUpdate: { kubernetesVersion: true, machineImageVersion: false }, timeWindow: { begin: '100000+0000', end: '110000+0000' } },
      ...spec,
      kubernetes: { ...(spec.kubernetes ?? {}), version },
    },
    status: { lastOperation: { type: 'Reconcile', state: 'Succeeded' } },
  };
}
