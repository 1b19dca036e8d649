#!/usr/bin/env node
// `tidemark-fleet <command>`: the fleet command group on its own (the same as `tidemark fleet <command>`).
import { Command } from 'commander';
import { registerFleetCommands } from './cli/commands.js';
import { processIo } from './cli/io.js';

const program = new Command('tidemark-fleet').description('Tidemark fleet operations for run directories');
const fleet = registerFleetCommands(program, processIo());
await program.parseAsync(['fleet', ...process.argv.slice(2)], { from: 'user' }).catch((error: unknown) => {
  process.stderr.write(`${String((error as Error).message ?? error)}\n`);
  process.exitCode = 2;
});
void fleet;
