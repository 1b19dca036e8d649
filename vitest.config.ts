import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'demo/vitest.config.ts'],
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});
