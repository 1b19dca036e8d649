// `_pups` child runs as jobs of their own, with the real Redis, PostgreSQL and run folders: each child has
// its own job, `<runid>/_pups/<path>:migration` channel, index row and registry row; the members of a
// family (a run and its pups) never run at once, parent first; a failing child leaves its parent alone,
// a failed parent leaves its children to run; and the family claim outlives a worker killed mid-job.
import { openRegistry, type RunRegistry } from '@tidemark/plugin-run-dirs';
import knexFactory, { type Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import { resolveTargets } from '../cli/targets.js';
import { spawnWorker } from '../test/child.js';
import { buildLegacyPup, buildLegacyRun } from '@tidemark/plugin-run-dirs/testing';
import { fleetTestPlugin, runShape } from '../test/fleet-plugin.js';
import { channelRecorder, PG_URL, REDIS_URL, uniqueId, waitFor } from '../test/redis.js';
import { type EnqueueResult } from './queue.js';
import { startFleetWorker, type FleetWorkerOptions } from './worker.js';
import { useFleetQueue } from '../test/fleet-queue.js';

type Recorder = Awaited<ReturnType<typeof channelRecorder>>;
interface Span {
  runId: string;
  start: number;
  end: number;
}

const fx = useFleetQueue({ dirPrefix: 'tidemark-fleet-pups-', backoffMs: 300 });

const worker = async (extra: Partial<FleetWorkerOptions> = {}) => {
  const w = await startFleetWorker({
    ...fx.names,
    redis: REDIS_URL,
    root: fx.root,
    plugin: fleetTestPlugin({ stepMs: 150 }),
    lock: { ttlMs: 3000, waitMs: 10_000 },
    nodbLockTtlMs: 3000,
    familyPollMs: 100,
    ...extra,
  });
  fx.workers.push(w);
  await w.ready();
  return w;
};

const allFinished = (results: readonly EnqueueResult[], timeoutMs = 60_000) =>
  waitFor(
    `${results.length} jobs to finish`,
    async () => {
      const out: Record<string, { state: string; attemptsMade: number }> = {};
      for (const r of results) {
        // State first, then the job: read the other way round, the job can be a copy from before it finished.
        const state = await fx.fq.queue.getJobState(r.jobId);
        if (state !== 'completed' && state !== 'failed') return null;
        const job = await fx.fq.queue.getJob(r.jobId);
        if (!job) return null;
        out[r.runId] = { state, attemptsMade: job.attemptsMade };
      }
      return out;
    },
    timeoutMs,
  );

/** From a run's first STARTED to its last COMPLETE/EXCEPTION, by the messages' own timestamps. */
function span(rec: Recorder, runId: string): Span {
  const mine = rec.messages.filter((m) => m.runId === runId);
  const start = mine.find((m) => m.event === 'STARTED');
  const end = mine.findLast((m) => m.event === 'COMPLETE' || m.event === 'EXCEPTION');
  if (!start || !end)
    throw new Error(`no STARTED..COMPLETE/EXCEPTION for ${runId}: ${mine.map((m) => m.event).join(' ')}`);
  return { runId, start: Date.parse(start.at), end: Date.parse(end.at) };
}

/** Fails naming the two runs if any two spans overlap. */
function expectOneAtATime(spans: readonly Span[]): void {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    const [a, b] = [sorted[i - 1]!, sorted[i]!];
    expect(
      b.start,
      `${b.runId} started while ${a.runId} ran (${a.start}..${a.end}, ${b.start})`,
    ).toBeGreaterThanOrEqual(a.end);
  }
}

const overlaps = (a: Span, b: Span) => a.start < b.end && b.start < a.end;

