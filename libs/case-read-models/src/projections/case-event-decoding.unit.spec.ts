import { actors, ev, submittedWithoutResident } from '@tongban/cases/testing';
import type { RecordedEvent } from '@tongban/event-store';
import { CASE_DETAIL_TABLE } from './case-detail.projection';
import { applied, EventLog } from './projection-test-kit';
import { CASE_PROJECTIONS, decodeCaseEvent } from './index';

/**
 * Stores hold `case.submitted` v1 events recorded without a resident (issue 9). Each projection
 * threw on them, and since the runner never skips an event, all seven read models stopped there
 * for good. Decoding repairs them (ADR 0008), so every projection reads past them.
 */

const LEGACY = 'e0000000-0000-4000-8000-00000000000e';
const LATER_CASE = 'f0000000-0000-4000-8000-00000000000f';

/** A legacy intake, its case handled on, and a normal case filed after it. */
function storeWithLegacyIntake(): RecordedEvent[] {
  const log = new EventLog();
  const on = { caseId: LEGACY };
  const [intake, ...handled] = log.record(
    ev.submitted(on),
    ev.dispatched(on),
    ev.accepted(on),
    ev.residentContacted(on),
  );
  const later = log.record(ev.submitted({ caseId: LATER_CASE, by: actors.resident }));
  // Stored as v1: v2 promises every field, so only a v1 event may lack one.
  const legacy: RecordedEvent = {
    ...intake!,
    schemaVersion: 1,
    data: submittedWithoutResident(on) as RecordedEvent['data'],
  };
  return [legacy, ...handled, ...later];
}

describe('decodeCaseEvent', () => {
  it('repairs a case.submitted recorded without a resident', () => {
    const [legacy] = storeWithLegacyIntake();
    expect(decodeCaseEvent(legacy!)).toMatchObject({
      type: 'case.submitted',
      caseId: LEGACY,
      resident: { name: '', phone: '' },
    });
  });

  it('still refuses a shape newer than this build', () => {
    const [legacy] = storeWithLegacyIntake();
    expect(() => decodeCaseEvent({ ...legacy!, schemaVersion: 3 })).toThrow(
      /case.submitted v3 in case-e0000000-0000-4000-8000-00000000000e@1 is newer than this build knows \(v2\)/,
    );
  });
});

describe.each(CASE_PROJECTIONS.map((projection) => [projection.name, projection] as const))(
  'the %s projection, given a case submitted without a resident',
  (_name, projection) => {
    it('applies it and every event after it, in one batch or one by one', async () => {
      const events = storeWithLegacyIntake();
      const whole = await applied(projection, events);
      const single = await applied(projection, events, 1);
      for (const spec of projection.tables) expect(whole.rows(spec.table)).toEqual(single.rows(spec.table));
    });
  },
);

describe('the case detail of a case submitted without a resident', () => {
  it('shows an empty resident, and the case filed after it as usual', async () => {
    const store = await applied(
      CASE_PROJECTIONS.find((p) => p.name === 'case_detail')!,
      storeWithLegacyIntake(),
    );
    const rows = store.rows(CASE_DETAIL_TABLE);
    expect(
      rows.map((r) => [r['case_id'], r['status'], r['resident_name'], r['resident_phone_masked']]),
    ).toEqual([
      [LEGACY, 'in_handling', '', ''],
      [LATER_CASE, 'submitted', '王芳', '138****1234'],
    ]);
  });
});
