#!/usr/bin/env node
import { quietPipe } from './pipes.js';
import { runCli } from './run-cli.js';

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: quietPipe(process.stdout),
  stderr: quietPipe(process.stderr),
});
