// Seed §5.2: a worker is lablet-managed when it has a template; legacy workers (template_name null or
// absent) keep working as before.
import { createError } from '@tidemark/core';
import type { Db, Document, ObjectId } from 'mongodb';

export type WorkerMode = 'lablet' | 'legacy';

interface WorkerLike {
  state?: { template_name?: unknown } | null;
}

export function isLabletManaged(worker: WorkerLike): boolean {
  const template = worker.state?.template_name;
  return template !== null && template !== undefined && template !== '';
}

export function workerMode(worker: WorkerLike): WorkerMode {
  return isLabletManaged(worker) ? 'lablet' : 'legacy';
}

export interface ConvertOptions {
  /** The worker's capacity as the template declares it; default: keep what 002 set (the seed's defaults). */
  declaredCapacity?: { cpu_cores: number; memory_gb: number; storage_gb: number; max_nodes: number };
}

export interface ConvertResult {
  workerId: string;
  /** `converted`: this call assigned the template; `already`: the worker already had this template. */
  outcome: 'converted' | 'already';
  template: string;
}

const CAPACITY_FIELDS = [
  'template_name',
  'declared_capacity',
  'allocated_capacity',
  'port_range_start',
  'port_range_end',
  'port_allocations',
  'lablet_instance_ids',
];

function refuse(message: string): never {
  throw createError('plugin-mongo', message);
}

/**
 * Seed §5.3, "convert legacy -> lablet by assigning a template", as one conditional update: only a legacy
 * worker (template null or absent) whose capacity fields 002 has added is converted, so a worker another
 * operator converted meanwhile, a worker with lablets placed, or a database not migrated yet is refused with
 * the reason and left as it was. Converting to the template it already has is a no-op.
 */
export async function convertWorkerToLablet(
  db: Db,
  workerId: string,
  template: string,
  options: ConvertOptions = {},
): Promise<ConvertResult> {
  if (typeof template !== 'string' || template.trim() === '')
    refuse(`worker "${workerId}": the template name must be a non-empty string`);
  const workers = db.collection('cml_workers');
  const byId = { _id: workerId as unknown as ObjectId };
  const worker = await workers.findOne(byId);
  if (!worker) refuse(`worker "${workerId}" not found in cml_workers`);
  const state = worker.state as Record<string, unknown> | null | undefined;
  if (!state || typeof state !== 'object' || Array.isArray(state))
    refuse(`worker "${workerId}" has no state object; nothing changed`);
  const current = state.template_name;
  if (current === template) return { workerId, outcome: 'already', template };
  if (isLabletManaged({ state }))
    refuse(`worker "${workerId}" is already lablet-managed with template "${String(current)}"; nothing changed`);
  const lacking = CAPACITY_FIELDS.filter((f) => !(f in state));
  if (lacking.length > 0)
    refuse(
      `worker "${workerId}" lacks state.${lacking.join(', state.')}: apply 002_cml_worker_extensions first; nothing changed`,
    );
  const placed = (state.lablet_instance_ids as unknown[] | undefined)?.length ?? 0;
  if (placed > 0)
    refuse(`worker "${workerId}" already holds ${placed} lablet instance(s) while in legacy mode; nothing changed`);
  const set: Document = { 'state.template_name': template };
  if (options.declaredCapacity) set['state.declared_capacity'] = options.declaredCapacity;
  // Conditional on what was read: a concurrent conversion or placement makes this match nothing.
  const result = await workers.updateOne(
    { ...byId, 'state.template_name': { $in: [null, ''] }, 'state.lablet_instance_ids': { $size: 0 } },
    { $set: set },
  );
  if (result.modifiedCount === 1) return { workerId, outcome: 'converted', template };
  const now = (await workers.findOne(byId))?.state as Record<string, unknown> | undefined;
  if (now?.template_name === template) return { workerId, outcome: 'already', template };
  refuse(
    `worker "${workerId}" changed while converting (template now ${JSON.stringify(now?.template_name ?? null)}); nothing changed by this call`,
  );
}
