import { foldLifecycle, type CaseEvent } from '@tongban/cases';
import { actors, COMMUNITY, ev, generateCaseWorkload, OTHER_COMMUNITY } from '@tongban/cases/testing';
import { InMemoryProjectionStore } from '@tongban/projections';
import {
  CADRE_WORKLOAD_CASE_TABLE,
  CADRE_WORKLOAD_TABLE,
  cadreWorkloadProjection,
  type CadreWorkloadCaseRow,
  type CadreWorkloadRow,
} from './cadre-workload.projection';
import { EventLog, instants } from './projection-test-kit';

const P = 'a0000000-0000-4000-8000-0000000000a1';
const Q = 'a0000000-0000-4000-8000-0000000000a2';
const R = 'a0000000-0000-4000-8000-0000000000a3';
const S = 'a0000000-0000-4000-8000-0000000000a4';
const T = 'a0000000-0000-4000-8000-0000000000a5';

const A = actors.cadreA; // 太阳城 (COMMUNITY)
const B = actors.cadreB; // 太阳城 (COMMUNITY)
const C = actors.cadreC; // 云泉里 (OTHER_COMMUNITY)

type Counts = [open: number, accepted: number, suspended: number, offered: number];

/** Every cadre row as `<cadre>@<unit>` → counts (zero rows included: a cadre stays known). */
function countsOf(store: InMemoryProjectionStore): Record<string, Counts> {
  return Object.fromEntries(
    (store.rows(CADRE_WORKLOAD_TABLE) as CadreWorkloadRow[]).map((row) => [
      `${row.cadre_id}@${row.org_unit}`,
      [row.open_cases, row.accepted, row.suspended, row.handovers_offered],
    ]),
  );
}

const at = (cadre: { id: string }, unit = COMMUNITY): string => `${cadre.id}@${unit}`;

