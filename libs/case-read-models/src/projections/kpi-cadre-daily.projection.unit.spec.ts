import type { CaseEvent } from '@tongban/cases';
import { actors, COMMUNITY, ev, generateCaseWorkload, OTHER_COMMUNITY } from '@tongban/cases/testing';
import type { Row } from '@tongban/projections';
import {
  KPI_CADRE_CASE_TABLE,
  KPI_CADRE_DAILY_TABLE,
  kpiCadreDailyProjection,
} from './kpi-cadre-daily.projection';
import { KPI_COUNTERS, KPI_DAILY_TABLE, kpiDailyProjection } from './kpi-daily.projection';
import { applied, EventLog, recordedOf } from './projection-test-kit';

const CASE = 'a0000000-0000-4000-8000-000000000001';
const on = { caseId: CASE };
const A = actors.cadreA.id;
const B = actors.cadreB.id;
const C = actors.cadreC.id;
const DAY = '2026-11-27';
const MATTER = 'PC-WYGL-0101';
const at = (hhmm: string, day = DAY) => `${day}T${hhmm}:00+08:00`;

/** Non-zero counters as `cadre unit day matter counter` → n, easy to read in a failing spec. */
function countsOf(rows: readonly Row[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) {
    const key = [row['cadre_id'], row['org_unit'], row['day'], row['matter_code']]
      .map((v) => v as string)
      .join(' ');
    for (const counter of KPI_COUNTERS) {
      const n = row[counter] as number;
      if (n !== 0) counts[`${key} ${counter}`] = n;
    }
  }
  return counts;
}

async function countsAfter(...events: CaseEvent[]): Promise<Record<string, number>> {
  return countsOf((await applied(kpiCadreDailyProjection, recordedOf(events))).rows(KPI_CADRE_DAILY_TABLE));
}

const of = (cadre: string, unit = COMMUNITY, day = DAY) => `${cadre} ${unit} ${day} ${MATTER}`;

const submitted = ev.submitted({ ...on, at: at('09:00'), matterCode: MATTER });
const dispatched = ev.dispatched({ ...on, at: at('09:30') });
const accepted = ev.accepted({ ...on, at: at('10:00') });
const contacted = ev.residentContacted({ ...on, at: at('11:00') });
const resolved = ev.resolved({ ...on, at: at('16:00') });

