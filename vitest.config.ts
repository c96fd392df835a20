import { defineConfig } from 'vitest/config';

// Five projects: `npm test` runs unit + integration (fast, no cluster); `npm run test:e2e`
// runs e2e against a real kube-apiserver and etcd; `npm run test:deploy` runs deploy (the
// manifests with the real components they rely on, e.g. cert-manager; not in CI yet);
// `npm run test:node-smoke` runs node-smoke (as root: a one-node cluster from cluster:up --node,
// real Pods on it, then cluster:down and a check of the host; test/deploy/*.smoke.ts, so that
// the deploy project does not pick it up; not in CI yet).
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          globalSetup: ['test/e2e/global-setup.ts'],
        },
      },
      {
        test: {
          name: 'deploy',
          include: ['test/deploy/**/*.test.ts'],
          environment: 'node',
          testTimeout: 240_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'node-smoke',
          include: ['test/deploy/**/*.smoke.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 660_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
