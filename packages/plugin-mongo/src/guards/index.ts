// The plugin's guards: the run-level snapshot (restore on failure).
export { snapshotGuard, takeSnapshot, restoreSnapshot, dropSnapshot, type SnapshotGuardOptions } from './snapshot.js';
