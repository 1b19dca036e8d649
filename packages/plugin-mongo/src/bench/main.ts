// pnpm bench: 002 on 100,000 workers as ONE server-side updateMany vs a per-document loop (the same result,
// checked), and the startup hook's cost when nothing is pending vs a bare ledger read. Prints the backend.
import { createHash } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient, type Db, type Document } from 'mongodb';
import { addCapacityFieldsFor, addCapacityFieldsUpdate } from '../migrations/002_cml_worker_extensions.js';
import { WORKERS, workersMissingFields } from '../schema.js';
import { runPendingMigrations } from '@tidemark/core';
import { contextsFromFlags } from '../flags.js';
import { mongoPlugin } from '../plugin.js';

const N = Number(process.env.BENCH_WORKERS ?? 100_000);
const STARTUPS = Number(process.env.BENCH_STARTUPS ?? 300);
const ALL_ON = { LABLET_ENABLED: true, SCHEDULER_ENABLED: true, CONTROLLER_ENABLED: true };

function worker(i: number): Document {
  const state: Document = {
    name: `worker-${i}`,
    status: i % 3 === 0 ? 'running' : 'stopped',
    aws_region: 'us-east-1',
    instance_type: 'c5.2xlarge',
  };
  // A third legacy (no capacity fields), a third partial, a third already lablet-managed.
  if (i % 3 === 1)
    Object.assign(state, {
      declared_capacity: { cpu_cores: 96, memory_gb: 384, storage_gb: 1000, max_nodes: 50 },
      port_range_start: 4000,
    });
  if (i % 3 === 2) {
    Object.assign(state, {
      template_name: 'tpl-small',
      declared_capacity: { cpu_cores: 16, memory_gb: 64, storage_gb: 200, max_nodes: 10 },
      allocated_capacity: { cpu_cores: 0, memory_gb: 0, storage_gb: 0, max_nodes: 0 },
      port_range_start: 3000,
      port_range_end: 3999,
      port_allocations: [],
      lablet_instance_ids: [],
    });
  }
  return { _id: `w${String(i).padStart(7, '0')}`, id: `w${i}`, state };
}

async function seed(db: Db): Promise<void> {
  for (let i = 0; i < N; i += 10_000) {
    await db.collection(WORKERS).insertMany(
      Array.from({ length: Math.min(10_000, N - i) }, (_, k) => worker(i + k)),
      { ordered: false },
    );
  }
}

async function digest(db: Db): Promise<string> {
  const hash = createHash('sha256');
  for await (const doc of db.collection(WORKERS).find({}, { batchSize: 1000 }).sort({ _id: 1 }))
    hash.update(JSON.stringify(doc));
  return hash.digest('hex').slice(0, 16);
}

const ms = (t0: number) => performance.now() - t0;
const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(2));

/** Times two calls interleaved (a, b, a, b...) so warm-up, GC and JIT weigh on both alike. */
async function timeBoth(n: number, a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<[Stats, Stats]> {
  for (let i = 0; i < 20; i++) {
    await a();
    await b();
  }
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < n; i++) {
    let t0 = performance.now();
    await a();
    ta.push(ms(t0));
    t0 = performance.now();
    await b();
    tb.push(ms(t0));
  }
  return [stats(ta), stats(tb)];
}

interface Stats {
  mean: number;
  median: number;
}

function stats(times: number[]): Stats {
  times.sort((x, y) => x - y);
  return { mean: times.reduce((x, y) => x + y, 0) / times.length, median: times[Math.floor(times.length / 2)]! };
}

/**
 * The test server runs in its own process: in-process, a long server-side updateMany would block this
 * process's event loop, and with it the lock renewals a real client keeps doing while a real server works.
 */
