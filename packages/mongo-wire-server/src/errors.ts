import type { Document } from 'bson';

/** Server error codes this server answers with, named as the server names them (`codeName`). */
export const ErrorCodes = {
  InternalError: 1,
  BadValue: 2,
  Unauthorized: 13,
  FailedToParse: 9,
  TypeMismatch: 14,
  InvalidLength: 16,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  PathNotViable: 28,
  IndexNotFound: 27,
  CursorNotFound: 43,
  NamespaceExists: 48,
  CommandNotFound: 59,
  ConflictingUpdateOperators: 40,
  ImmutableField: 66,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  NoSuchTransaction: 251,
  WriteConflict: 112,
  InvalidIndexSpecificationOption: 197,
  TransactionTooOld: 225,
  OperationNotSupportedInTransaction: 263,
  Location40414: 40414,
  DuplicateKey: 11000,
} as const;

export type ErrorCodeName = keyof typeof ErrorCodes;

/** A command failure: serialized as `{ ok: 0, errmsg, code, codeName, ...extra }`. */
export class CommandError extends Error {
  readonly code: number;
  readonly codeName: string;
  readonly extra: Document;
  readonly errorLabels: string[];

  constructor(codeName: ErrorCodeName, message: string, extra: Document = {}, errorLabels: string[] = []) {
    super(message);
    this.name = 'CommandError';
    this.code = ErrorCodes[codeName];
    this.codeName = codeName;
    this.extra = extra;
    this.errorLabels = errorLabels;
  }

  /** The `writeErrors[i]` shape of this error (write commands report per-document failures this way). */
  toWriteError(index: number): Document {
    return { index, code: this.code, codeName: this.codeName, errmsg: this.message, ...this.extra };
  }

  toResponse(): Document {
    const response: Document = { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
    if (this.errorLabels.length > 0) response.errorLabels = this.errorLabels;
    return response;
  }
}

export function toCommandError(error: unknown): CommandError {
  if (error instanceof CommandError) return error;
  const message = error instanceof Error ? error.message : String(error);
  // mingo reports malformed queries/updates as plain errors; the server calls those BadValue / FailedToParse.
  if (/unknown (update )?operator|unknown modifier/i.test(message)) return new CommandError('FailedToParse', message);
  if (/immutable field/i.test(message)) return new CommandError('ImmutableField', message);
  if (/would create a conflict/i.test(message)) return new CommandError('ConflictingUpdateOperators', message);
  return new CommandError('BadValue', message);
}
