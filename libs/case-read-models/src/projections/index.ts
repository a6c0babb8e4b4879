import type { CaseEvent } from '@tongban/cases';
import type { Projection } from '@tongban/projections';
import { cadreWorkloadProjection } from './cadre-workload.projection';
import { caseDetailProjection } from './case-detail.projection';
import { caseTimelineProjection } from './case-timeline.projection';
import { kpiCadreDailyProjection } from './kpi-cadre-daily.projection';
import { kpiDailyProjection } from './kpi-daily.projection';
import { referralsProjection } from './referrals.projection';
import { residentCasesProjection } from './resident-cases.projection';
import { slaClocksProjection } from './sla-clocks.projection';
import { worklistProjection } from './worklist.projection';

export * from './case-detail.projection';
export * from './case-timeline.projection';
export * from './resident-cases.projection';
export * from './worklist.projection';
export * from './cadre-workload.projection';
export * from './referrals.projection';
export * from './sla-clocks.projection';
export * from './kpi-daily.projection';
export * from './kpi-cadre-daily.projection';
export { decodeCaseEvent, CASE_STREAMS } from './case-event-decoding';

/** Every read model of the case context, for the projector (order: detail first, KPIs last). */
export const CASE_PROJECTIONS: readonly Projection<CaseEvent>[] = [
  caseDetailProjection,
  caseTimelineProjection,
  residentCasesProjection,
  worklistProjection,
  cadreWorkloadProjection,
  referralsProjection,
  slaClocksProjection,
  kpiDailyProjection,
  kpiCadreDailyProjection,
];
