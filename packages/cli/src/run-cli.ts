// The `tidemark` command, runnable in-process: `runCli(argv, { cwd, stdout, stderr })` resolves to the exit code.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { describeError } from '@tidemark/core';
import { captureCommand } from './commands/corpus.js';
import { downCommand } from './commands/down.js';
import { INIT_PLUGINS, initCommand } from './commands/init.js';
import { newCommand } from './commands/new.js';
import { planCommand } from './commands/plan.js';
import { rehearseCommand } from './commands/rehearse.js';
import { statusCommand } from './commands/status.js';
import { upCommand } from './commands/up.js';
import { verifyCommand } from './commands/verify.js';
import { loadConfig } from './config.js';
import { connectionFailure } from './connection-error.js';
import { routeConsole } from './console-route.js';
import { CliError, ExitCode, exitCodeFor, exitCodeHelp, type ExitCodeValue } from './exit-codes.js';
import { loadFleet } from './fleet-loader.js';
import { Output, type Writer } from './output.js';
import { PLUGIN_CLIS } from './plugin-clis.js';
import type { CommandEnv, GlobalOptions } from './target-loop.js';
import { VERSION } from './version.js';

export interface RunCliOptions {
  cwd?: string;
  stdout?: Writer;
  stderr?: Writer;
  /** Read for NO_COLOR / FORCE_COLOR. Default process.env. */
  env?: Record<string, string | undefined>;
  /** Module specifiers the config file resolves to these already-loaded modules (see loadConfig). */
  modules?: Record<string, unknown>;
}

function milliseconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of milliseconds');
  return n;
}

const HELP_EXAMPLES = `Examples:
  tidemark init --plugin knex          start an app: config, migrations index and its test
  tidemark new add_tags                scaffold a migration, its fixture case and test
  tidemark plan                        what up would do and why (never writes)
  tidemark up --dry-run                the same, as up sees it
  tidemark up -t prod --lock-wait 60000
  tidemark down --to 002_rename_body   keep 002, revert what came after
  tidemark verify --json | jq .ok      exit 0 only when everything is applied and valid
  tidemark rehearse                    apply on a copy and list what would change
  tidemark run-dirs scan /runs --json  a plugin's own command (tidemark-run-dirs; also: sheets, fleet)`;

/** A failure outside the per-target loop, in one line when it is a connection failure. */
function errorLine(error: unknown): string {
  const unreachable = connectionFailure(error);
  return unreachable === undefined ? describeError(error) : `cannot connect: ${unreachable}`;
}

