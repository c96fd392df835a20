// The layer rule of eslint.config.js (docs/design.md, "Layers") on fixtures: the real ESLint with
// the project's config, on source text linted as if it lived in a folder of src/.
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: join(import.meta.dirname, '..', '..') });

async function layerErrors(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('imports point down the layers', () => {
  it.each([
    ['src/core/fixture.ts', "import { buildApp } from '../webhook/app.js';"],
    ['src/core/fixture.ts', "import type { AdmissionDeps } from '../admission/handler-deps.js';"],
    ['src/admission/fixture.ts', "import { StaticCloudProfileSource } from '../catalogue/static-source.js';"],
    ['src/kube/fixture.ts', "import type { LeaderElector } from '../scheduler/leader-election.js';"],
    ['src/webhook/routes/fixture.ts', "import { x } from '../../scheduler/scheduler.js';"],
    ['src/scheduler/fixture.ts', "import { buildApp } from '../webhook/app.js';"],
    ['src/commands/fixture.ts', "import { main } from '../cli.js';"],
    ['src/webhook/fixture.ts', "import { startTestCluster } from '../../tools/test-cluster/cluster.js';"],
    ['src/abortable-sleep.ts', "import { deepCopy } from './core/shoot.js';"],
  ])('%s: %s is refused', async (file, source) => {
    const errors = await layerErrors(file, `${source}\nexport {};\n`);
    expect(errors).toHaveLength(1);
  });

  it.each([
    ['src/admission/fixture.ts', "import { deepCopy } from '../core/shoot.js';"],
    ['src/scheduler/fixture.ts', "import { KubeRestClient } from '../kube/rest-client.js';"],
    ['src/webhook/routes/fixture.ts', "import { metrics } from '../metrics.js';"],
    ['src/webhook/routes/fixture.ts', "import { readShoot } from '../../admission/object-shape.js';"],
    ['src/commands/fixture.ts', "import { buildApp } from '../webhook/app.js';"],
    ['src/cli.ts', "import { registerPlanCommand } from './commands/plan.js';"],
  ])('%s: %s is allowed', async (file, source) => {
    expect(await layerErrors(file, `${source}\nexport {};\n`)).toEqual([]);
  });
});
