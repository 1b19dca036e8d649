// `<run>/.provenance.json`: where an imported run came from (the seed's run-sync job writes it). Runtime
// loaders ignore it; scans and the registry read it. Written atomically like every file of a run.
import { createError } from '@tidemark/core';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../file-ops.js';
import { runPath, type RunDirTarget } from '../target.js';

export const PROVENANCE_FILE = '.provenance.json';

export interface Provenance {
  runid: string;
  config: string;
  source_host: string;
  /** ISO-8601. */
  pulled_at: string;
  original_url?: string;
  original_path?: string;
  owner_email?: string;
  version_at_pull?: number;
  notes?: string;
  is_fixture?: boolean;
}

const REQUIRED = ['runid', 'config', 'source_host', 'pulled_at'] as const;

export async function readProvenance(target: RunDirTarget): Promise<Provenance | null> {
  const path = runPath(target, PROVENANCE_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw createError('plugin-run-dirs', `${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw createError('plugin-run-dirs', `${path}: expected a JSON object`);
  const record = data as Record<string, unknown>;
  for (const field of REQUIRED) {
    if (typeof record[field] !== 'string')
      throw createError('plugin-run-dirs', `${path}: field "${field}" must be a string`);
  }
  if (record.version_at_pull !== undefined && !Number.isInteger(record.version_at_pull)) {
    throw createError('plugin-run-dirs', `${path}: field "version_at_pull" must be an integer`);
  }
  return record as unknown as Provenance;
}

export async function writeProvenance(target: RunDirTarget, provenance: Provenance): Promise<void> {
  for (const field of REQUIRED) {
    if (typeof provenance[field] !== 'string' || provenance[field] === '')
      throw createError('plugin-run-dirs', `provenance: field "${field}" is required`);
  }
  await writeFileAtomic(runPath(target, PROVENANCE_FILE), `${JSON.stringify(provenance, null, 2)}\n`);
}
