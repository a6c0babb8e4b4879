export { CaseViewsModule, type CaseViewsOptions } from './case-views.module';
export * from './projections';
export * from './persistence';
export { applyCaseScope } from './queries/case-scope';

import { PROJECTION_MIGRATIONS } from '@tongban/projections';
import { READ_MODEL_MIGRATIONS } from './persistence';
/** Every migration the case read models need, the engine's checkpoint table first. */
export const CASE_VIEWS_MIGRATIONS = [...PROJECTION_MIGRATIONS, ...READ_MODEL_MIGRATIONS];
