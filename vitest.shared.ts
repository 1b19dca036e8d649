// Tests run from src/ without a build: every @tidemark/<name> import resolves to packages/<name>/src/index.ts,
// and @tidemark/<name>/testing (a plugin's harness subpath) to packages/<name>/src/testing/index.ts.
import { fileURLToPath } from 'node:url';

const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url));

export const sourceAliases = [
  { find: /^@tidemark\/([a-z0-9-]+)$/, replacement: `${packagesDir}$1/src/index.ts` },
  { find: /^@tidemark\/(plugin-[a-z0-9-]+)\/testing$/, replacement: `${packagesDir}$1/src/testing/index.ts` },
];
