import { designatedOf, type Assignment, type CaseEvent, type CaseLifecycle } from '@tongban/cases';
import { column, defineTable, type Projection, type RowOf } from '@tongban/projections';
import { lifecycleProjection } from './case-projection';
import { KPI_COUNTERS, UNCLASSIFIED_MATTER, kpiDailyTable, type KpiCounter } from './kpi-daily.projection';
import { accountableCadre, incrementAll, kpiHandlers, negated } from './kpi-facts';
import { shanghaiDay } from './view-values';

/** The counter columns of `rm_kpi_daily`, the same definitions: the two tables count the same facts. */
const COUNTER_COLUMNS = Object.fromEntries(
  KPI_COUNTERS.map((counter) => [counter, kpiDailyTable.columns[counter]]),
) as { readonly [C in KpiCounter]: (typeof kpiDailyTable.columns)[C] };

/**
 * `rm_kpi_cadre_daily`: the KPI counters per cadre × the org unit they answered in × Asia/Shanghai
 * day × matter — the facts of `rm_kpi_daily` filed by cadre instead of unit alone. Only ever
 * incremented. The unit is the one the cadre held the case in (the dispatch's or hand-over's),
 * which is what a supervisor's scope is checked against.
 */
export const kpiCadreDailyTable = defineTable({
  table: 'rm_kpi_cadre_daily',
  kind: 'counter',
  key: ['cadre_id', 'org_unit', 'day', 'matter_code'],
  columns: {
    cadre_id: column.text(),
    org_unit: column.text(),
    day: column.date(),
    matter_code: column.text(),
    ...COUNTER_COLUMNS,
  },
});
export const KPI_CADRE_DAILY_TABLE = kpiCadreDailyTable.table;

/** One increment made for a case, kept so that a ruling can take it back exactly. */
export type KpiCadreContribution = {
  readonly cadre_id: string;
  readonly org_unit: string;
  readonly day: string;
  readonly matter_code: string;
  readonly counter: KpiCounter;
  readonly n: number;
};

/**
 * `rm_kpi_cadre_case`: what the projection keeps of a case between events. Who is accountable is
 * read from the lifecycle (`accountableCadre`), so nothing else is needed. No query reads it.
 */
export const kpiCadreCaseTable = defineTable({
  table: 'rm_kpi_cadre_case',
  key: ['case_id'],
  columns: {
    case_id: column.uuid(),
    matter_code: column.text(),
    contributions: column.jsonb<readonly KpiCadreContribution[]>(),
    /** The case's lifecycle after the last event applied (the domain's fold). */
    lifecycle: column.jsonb<CaseLifecycle>().nullable(),
  },
});
export const KPI_CADRE_CASE_TABLE = kpiCadreCaseTable.table;
export type KpiCadreCaseRow = RowOf<typeof kpiCadreCaseTable>;

/**
 * `kpi_cadre_daily`: the three rates' facts per cadre (issue 14). The same rules as `kpi_daily`
 * (`kpi-facts.ts`), each count filed for the cadre accountable when it happened: a receipt for the
 * cadre the case was dispatched to; a return (退单) against the cadre who returned it; a contact, a
 * resolution, a breach for the owner (or, before acceptance, the cadre it was dispatched to);
 * feedback and a reopening against the owner who resolved it. What happens while no cadre answers
 * for the case (submitted, in a queue, returned and not dispatched again — a breach then) is
 * counted for the unit only. A ruling of unreasonable takes back everything the case counted.
 */
export const kpiCadreDailyProjection: Projection<CaseEvent> = lifecycleProjection<KpiCadreCaseRow>({
  name: 'kpi_cadre_daily',
  tables: [kpiCadreDailyTable, kpiCadreCaseTable],
  streamsTable: 'rm_kpi_cadre_daily_streams',
  caseTable: KPI_CADRE_CASE_TABLE,
  start: (event, _recorded, lifecycle) => ({
    case_id: event.caseId,
    matter_code: event.matterCode ?? UNCLASSIFIED_MATTER,
    contributions: [],
    lifecycle,
  }),
  on: kpiHandlers<KpiCadreCaseRow>({
    count: (row, step, context, facts) => {
      const day = shanghaiDay(step.event.at);
      const made: KpiCadreContribution[] = [];
      for (const [party, counter, n] of facts) {
        const cadre: Assignment | null =
          party === 'receiver' ? designatedOf(step.after) : accountableCadre(step.before);
        if (cadre === null) continue;
        made.push({
          cadre_id: cadre.cadreId,
          org_unit: cadre.orgUnit,
          day,
          matter_code: row.matter_code,
          counter,
          n,
        });
      }
      if (made.length === 0) return row;
      incrementAll(context, KPI_CADRE_DAILY_TABLE, made);
      return { ...row, contributions: [...row.contributions, ...made] };
    },
    exclude: (row, _step, context) => {
      incrementAll(context, KPI_CADRE_DAILY_TABLE, negated(row.contributions));
      return row;
    },
  }),
});
