import { CASE_EVENT_TYPES, foldLifecycle, type CaseEvent } from '@tongban/cases';
import {
  actors,
  COMMUNITY,
  ev,
  generateCaseWorkload,
  OTHER_COMMUNITY,
  OTHER_UNIT,
} from '@tongban/cases/testing';
import {
  applied,
  EventLog,
  instants,
  interleave,
  redelivered,
  snapshot,
  withReadsChecked,
} from './projection-test-kit';
import {
  CADRE_WORKLOAD_CASE_TABLE,
  CASE_DETAIL_TABLE,
  CASE_PROJECTIONS,
  KPI_CADRE_CASE_TABLE,
  KPI_CASE_TABLE,
  RESIDENT_CASE_TABLE,
  WORKLIST_CASE_TABLE,
  cadreWorkloadProjection,
  caseDetailProjection,
  decodeCaseEvent,
  kpiCadreDailyProjection,
  kpiDailyProjection,
  residentCasesProjection,
  worklistProjection,
} from './index';

/**
 * What every case projection promises, checked on the same four cases: rows independent of the
 * batch boundaries, redelivery changing nothing, reads listed exactly, no raw personal numbers.
 */

const A = 'a0000000-0000-4000-8000-00000000000a';
const B = 'b0000000-0000-4000-8000-00000000000b';
const C = 'c0000000-0000-4000-8000-00000000000c';
const D = 'd0000000-0000-4000-8000-00000000000d';
const PHONE = '13912345678';
const OTHER_PHONE = '15800009999';
const ID_NUMBER = '110101199003071234';

/** Case A: returned once, suspended, referred, handed over (refused once), breached, reopened, closed. */
function lifeOfA(): CaseEvent[] {
  const t = instants('2026-11-27T09:00:00+08:00', 45);
  const on = { caseId: A };
  const suspendedAt = '2026-11-27T13:30:00+08:00';
  return [
    ev.submitted({
      ...on,
      at: t(),
      resident: { name: '王芳', phone: PHONE, idNumber: ID_NUMBER },
      description: `3 号楼电梯停运三天，联系电话 ${PHONE}，身份证 ${ID_NUMBER}`,
      matterCode: 'property.elevator',
      location: {
        address: '迎宾广场 3 号楼',
        communityCode: COMMUNITY,
        gridCode: 'g-07',
        latitude: 40.09,
        longitude: 113.3,
      },
      attachments: [{ ref: 'att-1', name: 'elevator.jpg', contentType: 'image/jpeg' }],
    }),
    ev.dispatched({ ...on, at: t(), ownerId: actors.cadreC.id, ownerOrgUnit: OTHER_COMMUNITY }),
    ev.returned({ ...on, at: t(), by: actors.cadreC }),
    ev.dispatched({ ...on, at: t(), redispatch: true }),
    ev.slaWarningRaised({ ...on, at: t(), clock: 'response', dueAt: '2026-11-27T17:00:00+08:00' }),
    ev.accepted({ ...on, at: t() }),
    ev.suspended({ ...on, at: suspendedAt }),
    ev.residentContacted({ ...on, at: '2026-11-27T14:00:00+08:00', note: `已电话 ${PHONE} 联系居民` }),
    ev.resumed({ ...on, at: '2026-11-27T15:00:00+08:00', suspendedAt }),
    ev.stepReferred({ ...on, at: '2026-11-27T15:30:00+08:00', request: `请核实住户 ${ID_NUMBER} 的产权` }),
    ev.handedOver({ ...on, at: '2026-11-27T16:00:00+08:00' }),
    ev.returned({ ...on, at: '2026-11-27T16:10:00+08:00', by: actors.cadreB, handOverRefused: true }),
    ev.handedOver({ ...on, at: '2026-11-27T16:20:00+08:00' }),
    ev.accepted({
      ...on,
      at: '2026-11-28T09:00:00+08:00',
      by: actors.cadreB,
      ownerId: actors.cadreB.id,
      viaHandOver: true,
    }),
    ev.referralCompleted({ ...on, at: '2026-11-28T10:00:00+08:00' }),
    ev.extensionGranted({ ...on, at: '2026-11-28T10:30:00+08:00' }),
    ev.supervised({ ...on, at: '2026-11-28T11:00:00+08:00' }),
    ev.slaBreached({
      ...on,
      at: '2026-11-30T17:31:00+08:00',
      clock: 'resolution',
      dueAt: '2026-11-30T17:30:00+08:00',
    }),
    ev.stepRecorded({
      ...on,
      at: '2026-12-01T09:00:00+08:00',
      by: actors.cadreB,
      note: `回电 ${PHONE}`,
      attachments: [{ ref: 'att-2', name: 'repair.jpg' }],
    }),
    ev.resolved({ ...on, at: '2026-12-01T10:00:00+08:00', by: actors.cadreB }),
    ev.feedbackRecorded({
      ...on,
      at: '2026-12-01T12:00:00+08:00',
      satisfaction: 'unsatisfied',
      solved: false,
    }),
    ev.reopened({ ...on, at: '2026-12-01T14:00:00+08:00' }),
    ev.residentContacted({ ...on, at: '2026-12-01T15:00:00+08:00', by: actors.cadreB, firstContact: false }),
    ev.resolved({ ...on, at: '2026-12-02T10:00:00+08:00', by: actors.cadreB }),
    ev.feedbackWindowExpired({ ...on, at: '2026-12-05T10:00:00+08:00' }),
    ev.closed({ ...on, at: '2026-12-05T11:00:00+08:00', by: actors.cadreB }),
  ];
}

