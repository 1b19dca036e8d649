// A lease lost mid-rollback stops it like a lost lease stops an up: `lock:lost` before `run:finished`, and the
// error says LOCK_LOST (not a step failure), so a caller can tell "someone else has the target now".
import { expect, test } from 'vitest';
import { defineMigration } from './define.js';
import { createRunner } from './runner/index.js';
import { box, boxPlugin, failure, setter, type Box } from './test/fixtures.js';

test('a lease lost during down emits lock:lost and throws LOCK_LOST before the next step', async () => {
  const t = box();
  const slowDown = defineMigration<Box>({
    id: '002',
    title: 'slow down',
    async up({ target }) {
      target.data.b = 2;
    },
    async down({ target, signal }) {
      // Another process steals the lease (this one was paused past its ttl).
      const held = await target.ledger.lock.inspect();
      await target.ledger.lock.release(held!);
      await target.ledger.lock.acquire({ token: 'thief', host: 'h', pid: 2, since: new Date().toISOString() }, 60_000);
      const deadline = Date.now() + 5000;
      while (!signal.aborted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      delete target.data.b;
    },
  });
  const plugin = boxPlugin([setter('001', 'a', 1), slowDown]);
  await createRunner({ plugin, target: t }).up();
  const types: string[] = [];
  const error = await failure(
    createRunner({ plugin, target: t, lock: { ttlMs: 30, renewMs: 10 }, onEvent: (e) => types.push(e.type) }).down({
      to: null,
    }),
  );
  expect(error.code).toBe('LOCK_LOST');
  expect(error.migration).toBe('002');
  expect(types.filter((x) => x === 'lock:lost')).toHaveLength(1);
  expect(types.indexOf('lock:lost')).toBeLessThan(types.indexOf('run:finished'));
  expect(t.log).not.toContain('down:001');
  expect(t.data.a).toBe(1);
  expect((await t.ledger.lock.inspect())?.token).toBe('thief');
});
