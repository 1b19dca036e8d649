// `tidemark-sheets`: the seed's coordinator / verify / rollback scripts as one command. JSON on stdout, step
// logs on stderr, and per run (migrate, rollback) the coordinator's log file and report file in --log-dir.
// Exit codes are the `tidemark` CLI's: 0 done; 1 a step or check failed (or not eligible); 2 usage or config
// error; 3 lock timeout; 4 drift; 5 `verify`: the migration is still to apply; 6 not supported (e.g. a
// rollback outside the window). Settings come from `migration_config.json` (the seed's file, in the working
// directory or --config) when present; flags win. Credentials: --key-file (service account) or Application
// Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud auth). --api-url (or SHEETS_API_URL) points it at
// another endpoint, e.g. the `tidemark-sheets-emulator` bin (any API key there, so no credentials needed).
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createError, describeError, isTidemarkError, redact, type TidemarkEvent } from '@tidemark/core';
import { migrateSheet, rollbackSheet, sheetStatus, verifySheet } from './api.js';
import type { AuthLike } from './client.js';
import { resolveConfig, type SheetsPluginOptions } from './options.js';
import { checkEligibility } from './eligibility.js';
import { classify, viewSheet } from './inspect.js';
import { sheetsLedger } from './ledger.js';
import { SCOPES, serviceAccountAuth, sheetsTarget } from './target.js';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Tests pass an auth client; otherwise --key-file or ADC. */
  auth?: AuthLike;
  /** Working directory (for migration_config.json and logs/). Default process.cwd(). */
  cwd?: string;
  /** "Now" for file names, the rollback window and leases (tests). */
  clock?: () => Date;
  /**
   * The command as the user typed it, for usage and hints: `tidemark sheets` when mounted there. Default
   * `tidemark-sheets`.
   */
  name?: string;
  /** Read for SHEETS_API_URL. Default process.env. */
  env?: Record<string, string | undefined>;
}

/** The `tidemark` CLI's documented exit codes (packages/cli/README.md, "Exit codes"). */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, LOCK_TIMEOUT: 3, DRIFT: 4, PENDING: 5, NOT_SUPPORTED: 6 } as const;

export function exitCodeFor(error: unknown): number {
  if (isTidemarkError(error, 'LOCK_TIMEOUT')) return EXIT.LOCK_TIMEOUT;
  if (isTidemarkError(error, 'DRIFT')) return EXIT.DRIFT;
  if (isTidemarkError(error, 'NOT_SUPPORTED') || isTidemarkError(error, 'IRREVERSIBLE')) return EXIT.NOT_SUPPORTED;
  if (
    ['UNKNOWN_MIGRATION', 'DAG_CYCLE', 'DUPLICATE_MIGRATION', 'INVALID_DEFINITION'].some((c) =>
      isTidemarkError(error, c as never),
    )
  )
    return EXIT.USAGE;
  // A refusal on the cause (e.g. the rollback window) is wrapped in STEP_FAILED by the runner.
  if (isTidemarkError(error, 'STEP_FAILED') && error.cause !== undefined) {
    const inner = exitCodeFor(error.cause);
    if (inner !== EXIT.FAILED) return inner;
  }
  return EXIT.FAILED;
}

/** A line of this command's error output: prefixed and redacted like every Tidemark error. */
const line = (message: string, cause?: unknown): string =>
  createError('plugin-sheets', message, cause === undefined ? {} : { cause }).message;

const usage = (
  name: string,
) => `usage: ${name} <migrate|verify|rollback|status> [--spreadsheet <id>] [--sheet Operaciones]
  [--config migration_config.json] [--key-file service-account.json] [--dry-run] [--force] [--check-eligibility]
  [--mode columns|backup] [--backup-id <drive file id>] [--override-window] [--window-days 7] [--keep-backup]
  [--not-strict] [--backup-folder <id>] [--legacy-headers <file>] [--log-dir logs] [--api-url <url>]
  --api-url (or SHEETS_API_URL): another API endpoint, e.g. a local tidemark-sheets-emulator (no credentials needed)`;

