import type { Command } from 'commander';

// Placeholder until the command is implemented; replaced by its owner.
export function registerReviewCommand(program: Command): void {
  program.command('review').description('not implemented yet').action(() => {
    throw new Error('review: not implemented yet');
  });
}
