// Routes one command document to its handler and shapes the reply as the server does.
import type { Document } from 'bson';
import { CommandError, toCommandError } from '../errors.js';
import type { ServerState } from '../state.js';
import { adminCommands } from './admin.js';
import type { CommandHandler } from './context.js';
import { ddlCommands } from './ddl.js';
import { readCommands } from './read.js';
import { writeCommands } from './write.js';

const handlers = new Map<string, CommandHandler>(
  Object.entries({ ...adminCommands, ...ddlCommands, ...readCommands, ...writeCommands }),
);

export function commandNames(): string[] {
  return [...handlers.keys()].sort();
}

const TRANSACTION_COMMANDS = new Set(['commitTransaction', 'abortTransaction']);

export function runCommand(state: ServerState, db: string, body: Document, connectionId: number): Document {
  const name = Object.keys(body)[0];
  let reply: Document;
  try {
    if (name === undefined) throw new CommandError('FailedToParse', 'empty command document');
    const handler = handlers.get(name);
    if (!handler) throw new CommandError('CommandNotFound', `no such command: '${name}'`);
    const view = TRANSACTION_COMMANDS.has(name) ? state.catalog : state.sessions.viewFor(body);
    reply = handler({ db, body, name, state, view, connectionId });
  } catch (error) {
    const failure = toCommandError(error);
    if (name && !TRANSACTION_COMMANDS.has(name) && failure.code !== 251) state.sessions.abortAfterError(body);
    reply = failure.toResponse();
  }
  if (name && !['hello', 'isMaster', 'ismaster'].includes(name)) {
    const time = state.tick();
    reply.operationTime = time;
    reply.$clusterTime = { clusterTime: time, signature: { hash: Buffer.alloc(20), keyId: 0n } };
  }
  return reply;
}
