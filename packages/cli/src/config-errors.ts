// What is wrong with a config that does not load, said where it is: a missing default export, or an imported
// name its module does not export (jiti's own message is `(0 , _x.name) is not a function`).
import { readFileSync } from 'node:fs';
import type { Jiti } from 'jiti';
import { missingModuleLine, missingModuleOf } from './missing-module.js';

const NAMED_IMPORT = /^[ \t]*import\s+(?!type\b)(?:[\w$]+\s*,\s*)?\{([^}]*)\}\s*from\s*(['"])([^'"]+)\2/gm;
const LISTED = 12;

export function noDefaultExport(file: string, exported: readonly string[]): string {
  const names = exported.filter((n) => n !== '__esModule');
  return (
    `${file} has no default export: write \`export default defineConfig({ targets: { … } })\`` +
    (names.length ? ` (it exports only: ${names.join(', ')})` : '')
  );
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

function exportList(names: string[], wanted: string): string {
  const close = names.filter(
    (n) => distance(n.toLowerCase(), wanted.toLowerCase()) <= Math.max(2, Math.floor(wanted.length / 4)),
  );
  const hint = close.length ? `; did you mean ${close.map((n) => `"${n}"`).join(' or ')}?` : '.';
  const shown =
    names.length > LISTED
      ? `${names.slice(0, LISTED).join(', ')}, … (${names.length} in all)`
      : names.join(', ') || 'nothing';
  return `${hint} It exports: ${shown}`;
}

/**
 * Why `file` failed to load, when the config itself says so: the first named import (`import { a } from 'm'`)
 * that its module does not export, with the line, what the module does export and the closest names.
 * Undefined when every named import exists (the failure is elsewhere).
 */
export async function missingImport(file: string, load: Jiti): Promise<string | undefined> {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  for (const match of source.matchAll(NAMED_IMPORT)) {
    const specifier = match[3]!;
    const wanted = match[1]!
      .split(',')
      .map((part) => part.trim())
      // `import { type T, f }`: a type has no runtime export to find.
      .filter((part) => part && !/^type\s/.test(part))
      .map((part) => part.split(/\s+as\s+/)[0]!.trim());
    let exported: string[];
    try {
      const module = (await load.import(specifier)) as Record<string, unknown>;
      exported = Object.keys(module)
        .filter((n) => n !== 'default' && n !== '__esModule')
        .sort();
    } catch {
      continue;
    }
    const missing = wanted.find((name) => name !== 'default' && !exported.includes(name));
    if (missing === undefined) continue;
    const line = source.slice(0, match.index).split('\n').length;
    return `${file}:${line}: "${missing}" is not exported by ${specifier}${exportList(exported, missing)}`;
  }
  return undefined;
}

/**
 * An import that does not resolve, said at the line that imports it: `<file>:<line>: cannot find module 'x'`
 * and, for a package, how to add it. The importing file is the config or, deeper, the first file of the
 * loader's "Require stack". Undefined when `error` is not a missing module.
 */
export function unresolvedImport(file: string, error: unknown): string | undefined {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (typeof e !== 'object' || e === null || (e.code !== 'MODULE_NOT_FOUND' && e.code !== 'ERR_MODULE_NOT_FOUND'))
    return undefined;
  const message = String(e.message);
  const specifier = missingModuleOf(error);
  if (specifier === undefined) return undefined;
  const importer = /Require stack:\s*\n-\s*(.+)/.exec(message)?.[1]?.trim() ?? file;
  let line: number | undefined;
  try {
    const quoted = [`'${specifier}'`, `"${specifier}"`];
    const index = readFileSync(importer, 'utf8')
      .split('\n')
      .findIndex((l) => quoted.some((q) => l.includes(q)));
    if (index >= 0) line = index + 1;
  } catch {
    // The importer is not a file we can read: name it without a line.
  }
  return `${importer}${line ? `:${line}` : ''}: ${missingModuleLine(specifier)}`;
}

/** A loader's message in one line: no "Require stack", no location line (the caller says where). */
export function oneLine(message: string): string {
  const lines: string[] = [];
  for (const raw of message.split('\n')) {
    const line = raw.trim();
    if (/^Require stack:?$/.test(line)) break;
    if (!line || /^\S+:\d+(:\d+)?$/.test(line)) continue;
    lines.push(line);
  }
  return lines.join(' ');
}

/** `file:line:column` of the first stack frame inside the config file, if any. */
export function configFrame(file: string, error: unknown): string | undefined {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const at = stack.split('\n').find((l) => l.includes(file));
  const m = at?.match(/:(\d+):(\d+)\)?\s*$/);
  return m ? `${file}:${m[1]}:${m[2]}` : undefined;
}