/** Case B: filed by the hotline, two referrals, withdrawn with one still open. */
function lifeOfB(): CaseEvent[] {
  const t = instants('2026-11-27T10:00:00+08:00', 40);
  const on = { caseId: B };
  return [
    ev.submitted({
      ...on,
      at: t(),
      by: actors.hotlineAgent,
      channel: 'hotline',
      resident: { name: '李强', phone: OTHER_PHONE },
      location: { communityCode: OTHER_COMMUNITY },
    }),
    ev.dispatched({ ...on, at: t(), ownerId: actors.cadreC.id, ownerOrgUnit: OTHER_COMMUNITY }),
    ev.accepted({
      ...on,
      at: t(),
      by: actors.cadreC,
      ownerId: actors.cadreC.id,
      ownerOrgUnit: OTHER_COMMUNITY,
    }),
    ev.stepReferred({ ...on, at: t(), by: actors.cadreC, referralId: 'ref-b1' }),
    ev.stepReferred({
      ...on,
      at: t(),
      by: actors.cadreC,
      referralId: 'ref-b2',
      target: 'agency',
      toOrgUnit: OTHER_UNIT,
    }),
    ev.referralCompleted({ ...on, at: t(), by: actors.otherOfficeStaff, referralId: 'ref-b2' }),
    ev.slaBreached({ ...on, at: t(), clock: 'response', dueAt: '2026-11-27T12:00:00+08:00' }),
    ev.withdrawn({ ...on, at: t(), by: actors.hotlineAgent }),
  ];
}

/** Case C: no community, a supplement, merged into A before anyone took it. */
function lifeOfC(): CaseEvent[] {
  const t = instants('2026-11-27T11:00:00+08:00', 20);
  const on = { caseId: C, by: actors.otherResident };
  return [
    ev.submitted({
      ...on,
      at: t(),
      location: { address: '城墙带状公园东门' },
      resident: { name: '赵六', phone: PHONE },
    }),
    ev.residentInfoSupplemented({ ...on, at: t(), attachments: [{ ref: 'att-c1' }] }),
    ev.mergedInto({ caseId: C, at: t(), intoCaseId: A }),
  ];
}

/** Case D: counted through feedback, then ruled unreasonable, then closed and reopened. */
function lifeOfD(): CaseEvent[] {
  const t = instants('2026-11-27T23:00:00+08:00', 50);
  const on = { caseId: D };
  return [
    ev.submitted({ ...on, at: t(), matterCode: 'sanitation' }),
    ev.dispatched({ ...on, at: t() }),
    ev.accepted({ ...on, at: t() }),
    ev.residentContacted({ ...on, at: t() }),
    ev.slaBreached({ ...on, at: t(), clock: 'resolution', dueAt: '2026-11-28T01:00:00+08:00' }),
    ev.resolved({ ...on, at: t() }),
    ev.feedbackRecorded({ ...on, at: t() }),
    ev.ruledUnreasonable({ ...on, at: t() }),
    ev.closed({ ...on, at: t() }),
    ev.reopened({ ...on, at: t() }),
  ];
}

const events = new EventLog().record(...interleave(lifeOfA(), lifeOfB(), lifeOfC(), lifeOfD()));

