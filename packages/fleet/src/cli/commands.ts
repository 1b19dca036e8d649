// The `fleet` command group: `tidemark fleet enqueue|worker|sync|index|dashboard|serve-runs`. Mounted by the
// `tidemark` CLI (registerFleetCommands) and also this package's own `tidemark-fleet` bin. Heavy modules
// (BullMQ, the dashboard) load only when their command runs. Secrets come from options or the environment
// and never reach the output.
import { hostname, userInfo } from 'node:os';
import { resolve } from 'node:path';
import { createError, describeError, redact, type Plugin } from '@tidemark/core';
import type { RunDirTarget } from '@tidemark/plugin-run-dirs';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { JOB_KINDS } from '../jobs/job-data.js';
import type { JobKind } from '../status/channels.js';
import { untilStopped, type FleetCliIo } from './io.js';
import { resolveTargets } from './targets.js';

const positiveInt = (what: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${what} must be a positive integer`);
  return n;
};

interface Common {
  redisUrl?: string;
  prefix?: string;
  queue?: string;
  json?: boolean;
}

function common(cmd: Command): Command {
  return cmd
    .option(
      '--redis-url <url>',
      'Redis for the queue and channels (env TIDEMARK_REDIS_URL; default redis://127.0.0.1:6379)',
    )
    .option('--prefix <prefix>', 'BullMQ key prefix (default tidemark)')
    .option('--queue <name>', 'queue name (default fleet)');
}

function names(o: Common, io: FleetCliIo) {
  return {
    redis: o.redisUrl ?? io.env.TIDEMARK_REDIS_URL ?? 'redis://127.0.0.1:6379',
    ...(o.prefix ? { prefix: o.prefix } : {}),
    ...(o.queue ? { queue: o.queue } : {}),
  };
}

function whoAmI(): string {
  try {
    return `cli:${userInfo().username}@${hostname()}`;
  } catch {
    return `cli:${hostname()}`;
  }
}

/** Loads a plugin module: its default export, or `plugin`, as a plugin object or a factory. */
export async function loadPlugin(path: string | undefined): Promise<Plugin<RunDirTarget> | undefined> {
  if (!path) return undefined;
  const mod = (await import(resolve(path))) as Record<string, unknown>;
  const value = mod.default ?? mod.plugin;
  const plugin = typeof value === 'function' ? (value as () => unknown)() : value;
  if (!plugin || typeof plugin !== 'object' || !('migrations' in plugin))
    throw createError('fleet', `${path} exports no plugin (default export or "plugin")`);
  return plugin as Plugin<RunDirTarget>;
}

/** A status line on stderr, prefixed (and redacted) like the errors beside it. */
const say = (message: string): string => `${createError('fleet', message).message}\n`;

export function registerFleetCommands(program: Command, io: FleetCliIo): Command {
  const fail = (error: unknown, code = 1) => {
    const text = redact(describeError(error));
    io.stderr.write(`${text.startsWith('[tidemark] ') ? text : createError('fleet', text).message}\n`);
    io.setExitCode(code);
  };
  const fleet = program
    .command('fleet')
    .description('fleet operations on run directories: jobs on BullMQ, run-sync, the admin dashboard');

  common(fleet.command('enqueue'))
    .description('enqueue a job for each run: run folders, roots of runs, or run ids')
    .argument('<targets...>', 'run folders, roots (every run under it), or run ids')
    .addOption(
      new Option('--action <kind>', 'what to run')
        .choices(JOB_KINDS.filter((k) => k !== 'run-sync'))
        .default('migration'),
    )
    .option('--root <dir>', 'root that run ids resolve against')
    .option('--contains <text>', 'only runs whose name contains this')
    .option('--limit <n>', 'at most this many runs', positiveInt('--limit'))
    .option('--json', 'one JSON document on stdout')
    .action(
      async (targets: string[], o: Common & { action: JobKind; root?: string; contains?: string; limit?: number }) => {
        try {
          const items = await resolveTargets(targets, {
            ...(o.root ? { root: resolve(o.root) } : {}),
            ...(o.contains ? { contains: o.contains } : {}),
            ...(o.limit ? { limit: o.limit } : {}),
          });
          if (items.length === 0) throw new Error('no runs found in the given targets');
          const { openFleetQueue } = await import('../jobs/queue.js');
          const fq = openFleetQueue(names(o, io));
          try {
            const results = await fq.enqueue(o.action, items, { by: whoAmI() });
            const added = results.filter((r) => !r.collapsed).length;
            if (o.json)
              io.stdout.write(
                `${JSON.stringify({ action: o.action, added, collapsed: results.length - added, jobs: results }, null, 2)}\n`,
              );
            else {
              for (const r of results)
                io.stdout.write(`${r.runId}\t${r.kind}\t${r.jobId}\t${r.collapsed ? 'already queued' : 'enqueued'}\n`);
              io.stderr.write(`${added} job(s) enqueued, ${results.length - added} run(s) already had one\n`);
            }
          } finally {
            await fq.close();
          }
        } catch (error) {
          fail(error);
        }
      },
    );

  common(fleet.command('worker'))
    .description('run fleet jobs until SIGTERM/SIGINT (then finish running jobs and stop)')
    .option('--root <dir>', 'root of runs (run ids resolve here; run-sync writes here)', process.env.TIDEMARK_RUNS_ROOT)
    .option('--concurrency <n>', 'jobs at once in this worker', positiveInt('--concurrency'), 1)
    .option('--registry-url <url>', 'PostgreSQL registry to upsert run rows into (env TIDEMARK_REGISTRY_URL)')
    .option('--nodb-redis-url <url>', "the web app's Redis for .nodb locks (default: the queue's)")
    .addOption(new Option('--snapshot <kind>', 'pre-migration snapshot').choices(['zip', 'hardlink']).default('zip'))
    .option('--plugin <module>', 'module exporting the run-dirs plugin to migrate with (default: the built-in one)')
    .option(
      '--grace-ms <ms>',
      'on shutdown, abort running jobs after this long (they are then restored and retried)',
      positiveInt('--grace-ms'),
      300_000,
    )
    .option(
      '--lock-duration-ms <ms>',
      'BullMQ job lock: a killed worker’s jobs are retried after about this long',
      positiveInt('--lock-duration-ms'),
      30_000,
    )
    .option(
      '--sync-hosts <list>',
      'run-sync: comma-separated source hosts (host, host:port or base URL) a request may name (env TIDEMARK_SYNC_HOSTS; default wepp.cloud)',
    )
    .option(
      '--sync-roots <list>',
      'run-sync: comma-separated folders a request may name as target root (env TIDEMARK_SYNC_ROOTS; default only --root)',
    )
    .addOption(
      new Option(
        '--downloader <kind>',
        "run-sync downloader (a private run, with a token, never uses aria2c: 'auto' takes the built-in one, 'aria2c' is refused)",
      )
        .choices(['auto', 'aria2c', 'builtin'])
        .default('auto'),
    )
    .action(
      async (
        o: Common & {
          root?: string;
          concurrency: number;
          registryUrl?: string;
          nodbRedisUrl?: string;
          snapshot: 'zip' | 'hardlink';
          plugin?: string;
          graceMs: number;
          lockDurationMs: number;
          syncHosts?: string;
          syncRoots?: string;
          downloader: 'auto' | 'aria2c' | 'builtin';
        },
      ) => {
        try {
          const { startFleetWorker } = await import('../jobs/worker.js');
          const registry = o.registryUrl ?? io.env.TIDEMARK_REGISTRY_URL;
          const plugin = await loadPlugin(o.plugin);
          const list = (v: string | undefined) =>
            (v ?? '')
              .split(',')
              .map((x) => x.trim())
              .filter(Boolean);
          const syncHosts = list(o.syncHosts ?? io.env.TIDEMARK_SYNC_HOSTS);
          const syncRoots = list(o.syncRoots ?? io.env.TIDEMARK_SYNC_ROOTS).map((r) => resolve(r));
          const worker = await startFleetWorker({
            sync: {
              downloader: o.downloader,
              ...(syncHosts.length ? { allowedSourceHosts: syncHosts } : {}),
              ...(syncRoots.length ? { allowedTargetRoots: syncRoots } : {}),
            },
            ...names(o, io),
            ...(o.root ? { root: resolve(o.root) } : {}),
            ...(plugin ? { plugin } : {}),
            ...(registry ? { registry } : {}),
            ...(o.nodbRedisUrl ? { nodbRedis: o.nodbRedisUrl } : {}),
            concurrency: o.concurrency,
            snapshot: o.snapshot,
            graceMs: o.graceMs,
            lockDurationMs: o.lockDurationMs,
            log: (line) => io.stdout.write(`${line}\n`),
          });
          await worker.ready();
          io.stderr.write(say(`worker ready (concurrency ${o.concurrency})`));
          const signal = await untilStopped(io);
          io.stderr.write(say(`${signal}: finishing running jobs, taking no new ones`));
          await worker.close();
          io.stderr.write(say('worker stopped'));
        } catch (error) {
          fail(error);
        }
      },
    );

  common(fleet.command('sync'))
    .description('enqueue a run-sync: import a run from a source host into the standard root')
    .argument('<runid>')
    .option('--config <name>', 'the run’s config (e.g. disturbed9002)', 'cfg')
    .option('--host <host>', 'source host or base URL', 'wepp.cloud')
    .option('--owner-email <email>')
    .option(
      '--target-root <dir>',
      'import to <dir>/<runid>/<config> (must be in the worker’s --sync-roots; default the worker’s --root tree)',
    )
    .option('--auth-token-env <var>', 'environment variable holding the source’s auth token', 'TIDEMARK_SYNC_TOKEN')
    .option('--allow-push', 'allow a sync with a push host (needs a token)')
    .option('--overwrite', 'replace an existing run (never a READONLY or locked one)')
    .option('--json')
    .action(
      async (
        runid: string,
        o: Common & {
          config: string;
          host: string;
          ownerEmail?: string;
          targetRoot?: string;
          authTokenEnv: string;
          allowPush?: boolean;
          overwrite?: boolean;
        },
      ) => {
        try {
          const { openFleetQueue } = await import('../jobs/queue.js');
          const { checkPushGuard } = await import('../run-sync/sync-run.js');
          const token = io.env[o.authTokenEnv];
          const request = {
            runid,
            config: o.config,
            sourceHost: o.host,
            ...(o.ownerEmail ? { ownerEmail: o.ownerEmail } : {}),
            ...(o.targetRoot ? { targetRoot: resolve(o.targetRoot) } : {}),
            ...(token ? { authToken: token } : {}),
            ...(o.allowPush ? { allowPush: true } : {}),
            ...(o.overwrite ? { overwrite: true } : {}),
          };
          checkPushGuard(request);
          const fq = openFleetQueue(names(o, io));
          try {
            const [r] = await fq.enqueue('run-sync', [{ runId: runid, sync: request }], { by: whoAmI() });
            io.stdout.write(
              o.json
                ? `${JSON.stringify(r)}\n`
                : `${runid}\trun-sync\t${r!.jobId}\t${r!.collapsed ? 'already queued' : 'enqueued'}\n`,
            );
          } finally {
            await fq.close();
          }
        } catch (error) {
          fail(error);
        }
      },
    );

  common(fleet.command('index'))
    .description('read every run under a root into the fleet index the dashboard lists')
    .argument('<root>')
    .action(async (root: string, o: Common) => {
      try {
        const { openFleetQueue } = await import('../jobs/queue.js');
        const { indexRoot } = await import('../runs/run-index.js');
        const fq = openFleetQueue(names(o, io));
        try {
          const rows = await indexRoot(fq.index, resolve(root));
          io.stderr.write(`${rows.length} run(s) indexed\n`);
        } finally {
          await fq.close();
        }
      } catch (error) {
        fail(error);
      }
    });

  common(fleet.command('dashboard'))
    .description('serve the admin dashboard (token login; no anonymous access)')
    .option('--port <n>', 'port', (v) => Number(v), 8765)
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--token-env <var>', 'environment variable holding the admin token', 'TIDEMARK_DASHBOARD_TOKEN')
    .option('--root <dir>', 'root of runs to index at start (optional)')
    .action(async (o: Common & { port: number; host: string; tokenEnv: string; root?: string }) => {
      try {
        const token = io.env[o.tokenEnv];
        if (!token || token.length < 12)
          throw new Error(
            `set ${o.tokenEnv} to an admin token of at least 12 characters; the dashboard never runs without one`,
          );
        const { startDashboard } = await import('../dashboard/server.js');
        const dash = await startDashboard({
          ...names(o, io),
          adminToken: token,
          port: o.port,
          host: o.host,
          ...(o.root ? { root: resolve(o.root) } : {}),
        });
        io.stderr.write(say(`dashboard on ${dash.url}`));
        await untilStopped(io);
        await dash.close();
      } catch (error) {
        fail(error);
      }
    });

  fleet
    .command('serve-runs')
    .description(
      'serve the runs under a root as a run-sync source on WEPPcloud’s protocol (/weppcloud/runs/<runid>/<config>/aria2c.spec, …/download/<path> with Range, + tidemark-manifest.json)',
    )
    .argument('<root>')
    .option('--port <n>', 'port', (v) => Number(v), 8766)
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option(
      '--token-env <var>',
      'environment variable holding the token clients must send (optional)',
      'TIDEMARK_SYNC_TOKEN',
    )
    .option('--public-url <url>', 'base URL the spec’s links use when behind a proxy (default: the request’s Host)')
    .action(async (root: string, o: { port: number; host: string; tokenEnv: string; publicUrl?: string }) => {
      try {
        const { startRunSource } = await import('../run-sync/source-server.js');
        const token = io.env[o.tokenEnv];
        const server = await startRunSource({
          root: resolve(root),
          port: o.port,
          host: o.host,
          ...(token ? { token } : {}),
          ...(o.publicUrl ? { publicUrl: o.publicUrl } : {}),
        });
        io.stderr.write(say(`serving runs of ${root} on ${server.url}`));
        await untilStopped(io);
        await server.close();
      } catch (error) {
        fail(error);
      }
    });

  return fleet;
}
