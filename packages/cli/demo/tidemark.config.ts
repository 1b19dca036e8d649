// The demo's config: one target, a folder of legacy notes. The demo copies demo/legacy-notes to a temp folder
// and points TIDEMARK_DEMO_TARGET at it, so the example in the repo is never migrated in place.
// To demo another plugin, change the import and the target here and the example folder in run.mjs.
import { defineConfig } from '@tidemark/cli';
import { notesPlugin } from '../src/test-plugin/index.js';

const dir = process.env.TIDEMARK_DEMO_TARGET;

export default defineConfig({
  targets: {
    notes: {
      plugin: notesPlugin(),
      target: () => {
        if (!dir) throw new Error('set TIDEMARK_DEMO_TARGET to a copy of demo/legacy-notes (npm run demo does)');
        return dir;
      },
    },
  },
});
