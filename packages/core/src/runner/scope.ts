// Everything one runner's parts share: the plugin and target, the ordered migrations, the guards split into
// run and step layers, the event emitter. Built once per `createRunner`; each run adds a `RunState`.
import type { Guard, GuardContext, Ledger, Migration, Plugin, SnapshotRef, StepGuardContext } from '../contract.js';
import { orderMigrations } from '../dag.js';
import type { EntryData } from '../entry-data.js';
import { TidemarkError, type TidemarkErrorCode, type TidemarkErrorFields } from '../errors.js';
import { EventStream, type TidemarkEvent } from '../events.js';
import { whoAmI } from '../lease.js';
import type { RunnerOptions } from './types.js';

export interface Layer<C> {
  name: string;
  fn: (ctx: C, next: () => Promise<void>) => Promise<void>;
}

type DistributiveOmit<U, K extends PropertyKey> = U extends unknown ? Omit<U, K> : never;
export type EventInput = DistributiveOmit<TidemarkEvent, 'at' | 'target'>;

export interface RunScope<T> {
  readonly options: RunnerOptions<T>;
  readonly plugin: Plugin<T>;
  readonly target: T;
  readonly label: string;
  readonly ledger: Ledger;
  readonly guards: readonly Guard<T>[];
  readonly runLayers: readonly Layer<GuardContext<T>>[];
  readonly stepLayers: readonly Layer<StepGuardContext<T>>[];
  readonly by: string;
  readonly ordered: readonly Migration<T>[];
  readonly byId: ReadonlyMap<string, Migration<T>>;
  /** Migrations some trait names: a run marks them "interrupted" while they run. */
  readonly gated: ReadonlySet<string>;
  /** Migrations that saved or resumed a checkpoint: only theirs are cleared (a remote ledger pays per request). */
  readonly checkpointed: Set<string>;
  /** The caller's signal (SIGTERM...). */
  readonly signal: AbortSignal;
  readonly events: EventStream;
  /** What `run:*` events say the runs are: 'rehearse' for a runner that applies on a rehearsal copy. */
  readonly command: 'up' | 'rehearse';
  now(): string;
  emit(event: EventInput): void;
  fail(code: TidemarkErrorCode, message: string, extra?: Partial<TidemarkErrorFields>): TidemarkError;
}

/** One `up` or `down` in progress: what its guards, steps and failure handling share. */
export interface RunState {
  runId: string;
  command: 'up' | 'down';
  /** The steps the run applies or reverts, in order (an `up` adds a baseline whose shape came back). */
  steps: string[];
  /** The caller's signal joined with the lease's: aborted when either is. */
  signal: AbortSignal;
  /** performance.now() when the run began, for the duration its events report. */
  started: number;
  snapshot: SnapshotRef | undefined;
  restored: boolean;
  applied: string[];
  current: string | undefined;
  /** What each step of this run attached with `ctx.record`, until its entry is written. */
  recorded: Map<string, EntryData>;
}

export function newRunState(run: Pick<RunState, 'runId' | 'command' | 'steps' | 'signal' | 'started'>): RunState {
  return { ...run, snapshot: undefined, restored: false, applied: [], current: undefined, recorded: new Map() };
}

export function createScope<T>(options: RunnerOptions<T>, command: 'up' | 'rehearse' = 'up'): RunScope<T> {
  const { plugin, target } = options;
  const events = options.events ?? new EventStream();
  if (options.onEvent) events.on(options.onEvent);
  const label = plugin.describe(target);
  const guards = [...(options.guards ?? plugin.guards ?? []), ...(options.extraGuards ?? [])];
  const ordered = orderMigrations(plugin.migrations, plugin.name);
  const clock = options.clock ?? Date.now;
  const now = () => new Date(clock()).toISOString();
  return {
    options,
    plugin,
    target,
    label,
    ledger: plugin.ledger(target),
    guards,
    runLayers: guards.filter((g) => g.aroundRun).map((g) => ({ name: g.name, fn: g.aroundRun!.bind(g) })),
    stepLayers: guards.filter((g) => g.aroundStep).map((g) => ({ name: g.name, fn: g.aroundStep!.bind(g) })),
    by: options.by ?? whoAmI(),
    ordered,
    byId: new Map(ordered.map((m) => [m.id, m])),
    gated: new Set((plugin.traits ?? []).flatMap((t) => t.fixes)),
    checkpointed: new Set(),
    signal: options.signal ?? new AbortController().signal,
    events,
    command,
    now,
    emit: (event) => events.emit({ at: now(), target: label, ...event } as TidemarkEvent),
    fail: (code, message, extra = {}) =>
      new TidemarkError(code, message, { plugin: plugin.name, target: label, ...extra }),
  };
}
