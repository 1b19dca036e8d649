// What a start with nothing pending costs the database, counted as statements sent by every pg client in
// this process (the caller's pool and the lock's own session alike): an app awaits this at every boot.
import { createRunner, runPendingMigrations } from '@tidemark/core';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { telemetryPlugin } from '@tidemark/plugin-telemetry';
import { loggerCsv, LOGGER_HEADER } from './demo/sample-data.js';
import { useLegacyTarget } from './test/legacy-target.js';

/** Every statement any pg.Client sends while recording (pg.Pool's clients are pg.Client too). */
function recordStatements(): { statements: string[]; stop(): void } {
  const statements: string[] = [];
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const q = args[0];
    const text =
      typeof q === 'string'
        ? q
        : typeof q === 'object' && q !== null && 'text' in q
          ? String((q as { text: unknown }).text)
          : String(q);
    statements.push(text.replace(/\s+/g, ' ').trim());
    return original.apply(this, args);
  };
  return {
    statements,
    stop() {
      proto.query = original;
    },
  };
}

describe('a start with nothing pending', () => {
  const legacy = useLegacyTarget({ 'a.csv': loggerCsv(20), 'b.csv': `${LOGGER_HEADER}\n` });
  const plugin = telemetryPlugin({ closedAfterMs: 0 });
  let recording: ReturnType<typeof recordStatements> | undefined;

  beforeEach(async () => {
    await createRunner({ plugin, target: legacy.target }).up();
  });
  afterEach(() => {
    recording?.stop();
    recording = undefined;
  });

  it('runPendingMigrations sends one statement (the ledger read) and takes no lock', async () => {
    recording = recordStatements();
    const result = await runPendingMigrations({ plugin, target: legacy.target });
    recording.stop();
    expect(result.outcome).toBe('up-to-date');
    expect(recording.statements).toHaveLength(1);
    expect(recording.statements[0]).toMatch(/FROM tidemark_telemetry_ledger/);
  });

  it('up sends at most three statements (ledger, config profile, files) and takes no lock', async () => {
    const events: string[] = [];
    recording = recordStatements();
    const result = await createRunner({ plugin, target: legacy.target, onEvent: (e) => events.push(e.type) }).up();
    recording.stop();
    expect(result.outcome).toBe('nothing-to-do');
    expect(recording.statements.length, recording.statements.join('\n')).toBeLessThanOrEqual(3);
    expect(recording.statements.join('\n')).not.toMatch(/advisory/);
    expect(events).not.toContain('lock:acquired');
  });

  it('up takes the lock before it ingests when something is pending', async () => {
    const { appendFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    await appendFile(join(legacy.target.logsDir, 'b.csv'), loggerCsv(3).split('\n').slice(1).join('\n'));
    const events: string[] = [];
    recording = recordStatements();
    const result = await createRunner({ plugin, target: legacy.target, onEvent: (e) => events.push(e.type) }).up({
      repairDrift: true,
    });
    recording.stop();
    expect(result.applied).toEqual(['003_ingest_logs']);
    expect(events.filter((e) => e === 'lock:acquired')).toHaveLength(1);
    expect(events.indexOf('lock:acquired')).toBeLessThan(events.indexOf('step:started'));
    expect(recording.statements.join('\n')).toMatch(/pg_try_advisory_lock/);
    const n = await legacy
      .knex('run_samples as s')
      .join('runs as r', 'r.id', 's.run_id')
      .where('r.source_file', 'b.csv')
      .count<{ n: string }[]>({ n: '*' });
    expect(Number(n[0]!.n)).toBe(3);
  });
});
