export { startMongoWireServer, type MongoWireServer, type MongoWireServerOptions } from './server.js';
export { CommandError, ErrorCodes } from './errors.js';
export { commandNames } from './commands/dispatch.js';
export { MAX_WIRE_VERSION, SERVER_VERSION } from './commands/admin.js';
export type { ServerState } from './state.js';
