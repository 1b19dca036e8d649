import { describeError, redact } from './redact.js';

export type TidemarkErrorCode =
  | 'DAG_CYCLE'
  | 'UNKNOWN_MIGRATION'
  | 'DUPLICATE_MIGRATION'
  | 'LOCK_TIMEOUT'
  | 'LOCK_LOST'
  | 'STEP_FAILED'
  | 'VALIDATION_FAILED'
  | 'IRREVERSIBLE'
  | 'DRIFT'
  | 'NOT_SUPPORTED'
  | 'INVALID_DEFINITION'
  /** Bad input to a plugin or tool: an option, a file, a row, a request (the message names which). */
  | 'INVALID_INPUT';

export interface TidemarkErrorFields {
  plugin?: string;
  target?: string;
  migration?: string;
  /** up, down, validate, detect, or guard:<name>. */
  step?: string;
  cause?: unknown;
}

/**
 * Every error names where it happened: `[tidemark] [plugin] target "x": migration "y" failed in up: cause`.
 * The message is redacted; the original cause is kept on `.cause` for debugging in-process only.
 */
export class TidemarkError extends Error {
  readonly code: TidemarkErrorCode;
  readonly plugin: string | undefined;
  readonly target: string | undefined;
  readonly migration: string | undefined;
  readonly step: string | undefined;

  constructor(code: TidemarkErrorCode, message: string, fields: TidemarkErrorFields = {}) {
    const where = [
      fields.plugin ? `[${fields.plugin}]` : '',
      fields.target ? `target "${fields.target}":` : '',
      fields.migration ? `migration "${fields.migration}"` : '',
      fields.step ? `(${fields.step})` : '',
    ]
      .filter(Boolean)
      .join(' ');
    const cause = fields.cause === undefined ? '' : `: ${describeError(fields.cause)}`;
    super(redact(`[tidemark]${where ? ` ${where}` : ''} ${message}${cause}`), { cause: fields.cause });
    this.name = 'TidemarkError';
    this.code = code;
    this.plugin = fields.plugin;
    this.target = fields.target;
    this.migration = fields.migration;
    this.step = fields.step;
  }
}

export function isTidemarkError(error: unknown, code?: TidemarkErrorCode): error is TidemarkError {
  return error instanceof TidemarkError && (code === undefined || error.code === code);
}

/**
 * The one way a plugin or tool makes its errors (unstorage's `createError`): `[tidemark] [<plugin>] <message>`,
 * redacted, with the cause kept. `code` defaults to INVALID_INPUT.
 */
export function createError(
  plugin: string,
  message: string,
  options: { cause?: unknown; code?: TidemarkErrorCode; migration?: string; target?: string } = {},
): TidemarkError {
  const { code = 'INVALID_INPUT', ...fields } = options;
  return new TidemarkError(code, message, { plugin, ...fields });
}
