// Public face of @tidemark/plugin-run-dirs. Keep exports additive (one line per module).
export * from './target.js';
export * from './file-ops.js';
export * from './nodb-version.js';
export * from './lease-lock.js';
export * from './ledger.js';
export * from './capture.js';
export * from './scaffold.js';
export * from './plugin.js';
