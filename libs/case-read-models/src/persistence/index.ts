import { ReadModels1764288000001 } from './read-models.migration';
import { ContactRevealsIndex1764460800000 } from './contact-reveals-index.migration';
import { CaseLifecycleSnapshots1764633600000 } from './case-lifecycle-snapshots.migration';
import { CadreWorkload1764720000000 } from './cadre-workload.migration';
import { KpiCadreDaily1764806400000 } from './kpi-cadre-daily.migration';
import { SlaDueTimes1764892800000 } from './sla-due-times.migration';

export { ReadModels1764288000001 } from './read-models.migration';

/**
 * TypeORM migrations of the read models; pass them to TongbanDatabaseModule.forRoot. The tables'
 * definitions (columns, key, kind) sit with the projection that writes each (`defineTable`, ADR
 * 0021); read-tables.drift.int.spec.ts keeps the two equal.
 */
export const READ_MODEL_MIGRATIONS = [
  ReadModels1764288000001,
  ContactRevealsIndex1764460800000,
  CaseLifecycleSnapshots1764633600000,
  CadreWorkload1764720000000,
  KpiCadreDaily1764806400000,
  SlaDueTimes1764892800000,
];
