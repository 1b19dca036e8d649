import { checksumMatches, orderMigrations } from '@tidemark/core';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { renderTable, truncate } from '../table.js';
import { forEachTarget, type CommandEnv } from '../target-loop.js';

export type MigrationStatus = 'applied' | 'baselined' | 'failed' | 'pending' | 'unknown';

export async function statusCommand(env: CommandEnv): Promise<ExitCodeValue> {
  const { out } = env;
  return forEachTarget(env, 'status', { live: false }, async (runner, info) => {
    const report = await runner.status();
    const latest = new Map(report.entries.map((e) => [e.id, e]));
    const migrations = orderMigrations(info.entry.plugin.migrations, info.plugin).map((m) => {
      const e = latest.get(m.id);
      const status = (e ? e.outcome : 'pending') as MigrationStatus;
      return {
        id: m.id,
        title: m.title,
        status,
        checksumChanged: e?.outcome === 'applied' && !checksumMatches(m, e.checksum),
        ...(e ? { at: e.at, by: e.by, durationMs: e.durationMs, ...(e.note ? { note: e.note } : {}) } : {}),
      };
    });
    for (const id of report.unknown) {
      const e = latest.get(id)!;
      migrations.push({
        id,
        title: '(not defined by the plugin)',
        status: 'unknown',
        checksumChanged: false,
        at: e.at,
        by: e.by,
        durationMs: e.durationMs,
      });
    }
    const lock = report.lock ? `held by ${report.lock.host}:${report.lock.pid} until ${report.lock.expiresAt}` : 'free';
    out.print(`lock: ${lock}   version: ${report.version ?? '-'}`);
    const colour = { applied: 'green', baselined: 'dim', failed: 'red', pending: 'yellow', unknown: 'red' } as const;
    const rows = migrations.map((m) => [
      m.id,
      out.paint(colour[m.status], m.status + (m.checksumChanged ? ' (changed)' : '')),
      m.at ? m.at.replace(/\.\d+Z$/, 'Z') : '',
      m.by ?? '',
      truncate(m.title, 60),
    ]);
    for (const line of renderTable(['MIGRATION', 'STATUS', 'AT', 'BY', 'TITLE'], rows, (s) => out.paint('bold', s)))
      out.print(line);
    const count = (s: MigrationStatus) => migrations.filter((m) => m.status === s).length;
    out.print(
      `${count('applied')} applied, ${count('baselined')} baselined, ${count('failed')} failed, ${count('pending')} pending${report.unknown.length ? `, ${report.unknown.length} unknown` : ''}`,
    );
    return {
      exitCode: ExitCode.OK,
      data: {
        status: {
          lock: report.lock,
          version: report.version,
          migrations,
          pending: report.pending,
          unknown: report.unknown,
        },
      },
    };
  });
}
