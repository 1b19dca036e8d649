// One typed stream for everything a run does; every sink (console, JSON lines, Redis, a web page) reads it.
import type { Evidence, Plan, ValidationIssue } from './contract.js';

interface Base {
  /** ISO-8601. */
  at: string;
  target: string;
  runId?: string;
}

export type TidemarkEvent =
  | (Base & { type: 'plan:ready'; plan: Plan })
  | (Base & { type: 'run:started'; command: 'up' | 'down' | 'rehearse'; steps: string[]; dryRun: boolean })
  | (Base & {
      type: 'run:finished';
      command: 'up' | 'down' | 'rehearse';
      outcome: 'ok' | 'failed' | 'nothing-to-do';
      durationMs: number;
      applied: string[];
    })
  | (Base & { type: 'lock:waiting'; holder: string; expiresAt: string })
  | (Base & { type: 'lock:acquired' })
  | (Base & { type: 'lock:released' })
  | (Base & { type: 'lock:lost' })
  | (Base & { type: 'trait:detected'; trait: string; evidence: Evidence })
  | (Base & {
      type: 'step:started';
      migration: string;
      title: string;
      direction: 'up' | 'down';
      index: number;
      total: number;
    })
  | (Base & { type: 'step:progress'; migration: string; done: number; total?: number; note?: string })
  | (Base & { type: 'step:finished'; migration: string; direction: 'up' | 'down'; durationMs: number })
  | (Base & { type: 'step:failed'; migration: string; direction: 'up' | 'down'; error: string })
  | (Base & { type: 'step:baselined'; migration: string; note: string })
  | (Base & { type: 'validation'; migration: string; ok: boolean; issues: ValidationIssue[] })
  | (Base & { type: 'guard'; guard: string; action: string; detail?: Record<string, unknown> })
  | (Base & {
      type: 'log';
      level: 'info' | 'warn';
      message: string;
      migration?: string;
      data?: Record<string, unknown>;
    });

export type TidemarkEventType = TidemarkEvent['type'];

export type EventListener = (event: TidemarkEvent) => void;

export type EventOf<K extends TidemarkEventType> = Extract<TidemarkEvent, { type: K }>;

type Listener = (event: TidemarkEvent) => void;

/** A sink must never break a migration: listener errors are swallowed after being reported once. */
export class EventStream {
  readonly #listeners = new Set<Listener>();

  on(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: TidemarkEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#listeners.delete(listener);
        process.emitWarning(`[tidemark] event sink removed after it threw: ${String(error)}`);
      }
    }
  }
}
