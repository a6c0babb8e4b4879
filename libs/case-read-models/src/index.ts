export { CaseReadModelsModule, type CaseReadModelsOptions } from './case-read-models.module';
export * from './projections';
export * from './persistence';
export { applyCaseScope } from './queries/case-scope';
export { KpiCadreNotFoundError, KpiUnitNotFoundError, cadreKpiScope, kpiUnitInScope } from './kpi/kpi.reads';
export {
  MATTER_CATEGORIES,
  catalogueMatterCategories,
  fixedMatterCategories,
  type MatterCategories,
} from './kpi/matter-categories';

import { PROJECTION_MIGRATIONS } from '@tongban/projections';
import { READ_MODEL_MIGRATIONS } from './persistence';
/** Every migration the case read models need, the engine's checkpoint table first. */
export const CASE_READ_MODEL_MIGRATIONS = [...PROJECTION_MIGRATIONS, ...READ_MODEL_MIGRATIONS];
