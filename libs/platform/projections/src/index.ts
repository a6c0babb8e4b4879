export * from './projection';
export {
  runBatch,
  keyOf,
  normalizeRow,
  matchesFilter,
  type BatchChanges,
  type BatchSource,
  type BatchOutcome,
} from './batch';
export { InMemoryProjectionStore } from './in-memory-projection-store';
export { ProjectionEventError } from './projection-event-error';
export { ProjectionCheckpoints1764288000000 } from './postgres/checkpoints.migration';
export { applyInTransaction, type ApplyTarget, type AppliedBatch } from './postgres/apply';
export { ensureCheckpoint, readCheckpoints, type CheckpointRow } from './postgres/projection-sql';
export {
  ProjectionRunner,
  type ProjectionRunnerOptions,
  type RunnerStatus,
  type RunnerLogger,
} from './postgres/projection-runner';
export {
  ReadModelConsistency,
  PositionAheadError,
  type ConsistencyResult,
  type ReadModelConsistencyOptions,
} from './postgres/consistency';
export { CommitListener, CommitNotifier, READ_MODELS_COMMITTED } from './postgres/commit-notifications';
export {
  rebuildProjection,
  rebuildProjections,
  REBUILD_SUFFIX,
  type RebuildOptions,
  type RebuildProgress,
  type RebuildReport,
} from './postgres/rebuild';

import { ProjectionCheckpoints1764288000000 } from './postgres/checkpoints.migration';
/** TypeORM migrations of the projection engine itself; run before any read model's. */
export const PROJECTION_MIGRATIONS = [ProjectionCheckpoints1764288000000];
export { TongbanProjectionsModule, PROJECTIONS, type ProjectionsModuleOptions } from './projections.module';
