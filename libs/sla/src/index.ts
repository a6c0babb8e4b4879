// @tongban/sla: public surface of this lib (see README.md). Pure TypeScript: no Nest, no I/O.
export {
  DAY_MS,
  MAX_CALENDAR_YEAR,
  MIN_CALENDAR_YEAR,
  SHANGHAI_OFFSET_MS,
  localDateOf,
  parseLocalDate,
  type EpochMs,
  type LocalDate,
  type Weekday,
} from './calendar/local-date';
export {
  FESTIVALS,
  FESTIVAL_NAMES_ZH,
  type CalendarSource,
  type CalendarYear,
  type Festival,
  type HolidayBlock,
} from './calendar/calendar-year';
export { validateCalendarYear } from './calendar/calendar-year.validation';
export { CALENDAR_ERROR_KINDS, CalendarError, type CalendarErrorCode } from './calendar/calendar.errors';
export { DEFAULT_BUSINESS_HOURS, type BusinessHours, type BusinessPeriod } from './calendar/business-hours';
export {
  BusinessCalendar,
  type BusinessCalendarOptions,
  type CalendarDay,
  type DayKind,
  type UnknownYears,
} from './calendar/business-calendar';
export { STATE_COUNCIL_YEARS, YEAR_2025, YEAR_2026 } from './calendar/years';
export {
  businessDays,
  businessHoursLimit,
  calendarHours,
  countedTime,
  describeTimeLimit,
  dueAt,
  type TimeLimit,
} from './policies/time-limit';
export {
  SLA_POLICIES,
  SLA_TARGETS,
  SLA_TIERS,
  TIER_POLICIES,
  findSlaPolicy,
  type SlaPolicy,
  type SlaTarget,
  type SlaTier,
} from './policies/sla-policies';
export {
  DEFAULT_WARNING_THRESHOLDS,
  clockEnded,
  clockStatusAt,
  slaClocks,
  usedAt,
  type CaseClock,
  type CaseClocks,
  type ClockCrossing,
  type ClockHolder,
  type ClockStatus,
  type OwnerInterval,
  type SlaClockOptions,
} from './clocks/case-clocks';
export {
  RECORDED_CLOCKS,
  dueActions,
  dueTimesOf,
  instantOf,
  nextDueInstant,
  pendingEscalations,
  recordedAlerts,
  type DueAction,
  type DueEscalation,
  type RecordedAlert,
} from './clocks/due-actions';
export {
  KPI_COUNTS,
  KPI_DEFINITIONS,
  KPI_DEFINITION_NAMES,
  KPI_RATES,
  KPI_RATE_NAMES_ZH,
  LATEST_KPI_DEFINITION,
  NO_KPI_COUNTS,
  TONGBAN_2026_1,
  TONGBAN_2026_2,
  addKpiCounts,
  findKpiDefinition,
  hasNoCases,
  kpiRate,
  kpiRates,
  rankByKpi,
  type KpiCount,
  type KpiCounts,
  type KpiDefinition,
  type KpiRanked,
  type KpiRate,
  type KpiRateRule,
  type KpiRates,
  type KpiTerm,
} from './kpi/kpi-definitions';
export {
  KPI_MAX_RANGE_DAYS,
  KPI_PERIODS,
  kpiPeriods,
  kpiRangeProblem,
  monthRange,
  type KpiPeriod,
  type KpiPeriodKind,
  type KpiRangeProblem,
} from './kpi/kpi-periods';