async function startServerProcess(): Promise<{ uri: string; close: () => Promise<void> }> {
  const pkg = fileURLToPath(new URL('../../../mongo-wire-server/', import.meta.url));
  const built = join(pkg, 'dist', 'bin.js');
  const args = existsSync(built) ? [built] : ['--import', 'tsx', join(pkg, 'src', 'bin.ts')];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const uri = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = /listening: (mongodb:\/\/\S+)/.exec(out);
      if (found) resolve(found[1]!);
    });
    child.once('exit', (code) =>
      reject(new Error(`[plugin-mongo bench] the test server exited (${code}) before listening`)),
    );
  });
  return {
    uri,
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function main(): Promise<void> {
  let uri = process.env.MONGO_URL;
  let close = async () => {};
  let backend = 'mongod (MONGO_URL)';
  if (!uri) {
    const server = await startServerProcess();
    uri = server.uri;
    close = server.close;
    backend =
      '@tidemark/mongo-wire-server in a child process (the in-repo test server; set MONGO_URL for a real mongod)';
  }
  const client = await new MongoClient(uri).connect();
  const name = (s: string) => `tm_bench_${s}_${randomBytes(4).toString('hex')}`;
  const dbs: Db[] = [];
  const fresh = (s: string) => {
    const db = client.db(name(s));
    dbs.push(db);
    return db;
  };
  try {
    console.log(`[plugin-mongo bench] backend: ${backend}`);
    console.log(
      `[plugin-mongo bench] 002 on ${N.toLocaleString('en')} cml_workers (1/3 legacy, 1/3 partial, 1/3 complete)`,
    );

    const server = fresh('updatemany');
    const loop = fresh('loop');
    await seed(server);
    await seed(loop);

    let t0 = performance.now();
    const res = await server.collection(WORKERS).updateMany(workersMissingFields(), addCapacityFieldsUpdate());
    const serverMs = ms(t0);

    t0 = performance.now();
    let updated = 0;
    for await (const doc of loop
      .collection(WORKERS)
      .find(workersMissingFields(), { projection: { state: 1 }, batchSize: 1000 })) {
      const update = addCapacityFieldsFor(doc.state as Record<string, unknown>);
      if (update) {
        await loop.collection(WORKERS).updateOne({ _id: doc._id }, update);
        updated++;
      }
    }
    const loopMs = ms(t0);

    const [a, b] = [await digest(server), await digest(loop)];
    if (a !== b) throw new Error(`[plugin-mongo bench] the two approaches disagree (${a} vs ${b})`);
    console.log(`  one server-side updateMany : ${fmt(serverMs)} ms (${res.modifiedCount} modified)`);
    console.log(`  per-document loop          : ${fmt(loopMs)} ms (${updated} updateOne round trips)`);
    console.log(
      `  ratio                      : updateMany is ${(loopMs / serverMs).toFixed(1)}x faster (identical result, digest ${a})`,
    );

    const full = fresh('startup');
    await seed(full);
    t0 = performance.now();
    const first = await runPendingMigrations({
      plugin: mongoPlugin(),
      target: full,
      contexts: contextsFromFlags(ALL_ON),
    });
    console.log(
      `  full startup run on ${N.toLocaleString('en')} workers (lock + snapshot of cml_workers + 001 + 002 + validate): ${fmt(ms(t0))} ms, applied ${first.applied.join(', ')}`,
    );

    console.log(`[plugin-mongo bench] startup hook with nothing pending (${STARTUPS} calls each)`);
    const [hook, bare] = await timeBoth(
      STARTUPS,
      async () => {
        const r = await runPendingMigrations({
          plugin: mongoPlugin(),
          target: full,
          contexts: contextsFromFlags(ALL_ON),
        });
        if (r.outcome !== 'up-to-date') throw new Error('expected nothing pending');
      },
      () => full.collection('migrations').find({}).toArray(),
    );
    console.log(`  runPendingMigrations       : median ${hook.median.toFixed(3)} ms, mean ${hook.mean.toFixed(3)} ms`);
    console.log(`  bare ledger read (find)    : median ${bare.median.toFixed(3)} ms, mean ${bare.mean.toFixed(3)} ms`);
    console.log(
      `  ratio                      : the hook costs ${(hook.median / bare.median).toFixed(2)}x a bare ledger read`,
    );
  } finally {
    for (const db of dbs) await db.dropDatabase().catch(() => undefined);
    await client.close();
    await close();
  }
}

await main();
