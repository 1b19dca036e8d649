// Public face of @tidemark/plugin-run-dirs. Keep exports additive (one line per module).
export * from './target.js';
export * from './file-ops.js';
export * from './nodb-version.js';
export * from './lease-lock.js';
export * from './ledger.js';
export * from './capture.js';
export * from './scaffold.js';
export * from './plugin.js';
export * from './guards/refusal.js';
export * from './guards/run-identity.js';
export * from './guards/readonly.js';
export * from './guards/nodb-locks.js';
export * from './guards/disk-space.js';
export * from './guards/zip-archive.js';
export * from './guards/hardlink-snapshot.js';
export * from './guards/snapshot-guard.js';
export * from './guards/default-guards.js';
