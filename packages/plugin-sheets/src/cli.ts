// `tidemark-sheets`: the seed's coordinator / verify / rollback scripts as one command. JSON on stdout; exit
// code 0 = success, 1 = a check failed or the run failed, 2 = bad usage. Credentials: --key-file (service
// account) or Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud auth).
import { parseArgs } from 'node:util';
import { describeError } from '@tidemark/core';
import { migrateSheet, rollbackSheet, sheetStatus, verifySheet } from './api.js';
import type { AuthLike } from './client.js';
import type { SheetsPluginOptions } from './options.js';
import { SCOPES, serviceAccountAuth, sheetsTarget } from './target.js';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Tests pass an auth client; otherwise --key-file or ADC. */
  auth?: AuthLike;
}

const USAGE = `usage: tidemark-sheets <migrate|verify|rollback|status> --spreadsheet <id> [--sheet Operaciones]
  [--key-file service-account.json] [--dry-run] [--force] [--mode columns|backup] [--override-window]
  [--window-days 7] [--keep-backup] [--not-strict] [--backup-folder <id>]`;

export async function runCli(argv: string[], io: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        spreadsheet: { type: 'string' },
        sheet: { type: 'string' },
        'key-file': { type: 'string' },
        'dry-run': { type: 'boolean' },
        force: { type: 'boolean' },
        mode: { type: 'string' },
        'override-window': { type: 'boolean' },
        'window-days': { type: 'string' },
        'keep-backup': { type: 'boolean' },
        'not-strict': { type: 'boolean' },
        'backup-folder': { type: 'string' },
      },
    });
  } catch (error) {
    io.err(`${describeError(error)}\n${USAGE}\n`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  const command = positionals[0];
  if (!command || !['migrate', 'verify', 'rollback', 'status'].includes(command) || !v.spreadsheet || (v.mode && v.mode !== 'columns' && v.mode !== 'backup')) {
    io.err(`${USAGE}\n`);
    return 2;
  }
  const auth = io.auth ?? (v['key-file'] ? await serviceAccountAuth({ keyFile: v['key-file'] }) : new (await import('google-auth-library')).GoogleAuth({ scopes: SCOPES }));
  const target = sheetsTarget({ spreadsheetId: v.spreadsheet, ...(v.sheet ? { sheetName: v.sheet } : {}), auth });
  const options: SheetsPluginOptions = {
    ...(v['backup-folder'] ? { backupFolderId: v['backup-folder'] } : {}),
    rollback: {
      ...(v.mode ? { mode: v.mode as 'columns' | 'backup' } : {}),
      ...(v['override-window'] ? { override: true } : {}),
      ...(v['keep-backup'] ? { keepBackup: true } : {}),
      ...(v['window-days'] ? { windowDays: Number(v['window-days']) } : {}),
    },
  };
  const print = (doc: unknown) => io.out(`${JSON.stringify(doc, null, 2)}\n`);
  try {
    switch (command) {
      case 'migrate': {
        const r = await migrateSheet(target, { ...options, ...(v['dry-run'] ? { dryRun: true } : {}), ...(v.force ? { force: true } : {}), onEvent: (e) => e.type === 'log' && io.err(`[${e.migration ?? 'run'}] ${e.message}\n`) });
        print({ outcome: r.outcome, applied: r.applied, baselined: r.baselined, wouldWrite: r.wouldWrite, plan: r.plan.steps.map((s) => ({ id: s.id, why: s.why })), report: r.report, requests: r.stats });
        return r.report && !r.report.success ? 1 : 0;
      }
      case 'verify': {
        const r = await verifySheet(target, { ...options, strict: !v['not-strict'] });
        print(r);
        return r.exitCode;
      }
      case 'rollback': {
        const r = await rollbackSheet(target, { ...options, ...(v['dry-run'] ? { dryRun: true } : {}) });
        print({ outcome: r.outcome, reverted: r.reverted, requests: r.stats });
        return 0;
      }
      default: {
        print(await sheetStatus(target, options));
        return 0;
      }
    }
  } catch (error) {
    print({ outcome: 'failed', error: describeError(error), requests: target.session.stats });
    return 1;
  }
}
