import type { Migration, Plugin } from '@tidemark/core';

/** The error the harness injects; never thrown by real code. */
export class InjectedFault extends Error {
  constructor(readonly migration: string) {
    super(`injected fault after ${migration}`);
    this.name = 'InjectedFault';
  }
}

/** A copy of the plugin whose migrations are wrapped; ids and checksums are kept. */
export function wrapMigrations<T>(plugin: Plugin<T>, wrap: (m: Migration<T>) => Migration<T>['up']): Plugin<T> {
  return { ...plugin, migrations: plugin.migrations.map((m) => ({ ...m, up: wrap(m) })) };
}

/** Throws after migration `id` did its work: the worst moment for a crash. */
export function withFaultAfter<T>(plugin: Plugin<T>, id: string): Plugin<T> {
  return wrapMigrations(plugin, (m) =>
    m.id === id
      ? async (ctx) => {
          await m.up(ctx);
          throw new InjectedFault(id);
        }
      : m.up.bind(m),
  );
}

/** Counts `up` calls per migration id, across every runner that uses the returned plugin. */
export function withUpCounter<T>(plugin: Plugin<T>): { plugin: Plugin<T>; counts: Map<string, number> } {
  const counts = new Map<string, number>();
  const counted = wrapMigrations(plugin, (m) => async (ctx) => {
    counts.set(m.id, (counts.get(m.id) ?? 0) + 1);
    await m.up(ctx);
  });
  return { plugin: counted, counts };
}
