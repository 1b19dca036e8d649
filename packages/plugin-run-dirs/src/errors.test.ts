// The plugin's own error classes are TidemarkErrors named after the plugin, with the cause kept once.
import { isTidemarkError } from '@tidemark/core';
import { expect, it } from 'vitest';
import { RunDirError } from './errors.js';
import { RunDirsGuardError, guardReasonOf } from './guards/refusal.js';

it('RunDirError and RunDirsGuardError are TidemarkErrors of plugin-run-dirs; a cause named in the message is not appended again', () => {
  const cause = new SyntaxError('Unexpected token } in JSON');
  const data = new RunDirError(`ron.nodb: invalid JSON: ${cause.message}`, { file: 'ron.nodb', cause });
  expect(isTidemarkError(data, 'INVALID_INPUT')).toBe(true);
  expect(data.message).toBe('[tidemark] [plugin-run-dirs] ron.nodb: invalid JSON: Unexpected token } in JSON');
  expect(data.cause).toBe(cause);
  expect(data.file).toBe('ron.nodb');
  expect(data.plugin).toBe('plugin-run-dirs');

  const refused = new RunDirsGuardError(
    'NODB_LOCKED',
    'run "rlew-x": the lock at redis://:hunter2@cache:6379 is held; nothing was changed',
  );
  expect(isTidemarkError(refused)).toBe(true);
  expect(refused.message).toBe(
    '[tidemark] [plugin-run-dirs] run "rlew-x": the lock at redis://:***@cache:6379 is held; nothing was changed',
  );
  expect(refused.reason).toBe('NODB_LOCKED');
  expect(guardReasonOf(new Error('wrapped', { cause: refused }))).toBe(refused);
});