export async function runCli(argv: readonly string[], options: RunCliOptions = {}): Promise<number> {
  const cwd = options.cwd ?? process.cwd();
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const env = options.env ?? process.env;
  let exitCode: ExitCodeValue = ExitCode.OK;

  const program = new Command('tidemark')
    .description('Migrate data wherever it lives: plan, apply, verify and roll back with a ledger.')
    .version(VERSION, '-V, --version')
    .option('-c, --config <file>', 'config file (default: tidemark.config.ts in this folder or a parent)')
    .option('-t, --target <name>', 'act on this target only (default: every target in the config)')
    .option(
      '--json',
      'print one JSON document on stdout; events are suppressed (or JSON lines on stderr with --log-json)',
    )
    .option('--log-json', 'stream events as JSON lines on stderr')
    .option('--no-color', 'no ANSI colours (NO_COLOR is honoured too)')
    .addOption(new Option('--lock-wait <ms>', 'how long to wait for a busy lock').argParser(milliseconds))
    .exitOverride()
    .configureOutput({ writeOut: (s) => stdout.write(s), writeErr: (s) => stderr.write(s) })
    .showHelpAfterError('(run tidemark --help for usage)')
    .addHelpText('after', () => `\n${HELP_EXAMPLES}\n\nExit codes:\n${exitCodeHelp()}\n`);

  const context = (cmd: Command) => {
    const g = cmd.optsWithGlobals<{
      config?: string;
      target?: string;
      json?: boolean;
      logJson?: boolean;
      color?: boolean;
      lockWait?: number;
    }>();
    const color =
      g.color !== false &&
      !env.NO_COLOR &&
      (env.FORCE_COLOR ? env.FORCE_COLOR !== '0' : stdout.isTTY === true || stderr.isTTY === true);
    const global: GlobalOptions = {
      ...(g.config ? { config: g.config } : {}),
      ...(g.target ? { target: g.target } : {}),
      json: g.json === true,
      logJson: g.logJson === true,
      color,
      ...(g.lockWait === undefined ? {} : { lockWait: g.lockWait }),
    };
    const out = new Output(stdout, stderr, {
      json: global.json,
      logJson: global.logJson,
      color: global.color && !global.json,
    });
    return { global, out };
  };

  /** Wraps an action: loads the config, runs, and turns any error into its exit code and a message. */
  const action =
    <A extends unknown[]>(fn: (env: CommandEnv, cmd: Command, ...args: A) => Promise<ExitCodeValue>) =>
    async (...args: unknown[]) => {
      const cmd = args.at(-1) as Command;
      const { global, out } = context(cmd);
      const restoreConsole = routeConsole(stderr);
      try {
        const loaded = await loadConfig({
          cwd,
          file: global.config,
          ...(options.modules ? { modules: options.modules } : {}),
        });
        exitCode = await fn({ cwd, out, loaded, global }, cmd, ...(args.slice(0, -2) as A));
      } catch (error) {
        exitCode = exitCodeFor(error);
        const message = errorLine(error);
        out.warn(`${out.paint('red', 'error')} ${message}`);
        if (global.json) out.document({ command: cmd.name(), ok: false, exitCode, error: { message } });
      } finally {
        restoreConsole();
      }
    };

  /** Like `action`, for commands that run without a config (`init`). */
  const plain =
    (fn: (env: { cwd: string; out: Output }, cmd: Command) => Promise<ExitCodeValue>) =>
    async (...args: unknown[]) => {
      const cmd = args.at(-1) as Command;
      const { global, out } = context(cmd);
      const restoreConsole = routeConsole(stderr);
      try {
        exitCode = await fn({ cwd, out }, cmd);
      } catch (error) {
        exitCode = exitCodeFor(error);
        const message = errorLine(error);
        out.warn(`${out.paint('red', 'error')} ${message}`);
        if (global.json) out.document({ command: cmd.name(), ok: false, exitCode, error: { message } });
      } finally {
        restoreConsole();
      }
    };

  program
    .command('init')
    .description('start an app: tidemark.config.ts, src/migrations/index.ts and its test (never overwrites)')
    .option('--plugin <name>', `what the app migrates: ${INIT_PLUGINS.join(', ')}`)
    .action(plain(async (env, cmd) => initCommand(env, cmd.opts<{ plugin?: string }>())));

  program
    .command('status')
    .description('what the ledger holds for each migration, and the lock')
    .action(action(async (env) => statusCommand(env)));

  program
    .command('plan')
    .description('what `up` would do and why (never writes)')
    .option('--to <id>', 'stop after this migration')
    .option('--repair-drift', 'include re-runs of applied migrations whose legacy shape came back')
    .action(action(async (env, cmd) => planCommand(env, cmd.opts())));

  program
    .command('up')
    .description('apply pending migrations (trait-gated ones are baselined where no legacy shape is found)')
    .option('--to <id>', 'stop after this migration')
    .option('--dry-run', 'plan only, change nothing')
    .option('--repair-drift', 're-run applied migrations whose legacy shape came back')
    .option('--verbose', "print the plugin's report (runbook) also when there is nothing to do")
    .action(action(async (env, cmd) => upCommand(env, cmd.opts())));

  program
    .command('down')
    .description('roll back: --to <id> keeps <id> and reverts what came after; --all reverts everything')
    .option('--to <id>', 'keep this migration applied')
    .option('--all', 'revert every migration')
    .option('--dry-run', 'say what would be reverted, change nothing')
    .action(action(async (env, cmd) => downCommand(env, cmd.opts())));

  program
    .command('verify')
    .description('run validators and trait detectors (never writes); exit code says what was found')
    .action(action(async (env) => verifyCommand(env)));

  program
    .command('rehearse')
    .description('apply on a copy (or a rolled-back transaction) and report what would change')
    .option('--to <id>', 'stop after this migration')
    .action(action(async (env, cmd) => rehearseCommand(env, cmd.opts())));

  program
    .command('new')
    .description("scaffold a migration from the plugin's template, register it, add its fixture case and test")
    .argument('<name>', 'e.g. add_tags (numbered automatically)')
    .option('--title <title>', 'human title (default: from the name)')
    .action(
      action(async (env, cmd, name: string) =>
        newCommand({ cwd: env.cwd, out: env.out, loaded: env.loaded, target: env.global.target }, name, cmd.opts()),
      ),
    );

  const corpus = program.command('corpus').description('the regression corpus of fixture cases');
  corpus
    .command('capture')
    .description("snapshot a real target as a new fixture case's before/")
    .requiredOption('--case <name>', 'name of the new case')
    .action(
      action(async (env, cmd) =>
        captureCommand(
          { cwd: env.cwd, out: env.out, loaded: env.loaded, target: env.global.target },
          cmd.opts<{ case: string }>().case,
        ),
      ),
    );

  // `tidemark sheets …` / `tidemark run-dirs …`: the plugin's own command line, loaded only when used. Its
  // arguments are its own (not commander's), so it runs before the program parses anything.
  const delegate = argv[0] !== undefined && Object.hasOwn(PLUGIN_CLIS, argv[0]) ? PLUGIN_CLIS[argv[0]] : undefined;
  if (delegate) {
    try {
      return await delegate.run(argv.slice(1), { cwd, stdout, stderr, env });
    } catch (error) {
      stderr.write(`error ${errorLine(error)}\n`);
      return exitCodeFor(error);
    }
  }
  for (const [name, plugin] of Object.entries(PLUGIN_CLIS)) {
    program.command(name).description(plugin.description);
  }

  // `tidemark fleet ...` (jobs, workers, run-sync, dashboard) lives in @tidemark/fleet; loaded only when used.
  if (argv[0] === 'fleet') {
    let fleet: Awaited<ReturnType<typeof loadFleet>>;
    try {
      fleet = await loadFleet();
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      stderr.write(`error ${error.message}\n`);
      return error.exitCode;
    }
    const { registerFleetCommands } = fleet;
    registerFleetCommands(program, { stdout, stderr, env, setExitCode: (code) => (exitCode = code as ExitCodeValue) });
  } else {
    program
      .command('fleet')
      .description(
        'fleet operations on run directories: BullMQ jobs, workers, run-sync, the admin dashboard (needs @tidemark/fleet; tidemark fleet --help)',
      );
  }

  for (const cmd of [program, corpus])
    cmd.exitOverride().configureOutput({ writeOut: (s) => stdout.write(s), writeErr: (s) => stderr.write(s) });

  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return ExitCode.USAGE;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      )
        return ExitCode.OK;
      return ExitCode.USAGE;
    }
    throw error;
  }
  return exitCode;
}
