import { describe, expect, it } from 'vitest';
import { exportNameOf, nextMigrationId, slugify, titleOf } from './naming.js';
import { newIndexSource, registerInIndex } from './register.js';

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
  it('appends import, export and array entry to an index it created', () => {
    const first = newIndexSource('m001A', '001_a');
    const second = registerInIndex(first, 'm002B', '002_b', 'index.ts');
    expect(second).toBe(`// Every migration, in order. \`tidemark new\` appends here.
import { m001A } from './001_a.js';
import { m002B } from './002_b.js';

export { m001A, m002B };

export const migrations = [
  m001A,
  m002B,
];
`);
  });

  it('handles a typed one-line array without an export list, and refuses an index without the array', () => {
    const source = `import type { Migration } from '@tidemark/core';
import { a } from './001_a.js';
export const migrations: Migration<string>[] = [a];
`;
    const out = registerInIndex(source, 'm002B', '002_b', 'index.ts');
    expect(out).toContain(`import { a } from './001_a.js';\nimport { m002B } from './002_b.js';`);
    expect(out).toContain('export { m002B };\n\nexport const migrations: Migration<string>[] = [a, m002B];');
    expect(() => registerInIndex('export default [];', 'm', '001_m', '/x/index.ts')).toThrow(/\/x\/index.ts: no `export const migrations/);
  });
});
