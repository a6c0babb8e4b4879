import { CaseDetailEntity } from './case-detail.entity';
import { CaseTimelineEntity } from './case-timeline.entity';
import { KpiDailyEntity } from './kpi-daily.entity';
import { ReadModels1764288000001 } from './read-models.migration';
import { ContactRevealsIndex1764460800000 } from './contact-reveals-index.migration';
import { CaseLifecycleSnapshots1764633600000 } from './case-lifecycle-snapshots.migration';
import { ReferralEntity } from './referral.entity';
import { ResidentCaseEntity } from './resident-case.entity';
import { SlaClockEntity } from './sla-clock.entity';
import { WorklistEntity } from './worklist.entity';

export { CaseDetailEntity } from './case-detail.entity';
export { CaseTimelineEntity } from './case-timeline.entity';
export { ResidentCaseEntity } from './resident-case.entity';
export { WorklistEntity } from './worklist.entity';
export { ReferralEntity } from './referral.entity';
export { SlaClockEntity } from './sla-clock.entity';
export { KpiDailyEntity } from './kpi-daily.entity';
export { ReadModels1764288000001 } from './read-models.migration';

/**
 * The read models' entities, for queries (TypeOrmModule.forFeature). Only the projections write
 * these tables; the per-case memory tables (`rm_*_case`) and `_streams` tables are the
 * projections' own and have no entity.
 */
export const READ_MODEL_ENTITIES = [
  CaseDetailEntity,
  CaseTimelineEntity,
  ResidentCaseEntity,
  WorklistEntity,
  ReferralEntity,
  SlaClockEntity,
  KpiDailyEntity,
];

/** TypeORM migrations of the read models; pass them to TongbanDatabaseModule.forRoot. */
export const READ_MODEL_MIGRATIONS = [
  ReadModels1764288000001,
  ContactRevealsIndex1764460800000,
  CaseLifecycleSnapshots1764633600000,
];
