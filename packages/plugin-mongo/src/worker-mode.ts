// Seed §5.2: a worker is lablet-managed when it has a template; legacy workers (template_name null or
// absent) keep working as before.
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
