// A target that cannot be reached (refused, unknown host, timeout, no such database, bad credentials) is
// reported as one line naming where the CLI tried to connect; drivers' own messages and stacks stay out.
import { redact } from '@tidemark/core';

/** Socket-level codes (Node, also inside an AggregateError from happy-eyeballs) and server-side ones. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);
/** PostgreSQL SQLSTATEs that mean "this connection cannot be opened": no such database, auth, server starting/full. */
const PG_CONNECT_CODES = new Set(['3D000', '28P01', '28000', '57P03', '53300']);
const TIMEOUT_NAMES = new Set([
  'KnexTimeoutError',
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
]);

interface Failure {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  address?: unknown;
  port?: unknown;
}

/** The error, its causes and an AggregateError's members, outermost first; cycles are cut. */
function chain(error: unknown): Failure[] {
  const seen = new Set<unknown>();
  const out: Failure[] = [];
  const visit = (e: unknown) => {
    if (typeof e !== 'object' || e === null || seen.has(e) || out.length > 20) return;
    seen.add(e);
    out.push(e as Failure);
    visit((e as { cause?: unknown }).cause);
    const members = (e as { errors?: unknown }).errors;
    if (Array.isArray(members)) for (const m of members) visit(m);
  };
  visit(error);
  return out;
}

function firstLine(value: unknown): string {
  return String(value ?? '')
    .split('\n')[0]!
    .trim();
}

/**
 * The reason a connection failed ("connect ECONNREFUSED 127.0.0.1:1", 'database "x" does not exist'), or
 * undefined when `error` is not a connection failure.
 */
export function connectionFailure(error: unknown): string | undefined {
  for (const e of chain(error)) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (
      (code && (SOCKET_CODES.has(code) || PG_CONNECT_CODES.has(code))) ||
      (typeof e.name === 'string' && TIMEOUT_NAMES.has(e.name))
    ) {
      const message = firstLine(e.message);
      if (message) return redact(message);
      const where =
        typeof e.address === 'string' ? ` ${e.address}${e.port === undefined ? '' : `:${String(e.port)}`}` : '';
      return `${code ?? String(e.name)}${where}`;
    }
  }
  return undefined;
}

/** One line: `cannot connect to <target as the plugin describes it, redacted>: <reason>`. */
export function describeConnectionFailure(label: string, reason: string): string {
  return redact(`cannot connect to ${firstLine(label)}: ${reason}`);
}
