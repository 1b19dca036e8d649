export { runCli, type RunCliOptions } from './run-cli.js';
export {
  defineConfig,
  loadConfig,
  findConfig,
  openConfiguredTarget,
  type ConfiguredTarget,
  CONFIG_NAMES,
  type TidemarkConfig,
  type TargetConfig,
  type TargetContext,
  type LoadedConfig,
  type LoadOptions,
} from './config.js';
export { ExitCode, CliError, exitCodeFor, type ExitCodeValue } from './exit-codes.js';
export type { CliScaffoldInput, CliScaffoldOutput } from './commands/new.js';
export type { Writer } from './output.js';
export type { ReportHook } from './report.js';
export type { PluginReport, ReportContext } from '@tidemark/core';
