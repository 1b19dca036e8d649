import type { Document } from 'bson';
import { CommandError } from '../errors.js';
import type { CommandHandler } from './context.js';

export const SERVER_VERSION = '7.0.0';
/** 7.0's wire version: new enough for every driver feature the tests use, within driver 6 and 7's supported range. */
export const MAX_WIRE_VERSION = 21;

const hello: CommandHandler = (ctx) => {
  const { host, setName } = ctx.state.identity;
  const now = new Date();
  const opTime = { ts: ctx.state.tick(), t: 1 };
  return {
    // `ismaster` answers the legacy form of the handshake, `isWritablePrimary` the new one.
    ...(ctx.name === 'hello' ? { isWritablePrimary: true } : { ismaster: true }),
    helloOk: true,
    hosts: [host],
    setName,
    setVersion: 1,
    secondary: false,
    primary: host,
    me: host,
    electionId: ctx.state.electionId,
    lastWrite: { opTime, lastWriteDate: now, majorityOpTime: opTime, majorityWriteDate: now },
    maxBsonObjectSize: 16 * 1024 * 1024,
    maxMessageSizeBytes: 48_000_000,
    maxWriteBatchSize: 100_000,
    localTime: now,
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  };
};

const buildInfo: CommandHandler = () => ({
  version: SERVER_VERSION,
  gitVersion: 'tidemark-mongo-wire-server',
  versionArray: [7, 0, 0, 0],
  modules: [],
  allocator: 'system',
  javascriptEngine: 'none',
  sysInfo: 'deprecated',
  bits: 64,
  debug: false,
  maxBsonObjectSize: 16 * 1024 * 1024,
  storageEngines: ['memory'],
  ok: 1,
});

const getParameter: CommandHandler = (ctx) => {
  const known: Document = { featureCompatibilityVersion: { version: '7.0' }, authenticationMechanisms: [] };
  const reply: Document = {};
  if (ctx.body.getParameter === '*') Object.assign(reply, known);
  for (const field of Object.keys(ctx.body)) if (field in known) reply[field] = known[field];
  return { ...reply, ok: 1 };
};

const ok: CommandHandler = () => ({ ok: 1 });

const endSessions: CommandHandler = (ctx) => {
  const ids = ctx.body.endSessions as unknown;
  ctx.state.sessions.end(Array.isArray(ids) ? ids : []);
  return { ok: 1 };
};

const killAllSessions: CommandHandler = (ctx) => {
  ctx.state.sessions.clear();
  return { ok: 1 };
};

const commitTransaction: CommandHandler = (ctx) => {
  if (ctx.db !== 'admin')
    throw new CommandError('Unauthorized', 'commitTransaction may only be run against the admin database.');
  ctx.state.sessions.commit(ctx.body);
  return { ok: 1 };
};

const abortTransaction: CommandHandler = (ctx) => {
  if (ctx.db !== 'admin')
    throw new CommandError('Unauthorized', 'abortTransaction may only be run against the admin database.');
  ctx.state.sessions.abort(ctx.body);
  return { ok: 1 };
};

const serverStatus: CommandHandler = (ctx) => ({
  host: ctx.state.identity.host,
  version: SERVER_VERSION,
  process: 'tidemark-mongo-wire-server',
  uptime: Math.floor((Date.now() - ctx.state.startedAt.getTime()) / 1000),
  localTime: new Date(),
  connections: { current: 0 },
  transactions: { currentActive: ctx.state.sessions.activeTransactions },
  metrics: { cursor: { open: { total: ctx.state.cursors.size } } },
  ok: 1,
});

const whatsmyuri: CommandHandler = () => ({ you: '127.0.0.1', ok: 1 });

const connectionStatus: CommandHandler = () => ({
  authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] },
  ok: 1,
});

const hostInfo: CommandHandler = () => ({
  system: { currentTime: new Date(), hostname: '127.0.0.1' },
  os: { type: process.platform },
  extra: {},
  ok: 1,
});

const getCmdLineOpts: CommandHandler = () => ({ argv: ['tidemark-mongo-wire-server'], parsed: {}, ok: 1 });

const getLog: CommandHandler = () => ({ totalLinesWritten: 0, log: [], ok: 1 });

export const adminCommands: Record<string, CommandHandler> = {
  hello,
  isMaster: hello,
  ismaster: hello,
  ping: ok,
  buildInfo,
  buildinfo: buildInfo,
  getParameter,
  endSessions,
  killAllSessions,
  killSessions: killAllSessions,
  refreshSessions: ok,
  commitTransaction,
  abortTransaction,
  serverStatus,
  whatsmyuri,
  connectionStatus,
  hostInfo,
  getCmdLineOpts,
  getLog,
  getFreeMonitoringStatus: () => ({ state: 'disabled', ok: 1 }),
};
