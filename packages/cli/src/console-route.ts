// While a command runs, console output of libraries goes to stderr (redacted), never to stdout: stdout holds
// the tables or the one --json document. knex logs "Acquire connection error" with a stack through
// console.log before rejecting with the same error, and "Knex: run $ npm install pg" with a stack before throwing
// it when the driver is missing; the CLI reports those errors in one line, so the logs are dropped.
import { format, stripVTControlCharacters } from 'node:util';
import { redact } from '@tidemark/core';
import type { Writer } from './output.js';

const METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
const DROPPED = [/^Acquire connection error/, /^Knex: run\n\$ npm install /];

/** Routes console.* to `stderr` until the returned function is called. */
export function routeConsole(stderr: Writer): () => void {
  const saved = METHODS.map((m) => [m, console[m]] as const);
  for (const m of METHODS) {
    console[m] = (...args: unknown[]) => {
      const text = format(...args);
      if (DROPPED.some((re) => re.test(stripVTControlCharacters(text)))) return;
      stderr.write(`${redact(text)}\n`);
    };
  }
  return () => {
    for (const [m, fn] of saved) console[m] = fn;
  };
}
