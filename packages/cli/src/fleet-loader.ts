// `tidemark fleet …` lives in @tidemark/fleet (BullMQ, ioredis): an optional peer, so a CLI user who never runs
// fleet commands does not install them. Missing, it is one line saying how to add it.
// A type-only import: erased from the build, so the CLI loads without fleet installed.
import type * as Fleet from '@tidemark/fleet';
import { CliError, ExitCode } from './exit-codes.js';
import { isPackageMissing, missingLine } from './plugin-clis.js';

export const FLEET_MISSING = missingLine('fleet', '@tidemark/fleet');

/** True when `error` says that @tidemark/fleet itself is not installed (not one of its own dependencies). */
export function isFleetMissing(error: unknown): boolean {
  return isPackageMissing(error, '@tidemark/fleet');
}

export async function loadFleet(): Promise<typeof Fleet> {
  try {
    return await import('@tidemark/fleet');
  } catch (error) {
    if (isFleetMissing(error)) throw new CliError(FLEET_MISSING, ExitCode.USAGE);
    throw error;
  }
}
