// The notes example plugin through @tidemark/testing: ledger/lock conformance and the six laws (8 runners at
// once on one folder exercise the lease file).
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeLaws, describeLedgerConformance, type PluginHarness } from '@tidemark/testing';
import fc from 'fast-check';
import { notesLedger, notesPlugin, readNotesState, type NoteData, type NotesTarget } from './index.js';

type State = Record<string, NoteData>;

async function writeState(state: State, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [file, data] of Object.entries(state))
    await writeFile(join(dir, file), `${JSON.stringify(data, null, 2)}\n`);
}

const word = fc.stringMatching(/^[a-z]{1,6}$/);
const v1Note = fc.record({
  title: fc.oneof(
    word,
    fc.tuple(word, word).map(([c, t]) => `${c}: ${t}`),
    fc.tuple(word, word, word).map(([a, b, c]) => `${a}: ${b}: ${c}`),
  ),
  body: fc
    .array(
      fc.oneof(
        word,
        word.map((w) => `#${w}`),
      ),
      { maxLength: 5 },
    )
    .map((ws) => ws.join(' ')),
});

export const notesHarness: PluginHarness<NotesTarget, State> = {
  plugin: notesPlugin(),
  create: async (state) => {
    const dir = await mkdtemp(join(tmpdir(), 'notes-law-'));
    await writeState(state, dir);
    return dir;
  },
  read: (dir) => readNotesState(dir),
  dispose: (dir) => rm(dir, { recursive: true, force: true }),
  fixture: { load: (dir) => readNotesState(dir), write: writeState },
  arbitrary: fc.dictionary(
    word.map((w) => `${w}.json`),
    v1Note,
    { maxKeys: 4 },
  ),
  reversible: true,
  atomicity: 'step',
};

describeLedgerConformance(
  'notesLedger (JSON file + lease file)',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'notes-ledger-'));
    return {
      ledger: notesLedger(dir),
      other: notesLedger(dir),
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  },
  { minTtlMs: 50 },
);

describeLaws(notesHarness, { runs: 8, concurrency: 8 });
