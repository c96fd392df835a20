#!/usr/bin/env node
// The one entry point: `shoot-maintenance webhook | scheduler | review | plan | schedule | certs`.
// Each command lives in src/commands/<name>.ts and registers itself on the program.
import { Command } from 'commander';
import { registerCertsCommand } from './commands/certs.js';
import { registerPlanCommand } from './commands/plan.js';
import { registerReviewCommand } from './commands/review.js';
import { registerScheduleCommand } from './commands/schedule.js';
import { registerSchedulerCommand } from './commands/scheduler.js';
import { registerWebhookCommand } from './commands/webhook.js';

const program = new Command()
  .name('shoot-maintenance')
  .description("Gardener's Shoot maintenance for Shoot CRDs: admission webhooks and a maintenance scheduler")
  .showHelpAfterError();

registerWebhookCommand(program);
registerSchedulerCommand(program);
registerReviewCommand(program);
registerPlanCommand(program);
registerScheduleCommand(program);
registerCertsCommand(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  // A user error is one line on stderr and a non-zero exit, never a stack trace.
  process.stderr.write(`shoot-maintenance: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
