// The program behind src/cli.ts (loaded once the Node version is known to be new enough):
// `webhook | scheduler | review | plan | schedule | certs`, each in src/commands/<name>.ts,
// registering itself here.
import { Command } from 'commander';
import { registerCertsCommand } from './certs.js';
import { registerPlanCommand } from './plan.js';
import { registerReviewCommand } from './review.js';
import { registerScheduleCommand } from './schedule.js';
import { registerSchedulerCommand } from './scheduler.js';
import { registerWebhookCommand } from './webhook.js';

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
