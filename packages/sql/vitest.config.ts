import { defineProject } from 'vitest/config';
import { sourceAliases } from '../../vitest.shared.js';

export default defineProject({
  resolve: { alias: sourceAliases },
  test: { name: 'sql', include: ['src/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
});
