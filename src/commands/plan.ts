import type { Command } from 'commander';

// Placeholder until the command is implemented; replaced by its owner.
export function registerPlanCommand(program: Command): void {
  program.command('plan').description('not implemented yet').action(() => {
    throw new Error('plan: not implemented yet');
  });
}
