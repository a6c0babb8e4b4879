export * from './projection';
export {
  column,
  columnsOf,
  defineTable,
  describeTable,
  misfit,
  readRow,
  streamsTable,
  viewSelection,
  type Column,
  type Columns,
  type RowOf,
  type SqlType,
  type TableDefinition,
  type TableShape,
  type ViewRowOf,
} from './table';
export {
  planBatch,
  runBatch,
  keyOf,
  normalizeRow,
  matchesFilter,
  watches,
  type BatchChanges,
  type BatchSource,
  type BatchPlan,
  type BatchOutcome,
} from './batch';
export { InMemoryProjectionStore } from './in-memory-projection-store';
export { ProjectionEventError, ProjectionGapError } from './projection-event-error';
export {
  ProjectionCheckpoints1764288000000,
  ProjectionDelivered1765324800001,
} from './postgres/checkpoints.migration';
export { ProjectionRebuilds1764287999999 } from './postgres/rebuilds.migration';
export { applyDelivered, applyInTransaction, type ApplyTarget, type AppliedBatch } from './postgres/apply';
export { ensureCheckpoint, readCheckpoints, type CheckpointRow } from './postgres/projection-sql';
export {
  ProjectionRunner,
  type ProjectionDriver,
  type ProjectionRunnerOptions,
  type RunnerStatus,
  type RunnerLogger,
  type StoppedProjection,
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
  RebuildRunningError,
  RebuildSupersededError,
  readRunningRebuilds,
  rebuildsRunningHere,
  type RunningRebuild,
  type RebuildOptions,
  type RebuildProgress,
  type RebuildReport,
} from './postgres/rebuild';

import { INBOX_MIGRATIONS } from '@tongban/messaging';
import {
  ProjectionCheckpoints1764288000000,
  ProjectionDelivered1765324800001,
} from './postgres/checkpoints.migration';
import { ProjectionRebuilds1764287999999 } from './postgres/rebuilds.migration';
/**
 * TypeORM migrations of the projection engine itself (with the consumers' inbox, which the
 * Kafka path writes); run before any read model's.
 */
export const PROJECTION_MIGRATIONS = [
  ProjectionCheckpoints1764288000000,
  ProjectionRebuilds1764287999999,
  ProjectionDelivered1765324800001,
  ...INBOX_MIGRATIONS,
];
export { TongbanProjectionsModule, PROJECTIONS, type ProjectionsModuleOptions } from './projections.module';
export { PROJECTION_DRIVER } from './projections.tokens';
export {
  KafkaProjector,
  type KafkaProjectionSource,
  type KafkaProjectorOptions,
} from './kafka/kafka-projector';
