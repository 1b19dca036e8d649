// One file, many compilers: the cross-tool checksum test (../../checksum-flavours.test.ts) loads this through
// tsc (ESM and CommonJS), jiti, tsx and vitest, and expects one checksum per migration from all of them.
// It uses on purpose what those tools print differently: imports (named, aliased, default), async arrows and
// function expressions, template strings, quotes and escapes, optional chaining, `undefined`, classes.
import { defineMigration } from '@tidemark/core';
import { fmt, pause as wait, PREFIX } from './helper.js';
import Tally from './tally.js';

interface Target {
  rows: { id: string; note?: { text?: string } | undefined }[];
  log: string[];
}

export const MARK = "it's \"done\"";

const label = (id: string): string => `${PREFIX}-${id}`;

export const first = defineMigration<Target>({
  id: '001_notes',
  title: 'Notes: trim, label and count',
  async up(ctx) {
    const tally = new Tally();
    for (const row of ctx.target.rows) {
      const text = row.note?.text?.trim() ?? '';
      row.note = { text: text === '' ? (void 0 as unknown as string) : text };
      tally.add(fmt(row.id));
    }
    await wait();
    ctx.target.log.push(`up ${tally.count} rows: ${tally.seen.join(', ')} ${MARK}`, 'single \'quoted\'', "tab\there");
  },
  down: async (ctx) => {
    ctx.target.log = ctx.target.log.filter((line) => !line.startsWith('up '));
  },
  validate: async function (ctx) {
    class Issue {
      constructor(readonly message: string) {}
      toString(): string {
        return `issue: ${this.message}`;
      }
    }
    const issues = ctx.target.rows
      .filter((row) => row.note?.text === undefined || (row.note.text.length > 80))
      .map(({ id }) => ({ message: new Issue(label(id)).toString(), id, at: undefined }));
    return issues;
  },
});

export const second = defineMigration<Target>({
  id: '002_log',
  title: 'Log: keep the last 10 lines',
  requires: ['001_notes'],
  up: async ({ target }) => {
    const keep = target.log.slice(-10);
    target.log = keep.map((line, i) => (i === 0 ? `[${fmt(i)}] ${line}` : line));
    const counts = keep.reduce<Record<string, number>>((acc, line) => ({ ...acc, [line]: (acc[line] ?? 0) + 1 }), {});
    if (Object.keys(counts).length > 0 && target.rows[0]?.id) await wait();
  },
});

export const migrations = [first, second];
