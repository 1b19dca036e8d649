import { createHash } from 'node:crypto';
import { normalizeSource } from './canonical-source.js';

export { normalizeSource } from './canonical-source.js';

type ChecksumParts = {
  id: string;
  requires?: readonly string[] | undefined;
  revision?: number | undefined;
  functions: readonly (((...args: never[]) => unknown) | undefined)[];
};

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function checksumWith(normalize: (source: string) => string, parts: ChecksumParts): string {
  const text = [
    parts.id,
    (parts.requires ?? []).join(','),
    String(parts.revision ?? 0),
    ...parts.functions.map((fn) => (fn ? normalize(fn.toString()) : '-')),
  ].join('\n');
  return sha256(text).slice(0, 16);
}

/** A fingerprint of a migration's definition: the same whichever tool (tsc, jiti, tsx, vitest) compiled it. */
export function checksumOf(parts: ChecksumParts): string {
  return checksumWith(normalizeSource, parts);
}

/**
 * Release 0.1's normalisation: whitespace, comments, semicolons, commas and quote style dropped from the raw
 * text. It left compiler differences in (CommonJS import access, `void 0`, parentheses, keep-names wrappers),
 * so the same file gave one checksum under `tidemark up` (jiti) and another in a tsc-built app.
 */
function legacyNormalizeSource(source: string): string {
  // Stryker disable next-line Regex: a run of them or each one alone, all of them go
  const separators = /[\s;,]+/g;
  return source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`\\])\/\/[^\n]*/g, '$1')
    .replace(/['`]/g, '"')
    .replace(separators, '');
}

/**
 * The checksum release 0.1 computed (and wrote to ledgers) for these parts, under the tool running now. A
 * migration accepts it as a previous checksum, so a ledger written by 0.1 with the same tool is no drift.
 */
export function legacyChecksumOf(parts: ChecksumParts): string {
  return checksumWith(legacyNormalizeSource, parts);
}

/**
 * True when `recorded` (a ledger entry's checksum) is the migration's own, today's or one it declares from an earlier
 * release.
 */
export function checksumMatches(
  migration: { readonly checksum: string; readonly previousChecksums?: readonly string[] | undefined },
  recorded: string,
): boolean {
  return recorded === migration.checksum || (migration.previousChecksums?.includes(recorded) ?? false);
}
