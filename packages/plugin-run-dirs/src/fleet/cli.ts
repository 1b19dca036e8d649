// `tidemark-run-dirs scan|up <root>`: the fleet commands. Exported as `fleetCommands` so the `tidemark`
// CLI can mount them; also this package's own bin. Options follow the real batch tools (--root,
// --contains, --limit, --dry-run, --log-file, --verbose) plus --concurrency, --json, --redis-url,
// --registry-url, --snapshot. Secrets in URLs never reach the output.
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createError, createRunner, describeError, redact, type Plugin } from '@tidemark/core';
import { parseAge, pruneRunArchives } from '../guards/archive-retention.js';
import { redisCommander, type RedisCommander } from '../guards/nodb-locks.js';
import { runDirsPlugin } from '../plugin.js';
import { openRegistry, type RunRegistry } from '../provenance/registry.js';
import type { RunDirTarget } from '../target.js';
import { discoverRuns } from './discover.js';
import { fleetUp, reportLine, type FleetSummary } from './fleet.js';
import type { RunReport } from './migrate-run.js';
import { progressBar } from './progress.js';

export interface FleetIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** The plugin to migrate with (default: `runDirsPlugin()` with its built-in migrations and traits). */
  plugin?: Plugin<RunDirTarget>;
  signal?: AbortSignal;
}

/** A line of this command's error output: prefixed and redacted like every Tidemark error. */
const line = (message: string, cause?: unknown): string =>
  createError('plugin-run-dirs', message, cause === undefined ? {} : { cause }).message;

const USAGE = `usage:
  tidemark-run-dirs scan <root> [--format table|json|log] [--json] [--contains S] [--limit N] [--log-file F]
  tidemark-run-dirs up <root> [--concurrency N] [--dry-run] [--snapshot zip|hardlink] [--redis-url URL]
                        [--registry-url URL] [--archive-after] [--contains S] [--limit N] [--log-file F] [--json]
                        [--no-progress]
  tidemark-run-dirs prune-archives <root> [--keep-last N] [--older-than D] [--dry-run] [--contains S] [--limit N] [--json]
                        (at least one of --keep-last / --older-than; D like 30d, 12h, 2w; the newest pre-migration
                        archive of a run whose migration does not verify is always kept)
environment: TIDEMARK_REDIS_URL, TIDEMARK_REGISTRY_URL`;

