// `pnpm bench`: the resumable plugin vs. the limit (one hand-written INSERT ... SELECT + UPDATE of the whole
// backfill in one transaction, what a DBA would write) vs. the seed's row-by-row ORM loop (ported to
// TypeORM), on the same PostgreSQL data, at 100,000 and 1,000,000 runs in one bench run.
// Plugin and limit alternate (TIDEMARK_BENCH_ROUNDS rounds, default 3, order flipped every round) and
// their medians are compared, so a machine whose load comes and goes weighs on both alike. The ORM loop
// runs on a sample (TIDEMARK_BENCH_ORM_SAMPLE runs, default 10,000) and is extrapolated per run: its cost is
// one round trip per query per run, flat in the number of runs (the full loop takes minutes at 100,000
// and most of an hour at 1,000,000). TIDEMARK_BENCH_SIZES=10000,100000 overrides the sizes;
// TIDEMARK_BENCH_BATCH and TIDEMARK_BENCH_CONCURRENCY the plugin's options.
import { measureSize, type SizeResult } from './bench/measure.js';
import { benchTable } from './bench/table.js';

const env = process.env;
const ROUNDS = Math.max(1, Number(env.TIDEMARK_BENCH_ROUNDS ?? env.TIDEMARK_BENCH_REPS ?? 3));
const ORM_SAMPLE = Math.max(0, Number(env.TIDEMARK_BENCH_ORM_SAMPLE ?? 10_000));
const sizes = env.TIDEMARK_BENCH_SIZES ? env.TIDEMARK_BENCH_SIZES.split(',').map(Number) : [100_000, 1_000_000];
const BATCH = env.TIDEMARK_BENCH_BATCH ? Number(env.TIDEMARK_BENCH_BATCH) : undefined;
const CONCURRENCY = env.TIDEMARK_BENCH_CONCURRENCY ? Number(env.TIDEMARK_BENCH_CONCURRENCY) : undefined;

const out = (s: string) => process.stdout.write(`${s}\n`);
const loadavg = async () =>
  (await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  out(
    `plugin-snapshots bench: PostgreSQL; sizes ${sizes.join(', ')}; plugin (batch size ${BATCH ?? 'default'}, concurrency ${CONCURRENCY ?? 'default'}) and limit alternate ${ROUNDS}x each; ORM loop on ${ORM_SAMPLE} runs, extrapolated`,
  );
  out(`load average at start: ${await loadavg()}`);
  const rows: SizeResult[] = [];
  for (const runs of sizes) {
    out(`\n${runs} production runs`);
    rows.push(
      await measureSize({
        runs,
        rounds: ROUNDS,
        ormSample: ORM_SAMPLE,
        ...(BATCH ? { batchSize: BATCH } : {}),
        ...(CONCURRENCY ? { concurrency: CONCURRENCY } : {}),
        log: out,
      }),
    );
    out(`  load average now: ${await loadavg()}`);
  }
  out(
    '\nplugin = `up` through 003: plan, lock, ledger, batches each committed with its cursor, per-run error isolation armed, the validator.',
  );
  out('         004 (the foreign keys, validated once) follows it and is shown apart: the limit adds none.');
  out(
    'limit  = one hand-written INSERT ... SELECT + one UPDATE of the whole backfill in one transaction: no batches, no resume, no ledger.',
  );
  out(
    `ORM    = the seed's loop on the first ${ORM_SAMPLE} runs, its time per run times all runs (marked ~ when extrapolated).`,
  );
  out(
    'CPU    = CPU time of this process and of the database sessions (from /proc), medians: the work done, which moves far less with the',
  );
  out(
    "         machine's load than wall time; it leaves out the server's background processes (checkpointer, WAL writer) and parallel",
  );
  out(
    "         workers (the plugin's validator may use one), and two lanes add their CPU where wall time overlaps them.",
  );
  const table = benchTable(rows);
  for (const line of table.lines) out(line);
  const failed = !table.sameRows;
  if (failed) {
    out('the approaches produced different rows');
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
