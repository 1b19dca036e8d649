// Legacy shapes only the Python model can fix. They are detected and reported with evidence as
// "needs external regeneration"; no migration pretends to fix them.
import { readFile } from 'node:fs/promises';
import { defineTrait } from '@tidemark/core';
import { exists, isFile, listFiles } from '../run-files.js';
import { runPath, type RunDirTarget } from '../target.js';

export const ashPicklesTrait = defineTrait<RunDirTarget>({
  id: 'ash-pickles',
  title: 'Ash post-processing stored as pickles (ash/post/*.pkl) without parquet outputs',
  fixes: [],
  external:
    'needs external regeneration: wepppy tools/migrations/migrate_ashpost_pickles.py (the ash model) rebuilds ash/post/*.parquet',
  async detect(target) {
    const files = await listFiles(target, 'ash/post');
    const pickles = files.filter((f) => f.endsWith('.pkl'));
    if (pickles.length === 0) return null;
    const missing = pickles.filter((p) => !files.includes(p.replace(/\.pkl$/, '.parquet')));
    if (missing.length === 0) return null;
    return {
      summary: `${missing.length} ash pickle(s) without parquet: ${missing.map((p) => `ash/post/${p}`).join(', ')}`,
      details: { pickles: pickles.map((p) => `ash/post/${p}`), withoutParquet: missing.map((p) => `ash/post/${p}`) },
    };
  },
});

export const INTERCHANGE_DIR = 'wepp/output/interchange';
export const INTERCHANGE_REQUIRED = ['loss_pw0.hill.parquet', 'loss_pw0.out.parquet'];

export const interchangeTrait = defineTrait<RunDirTarget>({
  id: 'interchange-legacy',
  title: 'WEPP interchange outputs missing or legacy (no loss_pw0 parquet)',
  fixes: [],
  external:
    'needs external regeneration: wepppy rq/interchange_rq.py run_interchange_migration regenerates wepp/output/interchange from the WEPP outputs',
  async detect(target) {
    if (!(await exists(runPath(target, INTERCHANGE_DIR)))) return null;
    const files = await listFiles(target, INTERCHANGE_DIR);
    const missing = INTERCHANGE_REQUIRED.filter((f) => !files.includes(f));
    if (missing.length === 0) return null;
    let manifest: unknown = null;
    const manifestPath = runPath(target, INTERCHANGE_DIR, 'interchange_version.json');
    if (await isFile(manifestPath)) {
      try {
        manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
      } catch {
        manifest = 'unreadable';
      }
    }
    return {
      summary: `${INTERCHANGE_DIR} lacks ${missing.join(', ')}${manifest ? ` (manifest ${JSON.stringify(manifest)})` : ' (no interchange_version.json)'}`,
      details: { missing, present: files, manifest },
    };
  },
});
