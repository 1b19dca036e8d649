// Rejected rows wait until the samples COPY is done (one COPY per connection at a time). A file of pure
// garbage must not fill memory, so past a bound they spill to a temporary file, streamed back later.
import { createReadStream } from 'node:fs';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RejectedRow } from './row-parser.js';
import { copyText } from './values.js';

export class RejectSpool {
  #memory: string[] = [];
  #memoryBytes = 0;
  #dir: string | null = null;
  #pending: Promise<void> = Promise.resolve();
  count = 0;

  constructor(
    private fileId: number,
    private file: string,
    private readonly limitBytes = 4 * 1024 * 1024,
  ) {}

  /** One spool for many files (the batch ingest): later rows belong to this file. */
  setFile(fileId: number, file: string): void {
    this.fileId = fileId;
    this.file = file;
  }

  add(row: RejectedRow): void {
    const line = `${this.fileId}\t${copyText(this.file)}\t${row.lineNo}\t${copyText(row.raw)}\t${copyText(row.reason)}\n`;
    this.count += 1;
    this.#memory.push(line);
    this.#memoryBytes += line.length;
    if (this.#memoryBytes >= this.limitBytes) {
      const text = this.#memory.join('');
      this.#memory = [];
      this.#memoryBytes = 0;
      this.#pending = this.#pending.then(async () => {
        this.#dir ??= await mkdtemp(join(tmpdir(), 'tidemark-rejects-'));
        await appendFile(join(this.#dir, 'rejects.copy'), text);
      });
    }
  }

  /** COPY text of every rejected row, spilled part first (order by line is restored by the table's reads). */
  async *drain(): AsyncGenerator<string> {
    await this.#pending;
    if (this.#dir) {
      for await (const chunk of createReadStream(join(this.#dir, 'rejects.copy'), {
        encoding: 'utf8',
        highWaterMark: 1 << 20,
      })) {
        yield chunk as string;
      }
    }
    if (this.#memory.length > 0) yield this.#memory.join('');
  }

  async dispose(): Promise<void> {
    await this.#pending.catch(() => undefined);
    if (this.#dir) await rm(this.#dir, { recursive: true, force: true });
  }
}

export const REJECT_COLUMNS = ['file_id', 'file', 'line_no', 'raw', 'reason'] as const;
