// A module that is not installed, said in one line with how to add it. Loaders word it differently (Node's
// `Cannot find module 'x'` / `Cannot find package 'x'` with a "Require stack", knex's `Knex: run $ npm install
// pg --save` before the same), and some rethrow it as a plain Error without its code: the message decides.
const NOT_FOUND = /Cannot find (?:module|package) '([^']+)'/;

/** The package a bare specifier names (`@scope/name/sub` -> `@scope/name`), or undefined for a path. */
export function packageOf(specifier: string): string | undefined {
  if (/^(\.|\/|[a-z]+:)/i.test(specifier)) return undefined;
  return specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
}

/** The specifier that could not be found, from `error` or its causes; undefined for any other error. */
export function missingModuleOf(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  for (let e = error; typeof e === 'object' && e !== null && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    const found = NOT_FOUND.exec(String((e as { message?: unknown }).message));
    if (found) return found[1];
  }
  return undefined;
}

/** `cannot find module 'x'` and how to add it: `npm i <package>`, or that a path names no file. */
export function missingModuleLine(specifier: string): string {
  const pkg = packageOf(specifier);
  return `cannot find module '${specifier}'${pkg ? `; is it installed? npm i ${pkg}` : ', no such file'}`;
}
