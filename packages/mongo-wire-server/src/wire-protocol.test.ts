// The protocol below the driver: raw frames over a socket, so each framing feature is exercised on its own.
import net from 'node:net';
import { deserialize, serialize, type Document } from 'bson';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startMongoWireServer, type MongoWireServer } from './index.js';
import { crc32c, OP_COMPRESSED, OP_MSG, OP_QUERY, OP_REPLY } from './wire-protocol.js';

let server: MongoWireServer;
beforeAll(async () => {
  server = await startMongoWireServer();
});
afterAll(async () => {
  await server.close();
});

class RawClient {
  private buffer = Buffer.alloc(0);
  private waiters: Array<(frame: Buffer) => void> = [];
  private nextId = 1;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      while (this.buffer.length >= 4 && this.buffer.length >= this.buffer.readInt32LE(0)) {
        const length = this.buffer.readInt32LE(0);
        const frame = this.buffer.subarray(0, length);
        this.buffer = this.buffer.subarray(length);
        this.waiters.shift()?.(frame);
      }
    });
  }

  static async connect(port: number): Promise<RawClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new RawClient(socket);
  }

  send(opCode: number, payload: Buffer, { expectReply = true } = {}): Promise<Buffer | null> {
    const header = Buffer.alloc(16);
    const requestId = this.nextId++;
    header.writeInt32LE(16 + payload.length, 0);
    header.writeInt32LE(requestId, 4);
    header.writeInt32LE(0, 8);
    header.writeInt32LE(opCode, 12);
    const frame = Buffer.concat([header, payload]);
    const reply = expectReply ? new Promise<Buffer>((resolve) => this.waiters.push(resolve)) : Promise.resolve(null);
    this.socket.write(frame);
    return reply.then((r) => {
      if (r) expect(r.readInt32LE(8)).toBe(requestId);
      return r;
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

function opMsg(body: Document, sequences: Array<[string, Document[]]> = [], flags = 0): Buffer {
  const parts: Buffer[] = [Buffer.alloc(4), Buffer.from([0]), Buffer.from(serialize(body))];
  parts[0]!.writeUInt32LE(flags, 0);
  for (const [identifier, docs] of sequences) {
    const docBytes = Buffer.concat(docs.map((d) => Buffer.from(serialize(d))));
    const name = Buffer.from(`${identifier}\0`, 'utf8');
    const size = Buffer.alloc(4);
    size.writeInt32LE(4 + name.length + docBytes.length, 0);
    parts.push(Buffer.from([1]), size, name, docBytes);
  }
  return Buffer.concat(parts);
}

function replyBody(frame: Buffer): Document {
  const opCode = frame.readInt32LE(12);
  if (opCode === OP_REPLY) return deserialize(frame.subarray(36));
  expect(opCode).toBe(OP_MSG);
  expect(frame.readUInt8(20)).toBe(0);
  const flags = frame.readUInt32LE(16);
  const end = flags & 1 ? frame.length - 4 : frame.length;
  return deserialize(frame.subarray(21, end));
}

describe('wire protocol framing', () => {
  test('CRC-32C matches the standard check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  test('legacy OP_QUERY isMaster on admin.$cmd answers with OP_REPLY', async () => {
    const client = await RawClient.connect(server.port);
    const query = Buffer.concat([
      Buffer.alloc(4), // flags
      Buffer.from('admin.$cmd\0', 'utf8'),
      Buffer.from([0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]), // skip 0, return -1
      Buffer.from(serialize({ isMaster: 1, helloOk: true, client: { driver: { name: 'raw' } } })),
    ]);
    const reply = (await client.send(OP_QUERY, query)) as Buffer;
    expect(reply.readInt32LE(12)).toBe(OP_REPLY);
    expect(reply.readInt32LE(32)).toBe(1); // numberReturned
    const body = replyBody(reply);
    expect(body).toMatchObject({ ismaster: true, helloOk: true, ok: 1, setName: 'tidemark', maxWireVersion: 21 });
    expect(body.compression).toBeUndefined();
    client.close();
  });

  test('OP_MSG kind-1 document sequences carry insert batches', async () => {
    const client = await RawClient.connect(server.port);
    const docs = [
      { _id: 1, a: 'x' },
      { _id: 2, a: 'y' },
      { _id: 3, a: 'z' },
    ];
    const insert = replyBody(
      (await client.send(OP_MSG, opMsg({ insert: 'seq', $db: 'raw', ordered: true }, [['documents', docs]]))) as Buffer,
    );
    expect(insert).toMatchObject({ n: 3, ok: 1 });
    const update = replyBody(
      (await client.send(
        OP_MSG,
        opMsg({ update: 'seq', $db: 'raw' }, [
          [
            'updates',
            [
              { q: { _id: 2 }, u: { $set: { b: true } } },
              { q: { a: 'z' }, u: { $set: { b: false } } },
            ],
          ],
        ]),
      )) as Buffer,
    );
    expect(update).toMatchObject({ n: 2, nModified: 2, ok: 1 });
    const del = replyBody(
      (await client.send(
        OP_MSG,
        opMsg({ delete: 'seq', $db: 'raw' }, [['deletes', [{ q: { _id: 1 }, limit: 1 }]]]),
      )) as Buffer,
    );
    expect(del).toMatchObject({ n: 1, ok: 1 });
    const found = replyBody((await client.send(OP_MSG, opMsg({ find: 'seq', filter: {}, $db: 'raw' }))) as Buffer);
    expect(found.cursor.firstBatch).toEqual([
      { _id: 2, a: 'y', b: true },
      { _id: 3, a: 'z', b: false },
    ]);
    expect(typeof found.cursor.id === 'bigint' || typeof found.cursor.id === 'object' || found.cursor.id === 0).toBe(
      true,
    );
    client.close();
  });

  test('the checksum flag: a correct CRC-32C is accepted and echoed, a wrong one is refused', async () => {
    const client = await RawClient.connect(server.port);
    const payload = opMsg({ ping: 1, $db: 'admin' }, [], 1);
    const withSum = Buffer.concat([payload, Buffer.alloc(4)]);
    const header = Buffer.alloc(16);
    header.writeInt32LE(16 + withSum.length, 0);
    header.writeInt32LE(99, 4);
    header.writeInt32LE(OP_MSG, 12);
    // the checksum covers the whole message including the header; RawClient writes the same header fields
    const sum = crc32c(Buffer.concat([header.subarray(0, 4), Buffer.from([1, 0, 0, 0]), header.subarray(8), payload]));
    withSum.writeUInt32LE(sum, payload.length);
    const reply = (await client.send(OP_MSG, withSum)) as Buffer;
    expect(reply.readUInt32LE(16) & 1).toBe(1);
    expect(reply.readUInt32LE(reply.length - 4)).toBe(crc32c(reply.subarray(0, reply.length - 4)));
    expect(replyBody(reply)).toMatchObject({ ok: 1 });

    withSum.writeUInt32LE((sum + 1) >>> 0, payload.length);
    const refused = replyBody((await client.send(OP_MSG, withSum)) as Buffer);
    expect(refused).toMatchObject({ ok: 0, code: 9 });
    expect(refused.errmsg).toMatch(/checksum/);
    client.close();
  });

  test('moreToCome: the write runs and no reply is sent', async () => {
    const client = await RawClient.connect(server.port);
    await client.send(OP_MSG, opMsg({ insert: 'quiet', $db: 'raw' }, [['documents', [{ _id: 'q' }]]], 2), {
      expectReply: false,
    });
    const count = replyBody((await client.send(OP_MSG, opMsg({ count: 'quiet', $db: 'raw' }))) as Buffer);
    expect(count).toMatchObject({ n: 1, ok: 1 }); // the next reply answers the count, not the insert
    client.close();
  });

  test('OP_COMPRESSED is refused with an error reply', async () => {
    const client = await RawClient.connect(server.port);
    const reply = replyBody((await client.send(OP_COMPRESSED, Buffer.alloc(9))) as Buffer);
    expect(reply).toMatchObject({ ok: 0 });
    expect(reply.errmsg).toMatch(/OP_COMPRESSED/);
    client.close();
  });

  test('unknown commands: CommandNotFound (59) in the server shape', async () => {
    const client = await RawClient.connect(server.port);
    const reply = replyBody((await client.send(OP_MSG, opMsg({ frobnicate: 1, $db: 'admin' }))) as Buffer);
    expect(reply).toMatchObject({
      ok: 0,
      code: 59,
      codeName: 'CommandNotFound',
      errmsg: "no such command: 'frobnicate'",
    });
    client.close();
  });

  test('a message split across TCP chunks is reassembled', async () => {
    const client = await RawClient.connect(server.port);
    const reply = client.send(OP_MSG, opMsg({ ping: 1, $db: 'admin' }));
    expect(replyBody((await reply) as Buffer)).toMatchObject({ ok: 1 });
    const socket = net.connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const payload = opMsg({ ping: 1, $db: 'admin' });
    const header = Buffer.alloc(16);
    header.writeInt32LE(16 + payload.length, 0);
    header.writeInt32LE(7, 4);
    header.writeInt32LE(OP_MSG, 12);
    const frame = Buffer.concat([header, payload]);
    const got = new Promise<Buffer>((resolve) => socket.once('data', resolve));
    for (let i = 0; i < frame.length; i += 5) {
      socket.write(frame.subarray(i, i + 5));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(replyBody(await got)).toMatchObject({ ok: 1 });
    socket.destroy();
    client.close();
  });
});
