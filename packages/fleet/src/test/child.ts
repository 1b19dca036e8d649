// Spawning fleet workers as child processes (node --import tsx), with their output captured.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { waitFor } from './redis.js';

const tsx = createRequire(import.meta.url).resolve('tsx');
const script = join(import.meta.dirname, 'worker-child.ts');

export interface ChildWorker {
  proc: ChildProcess;
  output(): string;
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnWorker(env: Record<string, string>): ChildWorker {
  const proc = spawn(process.execPath, ['--import', tsx, script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    proc,
    output: () => out,
    waitFor: (text, timeoutMs = 30_000) =>
      waitFor(
        `worker output ${String(text)}\n--- output:\n${out}`,
        () => (typeof text === 'string' ? out.includes(text) : text.test(out)),
        timeoutMs,
      ).then(() => undefined),
    exited,
  };
}
