import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import type { PluginHarness } from '../harness.js';
import { referencePlugin, refTarget, type RefDoc, type RefRecord, type RefTarget } from './plugin.js';

const id = fc.oneof(
  fc.integer({ min: 1, max: 9999 }),
  fc.integer({ min: 1, max: 9999 }).map((n) => `${n}`),
  fc.integer({ min: 1, max: 9999 }).map((n) => ` ${n} `),
  fc.integer({ min: 1, max: 9999 }).map((n) => n + 0.5),
  fc.constant('n/a'),
);
const tags = fc.oneof(
  fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 }),
  fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 3 }).map((t) => t.join(',')),
);

const record: fc.Arbitrary<RefRecord> = fc
  .record({ TopazID: id, topaz_id: fc.integer({ min: 1, max: 9999 }), tags }, { requiredKeys: [] })
  .map((r) => {
    if ('TopazID' in r && 'topaz_id' in r) delete (r as RefRecord).topaz_id;
    return r as RefRecord;
  });

/** Harness for the reference plugin: the state is the document itself, fixtures are one JSON file. */
export const referenceHarness: PluginHarness<RefTarget, RefDoc> = {
  plugin: referencePlugin(),
  create: async (doc) => refTarget(doc),
  read: async (t) => structuredClone(t.doc),
  dispose: async () => {},
  fixture: {
    load: async (dir) => JSON.parse(await readFile(join(dir, 'doc.json'), 'utf8')) as RefDoc,
    write: async (doc, dir) => {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'doc.json'), `${JSON.stringify(doc, null, 2)}\n`);
    },
  },
  arbitrary: fc.record({ records: fc.array(record, { maxLength: 6 }) }),
  reversible: true,
};
