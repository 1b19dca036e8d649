import { defineProject } from 'vitest/config';

// Stryker's test run for the zip archive (stryker.config.json): the archive's own tests only.
// Self-contained (no shared alias file): Stryker runs it from a sandbox copy of the package, where
// @tidemark/* resolve to their built dist through node_modules.
export default defineProject({
  test: {
    name: 'plugin-run-dirs-mutation',
    include: [
      'src/guards/zip-archive.test.ts',
      'src/guards/zip-entries.test.ts',
      'src/guards/zip-restore.test.ts',
      'src/guards/zip-journal.test.ts',
      'src/guards/zip-links.test.ts',
      'src/guards/journal.test.ts',
    ],
    testTimeout: 30_000,
  },
});
