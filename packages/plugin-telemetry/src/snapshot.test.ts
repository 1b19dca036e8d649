// follow() reads a grown file's new bytes once, at plan time (the snapshot), and the ingest reads them from
// memory: for any line ends, encoding and cut, reading a grown range from the snapshot must hand on exactly
// the lines, offset, hash and held bytes that reading it from the disk does.
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRange, type RangeOptions, type RangeSummary } from './line-reader.js';
import { planFiles, rememberPrefix, type FileRow } from './file-plan.js';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { tempDir } from './test/pg.js';

async function read(
  path: string,
  options: RangeOptions,
): Promise<{ got: [string, number, boolean][]; summary: Omit<RangeSummary, 'state'> }> {
  const got: [string, number, boolean][] = [];
  const it = readRange(path, 'f.csv', { line: (t, n, term) => got.push([t, n, term]) }, options);
  let step = await it.next();
  while (!step.done) step = await it.next();
  const { state: _state, ...summary } = step.value;
  return { got, summary };
}

const encode = (text: string, encoding: 'utf8' | 'utf8-bom' | 'utf16le' | 'utf16be'): Buffer => {
  if (encoding === 'utf8') return Buffer.from(text, 'utf8');
  if (encoding === 'utf8-bom') return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  return encoding === 'utf16le' ? le : le.swap16();
};

describe('a range read from the plan snapshot', () => {
  let dir: { path: string; remove(): Promise<void> };
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(() => dir.remove());

  it('equals the same range read from the file, for every line end, encoding and cut', async () => {
    const path = join(dir.path, 'f.csv');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.stringMatching(/^[a-z0-9,.é ]{0,12}$/), { minLength: 1, maxLength: 12 }),
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.constantFrom('utf8' as const, 'utf8-bom' as const, 'utf16le' as const, 'utf16be' as const),
        fc.nat({ max: 11 }),
        fc.boolean(),
        fc.boolean(),
        async (lines, eol, encoding, firstCut, partialTail, closed) => {
          const cut = Math.min(firstCut, lines.length - 1);
          const first = lines.slice(0, cut + 1).join(eol) + eol;
          const rest =
            lines.slice(cut + 1).join(eol) + (lines.length > cut + 1 ? eol : '') + (partialTail ? 'cut,li' : '');
          const before = encode(first, encoding);
          const all = encode(first + rest, encoding);
          // the plan takes a snapshot only of a file with its 4 first bytes known
          fc.pre(all.length >= 4);
          // the prefix as an earlier round ingested it
          await writeFile(path, before);
          const earlier = await read(path, { end: before.length });
          await writeFile(path, all);
          const offset = earlier.summary.offset;
          const hashAt = () => createHash('sha256').update(all.subarray(0, offset));
          const options: RangeOptions = { start: offset, end: all.length, closed, linesBefore: earlier.summary.lines };
          const fromDisk = await read(path, { ...options, hash: hashAt() });
          const position = Math.max(0, offset - 64);
          const snapshot = {
            position,
            data: Buffer.from(all.subarray(position)),
            head: Buffer.from(all.subarray(0, 4)),
          };
          // the file is gone: the snapshot alone answers
          await writeFile(path, Buffer.alloc(0));
          const fromSnapshot = await read(path, { ...options, hash: hashAt(), snapshot });
          expect(fromSnapshot).toEqual(fromDisk);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('is what a plan of a grown file carries: its new bytes, read once; a rewritten tail is not trusted', async () => {
    const logs = join(dir.path, 'logs');
    await mkdir(logs, { recursive: true });
    const path = join(logs, 'g.csv');
    await writeFile(path, 'h1,h2\n1,2\n');
    const first = await read(path, { end: 10, closed: false });
    const hash = createHash('sha256').update(Buffer.from('h1,h2\n1,2\n'));
    await rememberPrefix(path, first.summary.offset, first.summary.sha256, hash, first.summary.lines);
    const row: FileRow = {
      id: 1,
      path: 'g.csv',
      content_hash: first.summary.sha256,
      size_bytes: 10,
      run_id: 1,
      lines: 2,
      header: 'h1,h2',
      copy_of: null,
      conflict: null,
      data_lines: 1,
      kind: 'samples',
    };
    await appendFile(path, '3,4\n5,');
    const [plan] = await planFiles(logs, new Map([['g.csv', row]]), { closedAfterMs: 60_000 });
    expect(plan).toMatchObject({ kind: 'grow', size: 16 });
    const snapshot = plan!.kind === 'grow' ? plan!.snapshot : undefined;
    expect(snapshot?.position).toBe(0);
    expect(snapshot?.data.toString()).toBe('h1,h2\n1,2\n3,4\n5,');
    // same size, other bytes before the offset: the cache is not trusted, the prefix is hashed again
    await writeFile(path, 'h1,h2\n9,2\n3,4\n5,');
    const [again] = await planFiles(logs, new Map([['g.csv', row]]), { closedAfterMs: 60_000 });
    expect(again).toMatchObject({ kind: 'conflict', reason: expect.stringMatching(/rewritten/) });
  });
});
