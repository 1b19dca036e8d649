import { describe, expect, it } from 'vitest';
import { exportNameOf, nextMigrationId, slugify, titleOf } from './naming.js';
import { idsInIndex, newIndexSource, registerInIndex } from './register.js';

describe('naming', () => {
  it('numbers a new id one above the highest, keeping the width', () => {
    expect(nextMigrationId('Add Tags', [])).toBe('001_add_tags');
    expect(nextMigrationId('add-color', ['001_a', '003_b.ts', 'index.ts', '002_c.test.ts'])).toBe('004_add_color');
    expect(nextMigrationId('x', ['0009_a'])).toBe('0010_x');
    expect(nextMigrationId('splitTitleAgain', ['041_a'])).toBe('042_split_title_again');
    expect(nextMigrationId('007_given', ['010_a'])).toBe('007_given');
    expect(() => nextMigrationId('!!!', [])).toThrow(/does not make a migration name/);
  });

  it('derives an identifier and a title', () => {
    expect(slugify('  Rename Body->Content ')).toBe('rename_body_content');
    expect(exportNameOf('004_add_tags')).toBe('m004AddTags');
    expect(exportNameOf('2024.01.02_fix-it')).toBe('m20240102FixIt');
    expect(titleOf('004_add_tags')).toBe('Add tags');
  });
});

describe('registerInIndex', () => {
  it("appends to the target's list in an index it created, and adds a list for a new target", () => {
    const empty = newIndexSource({ app: [], runs: [] });
    expect(empty).toContain('export const migrations = {\n  app: [],\n  runs: [],\n};\n');
    const first = registerInIndex(empty, { target: 'app', exportName: 'm001A', id: '001_a', file: 'index.ts' });
    const second = registerInIndex(first, { target: 'app', exportName: 'm002B', id: '002_b', file: 'index.ts' });
    const third = registerInIndex(second, { target: 'files', exportName: 'm003C', id: '003_c', file: 'index.ts' });
    expect(third)
      .toBe(`// The app's own migrations, one list per target of tidemark.config.ts, each run after the plugin's
// shipped ones. \`tidemark new\` appends here.
import { m001A } from './001_a.js';
import { m002B } from './002_b.js';
import { m003C } from './003_c.js';

export const migrations = {
  app: [
    m001A,
    m002B,
  ],
  runs: [],
  files: [
    m003C,
  ],
};
`);
    expect(third).toBe(
      newIndexSource({
        app: [
          { exportName: 'm001A', id: '001_a' },
          { exportName: 'm002B', id: '002_b' },
        ],
        runs: [],
        files: [{ exportName: 'm003C', id: '003_c' }],
      }),
    );
    expect(idsInIndex(third)).toEqual(['001_a', '002_b', '003_c']);
  });

  it('handles a typed one-line list, quoted keys and a key that only looks like the target', () => {
    const source = `import type { Migration } from '@tidemark/core';
import { a } from './001_a.js';
export const migrations: Record<string, Migration<any>[]> = { apps: [a], 'my-db': [] };
`;
    const out = registerInIndex(source, { target: 'my-db', exportName: 'm002B', id: '002_b', file: 'index.ts' });
    expect(out).toContain(`import { a } from './001_a.js';\nimport { m002B } from './002_b.js';`);
    expect(out).toContain(`{ apps: [a], 'my-db': [\n    m002B,\n  ] };`);
    const app = registerInIndex(source, { target: 'app', exportName: 'm002B', id: '002_b', file: 'index.ts' });
    expect(app).toContain(`{ apps: [a], 'my-db': [],\n  app: [\n    m002B,\n  ],\n};`);
    expect(registerInIndex(source, { target: 'apps', exportName: 'm002B', id: '002_b', file: 'index.ts' })).toContain(
      '{ apps: [a, m002B], ',
    );
  });

  it('refuses an index it cannot edit, naming the file', () => {
    expect(() =>
      registerInIndex('export default [];', { target: 'app', exportName: 'm', id: '001_m', file: '/x/index.ts' }),
    ).toThrow(/\/x\/index.ts: no `export const migrations/);
    expect(() =>
      registerInIndex('export const migrations = [];', { target: 'app', exportName: 'm', id: '001_m', file: 'i.ts' }),
    ).toThrow(/no `export const migrations = \{/);
    expect(() =>
      registerInIndex('const base = [];\nexport const migrations = { app: base };', {
        target: 'app',
        exportName: 'm',
        id: '001_m',
        file: 'i.ts',
      }),
    ).toThrow(/target "app" is listed without a \[...\]/);
  });
});
