// Errors of this plugin name the file (relative to the run) and, where it applies, the row and field.
export class RunDirError extends Error {
  readonly file: string | undefined;
  constructor(message: string, fields: { file?: string; cause?: unknown } = {}) {
    super(`[tidemark] [run-dirs] ${message}`, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = 'RunDirError';
    this.file = fields.file;
  }
}
