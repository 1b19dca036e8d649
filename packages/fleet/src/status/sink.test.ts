import { describe, expect, it } from 'vitest';
import type { TidemarkEvent } from '@tidemark/core';
import { channelOf, parseChannel } from './channels.js';
import { memoryPublisher } from './publisher.js';
import { statusOf, statusSink } from './sink.js';

const base = { at: '2025-01-01T00:00:00.000Z', target: 'run x' };

describe('status sink', () => {
  it('maps the runner and guard events to the seed event names', () => {
    const cases: [TidemarkEvent, string | null][] = [
      [{ ...base, type: 'trait:detected', trait: 'watershed-csv', evidence: { summary: 'csv' } }, 'TRAIT_DETECTED'],
      [
        { ...base, type: 'guard', guard: 'run-dirs:nodb-locks', action: 'nodb-locks-held', detail: { keys: 2 } },
        'LOCKS_OK',
      ],
      [
        {
          ...base,
          type: 'guard',
          guard: 'run-dirs:archive',
          action: 'archive-complete',
          detail: { status: 'ARCHIVE_COMPLETE', ref: 'archives/a.zip' },
        },
        'ARCHIVE_COMPLETE',
      ],
      [
        { ...base, type: 'step:started', migration: 'm1', title: 'T', direction: 'up', index: 0, total: 2 },
        'STEP_STARTED',
      ],
      [{ ...base, type: 'step:finished', migration: 'm1', direction: 'up', durationMs: 3 }, 'STEP_COMPLETE'],
      [{ ...base, type: 'step:failed', migration: 'm1', direction: 'up', error: 'boom' }, 'STEP_FAILED'],
      [
        { ...base, type: 'validation', migration: 'm1', ok: false, issues: [{ message: 'bad', where: 'f.json' }] },
        'VALIDATION_FAILED',
      ],
      [
        {
          ...base,
          type: 'guard',
          guard: 'run-dirs:archive',
          action: 'restore-complete',
          detail: { status: 'RESTORE_COMPLETE', ref: 'archives/a.zip' },
        },
        'RESTORE_COMPLETE',
      ],
      [{ ...base, type: 'lock:acquired' }, null],
    ];
    for (const [event, name] of cases) expect(statusOf(event)?.event ?? null).toBe(name);
    expect(statusOf(cases[3]![0])!.fields).toMatchObject({ migration: 'm1', index: 1, total: 2 });
    expect(statusOf(cases[6]![0])!.fields.message).toBe('f.json: bad');
  });

  it('publishes in order on <runid>:migration, throttles progress but always sends the last tick, and redacts', async () => {
    const pub = memoryPublisher();
    const sink = statusSink(pub, { runId: 'rlew-1', job: 'migration', jobId: 'j1', progressEveryMs: 10_000 });
    sink.emit('STARTED');
    for (let i = 0; i <= 10; i++) sink.onEvent({ ...base, type: 'step:progress', migration: 'm1', done: i, total: 10 });
    sink.emit('EXCEPTION', { message: 'cannot reach redis://admin:hunter2@db:6379' });
    await sink.flush();
    expect(pub.messages.map((m) => m.event)).toEqual(['STARTED', 'STEP_PROGRESS', 'STEP_PROGRESS', 'EXCEPTION']);
    expect(pub.messages.map((m) => m.done)).toEqual([undefined, 0, 10, undefined]);
    expect(pub.messages.every((m) => m.channel === 'rlew-1:migration' && m.jobId === 'j1')).toBe(true);
    expect(JSON.stringify(pub.messages)).not.toContain('hunter2');
  });

  it('names channels as the seed does and refuses ids that would be glob patterns', () => {
    expect(channelOf('rlew-abc', 'run_sync')).toBe('rlew-abc:run_sync');
    expect(parseChannel('rlew-abc:migration')).toEqual({ runId: 'rlew-abc', kind: 'migration' });
    expect(parseChannel('rlew-abc:other')).toBeNull();
    expect(() => channelOf('a*', 'migration')).toThrow(/glob/);
  });
});
