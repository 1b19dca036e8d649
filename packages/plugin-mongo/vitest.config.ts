import { defineProject } from 'vitest/config';
import { sourceAliases } from '../../vitest.shared.js';

export default defineProject({
  resolve: { alias: sourceAliases },
  // Every test talks to a database server over TCP; 8 replicas racing on a 2-core CI machine need headroom.
  test: { name: 'plugin-mongo', include: ['src/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 30_000 },
});
