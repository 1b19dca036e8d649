// `pnpm bench`: the whole v2.1 -> v3.0 migration of a 10,000-row sheet, this plugin vs the seed's row-by-row
// approach, side by side against the same emulator: API requests, wall time, and the time the real per-user
// quota (60 write / 60 read requests per minute) would impose. BENCH_ROWS overrides the size.
import { migrateSheet } from '../api.js';
import { newTarget } from './harness.js';
import { naiveMigration } from './naive.js';
import { v21Values } from './sample.js';
import { GoogleEmulator } from '../emulator/server.js';

const rows = Number(process.env.BENCH_ROWS ?? 10_000);
const emulator = new GoogleEmulator();
const server = emulator.listen();

const seed = () =>
  emulator.createSpreadsheet('ZEUES Produccion', [
    { title: 'Operaciones', values: v21Values(rows, 3), columnCount: 65, rowCount: rows + 1 },
  ]);

/** Minutes the documented per-user quotas (60 reads and 60 writes per minute) allow at best. */
const quotaMinutes = (reads: number, writes: number) => Math.max(reads, writes) / 60;

interface Line {
  name: string;
  requests: number;
  reads: number;
  writes: number;
  ms: number;
  ok: boolean;
}

async function run(
  name: string,
  fn: (id: string) => Promise<{ ok: boolean; target: ReturnType<typeof newTarget> }>,
): Promise<Line> {
  const id = seed();
  const t0 = performance.now();
  const { ok, target } = await fn(id);
  const ms = performance.now() - t0;
  return {
    name,
    requests: target.session.stats.requests,
    reads: target.session.stats.reads,
    writes: target.session.stats.writes,
    ms,
    ok,
  };
}

try {
  const plugin = await run('@tidemark/plugin-sheets', async (id) => {
    const target = newTarget(id);
    const result = await migrateSheet(target);
    return { ok: result.report?.success === true, target };
  });
  const naive = await run('row-by-row (seed, ported)', async (id) => {
    const target = newTarget(id);
    const result = await naiveMigration(target);
    return { ok: result.success, target };
  });

  const pad = (s: string, n: number) => s.padEnd(n);
  console.log(
    `\nv2.1 -> v3.0 migration of ${rows.toLocaleString('en')} rows x 65 columns (msw emulator of Sheets v4 + Drive v3)\n`,
  );
  console.log(
    `${pad('approach', 28)}${pad('requests', 10)}${pad('reads', 8)}${pad('writes', 8)}${pad('wall', 10)}${pad('>= min under quota', 20)}ok`,
  );
  for (const l of [plugin, naive]) {
    console.log(
      `${pad(l.name, 28)}${pad(String(l.requests), 10)}${pad(String(l.reads), 8)}${pad(String(l.writes), 8)}${pad(`${(l.ms / 1000).toFixed(2)} s`, 10)}${pad(`${quotaMinutes(l.reads, l.writes).toFixed(1)} min`, 20)}${l.ok}`,
    );
  }
  console.log(
    `\nratio (row-by-row / plugin): requests x${(naive.requests / plugin.requests).toFixed(0)}, wall time x${(naive.ms / plugin.ms).toFixed(1)}`,
  );
  console.log(
    `goal: plugin requests constant in rows and <= 15 -> ${plugin.requests <= 15 ? 'met' : 'NOT met'} (${plugin.requests})`,
  );
  if (!plugin.ok || plugin.requests > 15) process.exitCode = 1;
} finally {
  server.close();
}
