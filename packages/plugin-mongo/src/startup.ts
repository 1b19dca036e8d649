// The call an app awaits at boot, before it serves: with nothing pending it costs one ledger read and takes
// no lock; when N replicas boot at once they queue on the lock and each re-plans, so each migration runs once.
import { runPendingMigrations as runCore, type RunnerOptions, type StartupResult } from '@tidemark/core';
import { contextsFromFlags, type FeatureFlags } from './flags.js';
import { mongoPlugin, type MongoPluginOptions } from './plugin.js';
import { openTarget, toTarget, type MongooseConnectionLike, type MongoTarget } from './target.js';

export interface StartupOptions extends MongoPluginOptions, Pick<RunnerOptions<MongoTarget>, 'onEvent' | 'lock' | 'by' | 'signal' | 'events'> {
  /** Feature flags (booleans or env strings); default `process.env`. Ignored when `contexts` is given. */
  flags?: FeatureFlags | NodeJS.ProcessEnv;
  /** Explicit contexts; `undefined` = derived from the flags. */
  contexts?: readonly string[];
}

export async function runPendingMigrations(connection: MongoTarget | MongooseConnectionLike, options: StartupOptions = {}): Promise<StartupResult> {
  const target = await openTarget(toTarget(connection));
  const { flags, contexts, onEvent, lock, by, signal, events, ...pluginOptions } = options;
  return runCore({
    plugin: mongoPlugin(pluginOptions),
    target,
    contexts: contexts ?? contextsFromFlags(flags ?? process.env),
    ...(onEvent ? { onEvent } : {}),
    ...(lock ? { lock } : {}),
    ...(by ? { by } : {}),
    ...(signal ? { signal } : {}),
    ...(events ? { events } : {}),
  });
}
