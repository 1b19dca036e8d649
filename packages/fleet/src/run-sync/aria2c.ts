// Downloads with aria2c (Debian's `aria2`) when it is installed, as WEPPcloud's own run-sync job does:
// parallel connections, resume (`--continue`) and integrity checks. aria2c only ever reads an input file we
// wrote from the validated spec (never the source's), removed when aria2c exits. It never gets a bearer
// token: aria2c only takes one on its command line (visible to every user in `ps`) or in that input file, so
// private runs use the built-in downloader (sync-run.ts) and there is no way to pass a token here.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redact } from '@tidemark/core';
import { SyncError } from './download.js';

export interface Aria2File {
  path: string;
  url: URL;
  sha256?: string;
}

export interface Aria2Options {
  files: readonly Aria2File[];
  /** Staging folder the files go to (relative `out=` paths under it). */
  dir: string;
  signal?: AbortSignal;
  /** The aria2c binary; default the first `aria2c` on PATH. */
  bin?: string;
}

/** The path of aria2c, or null when it is not installed. */
export function findAria2c(): string | null {
  const res = spawnSync('sh', ['-c', 'command -v aria2c'], { encoding: 'utf8' });
  return res.status === 0 && res.stdout.trim() ? res.stdout.trim() : null;
}

export function aria2InputFile(files: readonly Aria2File[]): string {
  return files
    .map((f) =>
      [f.url.toString(), `  out=${f.path}`, ...(f.sha256 ? [`  checksum=sha-256=${f.sha256}`] : [])].join('\n'),
    )
    .join('\n')
    .concat('\n');
}

export async function downloadWithAria2c(o: Aria2Options): Promise<void> {
  if (o.files.length === 0) return;
  const tmp = await mkdtemp(join(tmpdir(), 'tidemark-aria2-'));
  const input = join(tmp, 'input.txt');
  try {
    await writeFile(input, aria2InputFile(o.files), { mode: 0o600 });
    const args = [
      `--input-file=${input}`,
      `--dir=${o.dir}`,
      '--continue=true',
      '--check-integrity=true',
      '--max-connection-per-server=4',
      '--max-tries=5',
      '--retry-wait=1',
      '--auto-file-renaming=false',
      '--allow-overwrite=true',
      '--console-log-level=warn',
      '--summary-interval=0',
      '--download-result=hide',
      '--quiet=false',
    ];
    const child = spawn(o.bin ?? 'aria2c', args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(o.signal ? { signal: o.signal } : {}),
    });
    let output = '';
    const keep = (d: Buffer) => {
      output = (output + String(d)).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    }).catch((error: unknown) => {
      if (o.signal?.aborted) throw error;
      throw new SyncError('ARIA2C', `aria2c could not run: ${redact(String((error as Error).message))}`, false);
    });
    if (code !== 0) {
      const last = redact(output.trim().split('\n').slice(-5).join(' | '));
      // aria2c's exit codes: 3 "resource not found" (404), 24 "HTTP authorization failed"; others may pass.
      const permanent = code === 3 || code === 24;
      throw new SyncError(
        code === 24 ? 'HTTP_401' : code === 3 ? 'HTTP_404' : 'ARIA2C',
        `aria2c exited ${code}: ${last}`,
        permanent,
      );
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
