import type { Command } from 'commander';

// Placeholder until the command is implemented; replaced by its owner.
export function registerCertsCommand(program: Command): void {
  program.command('certs').description('not implemented yet').action(() => {
    throw new Error('certs: not implemented yet');
  });
}
