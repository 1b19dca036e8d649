// TCP front: frames messages, answers each in order on its connection.
import net from 'node:net';
import type { Document } from 'bson';
import { runCommand } from './commands/dispatch.js';
import { CommandError } from './errors.js';
import { ServerState } from './state.js';
import {
  encodeOpMsg,
  encodeOpMsgWithChecksum,
  encodeOpReply,
  parseMessage,
  ProtocolError,
  readHeader,
} from './wire-protocol.js';

export interface MongoWireServerOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  host?: string;
  /** Replica-set name reported in hello (transactions need a replica set). */
  setName?: string;
  /** Called with every command (db, body) before it runs; for debugging. */
  onCommand?: (db: string, body: Document) => void;
}

export interface MongoWireServer {
  /** `mongodb://127.0.0.1:<port>/` — hand it to MongoClient or mongoose.connect. */
  uri: string;
  port: number;
  host: string;
  /** The server's state, for assertions in tests. */
  state: ServerState;
  /** Stops listening and drops every open connection. */
  close(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 48_000_000;

export async function startMongoWireServer(options: MongoWireServerOptions = {}): Promise<MongoWireServer> {
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<net.Socket>();
  // The host:port is known only once listening; hello reads it from the identity at call time.
  const state = new ServerState({ host: `${host}:0`, setName: options.setName ?? 'tidemark' });
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => sockets.delete(socket));
    serveConnection(socket, state, options.onCommand);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('[mongo-wire-server] could not read the listening port');
  const port = address.port;
  state.identity.host = `${host}:${port}`;
  return {
    uri: `mongodb://${host}:${port}/`,
    port,
    host,
    state,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function serveConnection(socket: net.Socket, state: ServerState, onCommand: MongoWireServerOptions['onCommand']): void {
  const connectionId = state.nextConnectionId();
  // Chunks are kept in a list and joined once a whole message is there: re-concatenating on every chunk is
  // quadratic for the 48 MB batches the driver sends.
  let chunks: Buffer[] = [];
  let buffered = 0;
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    buffered += chunk.length;
    for (;;) {
      if (buffered < 4) return;
      if (chunks[0]!.length < 4) chunks = [Buffer.concat(chunks)];
      const length = chunks[0]!.readInt32LE(0);
      if (length < 16 || length > MAX_MESSAGE_BYTES) {
        socket.destroy(new ProtocolError(`invalid message length ${length}`));
        return;
      }
      if (buffered < length) return;
      const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, buffered);
      const message = all.subarray(0, length);
      const rest = all.subarray(length);
      chunks = rest.length > 0 ? [rest] : [];
      buffered = rest.length;
      const reply = answer(message, state, connectionId, onCommand);
      if (reply) socket.write(reply);
    }
  });
}

function answer(
  message: Buffer,
  state: ServerState,
  connectionId: number,
  onCommand: MongoWireServerOptions['onCommand'],
): Buffer | null {
  let request;
  try {
    request = parseMessage(message);
  } catch (error) {
    const failure = new CommandError('FailedToParse', error instanceof Error ? error.message : String(error));
    return encodeOpMsg(readHeader(message).requestId, failure.toResponse());
  }
  if (request.kind === 'query') {
    const db = request.fullCollectionName.split('.')[0] ?? 'admin';
    onCommand?.(db, request.query);
    return encodeOpReply(request.header.requestId, runCommand(state, db, request.query, connectionId));
  }
  const db = typeof request.body.$db === 'string' ? request.body.$db : 'admin';
  onCommand?.(db, request.body);
  const reply = runCommand(state, db, request.body, connectionId);
  // moreToCome from the client = unacknowledged write (w: 0): run it, send nothing back.
  if (request.moreToCome) return null;
  return request.flags & 1
    ? encodeOpMsgWithChecksum(request.header.requestId, reply)
    : encodeOpMsg(request.header.requestId, reply);
}
