import type { Command } from 'commander';

// Placeholder until the command is implemented; replaced by its owner.
export function registerWebhookCommand(program: Command): void {
  program.command('webhook').description('not implemented yet').action(() => {
    throw new Error('webhook: not implemented yet');
  });
}
