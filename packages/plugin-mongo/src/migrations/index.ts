// The shipped migrations, in order. A function of the undo collection's name (the steps record what they
// changed there), built once per name: checksums hash the migrations' source, not redone on every app boot.
import type { Migration } from '@tidemark/core';
import type { MongoTarget } from '../target.js';
import { labletCollections } from './001_lablet_collections.js';
import { workerExtensions } from './002_cml_worker_extensions.js';

const built = new Map<string, { migrations: Migration<MongoTarget>[]; checksums: Map<string, string> }>();

export function migrations(undo: string): Migration<MongoTarget>[] {
  return migrationsFor(undo).migrations;
}

/** The shipped migrations and their checksums by id (the ledger compares recorded checksums to these). */
export function migrationsFor(undo: string): { migrations: Migration<MongoTarget>[]; checksums: Map<string, string> } {
  let entry = built.get(undo);
  if (!entry) {
    const list = [labletCollections(undo), workerExtensions(undo)];
    entry = { migrations: list, checksums: new Map(list.map((m) => [m.id, m.checksum])) };
    built.set(undo, entry);
  }
  return entry;
}
