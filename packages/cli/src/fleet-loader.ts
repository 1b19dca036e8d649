// `tidemark fleet …` lives in @tidemark/fleet (BullMQ, ioredis): an optional peer, so a CLI user who never runs
// fleet commands does not install them. Missing, it is one line saying how to add it.
// A type-only import: erased from the build, so the CLI loads without fleet installed.
import type * as Fleet from '@tidemark/fleet';
import { CliError, ExitCode } from './exit-codes.js';

export const FLEET_MISSING = 'tidemark fleet needs the optional package @tidemark/fleet: npm i @tidemark/fleet';

/** True when `error` says that @tidemark/fleet itself is not installed (not one of its own dependencies). */
export function isFleetMissing(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (typeof e !== 'object' || e === null || (e.code !== 'ERR_MODULE_NOT_FOUND' && e.code !== 'MODULE_NOT_FOUND')) return false;
  const name = /Cannot find (?:package|module) '([^']+)'/.exec(String(e.message))?.[1];
  return name !== undefined && /(?:^|\/node_modules\/)@tidemark\/fleet(?:\/(?:index\.js|dist\/index\.js))?$/.test(name);
}

export async function loadFleet(): Promise<typeof Fleet> {
  try {
    return await import('@tidemark/fleet');
  } catch (error) {
    if (isFleetMissing(error)) throw new CliError(FLEET_MISSING, ExitCode.USAGE);
    throw error;
  }
}
