// Startup cost with nothing pending vs. the bare ledger read it is built on, side by side in one run.
// The ledger simulates a database round trip (setImmediate) so the ratio shows what the startup path
// adds on top of the one read it promises.
import { defineMigration, definePlugin, memoryLedger, runPendingMigrations } from '../dist/index.js';

const migrations = Array.from({ length: 50 }, (_, i) =>
  defineMigration({ id: `${String(i).padStart(3, '0')}_m`, title: `m${i}`, async up() {} }),
);
const inner = memoryLedger();
for (const m of migrations) {
  await inner.record({
    id: m.id,
    checksum: m.checksum,
    outcome: 'applied',
    at: new Date().toISOString(),
    durationMs: 1,
    by: 'bench',
    runId: 'r',
  });
}
const roundTrip = () => new Promise((resolve) => setImmediate(resolve));
const ledger = { ...inner, read: async () => (await roundTrip(), inner.read()) };
const plugin = definePlugin({ name: 'bench', migrations, ledger: () => ledger, describe: () => 'bench' });

async function measure(label, fn, iterations = 20_000) {
  for (let i = 0; i < 1000; i++) await fn();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await fn();
  const ns = Number(process.hrtime.bigint() - t0) / iterations;
  return { label, usPerCall: ns / 1000 };
}

const bare = await measure('bare ledger.read()', () => ledger.read());
const startup = await measure('runPendingMigrations (nothing pending)', async () => {
  const r = await runPendingMigrations({ plugin, target: {} });
  if (r.outcome !== 'up-to-date') throw new Error('expected nothing pending');
});
console.log('\n@tidemark/core startup bench (50 applied migrations, one simulated round trip per read)');
console.table([bare, startup].map((r) => ({ case: r.label, 'µs/call': r.usPerCall.toFixed(2) })));
console.log(`startup / bare read = ${(startup.usPerCall / bare.usPerCall).toFixed(2)}x`);
