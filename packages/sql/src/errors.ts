// Errors of this package are core's createError('sql', …); driver errors are classified by code first,
// message second (TypeORM wraps the driver's error in `driverError`).
import { createError, type TidemarkError, type TidemarkErrorCode } from '@tidemark/core';

export function sqlError(code: TidemarkErrorCode, message: string, cause?: unknown): TidemarkError {
  return createError('sql', message, { code, ...(cause === undefined ? {} : { cause }) });
}

function codeOf(error: unknown): string {
  const e = error as { code?: unknown; errno?: unknown; driverError?: { code?: unknown } } | null;
  return String(e?.code ?? e?.driverError?.code ?? '');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The table does not exist (PostgreSQL 42P01, SQLite "no such table"). */
export function isUndefinedTable(error: unknown): boolean {
  return codeOf(error) === '42P01' || /no such table|relation "[^"]+" does not exist/i.test(messageOf(error));
}

/** A column does not exist (PostgreSQL 42703, SQLite "no such column"). */
export function isUndefinedColumn(error: unknown): boolean {
  return (
    codeOf(error) === '42703' ||
    /no such column|column "[^"]+" does not exist|has no column named/i.test(messageOf(error))
  );
}
