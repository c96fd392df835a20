// src/node-version.ts: which Node versions the program refuses, and that package.json's engines
// says the same.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIN_NODE_MAJOR, nodeVersionProblem } from '../../src/node-version.js';

describe('nodeVersionProblem', () => {
  it.each(['24.0.0', '24.22.3', '25.1.0', '30.0.0'])('%s runs the program', (version) => {
    expect(nodeVersionProblem(version)).toBeUndefined();
  });

  it.each(['20.20.2', '22.12.0', '23.11.1', '18.19.0', '', 'not-a-version'])('%j is refused, naming itself and the Node it needs', (version) => {
    const problem = nodeVersionProblem(version);
    expect(problem).toMatch(/^needs Node 24 or newer, this is Node /);
    expect(problem).toContain(`this is Node ${version}.`);
  });

  it("agrees with package.json's engines", () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(`>=${MIN_NODE_MAJOR}`);
  });
});
