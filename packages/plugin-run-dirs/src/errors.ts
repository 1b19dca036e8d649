// Errors of this plugin name the file (relative to the run) and, where it applies, the row and field.
import { TidemarkError, type TidemarkErrorCode } from '@tidemark/core';
import { PLUGIN_NAME } from './options.js';

/**
 * A TidemarkError of this plugin whose message is exactly `[tidemark] [plugin-run-dirs] <message>`: callers
 * already name the cause in the message, so it is kept on `.cause` without being appended a second time.
 */
export function initRunDirsError(error: TidemarkError, cause: unknown): void {
  if (cause !== undefined)
    Object.defineProperty(error, 'cause', { value: cause, writable: true, configurable: true, enumerable: false });
}

export class RunDirError extends TidemarkError {
  readonly file: string | undefined;
  constructor(message: string, fields: { file?: string; cause?: unknown; code?: TidemarkErrorCode } = {}) {
    super(fields.code ?? 'INVALID_INPUT', message, { plugin: PLUGIN_NAME });
    initRunDirsError(this, fields.cause);
    this.name = 'RunDirError';
    this.file = fields.file;
  }
}
