import { foldLifecycle, type CaseEvent } from '@tongban/cases';
import { actors, COMMUNITY, ev, OTHER_COMMUNITY } from '@tongban/cases/testing';
import type { Row } from '@tongban/projections';
import { KPI_CASE_TABLE, KPI_COUNTERS, KPI_DAILY_TABLE, kpiDailyProjection } from './kpi-daily.projection';
import { applied, forCase, recordedOf } from './projection-test-kit';

const CASE = 'a0000000-0000-4000-8000-000000000001';
const OTHER_CASE = 'a0000000-0000-4000-8000-000000000002';
const on = { caseId: CASE };

/** Non-zero counters as `unit day matter counter` → n, easy to read in a failing spec. */
async function countsAfter(...events: CaseEvent[]): Promise<Record<string, number>> {
  const store = await applied(kpiDailyProjection, recordedOf(events));
  return countsOf(store.rows(KPI_DAILY_TABLE));
}

function countsOf(rows: readonly Row[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) {
    const key = [row['org_unit'], row['day'], row['matter_code']].map((v) => v as string).join(' ');
    for (const counter of KPI_COUNTERS) {
      const n = row[counter] as number;
      if (n !== 0) counts[`${key} ${counter}`] = n;
    }
  }
  return counts;
}

const DAY = '2026-11-27';
const A = `${COMMUNITY} ${DAY} property.elevator`;
const submitted = ev.submitted({ ...on, at: '2026-11-27T09:00:00+08:00', matterCode: 'property.elevator' });
const dispatched = ev.dispatched({ ...on, at: '2026-11-27T09:30:00+08:00' });
const accepted = ev.accepted({ ...on, at: '2026-11-27T10:00:00+08:00' });
const contacted = ev.residentContacted({ ...on, at: '2026-11-27T11:00:00+08:00' });
const resolved = ev.resolved({ ...on, at: '2026-11-27T16:00:00+08:00' });
const handled = [submitted, dispatched, accepted, contacted, resolved];

