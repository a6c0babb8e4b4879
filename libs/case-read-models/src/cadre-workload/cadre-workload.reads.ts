import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TongbanError } from '@tongban/errors';
import { columnsOf, readRow, ReadModelConsistency, viewSelection } from '@tongban/projections';
import type { OrgUnit, Principal } from '@tongban/security';
import { cadreWorkloadCaseTable, cadreWorkloadTable } from '../projections';
import { READ_MODEL_WAIT_MS } from '../queries/case-reads';
import { supervisedUnitInScope } from '../queries/unit-scope';
import { readConsistently } from '../queries/paging';
import { cadreWorkloadView } from '../queries/read-views';
import type { WorkloadQuery, WorkloadView } from './cadre-workload.dto';

/**
 * No cadre has taken cases in the unit, or the unit is outside the caller's scope: the two answer
 * alike (same status, code and detail), so units cannot be probed.
 */
export class WorkloadUnitNotFoundError extends TongbanError {
  readonly code = 'workload.org_unit_not_found';
  readonly kind = 'not_found';
}

/** How far ahead a deadline counts as due soon. */
export const DUE_SOON_HOURS = 24;

/**
 * The street or community `orgUnit` names, when the caller may see its cadres' workload: the scope
 * of supervised units (`supervisedUnitInScope`) a dispatcher, supervisor or admin reads figures in.
 */
export function workloadUnitInScope(principal: Principal, orgUnit: string): OrgUnit | undefined {
  return supervisedUnitInScope(principal, orgUnit, ['street', 'community']);
}

/**
 * The cadre workload of a street or community, for dispatchers choosing whom to dispatch to.
 *
 * The counters are the projection's (`rm_cadre_workload`); due soon and overdue are counted here,
 * at the time of the question, from the resolution deadlines the projection keeps per case
 * (`rm_cadre_workload_case`, partial index on the cases that weigh on a cadre and have a
 * deadline): one statement, reading a street's cadres (~150) and their open cases with a deadline.
 */
@Injectable()
export class CadreWorkloadReads {
  constructor(
    private readonly data: DataSource,
    private readonly consistency: ReadModelConsistency,
    @Inject(READ_MODEL_WAIT_MS) private readonly waitMs: number,
  ) {}

  async workloadOf(principal: Principal, query: WorkloadQuery): Promise<WorkloadView> {
    const consistency = await readConsistently(
      this.consistency,
      ['cadre_workload'],
      query.after,
      this.waitMs,
    );
    const unit = workloadUnitInScope(principal, query.orgUnit);
    const notFound = new WorkloadUnitNotFoundError(`No cadre workload for ${query.orgUnit}.`);
    if (!unit) throw notFound;

    const w = columnsOf(cadreWorkloadTable, 'w');
    const k = columnsOf(cadreWorkloadCaseTable, 'k');
    // A community is its own rows; a street, those of every unit under it. Codes hold no LIKE
    // wildcards (`_`, `%`): the format allows letters, digits and dots only.
    const inUnit = (column: string): string =>
      unit.level === 'community' ? `${column} = $1` : `${column} LIKE $1 || '.%'`;
    const rows = await this.data.query<Array<Record<string, unknown>>>(
      `WITH due AS (
         SELECT ${k.org_unit} AS org_unit, ${k.cadre_id} AS cadre_id,
                count(*) FILTER (WHERE NOT ${k.resolution_breached} AND ${k.resolution_due_at} > now()
                                   AND ${k.resolution_due_at} <= now() + make_interval(hours => $2)) AS due_soon,
                count(*) FILTER (WHERE ${k.resolution_breached} OR ${k.resolution_due_at} <= now()) AS overdue
           FROM ${cadreWorkloadCaseTable.table} k
          WHERE ${k.resolution_due_at} IS NOT NULL AND ${inUnit(k.org_unit)}
          GROUP BY ${k.org_unit}, ${k.cadre_id})
       SELECT ${viewSelection(cadreWorkloadTable, 'w').join(', ')},
              COALESCE(d.due_soon, 0)::int AS due_soon, COALESCE(d.overdue, 0)::int AS overdue, now() AS as_of
         FROM ${cadreWorkloadTable.table} w
         LEFT JOIN due d ON d.org_unit = ${w.org_unit} AND d.cadre_id = ${w.cadre_id}
        WHERE ${inUnit(w.org_unit)}
        ORDER BY ${w.open_cases}, overdue, due_soon, ${w.org_unit}, ${w.cadre_id}`,
      [unit.code, DUE_SOON_HOURS],
    );
    const first = rows[0];
    if (first === undefined) throw notFound;
    return {
      orgUnit: unit.code,
      asOf: new Date(first['as_of'] as Date | string).toISOString(),
      items: rows.map((raw) =>
        cadreWorkloadView(readRow(cadreWorkloadTable, raw), {
          dueSoon: Number(raw['due_soon']),
          overdue: Number(raw['overdue']),
        }),
      ),
      consistency,
    };
  }
}
