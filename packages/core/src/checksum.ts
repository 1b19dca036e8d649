import { createHash } from 'node:crypto';

/**
 * A fingerprint of a migration's definition. Source text differs between a tsc build and an esbuild/vitest
 * transform only in formatting, so whitespace, comments, semicolons, commas and quote style are dropped
 * before hashing; type annotations never reach runtime text in either.
 */
export function normalizeSource(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`\\])\/\/[^\n]*/g, '$1')
    .replace(/['`]/g, '"')
    .replace(/[\s;,]+/g, '');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function checksumOf(parts: {
  id: string;
  requires?: readonly string[] | undefined;
  revision?: number | undefined;
  functions: readonly (((...args: never[]) => unknown) | undefined)[];
}): string {
  const text = [
    parts.id,
    (parts.requires ?? []).join(','),
    String(parts.revision ?? 0),
    ...parts.functions.map((fn) => (fn ? normalizeSource(fn.toString()) : '-')),
  ].join('\n');
  return sha256(text).slice(0, 16);
}

/** True when `recorded` (a ledger entry's checksum) is the migration's own, today's or one it declares from an earlier release. */
export function checksumMatches(migration: { readonly checksum: string; readonly previousChecksums?: readonly string[] | undefined }, recorded: string): boolean {
  return recorded === migration.checksum || (migration.previousChecksums?.includes(recorded) ?? false);
}
