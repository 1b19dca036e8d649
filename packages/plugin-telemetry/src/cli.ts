// `tidemark-telemetry follow <logsDir>`: mirrors the logger's CSVs into PostgreSQL as they grow (see
// follow.ts). The database comes from --database-url or DATABASE_URL; the mirror honours the feature flag
// TIDEMARK_TELEMETRY_DB_WRITES (on/1/true/yes), unless --always is given. Stops on SIGINT/SIGTERM.
import { createError, describeError, redact } from '@tidemark/core';
import { follow, type FollowEvent, type FollowOptions } from './follow.js';

/** A line of this command's error output: prefixed and redacted like every Tidemark error. */
const line = (message: string, cause?: unknown): string =>
  createError('plugin-telemetry', message, cause === undefined ? {} : { cause }).message;

const USAGE = `usage: tidemark-telemetry follow <logsDir> [--database-url URL] [--timezone ZONE] [--poll-ms N] [--closed-after-ms N] [--no-watch] [--always]
  Mirrors new complete CSV lines under <logsDir> into PostgreSQL (offsets kept in ingested_files).
  DATABASE_URL is used when --database-url is not given. The mirror runs while TIDEMARK_TELEMETRY_DB_WRITES
  is on (or always, with --always).`;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

const consoleIo: CliIo = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

/** Runs the CLI; resolves to the exit code. `hooks` are for tests (a commit held open to kill the process). */
export async function runCli(
  argv: readonly string[],
  io: CliIo = consoleIo,
  hooks: Pick<FollowOptions, 'beforeCommit'> = {},
  stopSignal?: Promise<void>,
): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'follow') {
    io.err(
      command === undefined || command === '--help' || command === '-h'
        ? USAGE
        : `${line(`unknown command "${command}"`)}\n${USAGE}`,
    );
    return command === '--help' || command === '-h' ? 0 : 1;
  }
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (!a.startsWith('--')) positional.push(a);
    else if (['--no-watch', '--always'].includes(a)) flags.set(a, true);
    else {
      const value = rest[++i];
      if (value === undefined) {
        io.err(`${line(`${a} needs a value`)}\n${USAGE}`);
        return 1;
      }
      flags.set(a, value);
    }
  }
  const logsDir = positional[0];
  const url = (flags.get('--database-url') as string | undefined) ?? process.env.DATABASE_URL;
  if (!logsDir || !url) {
    io.err(
      `${line(!logsDir ? 'missing <logsDir>' : 'no database: pass --database-url or set DATABASE_URL')}\n${USAGE}`,
    );
    return 1;
  }
  const num = (name: string) => (flags.has(name) ? Number(flags.get(name)) : undefined);
  const { default: knexFactory } = await import('knex');
  const knex = knexFactory({
    client: 'pg',
    connection: url,
    pool: { min: 0, max: 2 },
    acquireConnectionTimeout: 10_000,
  });
  try {
    const follower = await follow({
      knex,
      logsDir,
      ...(flags.has('--timezone') ? { timezone: flags.get('--timezone') as string } : {}),
      ...(num('--poll-ms') === undefined ? {} : { pollMs: num('--poll-ms')! }),
      ...(num('--closed-after-ms') === undefined ? {} : { closedAfterMs: num('--closed-after-ms')! }),
      ...(flags.has('--no-watch') ? { watch: false } : {}),
      ...(flags.has('--always') ? { enabled: () => true } : {}),
      ...hooks,
      onEvent: (e) => io.out(formatEvent(e)),
    });
    io.out(`following ${logsDir} -> ${redact(url)}`);
    await (stopSignal ??
      new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      }));
    const stats = await follower.stop();
    io.out(
      `stopped: ${stats.inserted} sample(s), ${stats.rejected} rejected, ${stats.conflicts} conflict(s) in ${stats.rounds} round(s)`,
    );
    return 0;
  } catch (error) {
    io.err(redact(describeError(error)));
    return 1;
  } finally {
    await knex.destroy();
  }
}

export function formatEvent(e: FollowEvent): string {
  switch (e.type) {
    case 'ingested':
      return `${e.grown ? 'grown' : 'ingested'} "${e.file}": +${e.inserted} sample(s), ${e.rejected} rejected, offset ${e.offset}${e.held > 0 ? `, ${e.held} byte(s) held back` : ''}`;
    case 'conflict':
      return `conflict: "${e.file}" ${e.reason}; not ingested again`;
    case 'copy':
      return `copy: "${e.file}" is a byte-identical copy of "${e.of}"; not ingested again`;
    case 'failed':
      return `failed: ${e.message}`;
    default:
      return `${e.type}: ${e.message}`;
  }
}
