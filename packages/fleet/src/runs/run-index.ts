// The fleet's run index: one Redis hash runId -> FleetRunState. Workers write a run's row after each job;
// `indexRoot` fills it from a root of runs; dashboards read it whole once and then follow the channels.
import { discoverRuns, type DiscoverOptions } from '@tidemark/plugin-run-dirs';
import type { Redis } from 'ioredis';
import type { FleetKeys } from '../keys.js';
import { readRunState, type FleetRunState } from './run-state.js';

export interface RunIndex {
  get(runId: string): Promise<FleetRunState | null>;
  put(state: FleetRunState): Promise<void>;
  /** Merges fields into a run's row (creating a minimal one if missing). */
  patch(runId: string, fields: Partial<FleetRunState>): Promise<FleetRunState>;
  all(): Promise<FleetRunState[]>;
  remove(runId: string): Promise<void>;
}

function parse(text: string | null | undefined): FleetRunState | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as FleetRunState;
  } catch {
    return null;
  }
}

export function runIndex(redis: Redis, keys: FleetKeys): RunIndex {
  const get = async (runId: string) => parse(await redis.hget(keys.runs, runId));
  return {
    get,
    async put(state) {
      await redis.hset(keys.runs, state.runId, JSON.stringify(state));
    },
    async patch(runId, fields) {
      const before = await get(runId);
      const next: FleetRunState = {
        runId,
        dir: '',
        config: '',
        version: null,
        readonly: false,
        traits: null,
        archives: [],
        lastStatus: null,
        ...before,
        ...fields,
        updatedAt: new Date().toISOString(),
      };
      await redis.hset(keys.runs, runId, JSON.stringify(next));
      return next;
    },
    async all() {
      const out: FleetRunState[] = [];
      let cursor = '0';
      do {
        const [next, flat] = await redis.hscan(keys.runs, cursor, 'COUNT', 1000);
        cursor = next;
        for (let i = 1; i < flat.length; i += 2) {
          const row = parse(flat[i]);
          if (row) out.push(row);
        }
      } while (cursor !== '0');
      return out;
    },
    async remove(runId) {
      await redis.hdel(keys.runs, runId);
    },
  };
}

/**
 * Reads every run under root (`_pups` children as `<runid>/_pups/<path>`) from disk and writes its row (keeping what
 * jobs recorded).
 */
export async function indexRoot(
  index: RunIndex,
  root: string,
  options: DiscoverOptions & { concurrency?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<FleetRunState[]> {
  const runs = (await discoverRuns(root, options)).map((r) => ({ dir: r.dir, runId: r.name }));
  const out: FleetRunState[] = [];
  let next = 0;
  const work = async () => {
    while (next < runs.length) {
      const run = runs[next++]!;
      const state = await readRunState({ dir: run.dir, runId: run.runId }, (await index.get(run.runId)) ?? undefined);
      await index.put(state);
      out.push(state);
      options.onProgress?.(out.length, runs.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 16) }, work));
  return out;
}