describe.each(CASE_PROJECTIONS.map((projection) => [projection.name, projection] as const))(
  'the %s projection',
  (_name, projection) => {
    it('writes the same rows whatever the batch boundaries', async () => {
      const atOnce = snapshot(await applied(projection, events));
      for (const batchSize of [1, 2, 5, 13]) {
        expect(snapshot(await applied(projection, events, batchSize))).toEqual(atOnce);
      }
    });

    it('changes nothing when events are delivered again', async () => {
      const once = snapshot(await applied(projection, events));
      expect(snapshot(await applied(projection, redelivered(events)))).toEqual(once);
      expect(snapshot(await applied(projection, redelivered(events), 3))).toEqual(once);

      const replayed = await applied(projection, events, 4);
      await replayed.apply(events);
      expect(snapshot(replayed)).toEqual(once);
    });

    it('reads exactly the rows it lists in reads()', async () => {
      const { projection: checked, mismatches } = withReadsChecked(projection);
      await applied(checked, events, 3);
      expect(mismatches).toEqual([]);
    });

    it('keeps no raw phone or ID number in any row', async () => {
      const everything = JSON.stringify(snapshot(await applied(projection, events)));
      for (const secret of [PHONE, OTHER_PHONE, ID_NUMBER]) expect(everything).not.toContain(secret);
    });

    it('reads case streams only (the types it declares), with its own streams table', () => {
      expect(projection.filter.streamPrefix).toBe('case-');
      // A type filter lists known types, in the catalogue's order, submissions always among them.
      const types = projection.filter.types ?? CASE_EVENT_TYPES;
      expect(types).toEqual(CASE_EVENT_TYPES.filter((type) => types.includes(type)));
      expect(types).toContain('case.submitted');
      expect(projection.streamsTable).toBe(`${projection.tables[0]!.table}_streams`);
    });
  },
);

describe('on a realistic random workload', () => {
  const workload = generateCaseWorkload({ seed: 20261127, events: 1_500 });
  const recorded = new EventLog().record(...workload.appends.flatMap((append) => append.events));
  const secrets = recorded
    .map((event) => decodeCaseEvent(event))
    .flatMap((event) =>
      event.type === 'case.submitted' ? [event.resident.phone, event.resident.idNumber ?? []] : [],
    )
    .flat();

  it.each(CASE_PROJECTIONS.map((projection) => [projection.name, projection] as const))(
    '%s: same rows in any batches and on redelivery, reads exact, no raw personal numbers',
    async (_name, projection) => {
      const { projection: checked, mismatches } = withReadsChecked(projection);
      const atOnce = await applied(checked, recorded);
      const rows = snapshot(atOnce);
      expect(snapshot(await applied(projection, recorded, 1))).toEqual(rows);
      expect(snapshot(await applied(projection, redelivered(recorded), 97))).toEqual(rows);
      expect(mismatches).toEqual([]);
      const everything = JSON.stringify(rows);
      expect(secrets.filter((secret) => everything.includes(secret))).toEqual([]);
    },
  );
});

describe('the projections that follow the case lifecycle', () => {
  const workload = generateCaseWorkload({ seed: 20261130, events: 1_500 });
  const all = workload.appends.flatMap((append) => append.events);
  const recorded = new EventLog().record(...all);
  const streams = new Map<string, CaseEvent[]>();
  for (const event of all) streams.set(event.caseId, [...(streams.get(event.caseId) ?? []), event]);

  it.each([
    [caseDetailProjection, CASE_DETAIL_TABLE],
    [residentCasesProjection, RESIDENT_CASE_TABLE],
    [worklistProjection, WORKLIST_CASE_TABLE],
    [cadreWorkloadProjection, CADRE_WORKLOAD_CASE_TABLE],
    [kpiDailyProjection, KPI_CASE_TABLE],
    [kpiCadreDailyProjection, KPI_CADRE_CASE_TABLE],
  ] as const)(
    '%#: keep exactly the domain’s fold of each case’s stream, in any batches',
    async (projection, table) => {
      for (const batchSize of [undefined, 7]) {
        const rows = (await applied(projection, recorded, batchSize)).rows(table);
        expect(rows.length).toBeGreaterThan(0);
        for (const row of rows) {
          const caseId = row['case_id'] as string;
          expect({ caseId, lifecycle: row['lifecycle'] }).toEqual({
            caseId,
            lifecycle: foldLifecycle(streams.get(caseId)!),
          });
          // cadre_workload and kpi_cadre_daily keep no status column: who carries the case, or
          // who answers for it, is all they derive.
          if (projection !== cadreWorkloadProjection && projection !== kpiCadreDailyProjection)
            expect(row['status']).toBe(foldLifecycle(streams.get(caseId)!)?.status);
        }
      }
    },
  );
});

describe('CASE_PROJECTIONS', () => {
  it('lists the nine case projections once each, under distinct tables', () => {
    expect(CASE_PROJECTIONS.map((p) => p.name)).toEqual([
      'case_detail',
      'case_timeline',
      'resident_cases',
      'worklist',
      'cadre_workload',
      'referrals',
      'sla_clocks',
      'kpi_daily',
      'kpi_cadre_daily',
    ]);
    const tables = CASE_PROJECTIONS.flatMap((p) => [...p.tables.map((t) => t.table), p.streamsTable]);
    expect(new Set(tables).size).toBe(tables.length);
  });
});