/** The seed's five steps, in its names; migration_config.json must list exactly these. */
const SEED_STEPS = ['create_backup', 'add_v3_columns', 'verify_schema', 'initialize_versions', 'test_smoke'];

interface SeedConfig {
  production_sheet_id?: string;
  backup_folder_id?: string | null;
  migration_steps?: string[];
  rollback_window_days?: number;
  dry_run?: boolean;
  log_level?: string;
}

class UsageError extends Error {}

async function readSeedConfig(file: string): Promise<SeedConfig> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${file}: ${describeError(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new UsageError(`${file}: expected a JSON object`);
  const c = parsed as SeedConfig;
  if (c.production_sheet_id !== undefined && typeof c.production_sheet_id !== 'string')
    throw new UsageError(`${file}: production_sheet_id must be a string`);
  if (c.rollback_window_days !== undefined && !(Number.isInteger(c.rollback_window_days) && c.rollback_window_days > 0))
    throw new UsageError(`${file}: rollback_window_days must be a positive integer`);
  if (
    c.migration_steps !== undefined &&
    (!Array.isArray(c.migration_steps) || c.migration_steps.join() !== SEED_STEPS.join())
  ) {
    throw new UsageError(
      `${file}: migration_steps must be ${JSON.stringify(SEED_STEPS)} (the steps are this plugin's migrations), got ${JSON.stringify(c.migration_steps)}`,
    );
  }
  return c;
}

/** A JSON array of headers, or one header per line. */
async function readHeaders(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--legacy-headers ${file}: ${describeError(error)}`);
  }
  const trimmed = text.trim();
  const headers = trimmed.startsWith('[') ? (JSON.parse(trimmed) as unknown[]) : trimmed.split(/\r?\n/);
  if (
    !Array.isArray(headers) ||
    headers.length === 0 ||
    headers.some((h) => typeof h !== 'string' || h.trim() === '')
  ) {
    throw new UsageError(
      `--legacy-headers ${file}: expected a JSON array of header names or one name per line, none empty`,
    );
  }
  return headers.map((h) => (h as string).trim());
}

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);

export async function runCli(
  argv: string[],
  io: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) },
): Promise<number> {
  const name = io.name ?? 'tidemark-sheets';
  const USAGE = usage(name);
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        spreadsheet: { type: 'string' },
        sheet: { type: 'string' },
        config: { type: 'string' },
        'key-file': { type: 'string' },
        'dry-run': { type: 'boolean' },
        force: { type: 'boolean' },
        'check-eligibility': { type: 'boolean' },
        mode: { type: 'string' },
        'backup-id': { type: 'string' },
        'override-window': { type: 'boolean' },
        'window-days': { type: 'string' },
        'keep-backup': { type: 'boolean' },
        'not-strict': { type: 'boolean' },
        'backup-folder': { type: 'string' },
        'legacy-headers': { type: 'string' },
        'log-dir': { type: 'string' },
        'api-url': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.err(`${line(describeError(error))}\n${USAGE}\n`);
    return EXIT.USAGE;
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    io.out(`${USAGE}\n`);
    return EXIT.OK;
  }
  const command = positionals[0];
  const cwd = io.cwd ?? process.cwd();
  let seed: SeedConfig = {};
  let legacyHeaders: string[] | undefined;
  try {
    const configFile = v.config ? resolve(cwd, v.config) : join(cwd, 'migration_config.json');
    if (v.config || existsSync(configFile)) seed = await readSeedConfig(configFile);
    if (v['legacy-headers']) legacyHeaders = await readHeaders(resolve(cwd, v['legacy-headers']));
    if (v['window-days'] !== undefined && !/^[1-9]\d*$/.test(v['window-days']))
      throw new UsageError('--window-days must be a positive integer');
  } catch (error) {
    io.err(`${line(error instanceof UsageError ? error.message : describeError(error))}\n${USAGE}\n`);
    return EXIT.USAGE;
  }
  const spreadsheet = v.spreadsheet ?? seed.production_sheet_id;
  if (
    !command ||
    !['migrate', 'verify', 'rollback', 'status'].includes(command) ||
    !spreadsheet ||
    (v.mode && v.mode !== 'columns' && v.mode !== 'backup')
  ) {
    io.err(
      `${!spreadsheet && command ? `${line('no spreadsheet: give --spreadsheet or production_sheet_id in migration_config.json')}\n` : ''}${USAGE}\n`,
    );
    return EXIT.USAGE;
  }
  const apiUrl = v['api-url'] ?? (io.env ?? process.env).SHEETS_API_URL;
  if (apiUrl !== undefined && !URL.canParse(apiUrl)) {
    io.err(`${line(`--api-url / SHEETS_API_URL: "${apiUrl}" is not a URL`)}\n${USAGE}\n`);
    return EXIT.USAGE;
  }
  // Another endpoint (an emulator) takes any API key; Google itself needs a key file or ADC.
  const auth =
    io.auth ??
    (v['key-file']
      ? await serviceAccountAuth({ keyFile: v['key-file'] })
      : apiUrl
        ? 'tidemark-sheets'
        : new (await import('google-auth-library')).GoogleAuth({ scopes: SCOPES }));
  const target = sheetsTarget({
    spreadsheetId: spreadsheet,
    ...(v.sheet ? { sheetName: v.sheet } : {}),
    auth,
    ...(apiUrl ? { rootUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/` } : {}),
  });
  const backupFolder = v['backup-folder'] ?? seed.backup_folder_id ?? undefined;
  const windowDays = v['window-days'] ? Number(v['window-days']) : seed.rollback_window_days;
  const options: SheetsPluginOptions = {
    ...(io.clock ? { clock: () => io.clock!().getTime() } : {}),
    ...(backupFolder ? { backupFolderId: backupFolder } : {}),
    ...(legacyHeaders ? { legacyHeaders } : {}),
    rollback: {
      ...(v.mode ? { mode: v.mode as 'columns' | 'backup' } : {}),
      ...(v['override-window'] ? { override: true } : {}),
      ...(v['keep-backup'] ? { keepBackup: true } : {}),
      ...(windowDays ? { windowDays } : {}),
    },
  };
  const dryRun = v['dry-run'] === true || seed.dry_run === true;
  const print = (doc: unknown) => io.out(`${JSON.stringify(doc, null, 2)}\n`);

  if (v['check-eligibility']) {
    if (command !== 'migrate' && command !== 'rollback') {
      io.err(`--check-eligibility goes with migrate or rollback\n${USAGE}\n`);
      return EXIT.USAGE;
    }
    const report = await checkEligibility(target, resolveConfig(options), command);
    print(report);
    return report.exitCode;
  }

  // The coordinator's per-run files: every event as a line in the log, a summary in the report.
  const now = (io.clock ?? (() => new Date()))();
  const logDir = resolve(cwd, v['log-dir'] ?? 'logs');
  const runFiles = command === 'migrate' || command === 'rollback';
  const base = command === 'migrate' ? 'migration' : 'rollback';
  const logFile = join(logDir, `${base}_${stamp(now)}.log`);
  const reportFile = join(logDir, `${base}_report_${stamp(now)}.${command === 'migrate' ? 'txt' : 'json'}`);
  let logging: Promise<void> = runFiles
    ? mkdir(logDir, { recursive: true }).then(() => writeFile(logFile, ''))
    : Promise.resolve();
  const log = (line: string) => {
    if (runFiles)
      logging = logging
        .then(() => appendFile(logFile, `${new Date().toISOString()} ${redact(line)}\n`))
        .catch(() => undefined);
  };
  const onEvent = (e: TidemarkEvent) => {
    if (e.type === 'log') {
      io.err(`[${e.migration ?? 'run'}] ${e.message}\n`);
      log(`${e.level.toUpperCase()} [${e.migration ?? 'run'}] ${e.message}`);
    } else if (
      e.type === 'step:started' ||
      e.type === 'step:finished' ||
      e.type === 'step:failed' ||
      e.type === 'step:baselined'
    ) {
      log(`INFO ${e.type} ${e.migration}${e.type === 'step:failed' ? `: ${e.error}` : ''}`);
    } else if (e.type === 'guard') log(`INFO guard ${e.guard} ${e.action}`);
  };
  log(`INFO ${name} ${command} ${spreadsheet}/${target.sheetName}${dryRun ? ' (dry run)' : ''}`);
  let code: number = EXIT.OK;
  let doc: Record<string, unknown>;
  try {
    switch (command) {
      case 'migrate': {
        const r = await migrateSheet(target, {
          ...options,
          ...(dryRun ? { dryRun: true } : {}),
          ...(v.force ? { force: true } : {}),
          onEvent,
        });
        doc = {
          outcome: r.outcome,
          applied: r.applied,
          baselined: r.baselined,
          wouldWrite: r.wouldWrite,
          plan: r.plan.steps.map((s) => ({ id: s.id, why: s.why })),
          report: r.report,
          requests: r.stats,
        };
        code = r.report && !r.report.success ? EXIT.FAILED : EXIT.OK;
        break;
      }
      case 'verify': {
        const r = await verifySheet(target, { ...options, strict: !v['not-strict'] });
        doc = { ...r };
        code = r.exitCode;
        // Still at v2.1 with nothing recorded: the migration is to apply (the CLI's "pending"), not broken data.
        if (
          code !== 0 &&
          (await sheetsLedger(target).read()).length === 0 &&
          classify(await viewSheet(target), resolveConfig(options).schema).shape === 'v2.1'
        )
          code = EXIT.PENDING;
        break;
      }
      case 'rollback': {
        const r = await rollbackSheet(target, {
          ...options,
          ...(dryRun ? { dryRun: true } : {}),
          ...(v['backup-id'] ? { backupId: v['backup-id'] } : {}),
          onEvent,
        });
        doc = {
          outcome: r.outcome,
          reverted: r.reverted,
          ...(v['backup-id'] ? { backupId: v['backup-id'] } : {}),
          requests: r.stats,
        };
        break;
      }
      default:
        doc = (await sheetStatus(target, options)) as unknown as Record<string, unknown>;
    }
  } catch (error) {
    code = exitCodeFor(error);
    doc = { outcome: 'failed', error: describeError(error), requests: target.session.stats };
    log(`ERROR ${describeError(error)}`);
  }
  print({ ...doc, exitCode: code, ...(runFiles ? { logFile, reportFile } : {}) });
  if (runFiles) {
    log(`INFO finished: exit code ${code}`);
    await logging;
    const text =
      command === 'migrate'
        ? [
            `ZEUES v2.1 -> v3.0 Migration Report`,
            `timestamp: ${now.toISOString()}`,
            `spreadsheet: ${spreadsheet} / ${target.sheetName}`,
            `dry run: ${dryRun}`,
            `status: ${code === 0 ? 'SUCCESS' : 'FAILED'} (exit code ${code})`,
            `applied: ${((doc.applied as string[] | undefined) ?? []).join(', ') || 'none'}`,
            `baselined: ${((doc.baselined as string[] | undefined) ?? []).join(', ') || 'none'}`,
            ...(doc.error
              ? [
                  `error: ${String(doc.error)}`,
                  `rollback: ${name} rollback --spreadsheet ${spreadsheet} [--mode columns|backup]`,
                ]
              : []),
            `requests: ${JSON.stringify(target.session.stats.requests)}`,
            `log: ${logFile}`,
            '',
          ].join('\n')
        : `${JSON.stringify({ timestamp: now.toISOString(), spreadsheetId: spreadsheet, sheet: target.sheetName, dryRun, ...doc, exitCode: code, log: logFile }, null, 2)}\n`;
    await writeFile(reportFile, redact(text));
  }
  return code;
}
