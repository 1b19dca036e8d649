import { defineProject } from 'vitest/config';

// Self-contained (no shared alias file): Stryker runs this config from a sandbox copy of the package.
export default defineProject({
  test: { name: 'core', include: ['src/**/*.test.ts'], testTimeout: 30_000 },
});
