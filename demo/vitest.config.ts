import { defineProject } from 'vitest/config';

// The demo runs the BUILT packages (npm test builds first), so no source aliases here.
export default defineProject({
  test: { name: 'demo', include: ['*.test.ts'], testTimeout: 600_000, hookTimeout: 600_000 },
});
