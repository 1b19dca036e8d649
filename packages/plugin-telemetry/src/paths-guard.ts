// Before anything else of an `up`: logsDir must be an existing folder and configPath an existing file. With
// a wrong path the traits would find nothing, the steps be recorded as baselined, and the real history never
// ingested once the path is fixed. An existing empty folder is a real (empty) history: still a baseline.
import { TidemarkError, defineGuard, type Guard } from '@tidemark/core';
import { stat } from 'node:fs/promises';
import { PLUGIN_NAME } from './options.js';
import type { TelemetryTarget } from './target.js';

/** What is wrong with the target's paths (empty when both exist as they should). */
export async function pathProblems(target: TelemetryTarget): Promise<string[]> {
  const problems: string[] = [];
  const kind = (path: string) =>
    stat(path).then(
      (s) => (s.isDirectory() ? 'folder' : s.isFile() ? 'file' : 'other'),
      (e: NodeJS.ErrnoException) =>
        e.code === 'ENOENT' || e.code === 'ENOTDIR' ? 'missing' : `unreadable (${e.code ?? e.message})`,
    );
  const logs = await kind(target.logsDir);
  if (logs !== 'folder')
    problems.push(
      `logsDir "${target.logsDir}" ${logs === 'missing' ? 'does not exist' : logs === 'file' || logs === 'other' ? 'is not a folder' : `is ${logs}`}`,
    );
  const config = await kind(target.configPath);
  if (config !== 'file')
    problems.push(
      `configPath "${target.configPath}" ${config === 'missing' ? 'does not exist' : config === 'folder' || config === 'other' ? 'is not a file' : `is ${config}`}`,
    );
  return problems;
}

export function pathsGuard(): Guard<TelemetryTarget> {
  return defineGuard<TelemetryTarget>({
    name: 'paths',
    async aroundRun(ctx, next) {
      if (ctx.command !== 'up') return next();
      const problems = await pathProblems(ctx.target);
      if (problems.length > 0) {
        throw new TidemarkError(
          'STEP_FAILED',
          `refusing to run, nothing was recorded:\n  - ${problems.join('\n  - ')}\n  (check the paths; an empty logs folder that exists is fine)`,
          { plugin: PLUGIN_NAME, target: ctx.targetLabel, step: 'guard:paths' },
        );
      }
      await next();
    },
  });
}
