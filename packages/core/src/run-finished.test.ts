// A failed run reports how long it ran (the console sink prints "up failed <ms>"), like a run that succeeded.
// The clock is performance.now(), stubbed so the duration is known without waiting.
import { afterEach, expect, test, vi } from 'vitest';
import { defineMigration } from './define.js';
import type { EventOf, TidemarkEvent } from './events.js';
import { createRunner } from './runner/index.js';
import { box, boxPlugin, failure, setter, type Box } from './test/fixtures.js';

afterEach(() => {
  vi.restoreAllMocks();
});

test("a failed up's run:finished says how long the run took, measured from its start", async () => {
  let now = 1000;
  vi.spyOn(performance, 'now').mockImplementation(() => now);
  const slowBoom = defineMigration<Box>({
    id: '002',
    title: 'fails after 250 ms',
    async up() {
      now += 250;
      throw new Error('disk on fire');
    },
  });
  const events: TidemarkEvent[] = [];
  await failure(
    createRunner({
      plugin: boxPlugin([setter('001', 'a', 1), slowBoom]),
      target: box(),
      onEvent: (e) => events.push(e),
    }).up(),
  );
  const finished = events.filter((e): e is EventOf<'run:finished'> => e.type === 'run:finished');
  expect(finished).toMatchObject([{ outcome: 'failed', durationMs: 250 }]);
});