describe('kpi_daily', () => {
  it('counts a receipt for every dispatch and a return for the unit that returned', async () => {
    expect(
      await countsAfter(
        submitted,
        ev.dispatched({
          ...on,
          at: '2026-11-27T09:30:00+08:00',
          ownerId: actors.cadreC.id,
          ownerOrgUnit: OTHER_COMMUNITY,
        }),
        ev.returned({ ...on, at: '2026-11-27T09:40:00+08:00', by: actors.cadreC }),
        ev.dispatched({ ...on, at: '2026-11-27T09:50:00+08:00', redispatch: true }),
      ),
    ).toEqual({
      [`${OTHER_COMMUNITY} ${DAY} property.elevator received`]: 1,
      [`${OTHER_COMMUNITY} ${DAY} property.elevator returned`]: 1,
      [`${A} received`]: 1,
    });
  });

  it('first-dispatch accuracy from a known sequence of returns: routed, returned twice, queued, dispatched by hand', async () => {
    // Routing (the system) sends the case to the grid's cadre A, who returns it; routing sends it
    // to the cadre on duty, B, who returns it too; routing queues it with the street's dispatcher
    // (case.routed counts nothing); the dispatcher sends it to C in another community.
    const router = actors.system;
    const at = (hhmm: string) => `2026-11-27T${hhmm}:00+08:00`;
    const routing = { rule: 'grid_cadre', directoryVersion: 1, catalogueVersion: 1 } as const;
    const counts = await countsAfter(
      submitted,
      ev.dispatched({ ...on, ...routing, by: router, at: at('09:01'), ownerId: actors.cadreA.id }),
      ev.returned({ ...on, at: at('09:20'), by: actors.cadreA }),
      ev.dispatched({
        ...on,
        ...routing,
        rule: 'on_duty_cadre',
        by: router,
        at: at('09:20'),
        ownerId: actors.cadreB.id,
        redispatch: true,
      }),
      ev.returned({ ...on, at: at('09:40'), by: actors.cadreB }),
      ev.routed({ ...on, rule: 'second_return', queue: 'pc.gucheng', at: at('09:40') }),
      ev.dispatched({
        ...on,
        at: at('10:00'),
        ownerId: actors.cadreC.id,
        ownerOrgUnit: OTHER_COMMUNITY,
        redispatch: true,
      }),
    );
    expect(counts).toEqual({
      [`${A} received`]: 2,
      [`${A} returned`]: 2,
      [`${OTHER_COMMUNITY} ${DAY} property.elevator received`]: 1,
    });
    // First-dispatch accuracy (首派准确率) = dispatches not returned ÷ dispatches.
    const received =
      counts[`${A} received`]! + counts[`${OTHER_COMMUNITY} ${DAY} property.elevator received`]!;
    const returned = counts[`${A} returned`]!;
    expect((received - returned) / received).toBeCloseTo(1 / 3);
  });

  it('counts response and resolution in time when no breach was recorded', async () => {
    expect(await countsAfter(...handled)).toEqual({
      [`${A} received`]: 1,
      [`${A} responded`]: 1,
      [`${A} responded_in_time`]: 1,
      [`${A} resolved`]: 1,
      [`${A} resolved_in_time`]: 1,
    });
  });

  it('counts breaches, and no longer in time on the breached clock', async () => {
    const responseBreach = ev.slaBreached({ ...on, at: '2026-11-27T10:30:00+08:00', clock: 'response' });
    const resolutionBreach = ev.slaBreached({ ...on, at: '2026-11-27T12:00:00+08:00', clock: 'resolution' });
    expect(
      await countsAfter(
        submitted,
        dispatched,
        accepted,
        responseBreach,
        contacted,
        resolutionBreach,
        resolved,
      ),
    ).toEqual({
      [`${A} received`]: 1,
      [`${A} breached`]: 2,
      [`${A} responded`]: 1,
      [`${A} resolved`]: 1,
    });
  });

  it('counts the feedback: rated, how satisfied, solved', async () => {
    expect(
      await countsAfter(...handled, ev.feedbackRecorded({ ...on, at: '2026-11-27T18:00:00+08:00' })),
    ).toMatchObject({
      [`${A} rated`]: 1,
      [`${A} satisfied`]: 1,
      [`${A} solved`]: 1,
    });
    const counts = await countsAfter(
      ...handled,
      ev.feedbackRecorded({
        ...on,
        at: '2026-11-27T18:00:00+08:00',
        satisfaction: 'basically_satisfied',
        solved: false,
      }),
    );
    expect(counts).toMatchObject({ [`${A} rated`]: 1, [`${A} basically_satisfied`]: 1 });
    expect(counts).not.toHaveProperty(`${A} solved`);
  });

  it('counts a reopen, which starts a new resolution round', async () => {
    const breach = ev.slaBreached({ ...on, at: '2026-11-27T12:00:00+08:00', clock: 'resolution' });
    const counts = await countsAfter(
      submitted,
      dispatched,
      accepted,
      contacted,
      breach,
      resolved,
      ev.feedbackRecorded({
        ...on,
        at: '2026-11-27T18:00:00+08:00',
        satisfaction: 'unsatisfied',
        solved: false,
      }),
      ev.reopened({ ...on, at: '2026-11-27T19:00:00+08:00' }),
      ev.resolved({ ...on, at: '2026-11-27T20:00:00+08:00' }),
    );
    expect(counts).toMatchObject({
      [`${A} reopened`]: 1,
      [`${A} unsatisfied`]: 1,
      [`${A} resolved`]: 2,
      [`${A} resolved_in_time`]: 1,
    });
  });

  it('files each count under the Asia/Shanghai day of the event', async () => {
    const counts = await countsAfter(
      ev.submitted({ ...on, at: '2026-11-27T23:00:00+08:00' }),
      ev.dispatched({ ...on, at: '2026-11-27T23:59:59+08:00' }),
      ev.accepted({ ...on, at: '2026-11-28T00:00:00+08:00' }),
      // 2026-11-27 in UTC, already the 28th in Beijing.
      ev.residentContacted({ ...on, at: '2026-11-27T16:30:00Z' }),
    );
    expect(counts).toEqual({
      [`${COMMUNITY} 2026-11-27 unclassified received`]: 1,
      [`${COMMUNITY} 2026-11-28 unclassified responded`]: 1,
      [`${COMMUNITY} 2026-11-28 unclassified responded_in_time`]: 1,
    });
  });

  it('counts a breach before dispatch for the location community, or "unassigned" without one', async () => {
    const breach = ev.slaBreached({ ...on, at: '2026-11-27T17:00:00+08:00' });
    expect(await countsAfter(submitted, breach)).toEqual({ [`${A} breached`]: 1 });
    expect(
      await countsAfter(ev.submitted({ ...on, at: '2026-11-27T09:00:00+08:00', location: {} }), breach),
    ).toEqual({
      [`unassigned ${DAY} unclassified breached`]: 1,
    });
  });

  it('takes back everything a case counted when it is ruled unreasonable, and counts nothing after', async () => {
    const other = forCase(OTHER_CASE, handled);
    const store = await applied(
      kpiDailyProjection,
      recordedOf([
        ...handled,
        ...other,
        ev.feedbackRecorded({ ...on, at: '2026-11-28T09:00:00+08:00' }),
        ev.ruledUnreasonable({ ...on, at: '2026-11-28T10:00:00+08:00' }),
        ev.closed({ ...on, at: '2026-11-28T11:00:00+08:00' }),
        ev.reopened({ ...on, at: '2026-11-28T12:00:00+08:00' }),
        ev.slaBreached({ ...on, at: '2026-11-28T13:00:00+08:00', clock: 'resolution' }),
      ]),
    );
    // What is left is the other case alone.
    expect(countsOf(store.rows(KPI_DAILY_TABLE))).toEqual(await countsAfter(...handled));
    expect(store.row(KPI_CASE_TABLE, { case_id: CASE })).toMatchObject({
      excluded: true,
      status: 'in_handling',
    });
    expect(store.row(KPI_CASE_TABLE, { case_id: OTHER_CASE })).toMatchObject({ excluded: false });
  });

  it('remembers every increment it made for a case', async () => {
    const store = await applied(kpiDailyProjection, recordedOf([submitted, dispatched, accepted, contacted]));
    expect(store.row(KPI_CASE_TABLE, { case_id: CASE })).toEqual({
      case_id: CASE,
      status: 'in_handling',
      matter_code: 'property.elevator',
      community_code: COMMUNITY,
      designated_org_unit: null,
      owner_org_unit: COMMUNITY,
      org_unit: COMMUNITY,
      contacted: true,
      response_breached: false,
      resolution_breached: false,
      excluded: false,
      contributions: [
        { org_unit: COMMUNITY, day: DAY, matter_code: 'property.elevator', counter: 'received', n: 1 },
        { org_unit: COMMUNITY, day: DAY, matter_code: 'property.elevator', counter: 'responded', n: 1 },
        {
          org_unit: COMMUNITY,
          day: DAY,
          matter_code: 'property.elevator',
          counter: 'responded_in_time',
          n: 1,
        },
      ],
      // The domain's lifecycle, kept with the row for the next event (ADR 0018).
      lifecycle: foldLifecycle([submitted, dispatched, accepted, contacted]),
    });
  });

  it('keeps the counts of a withdrawn case', async () => {
    expect(await countsAfter(submitted, dispatched, accepted, contacted, ev.withdrawn(on))).toEqual(
      await countsAfter(submitted, dispatched, accepted, contacted),
    );
  });
});
