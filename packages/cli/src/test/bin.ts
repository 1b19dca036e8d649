// Spawns src/bin.ts as `tidemark` would run (its own process, real stdio) without a build: a launcher loads
// it with jiti, @tidemark/* resolved to the packages' sources.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packagesDir = fileURLToPath(new URL('../../../', import.meta.url));
const binTs = fileURLToPath(new URL('../bin.ts', import.meta.url));
const jitiMjs = join(dirname(createRequire(import.meta.url).resolve('jiti/package.json')), 'lib', 'jiti.mjs');

const launchers = new Map<string, Promise<string>>();
function launcherFile(overrides: Record<string, string>): Promise<string> {
  const key = JSON.stringify(overrides);
  const existing = launchers.get(key);
  if (existing) return existing;
  const launcher = (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tidemark-bin-'));
    const sources = Object.fromEntries(
      ['core', 'fleet', 'cli'].map((p) => [`@tidemark/${p}`, join(packagesDir, p, 'src', 'index.ts')]),
    );
    const alias = { ...sources, ...overrides };
    const file = join(dir, 'launch.mjs');
    await writeFile(
      file,
      `import { createJiti } from ${JSON.stringify(jitiMjs)};
const jiti = createJiti(import.meta.url, { alias: ${JSON.stringify(alias)} });
process.argv.splice(1, 1, ${JSON.stringify(binTs)});
await jiti.import(${JSON.stringify(binTs)});
`,
    );
    return file;
  })();
  launchers.set(key, launcher);
  return launcher;
}

/** `tidemark <args>` in `cwd`, stdout and stderr piped; `alias` points module specifiers elsewhere. */
export async function spawnBin(args: string[], cwd: string, alias: Record<string, string> = {}): Promise<ChildProcess> {
  return spawn(process.execPath, [await launcherFile(alias), ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
}
