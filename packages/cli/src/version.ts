import { readFileSync } from 'node:fs';

/** Read from package.json next to dist/ (or src/), so the version has one source. */
export const VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
      .version;
  } catch {
    return '0.0.0';
  }
})();
