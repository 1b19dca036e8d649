// `tidemark-snapshots`: the seed's migrate_production_snapshots.py as a command. `--dry-run` prints the
// seed's stats and changes nothing; a real run prints the seed's warning, backs up the tables it touches
// (pg_dump, else a named schema copy; `--no-backup` to skip), asks "Continue? [y/N]" unless `--yes`, runs
// every pending step (schema, backfill, foreign keys) and prints the seed's Migration Summary.
// Exit codes are the `tidemark` CLI's: 0 done, 1 failed or aborted (nothing written when aborted),
// 2 usage, 3 lock timeout. A database without the app's tables is refused in one line before the question.
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { createError, createRunner, describeError, isTidemarkError, type TidemarkEvent } from '@tidemark/core';
import type { DataSource } from 'typeorm';
import { openPostgres } from './connect.js';
import { missingAppTables, missingTablesMessage } from './inspect.js';
import { describeDataSource, snapshotsPlugin } from './plugin.js';
import { migrationSummary } from './report.js';
import { backfillStats, formatStats } from './stats.js';

export interface SnapshotsCliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Answers the confirmation prompt; default: a line from stdin (no answer = no). */
  ask?: (question: string) => Promise<string>;
  /** Tests pass an open DataSource; otherwise --url or DATABASE_URL. */
  dataSource?: DataSource;
  env?: NodeJS.ProcessEnv;
}

/** A line of this command's error output: prefixed and redacted like every Tidemark error. */
const line = (message: string, cause?: unknown): string =>
  createError('plugin-snapshots', message, cause === undefined ? {} : { cause }).message;

const USAGE = `usage: tidemark-snapshots [--help] [--dry-run] [--yes] [--url postgres://...] [--no-backup] [--backup-dir backups]
  [--backup-method auto|pg_dump|copy] [--batch-size 50000] [--concurrency 2] [--lock-wait 120000]
  The database URL may also come from DATABASE_URL.`;

const RULE = '='.repeat(60);

async function askStdin(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } catch {
    return '';
  } finally {
    rl.close();
  }
}

export async function runSnapshotsCli(
  argv: string[],
  io: SnapshotsCliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) },
): Promise<number> {
  let v;
  try {
    v = parseArgs({
      args: argv,
      options: {
        'dry-run': { type: 'boolean' },
        yes: { type: 'boolean', short: 'y' },
        url: { type: 'string' },
        'no-backup': { type: 'boolean' },
        'backup-dir': { type: 'string' },
        'backup-method': { type: 'string' },
        'batch-size': { type: 'string' },
        concurrency: { type: 'string' },
        'lock-wait': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    io.err(`${line(describeError(error))}\n${USAGE}\n`);
    return 2;
  }
  if (v.help) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  const env = io.env ?? process.env;
  const url = v.url ?? env.DATABASE_URL;
  const ints = { batchSize: v['batch-size'], concurrency: v.concurrency, lockWait: v['lock-wait'] };
  const bad = Object.entries(ints).find(([, n]) => n !== undefined && !/^[1-9]\d*$/.test(n));
  const method = v['backup-method'] ?? 'auto';
  if ((!io.dataSource && !url) || bad || !['auto', 'pg_dump', 'copy'].includes(method)) {
    io.err(
      `${line(bad ? `--${bad[0]} must be a positive integer` : !url ? 'no database: give --url or DATABASE_URL' : `--backup-method must be auto, pg_dump or copy`)}\n${USAGE}\n`,
    );
    return 2;
  }
  const dryRun = v['dry-run'] === true;
  const plugin = snapshotsPlugin({
    ...(ints.batchSize ? { batchSize: Number(ints.batchSize) } : {}),
    ...(ints.concurrency ? { concurrency: Number(ints.concurrency) } : {}),
    ...(v['no-backup']
      ? {}
      : {
          backup: {
            method: method as 'auto' | 'pg_dump' | 'copy',
            ...(v['backup-dir'] ? { dir: v['backup-dir'] } : {}),
          },
        }),
  });

  io.out(`${RULE}\nRecipe Snapshot Migration\n${RULE}\n`);
  let ds: DataSource;
  try {
    ds = io.dataSource ?? (await openPostgres(url!, 3));
  } catch (error) {
    io.err(`${line('cannot connect', error)}\n`);
    return 1;
  }
  try {
    // Both the stats and the run read the app's tables: say what is missing in one line, before asking anything.
    const missing = await missingAppTables(ds);
    if (missing.length > 0) {
      io.err(`${line(`${describeDataSource(ds)}: ${missingTablesMessage(missing)}; nothing was changed`)}\n`);
      return 1;
    }
    if (dryRun) {
      io.out(`${formatStats(await backfillStats(ds), true)}\n`);
      return 0;
    }
    io.out(`\nWARNING: This will modify the database (${describeDataSource(ds)})!\n`);
    io.out(
      v['no-backup']
        ? 'Recommendation: Backup your database first (--no-backup: no backup is taken).\n'
        : 'A backup of production_runs and recipe_snapshots is taken before the first write.\n',
    );
    if (!v.yes) {
      const answer = await (io.ask ?? askStdin)('Continue? [y/N]: ');
      if (answer.trim().toLowerCase() !== 'y') {
        io.out('Aborted.\n');
        return 1;
      }
    }
    const onEvent = (e: TidemarkEvent) => {
      if (e.type === 'guard' && e.action === 'backup-taken')
        io.err(`backup: ${String(e.detail?.method)} ${String(e.detail?.ref)}\n`);
      else if (e.type === 'log')
        io.err(`${e.level === 'warn' ? 'WARN ' : ''}${e.migration ? `[${e.migration}] ` : ''}${e.message}\n`);
      else if (e.type === 'step:finished') io.err(`done ${e.migration} (${e.durationMs} ms)\n`);
    };
    const runner = createRunner({ plugin, target: ds, onEvent, lock: { waitMs: Number(ints.lockWait ?? 120_000) } });
    let code = 0;
    let context;
    try {
      context = { command: 'up' as const, result: await runner.up() };
    } catch (error) {
      io.err(`${describeError(error)}\n`);
      code = isTidemarkError(error, 'LOCK_TIMEOUT') ? 3 : 1;
      context = { command: 'up' as const, error };
    }
    try {
      io.out(`\n${(await migrationSummary(ds, context)).text}\n`);
    } catch (error) {
      io.err(`${line('no summary', error)}\n`);
    }
    return code;
  } finally {
    if (!io.dataSource && ds.isInitialized) await ds.destroy();
  }
}