describe('_pups child runs as first-class jobs (real Redis)', () => {
  it('a run with two _pups children: three jobs, each with its own channel, index row and registry row; one member at a time, parent first', async () => {
    const parent = uniqueId('fam');
    const solo = uniqueId('solo');
    const parentDir = await buildLegacyRun(fx.root, { runId: parent, extras: [] });
    const burnedDir = await buildLegacyPup(parentDir, 'omni/scenarios/burned', { extras: [] });
    const mulchDir = await buildLegacyPup(parentDir, 'omni/scenarios/mulch', { extras: [] });
    const soloDir = await buildLegacyRun(fx.root, { runId: solo, extras: [] });
    const burned = `${parent}/_pups/omni/scenarios/burned`;
    const mulch = `${parent}/_pups/omni/scenarios/mulch`;
    const family = [parent, burned, mulch];

    const schema = uniqueId('fleet_pups_');
    const knex: Knex = knexFactory({ client: 'pg', connection: PG_URL, pool: { min: 0, max: 2 } });
    await knex.raw('create schema ??', [schema]);
    let registry: RunRegistry | undefined;
    const rec = await channelRecorder([...family, solo]);
    try {
      registry = await openRegistry({ knex, schema });
      await registry.migrate();
      const items = await resolveTargets([fx.root]);
      expect(items.map((i) => i.runId)).toEqual([parent, burned, mulch, solo]);
      expect(items[1]!.dir).toBe(burnedDir);
      const results = await fx.fq.enqueue('migration', items);
      // Room for all four at once (two workers x 2): only the family rule keeps its members apart.
      for (let i = 0; i < 2; i++) await worker({ concurrency: 2, registry, name: `w${i}` });
      const finished = await allFinished(results);
      for (const id of [...family, solo]) expect(finished[id], id).toEqual({ state: 'completed', attemptsMade: 1 });
      for (const dir of [parentDir, burnedDir, mulchDir, soloDir]) expect(await runShape(dir), dir).toBe('migrated');

      await waitFor('COMPLETE on every channel', () =>
        [...family, solo].every((id) => rec.events(id).includes('COMPLETE')),
      );
      for (const id of family) {
        const events = rec.events(id, `${id}:migration`);
        expect(events[0], id).toBe('ENQUEUED');
        expect(events, id).toEqual(
          expect.arrayContaining([
            'STARTED',
            'TRAIT_DETECTED',
            'LOCKS_OK',
            'ARCHIVE_COMPLETE',
            'STEP_STARTED',
            'STEP_COMPLETE',
            'VERSION_STAMPED',
          ]),
        );
        expect(events.at(-1), id).toBe('COMPLETE');
        expect(
          rec.messages.filter((m) => m.runId === id).every((m) => m.channel === `${id}:migration`),
          id,
        ).toBe(true);
        expect(
          events.filter((e) => e === 'STARTED'),
          id,
        ).toHaveLength(1);
      }
      const spans = family.map((id) => span(rec, id));
      expectOneAtATime(spans);
      expect(Math.min(...spans.map((s) => s.start))).toBe(spans[0]!.start); // the parent first
      // The workers did run jobs side by side: the unrelated run overlapped the family.
      expect(spans.some((s) => overlaps(s, span(rec, solo)))).toBe(true);

      expect(await fx.fq.index.get(burned)).toMatchObject({
        runId: burned,
        dir: burnedDir,
        config: 'disturbed9002',
        version: 1002,
        lastStatus: 'migrated',
        traits: ['watershed-csv', 'geojson-string-ids'],
      });
      expect((await fx.fq.index.get(burned))!.archives[0]).toMatch(/^burned\.pre_migration\.\d{8}T\d{6}Z\.zip$/);
      expect(await fx.fq.index.get(mulch)).toMatchObject({ dir: mulchDir, lastStatus: 'migrated' });
      expect((await fx.fq.index.get(parent))!.archives[0]).toMatch(new RegExp(`^${parent}\\.pre_migration\\.`));
      for (const [id, dir] of [
        [parent, parentDir],
        [burned, burnedDir],
        [mulch, mulchDir],
      ] as const) {
        expect(await registry.get(id, 'disturbed9002'), id).toMatchObject({
          runid: id,
          local_path: dir,
          last_status: 'migrated',
          last_migration_version: 1002,
        });
      }
      expect(await registry.get('burned', 'disturbed9002')).toBeUndefined();
      // Finished families leave no claim behind.
      expect(await fx.redis.exists(`${fx.fq.keys.family}${parent}`)).toBe(0);
    } finally {
      await rec.close();
      for (const w of fx.workers.splice(0)) await w.close();
      await registry?.close();
      await knex.raw('drop schema ?? cascade', [schema]);
      await knex.destroy();
    }
  });

  it('a failing child is restored on its own: its parent and its sibling stay migrated', async () => {
    const parent = uniqueId('fc');
    const parentDir = await buildLegacyRun(fx.root, { runId: parent, extras: [] });
    const burnedDir = await buildLegacyPup(parentDir, 'omni/scenarios/burned', { extras: [] });
    const mulchDir = await buildLegacyPup(parentDir, 'omni/scenarios/mulch', { extras: [] });
    const mulch = `${parent}/_pups/omni/scenarios/mulch`;
    const rec = await channelRecorder([parent, mulch]);
    try {
      const results = await fx.fq.enqueue('migration', await resolveTargets([fx.root]));
      await worker({ concurrency: 3, plugin: fleetTestPlugin({ stepMs: 50, failRunsNamed: 'mulch' }) });
      const finished = await allFinished(results);
      expect(finished[parent]!.state).toBe('completed');
      expect(finished[`${parent}/_pups/omni/scenarios/burned`]!.state).toBe('completed');
      expect(finished[mulch]).toEqual({ state: 'failed', attemptsMade: 1 });
      expect(await runShape(mulchDir)).toBe('legacy');
      expect(await runShape(parentDir)).toBe('migrated');
      expect(await runShape(burnedDir)).toBe('migrated');

      await waitFor('EXCEPTION on the child channel', () => rec.events(mulch).includes('EXCEPTION'));
      expect(rec.events(mulch, `${mulch}:migration`)).toEqual(
        expect.arrayContaining(['STEP_FAILED', 'RESTORE_COMPLETE', 'EXCEPTION']),
      );
      expect(rec.events(parent)).not.toContain('RESTORE_COMPLETE');
      expect(rec.events(parent).at(-1)).toBe('COMPLETE');
      expect(span(rec, mulch).start).toBeGreaterThanOrEqual(span(rec, parent).end);
      expect((await fx.fq.index.get(parent))!.lastStatus).toBe('migrated');
      expect((await fx.fq.index.get(mulch))!.lastStatus).toBe('failed:STEP_FAILED');
    } finally {
      await rec.close();
    }
  });

  it('a failed parent is restored, then its children still run (each child is its own run)', async () => {
    const parent = uniqueId('fp');
    const parentDir = await buildLegacyRun(fx.root, { runId: parent, extras: [] });
    const burnedDir = await buildLegacyPup(parentDir, 'omni/scenarios/burned', { extras: [] });
    const mulchDir = await buildLegacyPup(parentDir, 'omni/scenarios/mulch', { extras: [] });
    const kids = [`${parent}/_pups/omni/scenarios/burned`, `${parent}/_pups/omni/scenarios/mulch`];
    const rec = await channelRecorder([parent, ...kids]);
    try {
      const results = await fx.fq.enqueue('migration', await resolveTargets([fx.root]));
      await worker({ concurrency: 3, plugin: fleetTestPlugin({ stepMs: 50, failRunsNamed: parent }) });
      const finished = await allFinished(results);
      expect(finished[parent]).toEqual({ state: 'failed', attemptsMade: 1 });
      for (const id of kids) expect(finished[id]!.state, id).toBe('completed');
      expect(await runShape(parentDir)).toBe('legacy');
      expect(await runShape(burnedDir)).toBe('migrated');
      expect(await runShape(mulchDir)).toBe('migrated');
      await waitFor('every terminal message', () =>
        [parent, ...kids].every((id) => rec.events(id).some((e) => e === 'COMPLETE' || e === 'EXCEPTION')),
      );
      expect(rec.events(parent)).toEqual(expect.arrayContaining(['STEP_FAILED', 'RESTORE_COMPLETE', 'EXCEPTION']));
      const parentSpan = span(rec, parent);
      for (const id of kids) expect(span(rec, id).start, id).toBeGreaterThanOrEqual(parentSpan.end);
      expectOneAtATime([parentSpan, ...kids.map((id) => span(rec, id))]);
    } finally {
      await rec.close();
    }
  });

  it('a child enqueued on its own while its parent migrates waits for the parent (ids resolve under the worker root)', async () => {
    const parent = uniqueId('ad');
    const parentDir = await buildLegacyRun(fx.root, { runId: parent, extras: [] });
    const childDir = await buildLegacyPup(parentDir, 'omni/scenarios/burned', { extras: [] });
    const child = `${parent}/_pups/omni/scenarios/burned`;
    const rec = await channelRecorder([parent, child]);
    try {
      await worker({ concurrency: 2, plugin: fleetTestPlugin({ stepMs: 400 }) });
      const [p] = await fx.fq.enqueue('migration', [{ runId: parent }]);
      await waitFor('the parent to start its first step', () => rec.events(parent).includes('STEP_STARTED'));
      const [c] = await fx.fq.enqueue('migration', [{ runId: child }]); // no dir: the worker resolves it
      const finished = await allFinished([p!, c!]);
      expect(finished[child]!.state).toBe('completed');
      expect(await runShape(childDir)).toBe('migrated');
      expect(span(rec, child).start).toBeGreaterThanOrEqual(span(rec, parent).end);
      // A child id that does not name a folder is refused at once, not retried.
      const [missing] = await fx.fq.enqueue('migration', [{ runId: `${parent}/_pups/omni/scenarios/nope` }]);
      expect((await allFinished([missing!]))[missing!.runId]).toEqual({ state: 'failed', attemptsMade: 1 });
      // Nor may a child's folder run under another name: its family would not be the one its locks span.
      const [misnamed] = await fx.fq.enqueue('migration', [{ runId: 'burned', dir: childDir }]);
      expect((await allFinished([misnamed!]))['burned']).toEqual({ state: 'failed', attemptsMade: 1 });
      expect((await fx.fq.queue.getJob(misnamed!.jobId))!.failedReason).toContain(
        `does not name its folder ${childDir} (that is the run ${child})`,
      );
    } finally {
      await rec.close();
    }
  });

  it('a worker killed mid-migration of the parent: its children wait through the stall and the retry, then run', async () => {
    const parent = uniqueId('kp');
    const parentDir = await buildLegacyRun(fx.root, { runId: parent, extras: [] });
    const childDir = await buildLegacyPup(parentDir, 'omni/scenarios/burned', { extras: [] });
    const child = `${parent}/_pups/omni/scenarios/burned`;
    const env = {
      FLEET_REDIS: REDIS_URL,
      FLEET_PREFIX: fx.names.prefix,
      FLEET_ROOT: fx.root,
      FLEET_LOCK_MS: '2000',
      FLEET_CONCURRENCY: '2',
      FLEET_FAMILY_POLL_MS: '100',
    };
    const rec = await channelRecorder([parent, child]);
    try {
      const doomed = spawnWorker({ ...env, TIDEMARK_FLEET_TEST_STEP_MS: '20000', FLEET_NAME: 'doomed' });
      fx.children.push(doomed);
      await doomed.waitFor('READY');
      const results = await fx.fq.enqueue('migration', await resolveTargets([fx.root]));
      await waitFor('the parent half-migrated on disk', async () => (await runShape(parentDir)) === 'half', 20_000);
      doomed.proc.kill('SIGKILL');
      expect((await doomed.exited).signal).toBe('SIGKILL');
      const killedAt = Date.now();
      const rescuer = spawnWorker({ ...env, TIDEMARK_FLEET_TEST_STEP_MS: '0', FLEET_NAME: 'rescuer' });
      fx.children.push(rescuer);
      const finished = await allFinished(results, 90_000);
      expect(finished[parent]!.state).toBe('completed');
      expect(finished[child]!.state).toBe('completed');
      expect(await runShape(parentDir)).toBe('migrated');
      expect(await runShape(childDir)).toBe('migrated');
      await waitFor(
        'COMPLETE for both',
        () => rec.events(parent).includes('COMPLETE') && rec.events(child).includes('COMPLETE'),
      );
      // The child never started before the parent's job was over, though the killed worker's locks lapsed
      // seconds before the rescuer took the parent again.
      const parentDone = Date.parse(rec.messages.findLast((m) => m.runId === parent && m.event === 'COMPLETE')!.at);
      const childStarts = rec.messages
        .filter((m) => m.runId === child && m.event === 'STARTED')
        .map((m) => Date.parse(m.at));
      expect(childStarts).toHaveLength(1);
      expect(childStarts[0]).toBeGreaterThanOrEqual(parentDone);
      expect(parentDone).toBeGreaterThan(killedAt);
      expect(rec.events(parent)).toContain('RESTORE_COMPLETE'); // the half-run was undone before the retry
    } finally {
      await rec.close();
    }
  });
});