describe('cadre_workload', () => {
  /** One district's morning, event by event: the counts after each step are written by hand. */
  it('counts each open case once, for the one cadre it weighs on, through a realistic sequence', async () => {
    const log = new EventLog();
    const store = new InMemoryProjectionStore(cadreWorkloadProjection);
    const t = instants('2026-11-27T08:30:00+08:00', 10);
    const then = async (...events: CaseEvent[]): Promise<Record<string, Counts>> => {
      await store.apply(log.record(...events.map((event) => ({ ...event, at: t() }))));
      return countsOf(store);
    };

    // P: filed, routed to the community's queue (nobody owns it), dispatched to A, returned by A.
    expect(await then(ev.submitted({ caseId: P }), ev.routed({ caseId: P }))).toEqual({});
    expect(await then(ev.dispatched({ caseId: P }))).toEqual({ [at(A)]: [1, 0, 0, 0] });
    expect(await then(ev.returned({ caseId: P, by: A }))).toEqual({ [at(A)]: [0, 0, 0, 0] });
    // After a return the router sends it to a queue again: still nobody's.
    expect(await then(ev.routed({ caseId: P, rule: 'street_dispatcher', queue: 'pc.gucheng' }))).toEqual({
      [at(A)]: [0, 0, 0, 0],
    });
    // Re-dispatched by hand to C in another community: C's, and A's row stays at zero.
    const toC = { ownerId: C.id, ownerOrgUnit: OTHER_COMMUNITY };
    expect(await then(ev.dispatched({ caseId: P, ...toC, redispatch: true }))).toEqual({
      [at(A)]: [0, 0, 0, 0],
      [at(C, OTHER_COMMUNITY)]: [1, 0, 0, 0],
    });

    // Q: dispatched to A, accepted, handed over to B (offered: B's offer, still A's case), accepted by B.
    await then(ev.submitted({ caseId: Q }), ev.dispatched({ caseId: Q }));
    expect(await then(ev.accepted({ caseId: Q }))).toEqual({
      [at(A)]: [1, 1, 0, 0],
      [at(C, OTHER_COMMUNITY)]: [1, 0, 0, 0],
    });
    expect(await then(ev.handedOver({ caseId: Q }))).toEqual({
      [at(A)]: [1, 1, 0, 0],
      [at(B)]: [0, 0, 0, 1],
      [at(C, OTHER_COMMUNITY)]: [1, 0, 0, 0],
    });
    const takenOver = ev.accepted({ caseId: Q, by: B, ownerId: B.id, viaHandOver: true });
    expect(await then(takenOver)).toEqual({
      [at(A)]: [0, 0, 0, 0],
      [at(B)]: [1, 1, 0, 0],
      [at(C, OTHER_COMMUNITY)]: [1, 0, 0, 0],
    });
    // B suspends and resumes it.
    expect(await then(ev.suspended({ caseId: Q, by: B }))).toMatchObject({ [at(B)]: [1, 1, 1, 0] });
    expect(await then(ev.resumed({ caseId: Q, by: B }))).toMatchObject({ [at(B)]: [1, 1, 0, 0] });

    // R: B's, offered to A, refused by A: B keeps it and A's offer is gone.
    await then(
      ev.submitted({ caseId: R }),
      ev.dispatched({ caseId: R, ownerId: B.id }),
      ev.accepted({ caseId: R, by: B, ownerId: B.id }),
    );
    expect(await then(ev.handedOver({ caseId: R, by: B, fromCadreId: B.id, toCadreId: A.id }))).toMatchObject(
      {
        [at(A)]: [0, 0, 0, 1],
        [at(B)]: [2, 2, 0, 0],
      },
    );
    expect(await then(ev.returned({ caseId: R, by: A, handOverRefused: true }))).toMatchObject({
      [at(A)]: [0, 0, 0, 0],
      [at(B)]: [2, 2, 0, 0],
    });
    // Resolved: off B's load; reopened: back on it (the same owner); closed after feedback: off.
    await then(ev.residentContacted({ caseId: R, by: B }));
    expect(await then(ev.resolved({ caseId: R, by: B }))).toMatchObject({ [at(B)]: [1, 1, 0, 0] });
    expect(await then(ev.reopened({ caseId: R }))).toMatchObject({ [at(B)]: [2, 2, 0, 0] });
    await then(ev.resolved({ caseId: R, by: B }), ev.feedbackRecorded({ caseId: R }));
    expect(await then(ev.closed({ caseId: R, by: B }))).toMatchObject({ [at(B)]: [1, 1, 0, 0] });

    // S: dispatched to A, withdrawn by the resident. T: C's, merged into P.
    expect(await then(ev.submitted({ caseId: S }), ev.dispatched({ caseId: S }))).toMatchObject({
      [at(A)]: [1, 0, 0, 0],
    });
    expect(await then(ev.withdrawn({ caseId: S }))).toMatchObject({ [at(A)]: [0, 0, 0, 0] });
    await then(
      ev.submitted({ caseId: T }),
      ev.dispatched({ caseId: T, ...toC }),
      ev.accepted({ caseId: T, by: C, ...toC }),
    );
    expect(countsOf(store)[at(C, OTHER_COMMUNITY)]).toEqual([2, 1, 0, 0]);
    expect(await then(ev.mergedInto({ caseId: T, intoCaseId: P }))).toEqual({
      [at(A)]: [0, 0, 0, 0],
      [at(B)]: [1, 1, 0, 0],
      [at(C, OTHER_COMMUNITY)]: [1, 0, 0, 0],
    });

    // P goes on: C returns it, the dispatcher sends it to A again, A accepts.
    await then(ev.returned({ caseId: P, by: C }));
    await then(ev.dispatched({ caseId: P, redispatch: true }));
    expect(await then(ev.accepted({ caseId: P }))).toEqual({
      [at(A)]: [1, 1, 0, 0],
      [at(B)]: [1, 1, 0, 0],
      [at(C, OTHER_COMMUNITY)]: [0, 0, 0, 0],
    });
  });

  it('keeps the resolution deadline of the case with the cadre it weighs on, and only while it does', async () => {
    const log = new EventLog();
    const store = new InMemoryProjectionStore(cadreWorkloadProjection);
    const caseRow = async (...events: CaseEvent[]): Promise<Partial<CadreWorkloadCaseRow>> => {
      await store.apply(log.record(...events));
      const { lifecycle: _lifecycle, ...row } = store.rows(
        CADRE_WORKLOAD_CASE_TABLE,
      )[0] as CadreWorkloadCaseRow;
      return row;
    };
    const on = { caseId: Q };
    const due = '2026-11-30T17:30:00+08:00';
    const dueUtc = '2026-11-30T09:30:00.000Z';

    expect(await caseRow(ev.submitted(on), ev.dispatched(on))).toEqual({
      case_id: Q,
      cadre_id: A.id,
      org_unit: COMMUNITY,
      resolution_due_at: null,
      resolution_breached: false,
    });
    // A response deadline is not the resolution's.
    expect(await caseRow(ev.slaWarningRaised({ ...on, clock: 'response' }))).toMatchObject({
      resolution_due_at: null,
    });
    expect(
      await caseRow(ev.accepted(on), ev.slaWarningRaised({ ...on, clock: 'resolution', dueAt: due })),
    ).toMatchObject({ cadre_id: A.id, resolution_due_at: dueUtc });
    // Handed over and taken: the deadline moves with the case to B.
    expect(
      await caseRow(ev.handedOver(on), ev.accepted({ ...on, by: B, ownerId: B.id, viaHandOver: true })),
    ).toMatchObject({ cadre_id: B.id, org_unit: COMMUNITY, resolution_due_at: dueUtc });
    expect(await caseRow(ev.slaBreached({ ...on, clock: 'resolution', dueAt: due }))).toMatchObject({
      cadre_id: B.id,
      resolution_due_at: dueUtc,
      resolution_breached: true,
    });
    // Resolved: it weighs on nobody, so no deadline is counted for anyone.
    expect(await caseRow(ev.residentContacted({ ...on, by: B }), ev.resolved({ ...on, by: B }))).toEqual({
      case_id: Q,
      cadre_id: null,
      org_unit: null,
      resolution_due_at: null,
      resolution_breached: false,
    });
    // Reopened: a new round, whose deadline the SLA watcher has not announced yet.
    expect(await caseRow(ev.reopened(on))).toEqual({
      case_id: Q,
      cadre_id: B.id,
      org_unit: COMMUNITY,
      resolution_due_at: null,
      resolution_breached: false,
    });
  });

  /**
   * On a random district workload, after every single event: each cadre's counters equal a count
   * made from the cases' lifecycles (the domain's fold) — dispatched to them, or in handling with
   * them as owner; hand-overs offered to them — and no counter is ever negative.
   */
  it('equals, after every event of a random workload, a count made from the cases’ lifecycles', async () => {
    const workload = generateCaseWorkload({ seed: 20261213, events: 1_200 });
    const events = workload.appends.flatMap((append) => append.events);
    const recorded = new EventLog().record(...events);
    const store = new InMemoryProjectionStore(cadreWorkloadProjection);
    const streams = new Map<string, CaseEvent[]>();
    const wrong: string[] = [];
    let handOvers = 0;
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      streams.set(event.caseId, [...(streams.get(event.caseId) ?? []), event]);
      await store.apply([recorded[i]!]);
      const expected = new Map<string, Counts>();
      const add = (key: string, counts: Counts): void => {
        const was = expected.get(key) ?? [0, 0, 0, 0];
        expected.set(key, was.map((n, k) => n + counts[k]!) as Counts);
      };
      for (const stream of streams.values()) {
        const lifecycle = foldLifecycle(stream);
        if (lifecycle?.status === 'dispatched') {
          add(`${lifecycle.designatedOwnerId}@${lifecycle.designatedOrgUnit}`, [1, 0, 0, 0]);
        }
        if (lifecycle?.status === 'in_handling') {
          add(`${lifecycle.ownerId}@${lifecycle.ownerOrgUnit}`, [1, 1, lifecycle.suspended ? 1 : 0, 0]);
          const offer = lifecycle.pendingHandOver;
          if (offer) {
            handOvers += 1;
            add(`${offer.toCadreId}@${offer.toOrgUnit}`, [0, 0, 0, 1]);
          }
        }
      }
      const actual = countsOf(store);
      const nonZero = Object.fromEntries(Object.entries(actual).filter(([, c]) => c.some((n) => n !== 0)));
      if (JSON.stringify(Object.entries(nonZero).sort()) !== JSON.stringify([...expected.entries()].sort())) {
        wrong.push(`after event ${i} (${event.type} of ${event.caseId})`);
      }
      if (Object.values(actual).some((c) => c.some((n) => n < 0))) wrong.push(`negative after event ${i}`);
      if (wrong.length > 5) break;
    }
    expect(wrong).toEqual([]);
    // The workload exercises what the counters are for.
    expect(handOvers).toBeGreaterThan(0);
    expect(Object.keys(countsOf(store)).length).toBeGreaterThan(2);
  });
});
