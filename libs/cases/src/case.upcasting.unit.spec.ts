import { replay } from './case.decider';
import { CASE_EVENT_TYPES, type CaseEvent } from './case.events';
import { upcastCaseEvent } from './case.upcasting';
import { actors, ev } from './testing/case.fixtures';
import { submittedWithEverythingMissing, submittedWithoutResident } from './testing/legacy-events';

/** What the store keeps of an event: everything but the type, through JSON. */
const stored = (event: CaseEvent): Record<string, unknown> => {
  const { type: _type, ...data } = event;
  return JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
};

describe('upcastCaseEvent', () => {
  describe('well-formed events', () => {
    const oneOfEach: CaseEvent[] = [
      ...Object.values(ev).map((make) => make()),
      ev.submitted({
        resident: { name: '王芳', phone: '13800001234', idNumber: '11010519491231002X' },
        location: {
          address: '迎宾广场',
          communityCode: 'pc.a.b',
          gridCode: 'g',
          latitude: 40,
          longitude: 113,
        },
        matterCode: 'PM-017',
        attachments: [{ ref: 'att-1', name: 'lift.jpg', contentType: 'image/jpeg' }],
      }),
    ];

    it('cover every type', () => {
      expect([...new Set(oneOfEach.map((e) => e.type))].sort()).toEqual([...CASE_EVENT_TYPES].sort());
    });

    it.each(oneOfEach.map((event) => [event.type, event] as const))(
      '%s comes out as it went in',
      (type, event) => {
        expect(upcastCaseEvent(type, stored(event))).toEqual(event);
      },
    );
  });

  describe('case.submitted v1 recorded without a resident (issue 9)', () => {
    it('gets an empty resident: name and phone are empty text, nothing else is invented', () => {
      const legacy = submittedWithoutResident();
      expect(upcastCaseEvent('case.submitted', legacy)).toEqual({
        ...ev.submitted(),
        resident: { name: '', phone: '' },
      });
    });

    it('keeps whatever part of the resident is readable', () => {
      const legacy = { ...submittedWithoutResident(), resident: { name: '王芳', idNumber: 7 } };
      expect(upcastCaseEvent('case.submitted', legacy)).toMatchObject({
        resident: { name: '王芳', phone: '' },
      });
    });

    it('replays on the command side like any submission', () => {
      const event = upcastCaseEvent('case.submitted', submittedWithoutResident());
      expect(replay([event])).toEqual(replay([ev.submitted()]));
    });
  });

  describe('case.submitted v1 with every repairable field missing or malformed', () => {
    it('fills each with its neutral value and keeps the envelope and channel', () => {
      const event = upcastCaseEvent('case.submitted', submittedWithEverythingMissing());
      const { caseId, at, by, channel } = ev.submitted();
      expect(event).toEqual({
        type: 'case.submitted',
        caseId,
        at,
        by,
        channel,
        caseNumber: '',
        resident: { name: '', phone: '' },
        location: {},
        title: '',
        description: '',
        attachments: [{ ref: 'att-1' }],
      });
    });

    it('drops location values of the wrong type and keeps the rest', () => {
      const legacy = {
        ...submittedWithoutResident(),
        location: { address: '迎宾广场', communityCode: 12, latitude: '40.1', longitude: 113.2 },
      };
      expect(upcastCaseEvent('case.submitted', legacy)).toMatchObject({
        location: { address: '迎宾广场', longitude: 113.2 },
      });
    });
  });

  it('does not touch other types, whose shapes the edge always enforced', () => {
    const data = stored(ev.stepRecorded({ by: actors.cadreA }));
    expect(upcastCaseEvent('case.handling_step_recorded', data)).toEqual({
      ...data,
      type: 'case.handling_step_recorded',
    });
  });
});
