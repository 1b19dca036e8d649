// Registers a migration in the index file: an import, the name in the `export { ... }` list, and an entry in
// `export const migrations = [...]`. Edits are checked before anything is written, so a hand-made index that
// this cannot read fails cleanly with nothing changed.
import { CliError } from '../exit-codes.js';

export function newIndexSource(exportName: string, id: string): string {
  return `// Every migration, in order. \`tidemark new\` appends here.
import { ${exportName} } from './${id}.js';

export { ${exportName} };

export const migrations = [
  ${exportName},
];
`;
}

export function registerInIndex(source: string, exportName: string, id: string, file: string): string {
  const array = /export\s+const\s+migrations\b[^=]*=\s*\[/.exec(source);
  if (!array) throw new CliError(`${file}: no \`export const migrations = [...]\` to register ${exportName} in; add it by hand`);
  const open = array.index + array[0].length - 1;
  const close = matchingBracket(source, open);
  if (close < 0) throw new CliError(`${file}: the migrations array is not closed`);

  const inner = source.slice(open + 1, close);
  let withEntry: string;
  if (inner.trim() === '') withEntry = `${source.slice(0, open + 1)}\n  ${exportName},\n${source.slice(close)}`;
  else if (inner.includes('\n')) {
    const body = inner.trimEnd();
    const sep = body.endsWith(',') ? '' : ',';
    withEntry = `${source.slice(0, open + 1)}${body}${sep}\n  ${exportName},\n${source.slice(close)}`;
  } else withEntry = `${source.slice(0, close).trimEnd()}, ${exportName}${source.slice(close)}`;

  let result = withEntry;
  const list = /export\s*\{([^}]*)\}\s*;/.exec(result);
  if (list) {
    const names = list[1]!.split(',').map((n) => n.trim()).filter(Boolean);
    result = `${result.slice(0, list.index)}export { ${[...names, exportName].join(', ')} };${result.slice(list.index + list[0].length)}`;
  } else {
    result = result.replace(array[0], `export { ${exportName} };\n\n${array[0]}`);
  }

  const importLine = `import { ${exportName} } from './${id}.js';`;
  const imports = [...result.matchAll(/^import\s[^;]*;[ \t]*$/gm)];
  const last = imports.at(-1);
  if (last) {
    const at = last.index + last[0].length;
    result = `${result.slice(0, at)}\n${importLine}${result.slice(at)}`;
  } else result = `${importLine}\n\n${result}`;
  return result;
}

function matchingBracket(source: string, open: number): number {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return i;
  }
  return -1;
}
