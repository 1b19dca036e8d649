// What a step attaches to its own ledger entry (`ctx.record`). Every ledger stores JSON, so anything JSON
// would silently change (a Date, a Map, NaN, a bigint, an undefined in a list) is refused here, naming the
// field, rather than read back as something else after a crash. Secrets are redacted before they are kept.
import { isSecretName, redact } from './redact.js';

export type EntryData = Record<string, unknown>;

/** Thrown for data a ledger could not keep as given. */
export class EntryDataError extends TypeError {
  constructor(problem: string) {
    super(`ctx.record: ${problem}`);
  }
}

const kindOf = (value: unknown): string => {
  if (typeof value === 'number' || value === null) return String(value);
  const name =
    typeof value === 'object' ? ((value.constructor as { name?: string } | undefined)?.name ?? 'object') : typeof value;
  return `${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name}`;
};

/** Defines rather than assigns, so a key named "__proto__" stays data instead of becoming a prototype. */
const put = (into: Record<string, unknown>, key: string, value: unknown) =>
  Object.defineProperty(into, key, { value, enumerable: true, writable: true, configurable: true });

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * A redacted, JSON-only deep copy of `value`; `path` names the field for the error. Every string under a
 * field named like a secret (`apiKey`, `password`...) becomes "***"; other strings pass through `redact`.
 */
function copy(value: unknown, path: string, secret: boolean, seen: Set<object>): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'string') return secret ? '***' : redact(value);
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
  } else if (typeof value === 'object' && (Array.isArray(value) || isPlainObject(value))) {
    if (seen.has(value))
      throw new EntryDataError(`${path} refers back to itself; ledger data must be a tree of JSON values`);
    seen.add(value);
    try {
      if (Array.isArray(value)) {
        return value.map((item, i) => {
          if (item === undefined)
            throw new EntryDataError(`${path}[${i}] is undefined; JSON would turn it into null (use null)`);
          return copy(item, `${path}[${i}]`, secret, seen);
        });
      }
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        if (v !== undefined) put(out, k, copy(v, `${path}.${k}`, secret || isSecretName(k), seen));
      }
      return out;
    } finally {
      seen.delete(value);
    }
  }
  throw new EntryDataError(
    `${path} is ${kindOf(value)}; ledger data must be JSON (strings, finite numbers, booleans, null, arrays, plain objects)`,
  );
}

/**
 * Merges `data` into what the step recorded so far: top-level keys replace earlier ones, a key given as
 * `undefined` is removed. Returns the new record; `current` is left untouched.
 */
export function mergeEntryData(current: EntryData, data: EntryData): EntryData {
  if (typeof data !== 'object' || data === null || Array.isArray(data) || !isPlainObject(data)) {
    throw new EntryDataError(
      `data is ${Array.isArray(data) ? 'an array' : kindOf(data)}; ctx.record takes a plain object of named values`,
    );
  }
  const next = { ...current };
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined) delete next[key];
    else put(next, key, copy(value, `data.${key}`, isSecretName(key), new Set()));
  }
  return next;
}
