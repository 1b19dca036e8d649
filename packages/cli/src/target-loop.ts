// Runs a command once per selected target: opens the target, builds its runner, collects one result per target
// for --json, and turns failures into documented exit codes without stopping the other targets.
import { createRunner, describeError, redact, type Runner } from '@tidemark/core';
import { openTarget, selectTargets, type LoadedConfig, type TargetConfig } from './config.js';
import { connectionFailure, describeConnectionFailure } from './connection-error.js';
import { ExitCode, errorCodeOf, exitCodeFor, type ExitCodeValue } from './exit-codes.js';
import { missingModuleLine, missingModuleOf } from './missing-module.js';
import type { Output } from './output.js';

export interface GlobalOptions {
  config?: string;
  target?: string;
  json: boolean;
  logJson: boolean;
  color: boolean;
  lockWait?: number;
}

export interface CommandEnv {
  cwd: string;
  out: Output;
  loaded: LoadedConfig;
  global: GlobalOptions;
}

export interface TargetInfo {
  name: string;
  plugin: string;
  label: string;
  entry: TargetConfig<unknown>;
  target: unknown;
}

export interface TargetResult {
  exitCode: ExitCodeValue;
  /** Merged into this target's entry of the --json document. */
  data: Record<string, unknown>;
}

export async function forEachTarget(
  env: CommandEnv,
  command: string,
  options: { live: boolean },
  fn: (runner: Runner, info: TargetInfo) => Promise<TargetResult>,
): Promise<ExitCodeValue> {
  const { out } = env;
  const selected = selectTargets(env.loaded, env.global.target);
  const results: Record<string, unknown>[] = [];
  let exit: ExitCodeValue = ExitCode.OK;
  for (const [name, entry] of selected) {
    const plugin = entry.plugin;
    let label = name;
    let target: unknown;
    let opened = false;
    try {
      target = await openTarget(entry, { configDir: env.loaded.dir, cwd: env.cwd });
      opened = true;
      label = redact(plugin.describe(target));
      out.print(`${out.paint('bold', name)} ${out.paint('dim', `${plugin.name} · ${label}`)}`);
      const sink = out.sink(options.live);
      const runner = createRunner({
        plugin,
        target,
        ...(entry.guards ? { extraGuards: entry.guards } : {}),
        ...(entry.contexts ? { contexts: entry.contexts } : {}),
        lock: { ...entry.lock, ...(env.global.lockWait === undefined ? {} : { waitMs: env.global.lockWait }) },
        ...(sink ? { onEvent: sink } : {}),
      });
      const result = await fn(runner, { name, plugin: plugin.name, label, entry, target });
      results.push({
        name,
        plugin: plugin.name,
        target: label,
        ok: result.exitCode === ExitCode.OK,
        exitCode: result.exitCode,
        ...result.data,
      });
      if (exit === ExitCode.OK) exit = result.exitCode;
    } catch (error) {
      const code = exitCodeFor(error);
      const unreachable = connectionFailure(error);
      // A step's or guard's error keeps its own words (which migration, which phase), whatever its cause.
      const missing = error instanceof Error && error.name === 'TidemarkError' ? undefined : missingModuleOf(error);
      const message =
        unreachable !== undefined
          ? describeConnectionFailure(opened ? label : name, unreachable)
          : missing !== undefined
            ? `${opened ? '' : 'cannot open the target: '}${missingModuleLine(missing)}`
            : describeError(error);
      out.warn(`${out.paint('red', 'error')} ${name}: ${message}`);
      const errorCode = unreachable === undefined ? errorCodeOf(error) : 'CONNECTION';
      results.push({
        name,
        plugin: plugin.name,
        target: label,
        ok: false,
        exitCode: code,
        error: { code: errorCode, message },
      });
      if (exit === ExitCode.OK) exit = code;
    } finally {
      if (opened && entry.dispose) {
        try {
          await entry.dispose(target);
        } catch (error) {
          out.warn(`${out.paint('yellow', 'warn')} ${name}: dispose failed: ${describeError(error)}`);
        }
      }
    }
    out.print();
  }
  if (out.json) out.document({ command, ok: exit === ExitCode.OK, exitCode: exit, targets: results });
  return exit;
}
