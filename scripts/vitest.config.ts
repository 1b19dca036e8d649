import { defineProject } from 'vitest/config';

// Repository-wide checks on what the packages publish: they read the BUILT packages (npm test builds first).
export default defineProject({
  test: { name: 'packaging', include: ['*.test.ts'], testTimeout: 600_000, hookTimeout: 600_000 },
});
