// Migration ids for `tidemark new`: "<next number>_<snake_name>", the number one above the highest in use.
import { CliError } from '../exit-codes.js';

const NUMBERED = /^(\d+)_/;

export function slugify(name: string): string {
  return name
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** `existing` are ids (or file names) already in use. A name that already starts with a number is kept. */
export function nextMigrationId(name: string, existing: readonly string[]): string {
  const slug = slugify(name);
  if (!slug) throw new CliError(`"${name}" does not make a migration name: use letters and digits, e.g. add_tags`);
  if (NUMBERED.test(slug)) return slug;
  const numbers = existing.map((id) => NUMBERED.exec(id)?.[1]).filter((n): n is string => n !== undefined);
  const highest = Math.max(0, ...numbers.map(Number));
  const width = Math.max(3, ...numbers.map((n) => n.length));
  return `${String(highest + 1).padStart(width, '0')}_${slug}`;
}

/** "004_add_tags" -> "m004AddTags": a valid identifier for the exported migration. */
export function exportNameOf(id: string): string {
  const parts = id.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return `m${parts.map((p, i) => (i === 0 ? p : p[0]!.toUpperCase() + p.slice(1))).join('')}`;
}

/** "004_add_tags" -> "Add tags". */
export function titleOf(id: string): string {
  const words = id.replace(NUMBERED, '').split('_').filter(Boolean).join(' ');
  return words ? words[0]!.toUpperCase() + words.slice(1) : id;
}
