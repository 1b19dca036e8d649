// Which failures are worth another attempt. A refusal that time can lift (a `.nodb` lock the web app holds,
// a busy run lease, a lost connection, a worker that shut down mid-step) retries with backoff; a refusal
// that only a person can lift (READONLY, a failing step or validator, a missing run) does not.
const PERMANENT = new Set([
  'READONLY',
  'NOT_FOUND',
  'STEP_FAILED',
  'VALIDATION_FAILED',
  'ZIP_SLIP',
  'RESTORE_FAILED',
  'INVALID_DEFINITION',
  'DAG_CYCLE',
  'UNKNOWN_MIGRATION',
  'DUPLICATE_MIGRATION',
  'DRIFT',
  'NO_ARCHIVE',
  'EXISTS',
  'PUSH_NOT_ALLOWED',
  'PUSH_TOKEN_REQUIRED',
  'CHECKSUM_MISMATCH',
  'HTTP_404',
  'BAD_MANIFEST',
  'BAD_REQUEST',
]);

export function isPermanent(reason: string | undefined): boolean {
  return reason !== undefined && PERMANENT.has(reason);
}

export const DEFAULT_ATTEMPTS = 4;
export const DEFAULT_BACKOFF_MS = 2_000;
