// Test hooks reach the plugin under a symbol that is not exported from the package: they are not options a
// user can set (or see in the types), yet the crash-safety tests can still stop a file right before COMMIT.
import type { TelemetryPluginOptions } from './options.js';

const BEFORE_FILE_COMMIT = Symbol('tidemark.telemetry.beforeFileCommit');

export interface InternalHooks {
  /** Runs inside each file's transaction right before COMMIT. */
  beforeFileCommit?: (file: string) => Promise<void> | void;
}

type WithHooks = TelemetryPluginOptions & { [BEFORE_FILE_COMMIT]?: InternalHooks['beforeFileCommit'] };

/** `options` with test hooks attached (tests only). */
export function withInternalHooks(options: TelemetryPluginOptions, hooks: InternalHooks): TelemetryPluginOptions {
  const out: WithHooks = { ...options };
  if (hooks.beforeFileCommit) out[BEFORE_FILE_COMMIT] = hooks.beforeFileCommit;
  return out;
}

export function beforeFileCommitOf(options: TelemetryPluginOptions): InternalHooks['beforeFileCommit'] {
  return (options as WithHooks)[BEFORE_FILE_COMMIT];
}
