// The exit codes are part of the CLI's contract (scripts and CI branch on them): documented in README.md.
import { isTidemarkError } from '@tidemark/core';

export const ExitCode = {
  /** Everything asked for was done, or there was nothing to do. */
  OK: 0,
  /** A step, a validator or a rehearsal failed, or `verify` found invalid data. */
  FAILED: 1,
  /** Bad arguments, no or broken config, unknown target or migration id, bad migration graph. */
  USAGE: 2,
  /** The target's lock stayed busy for longer than --lock-wait. */
  LOCK_TIMEOUT: 3,
  /** `verify` found drift: a changed checksum, an unknown applied id, or a legacy shape back after its fix. */
  DRIFT: 4,
  /** `verify` found migrations still to apply. */
  PENDING: 5,
  /** The plugin cannot do it (no rehearse / capture), or `down` met an irreversible step without a snapshot. */
  NOT_SUPPORTED: 6,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** One line per exit code, for `tidemark --help` (README.md has the long form). */
export const EXIT_CODE_MEANINGS: Record<keyof typeof ExitCode, string> = {
  OK: 'done, or nothing to do',
  FAILED: 'a step, validator or rehearsal failed; verify: invalid data; a target could not be reached',
  USAGE: 'usage or config error (bad arguments, no/broken config, unknown target or migration id)',
  LOCK_TIMEOUT: 'the lock stayed busy longer than --lock-wait',
  DRIFT: 'verify found drift (a legacy shape back, a changed checksum, an unknown applied id)',
  PENDING: 'verify found migrations still to apply',
  NOT_SUPPORTED: 'not supported by the plugin, or down met an irreversible step without a snapshot',
};

export function exitCodeHelp(): string {
  return (Object.keys(ExitCode) as (keyof typeof ExitCode)[])
    .map((k) => `  ${ExitCode[k]}  ${EXIT_CODE_MEANINGS[k]}`)
    .join('\n');
}

/** A usage or configuration problem found by the CLI itself. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.USAGE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Error code of a TidemarkError, also when it comes from another copy of core (a config loaded by jiti). */
function tidemarkCode(error: unknown): string | undefined {
  if (isTidemarkError(error)) return error.code;
  if (
    error instanceof Error &&
    error.name === 'TidemarkError' &&
    typeof (error as { code?: unknown }).code === 'string'
  ) {
    return (error as unknown as { code: string }).code;
  }
  return undefined;
}

export function exitCodeFor(error: unknown): ExitCodeValue {
  if (error instanceof CliError) return error.exitCode;
  switch (tidemarkCode(error)) {
    case 'LOCK_TIMEOUT':
      return ExitCode.LOCK_TIMEOUT;
    case 'DRIFT':
      return ExitCode.DRIFT;
    case 'NOT_SUPPORTED':
    case 'IRREVERSIBLE':
      return ExitCode.NOT_SUPPORTED;
    case 'UNKNOWN_MIGRATION':
    case 'DAG_CYCLE':
    case 'DUPLICATE_MIGRATION':
    case 'INVALID_DEFINITION':
      return ExitCode.USAGE;
    default:
      return ExitCode.FAILED;
  }
}

export function errorCodeOf(error: unknown): string {
  if (error instanceof CliError) return error.exitCode === ExitCode.NOT_SUPPORTED ? 'NOT_SUPPORTED' : 'USAGE';
  return tidemarkCode(error) ?? 'ERROR';
}
