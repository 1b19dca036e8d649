// "Validate only": trait detectors and the validators of applied migrations, never a write (no guards, no
// lease, no ledger entry). The result says what a migration would do.
import { createRunner } from '@tidemark/core';
import type { RunDirTarget } from '@tidemark/plugin-run-dirs';
import { readRunState } from '../runs/run-state.js';
import type { JobContext } from './context.js';
import type { FleetJobResult } from './job-data.js';

export async function runValidateJob(ctx: JobContext, target: RunDirTarget): Promise<FleetJobResult> {
  const { env, sink } = ctx;
  const runId = ctx.data.runId;
  const runner = createRunner({ plugin: env.plugin, target, guards: [], onEvent: sink.onEvent, signal: ctx.signal });
  const report = await runner.verify();
  for (const v of report.validation) {
    sink.emit('VALIDATION_FAILED', {
      migration: v.id,
      message: v.issues.map((i) => `${i.where ? `${i.where}: ` : ''}${i.message}`).join('; '),
    });
  }
  if (report.validation.length === 0)
    sink.emit('VALIDATION_OK', { message: `${report.plan.applied.length} applied migration(s) validate` });
  const traits = Object.entries(report.plan.findings).flatMap(([id, ev]) => (ev ? [id] : []));
  const pending = report.plan.steps.map((s) => s.id);
  const status =
    report.validation.length > 0
      ? 'invalid'
      : pending.length > 0 || report.plan.baseline.length > 0
        ? 'needs-migration'
        : 'valid';
  const previous = await env.index.get(runId);
  await env.index.put(
    await readRunState(
      { dir: target.dir, runId },
      { ...previous, traits, pending, lastStatus: `validated:${status}`, lastJob: ctx.jobId },
    ),
  );
  return {
    runId,
    kind: 'validate',
    status,
    detail: {
      traits,
      pending,
      baseline: report.plan.baseline.map((b) => b.id),
      drift: report.plan.drift.map((d) => d.id),
      external: report.plan.external.map((x) => x.trait),
      invalid: report.validation,
    },
  };
}
