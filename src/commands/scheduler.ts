import type { Command } from 'commander';

// Placeholder until the command is implemented; replaced by its owner.
export function registerSchedulerCommand(program: Command): void {
  program.command('scheduler').description('not implemented yet').action(() => {
    throw new Error('scheduler: not implemented yet');
  });
}