const OPTIONS = {
  root: { type: 'string' },
  json: { type: 'boolean', default: false },
  format: { type: 'string' },
  contains: { type: 'string' },
  limit: { type: 'string' },
  'log-file': { type: 'string' },
  verbose: { type: 'boolean', default: false },
  concurrency: { type: 'string', default: '1' },
  'dry-run': { type: 'boolean', default: false },
  snapshot: { type: 'string', default: 'zip' },
  'redis-url': { type: 'string' },
  'registry-url': { type: 'string' },
  'no-progress': { type: 'boolean', default: false },
  'archive-after': { type: 'boolean', default: false },
  'keep-last': { type: 'string' },
  'older-than': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function table(reports: readonly RunReport[]): string {
  const rows = [['RUN', 'VERSION', 'STATUS', 'TRAITS', 'PENDING', 'NOTE']];
  for (const r of reports) {
    const note = [
      r.readonly ? 'READONLY' : '',
      r.reason ?? '',
      r.external.length ? `external: ${r.external.join(',')}` : '',
      r.error ?? '',
    ]
      .filter(Boolean)
      .join('; ');
    rows.push([
      r.run,
      r.fromVersion === undefined ? '?' : String(r.fromVersion),
      r.status,
      r.traits.map((t) => t.id).join(',') || '-',
      String(r.pending.length),
      note,
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.min(48, Math.max(...rows.map((row) => row[i]!.length))));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function summaryText(s: FleetSummary): string {
  const counts = Object.entries(s.counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const reasons = Object.entries(s.reasons)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return `${s.total} runs in ${(s.durationMs / 1000).toFixed(1)} s (${s.runsPerSecond.toFixed(1)} runs/s): ${counts || 'none'}${reasons ? `; failed because: ${reasons}` : ''}`;
}

async function command(name: 'scan' | 'up', argv: readonly string[], io: FleetIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    io.stderr.write(`${line(describeError(error))}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const root = values.root ?? positionals[0];
  if (!root) {
    io.stderr.write(`${line(`${name}: a root folder is required`)}\n${USAGE}\n`);
    return 2;
  }
  const concurrency = Number(values.concurrency);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (
    !Number.isInteger(concurrency) ||
    concurrency < 1 ||
    (limit !== undefined && (!Number.isInteger(limit) || limit < 0))
  ) {
    io.stderr.write(`${line('--concurrency and --limit take positive integers')}\n`);
    return 2;
  }
  if (values.snapshot !== 'zip' && values.snapshot !== 'hardlink') {
    io.stderr.write(`${line('--snapshot takes zip or hardlink')}\n`);
    return 2;
  }
  if (values.format !== undefined && !['table', 'json', 'log'].includes(values.format)) {
    io.stderr.write(`${line('--format takes table, json or log')}\n`);
    return 2;
  }
  const redisUrl = values['redis-url'] ?? io.env.TIDEMARK_REDIS_URL;
  const registryUrl = name === 'up' ? (values['registry-url'] ?? io.env.TIDEMARK_REGISTRY_URL) : undefined;
  let redis: RedisCommander | undefined;
  let registry: RunRegistry | undefined;
  const logFile = values['log-file'] ? createWriteStream(values['log-file'], { flags: 'a' }) : undefined;
  try {
    if (redisUrl) redis = await redisCommander(redisUrl);
    if (registryUrl) {
      registry = await openRegistry({ knex: registryUrl });
      await registry.migrate();
    }
    const dryRun = name === 'scan' || values['dry-run'];
    const format = values.json ? 'json' : (values.format ?? (name === 'scan' ? 'table' : 'log'));
    const lines = format === 'json' ? undefined : io.stdout;
    const showProgress = name === 'up' && !values['no-progress'] && format !== 'json';
    let bar: ReturnType<typeof progressBar> | undefined;
    const counts: Record<string, number> = {};
    const summary = await fleetUp(resolve(root), {
      plugin: io.plugin ?? runDirsPlugin(),
      concurrency,
      dryRun,
      snapshot: values.snapshot,
      ...(values['archive-after'] ? { archiveAfter: true } : {}),
      ...(values.contains ? { contains: values.contains } : {}),
      ...(limit !== undefined ? { limit } : {}),
      ...(redis ? { redis } : {}),
      ...(registry ? { registry } : {}),
      ...(io.signal ? { signal: io.signal } : {}),
      onReport: (report, done, total) => {
        bar ??= progressBar(total, io.stderr, io.stdout, showProgress && Boolean(io.stderr.isTTY));
        counts[report.status] = (counts[report.status] ?? 0) + 1;
        const line = reportLine(report);
        logFile?.write(`${line}\n`);
        if (lines && (name === 'up' || format === 'log' || values.verbose)) bar.log(line);
        bar.tick(counts, done);
      },
    });
    bar?.end();
    if (format === 'json')
      io.stdout.write(
        `${JSON.stringify({ summary: { ...summary, reports: undefined }, runs: summary.reports }, null, 2)}\n`,
      );
    else if (format === 'table') io.stdout.write(`${table(summary.reports)}\n`);
    io.stderr.write(`${summaryText(summary)}\n`);
    const hardFailures = summary.reports.filter((r) => r.status === 'failed' && r.reason !== 'READONLY').length;
    return hardFailures > 0 ? 1 : 0;
  } catch (error) {
    io.stderr.write(`${redact(describeError(error))}\n`);
    return 1;
  } finally {
    await redis?.close?.();
    await registry?.close();
    if (logFile) await new Promise((r) => logFile.end(r));
  }
}

/** `prune-archives`: archive retention over every run under root (see guards/archive-retention.ts). */
async function pruneCommand(argv: readonly string[], io: FleetIo): Promise<number> {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true }));
  } catch (error) {
    io.stderr.write(`${line(describeError(error))}\n${USAGE}\n`);
    return 2;
  }
  const root = values.root ?? positionals[0];
  const keepLast = values['keep-last'] === undefined ? undefined : Number(values['keep-last']);
  if (
    !root ||
    (keepLast === undefined && values['older-than'] === undefined) ||
    (keepLast !== undefined && (!Number.isInteger(keepLast) || keepLast < 0))
  ) {
    io.stderr.write(
      `${line('prune-archives: a root folder and --keep-last N (N >= 0) and/or --older-than D are required')}\n${USAGE}\n`,
    );
    return 2;
  }
  try {
    const olderThanMs = values['older-than'] === undefined ? undefined : parseAge(values['older-than']);
    const limit = values.limit === undefined ? undefined : Number(values.limit);
    const plugin = io.plugin ?? runDirsPlugin({ snapshot: 'none' });
    const results: { run: string; verified: boolean; deleted: string[]; kept: { name: string; why: string }[] }[] = [];
    for (const run of await discoverRuns(resolve(root), {
      ...(values.contains ? { contains: values.contains } : {}),
      ...(limit !== undefined ? { limit } : {}),
    })) {
      const target = { dir: run.dir, runId: run.runId };
      // Unknown counts as not verified: the newest pre-migration archive is then kept.
      const verified = await createRunner({ plugin, target })
        .verify()
        .then(
          (r) => r.ok,
          () => false,
        );
      const r = await pruneRunArchives(target, {
        ...(keepLast !== undefined ? { keepLast } : {}),
        ...(olderThanMs !== undefined ? { olderThanMs } : {}),
        verified,
        dryRun: values['dry-run'],
      });
      results.push({ run: run.name, verified, ...r });
      if (!values.json)
        io.stdout.write(
          `run=${run.name} verified=${verified} ${values['dry-run'] ? 'would_delete' : 'deleted'}=${r.deleted.length} kept=${r.kept.length}${r.deleted.length ? ` files=${r.deleted.join(',')}` : ''}\n`,
        );
    }
    if (values.json) io.stdout.write(`${JSON.stringify({ runs: results }, null, 2)}\n`);
    return 0;
  } catch (error) {
    io.stderr.write(`${redact(describeError(error))}\n`);
    return 1;
  }
}

/** Mountable by the `tidemark` CLI: each takes the arguments after the command name. */
export const fleetCommands = {
  scan: (argv: readonly string[], io: FleetIo) => command('scan', argv, io),
  up: (argv: readonly string[], io: FleetIo) => command('up', argv, io),
  'prune-archives': (argv: readonly string[], io: FleetIo) => pruneCommand(argv, io),
} as const;

export async function runFleetCli(argv: readonly string[], io: FleetIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'scan' || name === 'up' || name === 'prune-archives') return fleetCommands[name](rest, io);
  (name === undefined || name === '--help' || name === '-h' ? io.stdout : io.stderr).write(`${USAGE}\n`);
  return name === undefined || name === '--help' || name === '-h' ? 0 : 2;
}
