import { defineProject } from 'vitest/config';

// Stryker's test run for the row parser (stryker.config.json): only the parser's own unit tests, no database.
// Self-contained (no shared alias file): Stryker runs it from a sandbox copy of the package, where
// @tidemark/core resolves to its built dist through node_modules.
export default defineProject({
  test: {
    name: 'plugin-telemetry-mutation',
    include: ['src/row-parser.test.ts', 'src/csv-lines.test.ts', 'src/header-map.test.ts', 'src/values.test.ts'],
    testTimeout: 60_000,
  },
});
