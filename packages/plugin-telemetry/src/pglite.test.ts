import { createRunner } from '@tidemark/core';
import { describe, expect, it } from 'vitest';
import { parityReport, runbookReport, telemetryPlugin } from '@tidemark/plugin-telemetry';
import { pgliteKnex } from './demo/pglite.js';
import { tempDir } from './test/pg.js';
import { writeLegacyFolder } from './demo/sample-data.js';
import { UGLY_EXPECTED, UGLY_FILES } from './demo/ugly.js';

describe('embedded PGlite', () => {
  it('runs the whole migration (COPY via /dev/blob), rejects malformed rows, reruns as a no-op, and rolls back', async () => {
    const dir = await tempDir();
    const knex = await pgliteKnex();
    try {
      const target = { knex, ...(await writeLegacyFolder(dir.path, UGLY_FILES)) };
      // tiny blobs force several COPY batches per file; closedAfterMs: 0 = history (the cut last line is rejected)
      const runner = createRunner({ plugin: telemetryPlugin({ blobBytes: 64, closedAfterMs: 0 }), target });
      const result = await runner.up();
      expect(result.applied).toEqual(['001_schema', '002_config_profiles', '003_ingest_logs']);
      const totals = await knex('ingested_files')
        .select(knex.raw('sum(inserted)::int AS inserted, sum(rejected)::int AS rejected'))
        .first();
      expect(totals).toEqual({ inserted: UGLY_EXPECTED.inserted, rejected: UGLY_EXPECTED.rejected });
      expect(await knex('rejected_rows').orderBy('line_no').pluck('line_no')).toEqual([3, 4, 5, 6, 8]);
      expect((await parityReport(target)).ok).toBe(true);
      expect((await createRunner({ plugin: telemetryPlugin(), target }).up()).outcome).toBe('nothing-to-do');
      const report = await runbookReport(target);
      expect(report.prechecks.server.embedded).toBe(true);
      expect(report.items.find((i) => i.item.startsWith('Parity'))?.status).toBe('done');
      await runner.down({ to: null });
      expect(await knex.schema.hasTable('run_samples')).toBe(false);
    } finally {
      await knex.destroy();
      await dir.remove();
    }
  });
});
