// The six laws of DESIGN.md, as properties over the plugin's arbitrary of legacy targets.
import { test } from '@fast-check/vitest';
import { createRunner, type Plugin } from '@tidemark/core';
import { describe, expect } from 'vitest';
import { withFaultAfter, withUpCounter } from './faults.js';
import { normalized, pluginFor, type PluginHarness } from './harness.js';

export interface LawOptions {
  /** Examples per law. Default 10. */
  runs?: number;
  /** Runners started at once on one target (law 6). Default 8. */
  concurrency?: number;
  /** Per-property timeout in ms. Default 120 s. */
  timeout?: number;
  seed?: number;
  /** Skip laws that do not apply, with the reason (printed in the test name). */
  skip?: Partial<Record<'reversible' | 'faults' | 'concurrency', string>>;
}

export function describeLaws<T, S>(harness: PluginHarness<T, S>, options: LawOptions = {}): void {
  const params = {
    numRuns: options.runs ?? 10,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    endOnFailure: true,
  };
  const timeout = options.timeout ?? 120_000;
  const concurrency = options.concurrency ?? 8;
  const runner = (plugin: Plugin<T>, target: T) =>
    createRunner({
      ...harness.runner,
      lock: { waitMs: 120_000, ttlMs: 10_000, pollMs: 5, ...harness.runner?.lock },
      plugin,
      target,
    });

  async function withTarget<R>(state: S, fn: (target: T) => Promise<R>): Promise<R> {
    const target = await harness.create(state);
    try {
      return await fn(target);
    } finally {
      await harness.dispose(target);
    }
  }

  async function upOf(state: S): Promise<S> {
    return withTarget(state, async (t) => {
      await runner(pluginFor(harness, t), t).up();
      return normalized(harness, await harness.read(t));
    });
  }

  describe('laws', () => {
    test.prop([harness.arbitrary], params)(
      '1. up(x) passes every validator and no trait detects anything afterwards; 2. up is idempotent',
      async (x) => {
        await withTarget(x, async (t) => {
          const plugin = pluginFor(harness, t);
          const r = runner(plugin, t);
          await r.up();
          const report = await r.verify();
          expect(report.validation, 'validators after up').toEqual([]);
          const external = new Set((plugin.traits ?? []).filter((tr) => tr.external).map((tr) => tr.id));
          const stillDetected = Object.entries(report.plan.findings).filter(
            ([id, ev]) => ev !== null && !external.has(id),
          );
          expect(stillDetected, 'traits still detecting after up').toEqual([]);
          expect(report.plan.drift, 'drift after up').toEqual([]);
          const once = normalized(harness, await harness.read(t));
          const again = await r.up();
          expect(again.outcome, 'second up').toBe('nothing-to-do');
          expect((await r.plan()).steps, 'plan after up').toEqual([]);
          expect(normalized(harness, await harness.read(t)), 'up twice == up once').toEqual(once);
        });
      },
      timeout,
    );

    if (harness.reversible && !options.skip?.reversible) {
      test.prop([harness.arbitrary], params)(
        '3. down(up(x)) == x',
        async (x) => {
          await withTarget(x, async (t) => {
            const r = runner(pluginFor(harness, t), t);
            await r.up();
            await r.down({ to: null });
            expect(normalized(harness, await harness.read(t))).toEqual(normalized(harness, x));
          });
        },
        timeout,
      );
    }

    if (!options.skip?.faults) {
      test.prop([harness.arbitrary], params)(
        '4. a failure injected at any step leaves x or up(x), the ledger tells which, and a rerun completes',
        async (x) => {
          const expectedUp = await upOf(x);
          const steps = await withTarget(x, async (t) =>
            (await runner(pluginFor(harness, t), t).plan()).steps.map((s) => s.id),
          );
          for (const id of steps) {
            await withTarget(x, async (t) => {
              const plugin = pluginFor(harness, t);
              await expect(runner(withFaultAfter(plugin, id), t).up(), `fault after ${id}`).rejects.toThrow(
                /injected fault/,
              );
              const state = normalized(harness, await harness.read(t));
              const entries = await plugin.ledger(t).read();
              const applied = entries.filter((e) => e.outcome === 'applied').map((e) => e.id);
              const failed = entries.filter((e) => e.outcome === 'failed').map((e) => e.id);
              expect(failed, `the ledger records the failure of ${id}`).toContain(id);
              expect(applied, `the ledger does not claim ${id} applied`).not.toContain(id);
              if ((harness.atomicity ?? 'run') === 'run') {
                const isX = equal(state, normalized(harness, x));
                const isUp = equal(state, expectedUp);
                expect(isX || isUp, `after a fault at ${id} the target is neither x nor up(x)`).toBe(true);
                if (isX && !isUp)
                  expect(applied, `target restored to x but the ledger claims applied steps`).toEqual([]);
              } else {
                const prefix = await withTarget(x, async (p) => {
                  const last = steps[steps.indexOf(id) - 1];
                  if (last) await runner(pluginFor(harness, p), p).up({ to: last });
                  return normalized(harness, await harness.read(p));
                });
                expect(state, `after a fault at ${id} the target holds exactly the steps before it`).toEqual(prefix);
              }
              await runner(plugin, t).up();
              expect(normalized(harness, await harness.read(t)), `rerun after a fault at ${id}`).toEqual(expectedUp);
            });
          }
        },
        timeout,
      );
    }

    if (!options.skip?.concurrency) {
      test.prop([harness.arbitrary], params)(
        `6. ${concurrency} runners started at once apply each migration exactly once`,
        async (x) => {
          const expectedUp = await upOf(x);
          await withTarget(x, async (t) => {
            const handles: T[] = [t];
            for (let i = 1; i < concurrency; i++) handles.push(harness.attach ? await harness.attach(t) : t);
            try {
              const { plugin, counts } = withUpCounter(pluginFor(harness, t));
              const planned = (await runner(plugin, t).plan()).steps.map((s) => s.id);
              const results = await Promise.allSettled(
                handles.map((h) => runner({ ...pluginFor(harness, h), migrations: plugin.migrations }, h).up()),
              );
              const errors = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
              expect(errors, 'every concurrent runner succeeds').toEqual([]);
              for (const id of planned) expect(counts.get(id), `${id} applied exactly once`).toBe(1);
              expect([...counts.keys()].sort()).toEqual([...planned].sort());
              expect(normalized(harness, await harness.read(t))).toEqual(expectedUp);
            } finally {
              for (const h of handles.slice(1)) if (h !== t) await harness.detach?.(h);
            }
          });
        },
        timeout,
      );
    }
  });
}

function equal(a: unknown, b: unknown): boolean {
  try {
    expect(a).toEqual(b);
    return true;
  } catch {
    return false;
  }
}
