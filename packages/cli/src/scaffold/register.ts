// The app's one migrations index (src/migrations/index.ts): `export const migrations = { <target>: [...] }`,
// one list per target of tidemark.config.ts. Registering adds an import and appends to the target's list
// (adding the list when the target has none yet). Edits are checked before anything is written, so a
// hand-made index that this cannot read fails cleanly with nothing changed.
import { CliError } from '../exit-codes.js';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

const keyOf = (target: string) => (IDENTIFIER.test(target) ? target : JSON.stringify(target));

/** An index with one (possibly empty) list per target. */
export function newIndexSource(lists: Record<string, readonly { exportName: string; id: string }[]>): string {
  const imports = Object.values(lists)
    .flat()
    .map(({ exportName, id }) => `import { ${exportName} } from './${id}.js';\n`)
    .join('');
  const entries = Object.entries(lists)
    .map(
      ([target, ms]) =>
        `  ${keyOf(target)}: [${ms.length ? `\n${ms.map((m) => `    ${m.exportName},\n`).join('')}  ` : ''}],\n`,
    )
    .join('');
  return `// The app's own migrations, one list per target of tidemark.config.ts, each run after the plugin's
// shipped ones. \`tidemark new\` appends here.
${imports}${imports ? '\n' : ''}export const migrations = {
${entries}};
`;
}

export function registerInIndex(
  source: string,
  input: { target: string; exportName: string; id: string; file: string },
): string {
  const { target, exportName, id, file } = input;
  const head = /export\s+const\s+migrations\b[^=]*=\s*\{/.exec(source);
  if (!head)
    throw new CliError(
      `${file}: no \`export const migrations = { <target>: [...] }\` to register ${exportName} in; add it by hand`,
    );
  const open = head.index + head[0].length - 1;
  const close = matching(source, open, '{', '}');
  if (close < 0) throw new CliError(`${file}: the migrations object is not closed`);

  let result: string;
  const key = new RegExp(`(^|[\\s{,])(${escape(target)}|'${escape(target)}'|"${escape(target)}")\\s*:\\s*\\[`, 'g');
  key.lastIndex = open;
  const found = key.exec(source);
  if (found && found.index < close) {
    const arrayOpen = found.index + found[0].length - 1;
    const arrayClose = matching(source, arrayOpen, '[', ']');
    if (arrayClose < 0 || arrayClose > close)
      throw new CliError(`${file}: the list of target "${target}" is not closed`);
    result = appendToArray(source, arrayOpen, arrayClose, exportName);
  } else {
    if (
      new RegExp(`[\\s{,](${escape(target)}|'${escape(target)}'|"${escape(target)}")\\s*[:,}]`).test(
        source.slice(open, close + 1),
      )
    ) {
      throw new CliError(
        `${file}: target "${target}" is listed without a [...] of migrations; write it as ${keyOf(target)}: [ ... ]`,
      );
    }
    const body = source.slice(open + 1, close).trimEnd();
    const sep = body === '' || body.endsWith(',') ? '' : ',';
    result = `${source.slice(0, open + 1)}${body}${sep}\n  ${keyOf(target)}: [\n    ${exportName},\n  ],\n${source.slice(close)}`;
  }

  const importLine = `import { ${exportName} } from './${id}.js';`;
  const imports = [...result.matchAll(/^import\s[^;]*;[ \t]*$/gm)];
  const last = imports.at(-1);
  if (last) {
    const at = last.index + last[0].length;
    return `${result.slice(0, at)}\n${importLine}${result.slice(at)}`;
  }
  const at = result.indexOf(head[0]);
  return `${result.slice(0, at)}${importLine}\n\n${result.slice(at)}`;
}

function appendToArray(source: string, open: number, close: number, exportName: string): string {
  const inner = source.slice(open + 1, close);
  if (inner.trim() === '') return `${source.slice(0, open + 1)}\n    ${exportName},\n  ${source.slice(close)}`;
  if (inner.includes('\n')) {
    const body = inner.trimEnd();
    const sep = body.endsWith(',') ? '' : ',';
    const indent = /\n([ \t]*)\S[^\n]*$/.exec(body)?.[1] ?? '    ';
    return `${source.slice(0, open + 1)}${body}${sep}\n${indent}${exportName},${inner.slice(body.length)}${source.slice(close)}`;
  }
  return `${source.slice(0, close).trimEnd()}, ${exportName}${source.slice(close)}`;
}

function matching(source: string, open: number, opening: string, closing: string): number {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (c === opening) depth++;
    else if (c === closing && --depth === 0) return i;
  }
  return -1;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every migration id registered in the index (imports of `./<id>.js`), for numbering new ones. */
export function idsInIndex(source: string): string[] {
  return [...source.matchAll(/from\s+['"]\.\/([^'"]+)\.js['"]/g)].map((m) => m[1]!);
}