describe('kpi_cadre_daily', () => {
  it('counts a receipt for each cadre a dispatch went to, and the return (退单) against the cadre who returned it', async () => {
    expect(
      await countsAfter(
        submitted,
        ev.dispatched({ ...on, at: at('09:30'), ownerId: C, ownerOrgUnit: OTHER_COMMUNITY }),
        ev.returned({ ...on, at: at('09:40'), by: actors.cadreC }),
        ev.dispatched({ ...on, at: at('09:50'), redispatch: true }),
        ev.returned({ ...on, at: at('10:10') }),
        ev.dispatched({ ...on, at: at('10:20'), ownerId: B, redispatch: true }),
        ev.accepted({ ...on, at: at('10:30'), by: actors.cadreB, ownerId: B }),
      ),
    ).toEqual({
      [`${of(C, OTHER_COMMUNITY)} received`]: 1,
      [`${of(C, OTHER_COMMUNITY)} returned`]: 1,
      [`${of(A)} received`]: 1,
      [`${of(A)} returned`]: 1,
      [`${of(B)} received`]: 1,
    });
  });

  it('counts contact, resolution, feedback and a reopening for the owner who made them, in time or not', async () => {
    const counts = await countsAfter(
      submitted,
      dispatched,
      accepted,
      ev.slaBreached({ ...on, at: at('10:30'), clock: 'response' }),
      contacted,
      resolved,
      ev.feedbackRecorded({ ...on, at: at('18:00'), satisfaction: 'basically_satisfied', solved: false }),
      ev.reopened({ ...on, at: at('19:00') }),
    );
    expect(counts).toEqual({
      [`${of(A)} received`]: 1,
      [`${of(A)} breached`]: 1,
      [`${of(A)} responded`]: 1,
      [`${of(A)} resolved`]: 1,
      [`${of(A)} resolved_in_time`]: 1,
      [`${of(A)} rated`]: 1,
      [`${of(A)} basically_satisfied`]: 1,
      [`${of(A)} reopened`]: 1,
    });
  });

  it('keeps what the first owner counted with them across a hand-over; the new owner counts from acceptance', async () => {
    const counts = await countsAfter(
      submitted,
      dispatched,
      accepted,
      contacted,
      ev.handedOver({ ...on, at: at('12:00') }),
      // Offered, not accepted yet: the first owner still answers for the case.
      ev.slaBreached({ ...on, at: at('13:00'), clock: 'resolution' }),
      ev.accepted({ ...on, at: at('14:00'), by: actors.cadreB, ownerId: B, viaHandOver: true }),
      ev.resolved({ ...on, at: at('16:00'), by: actors.cadreB }),
      ev.feedbackRecorded({ ...on, at: at('09:00', '2026-11-28') }),
    );
    expect(counts).toEqual({
      [`${of(A)} received`]: 1,
      [`${of(A)} responded`]: 1,
      [`${of(A)} responded_in_time`]: 1,
      [`${of(A)} breached`]: 1,
      // Resolved after the breach: not in time, whoever resolved it.
      [`${of(B)} resolved`]: 1,
      [`${of(B, COMMUNITY, '2026-11-28')} rated`]: 1,
      [`${of(B, COMMUNITY, '2026-11-28')} satisfied`]: 1,
      [`${of(B, COMMUNITY, '2026-11-28')} solved`]: 1,
    });
  });

  it('counts nothing for a cadre while no cadre answers for the case (a breach before dispatch)', async () => {
    expect(await countsAfter(submitted, ev.slaBreached({ ...on, at: at('09:10') }))).toEqual({});
    // The unit's facts have it, under the location's community.
    const unit = await applied(
      kpiDailyProjection,
      recordedOf([submitted, ev.slaBreached({ ...on, at: at('09:10') })]),
    );
    expect(unit.rows(KPI_DAILY_TABLE)).toEqual([
      expect.objectContaining({ org_unit: COMMUNITY, breached: 1 }),
    ]);
  });

  it('takes back everything a case counted for its cadres when it is ruled unreasonable, and counts nothing after', async () => {
    const store = await applied(
      kpiCadreDailyProjection,
      recordedOf([
        submitted,
        ev.dispatched({ ...on, at: at('09:30'), ownerId: C, ownerOrgUnit: OTHER_COMMUNITY }),
        ev.returned({ ...on, at: at('09:40'), by: actors.cadreC }),
        ev.dispatched({ ...on, at: at('09:50'), redispatch: true }),
        accepted,
        contacted,
        resolved,
        ev.feedbackRecorded({ ...on, at: at('09:00', '2026-11-28') }),
        ev.ruledUnreasonable({ ...on, at: at('10:00', '2026-11-28') }),
        ev.reopened({ ...on, at: at('12:00', '2026-11-28') }),
        ev.resolved({ ...on, at: at('13:00', '2026-11-28') }),
      ]),
    );
    expect(countsOf(store.rows(KPI_CADRE_DAILY_TABLE))).toEqual({});
    expect(store.row(KPI_CADRE_CASE_TABLE, { case_id: CASE })).toMatchObject({
      matter_code: MATTER,
      contributions: expect.arrayContaining([
        { cadre_id: C, org_unit: OTHER_COMMUNITY, day: DAY, matter_code: MATTER, counter: 'returned', n: 1 },
      ]),
    });
  });

  it('files the same facts as kpi_daily: per unit, the cadres’ counts add up to the unit’s, breaches with no cadre aside', async () => {
    const workload = generateCaseWorkload({ seed: 20261201, events: 3_000 });
    const recorded = new EventLog().record(...workload.appends.flatMap((a) => a.events));
    const units = (await applied(kpiDailyProjection, recorded)).rows(KPI_DAILY_TABLE);
    const cadres = (await applied(kpiCadreDailyProjection, recorded, 13)).rows(KPI_CADRE_DAILY_TABLE);
    const summed = new Map<string, Record<string, number>>();
    for (const row of cadres) {
      const key = [row['org_unit'], row['day'], row['matter_code']].map((v) => v as string).join(' ');
      const sum = summed.get(key) ?? {};
      for (const counter of KPI_COUNTERS) sum[counter] = (sum[counter] ?? 0) + (row[counter] as number);
      summed.set(key, sum);
    }
    let breachesWithoutCadre = 0;
    let compared = 0;
    for (const row of units) {
      const key = [row['org_unit'], row['day'], row['matter_code']].map((v) => v as string).join(' ');
      const sum = summed.get(key) ?? {};
      for (const counter of KPI_COUNTERS) {
        const unit = row[counter] as number;
        const byCadre = sum[counter] ?? 0;
        if (counter === 'breached') {
          expect(byCadre).toBeLessThanOrEqual(unit);
          breachesWithoutCadre += unit - byCadre;
        } else {
          expect([key, counter, byCadre]).toEqual([key, counter, unit]);
        }
        compared += unit;
      }
      summed.delete(key);
    }
    // No cadre counted under a unit, day and matter the unit's facts do not have.
    expect([...summed.entries()].filter(([, sum]) => Object.values(sum).some((n) => n !== 0))).toEqual([]);
    expect(compared).toBeGreaterThan(1_000);
    expect(breachesWithoutCadre).toBeGreaterThan(0);
  });
});
