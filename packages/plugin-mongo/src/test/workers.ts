// Legacy and current cml_workers documents shaped like the seed's neuroglia aggregates ({ _id, id, state }).
import type { Document } from 'mongodb';

export function legacyWorker(n: number, extra: Document = {}): Document {
  return {
    _id: `worker-${n}`,
    id: `worker-${n}`,
    state: {
      name: `test-worker-${n}`,
      status: n % 2 === 0 ? 'running' : 'stopped',
      aws_region: 'us-east-1',
      instance_type: 'c5.2xlarge',
      created_at: new Date(Date.UTC(2025, 10, (n % 28) + 1)),
      ...extra,
    },
  };
}

/** A worker the new app created: every capacity field set by the app, template assigned. */
export function labletWorker(n: number): Document {
  return legacyWorker(n, {
    template_name: 'tpl-small',
    declared_capacity: { cpu_cores: 16, memory_gb: 64, storage_gb: 200, max_nodes: 10 },
    allocated_capacity: { cpu_cores: 4, memory_gb: 8, storage_gb: 20, max_nodes: 2 },
    port_range_start: 3000,
    port_range_end: 3999,
    port_allocations: [{ port: 3001, instance_id: 'li-1' }],
    lablet_instance_ids: ['li-1'],
  });
}
