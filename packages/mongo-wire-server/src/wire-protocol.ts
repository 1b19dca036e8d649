// Framing of the MongoDB wire protocol: the 16-byte header, legacy OP_QUERY / OP_REPLY (handshake only) and OP_MSG.
import { deserialize, serialize, type Document } from 'bson';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

const CHECKSUM_PRESENT = 1 << 0;
export const MORE_TO_COME = 1 << 1;
const EXHAUST_ALLOWED = 1 << 16;
const KNOWN_FLAGS = CHECKSUM_PRESENT | MORE_TO_COME | EXHAUST_ALLOWED;

/** Numbers come back as JS numbers (int32, int64 that fit, double); other BSON types keep their classes. */
export const deserializeOptions = { promoteLongs: true, promoteValues: true, promoteBuffers: false } as const;

export interface MessageHeader {
  length: number;
  requestId: number;
  responseTo: number;
  opCode: number;
}

export interface OpMsgRequest {
  kind: 'msg';
  header: MessageHeader;
  flags: number;
  moreToCome: boolean;
  /** The kind-0 body with every kind-1 document sequence merged in as an array field. */
  body: Document;
}

export interface OpQueryRequest {
  kind: 'query';
  header: MessageHeader;
  fullCollectionName: string;
  query: Document;
}

export type Request = OpMsgRequest | OpQueryRequest;

export class ProtocolError extends Error {
  constructor(message: string) {
    super(`[mongo-wire-server] ${message}`);
    this.name = 'ProtocolError';
  }
}

export function readHeader(buffer: Buffer): MessageHeader {
  return {
    length: buffer.readInt32LE(0),
    requestId: buffer.readInt32LE(4),
    responseTo: buffer.readInt32LE(8),
    opCode: buffer.readInt32LE(12),
  };
}

function readCString(buffer: Buffer, offset: number): { value: string; next: number } {
  const end = buffer.indexOf(0, offset);
  if (end < 0) throw new ProtocolError('unterminated cstring');
  return { value: buffer.toString('utf8', offset, end), next: end + 1 };
}

function readDocument(buffer: Buffer, offset: number): { doc: Document; next: number } {
  const size = buffer.readInt32LE(offset);
  if (size < 5 || offset + size > buffer.length)
    throw new ProtocolError(`BSON document of ${size} bytes overruns the message`);
  return { doc: deserialize(buffer.subarray(offset, offset + size), deserializeOptions), next: offset + size };
}

/** Parses one complete message (`buffer` holds exactly `header.length` bytes). */
export function parseMessage(buffer: Buffer): Request {
  const header = readHeader(buffer);
  if (header.opCode === OP_MSG) return parseOpMsg(header, buffer);
  if (header.opCode === OP_QUERY) return parseOpQuery(header, buffer);
  if (header.opCode === OP_COMPRESSED)
    throw new ProtocolError('OP_COMPRESSED is not supported (compression is never advertised)');
  throw new ProtocolError(`unsupported opCode ${header.opCode}`);
}

function parseOpMsg(header: MessageHeader, buffer: Buffer): OpMsgRequest {
  const flags = buffer.readUInt32LE(16);
  if ((flags & 0xffff & ~KNOWN_FLAGS) !== 0)
    throw new ProtocolError(`unknown required OP_MSG flag bits 0x${flags.toString(16)}`);
  let end = buffer.length;
  if (flags & CHECKSUM_PRESENT) {
    end -= 4;
    const expected = buffer.readUInt32LE(end);
    const actual = crc32c(buffer.subarray(0, end));
    if (expected !== actual) throw new ProtocolError('OP_MSG checksum mismatch');
  }
  let offset = 20;
  let body: Document | undefined;
  const sequences: Array<[string, Document[]]> = [];
  while (offset < end) {
    const kind = buffer.readUInt8(offset);
    offset += 1;
    if (kind === 0) {
      const { doc, next } = readDocument(buffer, offset);
      body = doc;
      offset = next;
    } else if (kind === 1) {
      const size = buffer.readInt32LE(offset);
      const sectionEnd = offset + size;
      const { value: identifier, next } = readCString(buffer, offset + 4);
      offset = next;
      const docs: Document[] = [];
      while (offset < sectionEnd) {
        const read = readDocument(buffer, offset);
        docs.push(read.doc);
        offset = read.next;
      }
      sequences.push([identifier, docs]);
    } else {
      throw new ProtocolError(`unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!body) throw new ProtocolError('OP_MSG without a kind-0 body section');
  for (const [identifier, docs] of sequences) body[identifier] = docs;
  return { kind: 'msg', header, flags, moreToCome: (flags & MORE_TO_COME) !== 0, body };
}

function parseOpQuery(header: MessageHeader, buffer: Buffer): OpQueryRequest {
  const { value: fullCollectionName, next } = readCString(buffer, 20);
  // flags (4 bytes at 16), numberToSkip, numberToReturn (8 bytes after the name) are irrelevant for commands.
  const { doc } = readDocument(buffer, next + 8);
  // Legacy drivers wrap the command with read preference: { $query: {...}, $readPreference: {...} }.
  const query = doc.$query && typeof doc.$query === 'object' ? (doc.$query as Document) : doc;
  return { kind: 'query', header, fullCollectionName, query };
}

let nextRequestId = 1;

function header(length: number, responseTo: number, opCode: number): Buffer {
  const buffer = Buffer.alloc(16);
  buffer.writeInt32LE(length, 0);
  buffer.writeInt32LE(nextRequestId++ & 0x7fffffff, 4);
  buffer.writeInt32LE(responseTo, 8);
  buffer.writeInt32LE(opCode, 12);
  return buffer;
}

export function encodeOpMsg(responseTo: number, body: Document): Buffer {
  const doc = serialize(body);
  const prefix = Buffer.alloc(5); // flagBits (0) + section kind 0
  const length = 16 + prefix.length + doc.length;
  return Buffer.concat([header(length, responseTo, OP_MSG), prefix, doc]);
}

export function encodeOpReply(responseTo: number, body: Document): Buffer {
  const doc = serialize(body);
  const fields = Buffer.alloc(20);
  fields.writeInt32LE(0, 0); // responseFlags
  fields.writeBigInt64LE(0n, 4); // cursorID
  fields.writeInt32LE(0, 12); // startingFrom
  fields.writeInt32LE(1, 16); // numberReturned
  const length = 16 + fields.length + doc.length;
  return Buffer.concat([header(length, responseTo, OP_REPLY), fields, doc]);
}

// CRC-32C (Castagnoli), the checksum OP_MSG uses; node's zlib.crc32 is the other polynomial.
const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC32C_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export function encodeOpMsgWithChecksum(responseTo: number, body: Document): Buffer {
  const plain = encodeOpMsg(responseTo, body);
  const withRoom = Buffer.alloc(plain.length + 4);
  plain.copy(withRoom);
  withRoom.writeInt32LE(withRoom.length, 0);
  withRoom.writeUInt32LE(CHECKSUM_PRESENT, 16);
  withRoom.writeUInt32LE(crc32c(withRoom.subarray(0, plain.length)), plain.length);
  return withRoom;
}
