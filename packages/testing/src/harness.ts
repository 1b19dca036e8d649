import type { Plugin, RunnerOptions } from '@tidemark/core';
import type { Arbitrary } from 'fast-check';

/** What a plugin gives the harness so the golden runner and the laws can drive it. */
export interface PluginHarness<T, S> {
  /** The plugin, or a factory given the target (for plugins bound to a client). */
  plugin: Plugin<T> | ((target: T) => Plugin<T>);
  /** A fresh, isolated target holding this (legacy) state and an empty ledger. */
  create(state: S): Promise<T>;
  /** The target's observable state as plain data, ledger excluded. */
  read(target: T): Promise<S>;
  dispose(target: T): Promise<void>;
  /** Fixture cases as plain, diffable files. */
  fixture: {
    load(dir: string): Promise<S>;
    write(state: S, dir: string): Promise<void>;
  };
  /** Legacy targets this plugin must handle. */
  arbitrary: Arbitrary<S>;
  /** True when every migration has a `down` (or a snapshot guard covers it) and down(up(x)) == x. */
  reversible: boolean;
  /** Canonical form before comparing (order of keys/rows, timestamps...). */
  normalize?(state: S): S;
  /** Another handle on the same target (a second connection) for the concurrency law. */
  attach?(target: T): Promise<T>;
  /** Closes a handle made by `attach`. */
  detach?(handle: T): Promise<void>;
  /** Extra runner options (guards, contexts, lock timings). */
  runner?: Partial<Omit<RunnerOptions<T>, 'plugin' | 'target'>>;
  /**
   * 'run' (default): a failure leaves the target equal to x or up(x) (a run-level guard restores).
   * 'step': the plugin only promises per-step atomicity; a failure leaves exactly the steps the ledger
   * lists as applied.
   */
  atomicity?: 'run' | 'step';
}

export function pluginFor<T, S>(harness: PluginHarness<T, S>, target: T): Plugin<T> {
  return typeof harness.plugin === 'function' ? harness.plugin(target) : harness.plugin;
}

export function normalized<T, S>(harness: PluginHarness<T, S>, state: S): S {
  return harness.normalize ? harness.normalize(state) : state;
}
