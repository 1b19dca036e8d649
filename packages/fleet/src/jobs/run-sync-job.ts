// The run-sync job: `syncRun` with its steps relayed to `<runid>:run_sync` and the run's index row written.
import { readRunState } from '../runs/run-state.js';
import { SyncError } from '../run-sync/download.js';
import { publicRequest } from '../run-sync/request.js';
import { syncRun } from '../run-sync/sync-run.js';
import { FleetJobError, type JobContext } from './context.js';
import type { FleetJobResult } from './job-data.js';

export async function runSyncJob(ctx: JobContext): Promise<FleetJobResult> {
  const { env, sink, data } = ctx;
  if (!data.sync) throw new FleetJobError('BAD_REQUEST', 'run-sync job without a request', true);
  const { authTokenRef, ...queued } = data.sync;
  let request = queued;
  if (authTokenRef) {
    const token = await env.secrets.get(authTokenRef);
    if (!token)
      throw new FleetJobError(
        'TOKEN_EXPIRED',
        'the auth token of this run-sync expired before the job ran; enqueue it again with the token',
        true,
      );
    request = { ...queued, authToken: token };
  }
  const root = request.targetRoot ?? env.root;
  if (!root)
    throw new FleetJobError('BAD_REQUEST', 'run-sync needs a target root (the request or the worker --root)', true);
  try {
    const result = await syncRun({
      ...env.sync,
      request,
      root,
      redis: env.redis,
      ...(env.registry ? { registry: env.registry } : {}),
      signal: ctx.signal,
      onStatus: (event, fields) => sink.emit(event, fields),
    });
    const previous = await env.index.get(request.runid);
    await env.index.put(
      await readRunState(
        { dir: result.dir, runId: request.runid },
        { ...previous, traits: null, lastStatus: 'synced', lastJob: ctx.jobId },
      ),
    );
    return {
      runId: request.runid,
      kind: 'run-sync',
      status: 'synced',
      detail: {
        dir: result.dir,
        files: result.files,
        bytes: result.bytes,
        fetched: result.fetched,
        resumed: result.resumed,
        replaced: result.replaced,
        registered: result.registered,
        request: publicRequest(request),
      },
    };
  } catch (error) {
    if (error instanceof SyncError)
      throw new FleetJobError(error.reason, error.message, error.permanent && !ctx.signal.aborted);
    throw error;
  }
}
