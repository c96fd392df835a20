#!/usr/bin/env node
// The one entry point: `shoot-maintenance webhook | scheduler | review | plan | schedule | certs`.
// It checks the Node version before it loads anything else: on an older Node, client-node's
// undici fails while being loaded, with a stack trace that does not name the cause.
import { nodeVersionProblem } from './node-version.js';

const problem = nodeVersionProblem(process.versions.node);
if (problem !== undefined) {
  process.stderr.write(`shoot-maintenance: ${problem}\n`);
  process.exit(1);
}
await import('./commands/program.js');
