// Tiny in-memory targets for the core's own unit tests (the laws run on @tidemark/testing's reference plugin).
import { defineGuard, defineMigration, definePlugin, defineTrait } from '../define.js';
import type { Guard, Migration, Plugin, Trait } from '../contract.js';
import { memoryLedger, type MemoryLedger } from '../memory-ledger.js';
import { TidemarkError } from '../errors.js';

export interface Box {
  name: string;
  data: Record<string, unknown>;
  ledger: MemoryLedger;
  log: string[];
  version: number;
}

export const box = (data: Record<string, unknown> = {}): Box => ({
  name: 'box',
  data,
  ledger: memoryLedger(),
  log: [],
  version: 0,
});

export function setter(
  id: string,
  key: string,
  value: unknown,
  extra: Partial<Parameters<typeof defineMigration<Box>>[0]> = {},
): Migration<Box> {
  return defineMigration<Box>({
    id,
    title: `set ${key}`,
    async up({ target }) {
      target.log.push(`up:${id}`);
      target.data[key] = value;
    },
    async down({ target }) {
      target.log.push(`down:${id}`);
      delete target.data[key];
    },
    ...extra,
  });
}

export function flagTrait(id: string, key: string, fixes: string[], external?: string): Trait<Box> {
  return defineTrait<Box>({
    id,
    title: `${key} is legacy`,
    fixes,
    ...(external ? { external } : {}),
    async detect(t) {
      return t.data[key] === 'legacy' ? { summary: `${key} is legacy`, details: { key } } : null;
    },
  });
}

export function boxPlugin(migrations: Migration<Box>[], extra: Partial<Plugin<Box>> = {}): Plugin<Box> {
  return definePlugin<Box>({
    name: 'box',
    migrations,
    ledger: (t) => t.ledger,
    describe: (t) => t.name,
    ...extra,
  });
}

/** Records the order guards are entered and left in target.log. */
export function tracingGuard(name: string): Guard<Box> {
  return defineGuard<Box>({
    name,
    async aroundRun(ctx, next) {
      ctx.target.log.push(`${name}:run:in`);
      await next();
      ctx.target.log.push(`${name}:run:out`);
    },
    async aroundStep(ctx, next) {
      ctx.target.log.push(`${name}:step:${ctx.migrationId}:in`);
      await next();
      ctx.target.log.push(`${name}:step:${ctx.migrationId}:out`);
    },
  });
}

/** Deep-copies data before the run; restores it on failure and on request. */
export function snapshotGuard(): Guard<Box> & { snapshots: Map<string, Record<string, unknown>> } {
  const snapshots = new Map<string, Record<string, unknown>>();
  const guard = defineGuard<Box>({
    name: 'snap',
    async aroundRun(ctx, next) {
      const ref = `s${snapshots.size + 1}`;
      snapshots.set(ref, structuredClone(ctx.target.data));
      ctx.snapshotTaken(ref);
      try {
        await next();
      } catch (error) {
        ctx.target.data = structuredClone(snapshots.get(ref)!);
        ctx.restored();
        throw error;
      }
    },
    async restore(ctx, ref) {
      ctx.target.data = structuredClone(snapshots.get(ref)!);
    },
  });
  return { ...guard, snapshots };
}

/** The TidemarkError `p` rejects with (any other rejection, or none, fails the test). */
export async function failure(p: Promise<unknown>): Promise<TidemarkError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TidemarkError) return e;
    throw e;
  }
  throw new Error('expected a failure');
}
