// The `before/` folders of the golden cases under a fixtures folder: the default legacy states for the laws.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export function listBefores(fixturesDir: string): string[] {
  if (!existsSync(fixturesDir)) return [];
  return readdirSync(fixturesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(fixturesDir, e.name, 'before')))
    .map((e) => join(fixturesDir, e.name, 'before'))
    .sort();
}
