import { fileURLToPath } from 'node:url';

/** fixtures/plugin-run-dirs at the repository root. */
export const FIXTURES_DIR = fileURLToPath(new URL('../../../../fixtures/plugin-run-dirs/', import.meta.url));
