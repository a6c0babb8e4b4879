import { CASE_EVENT_CODEC, EventCodec, UnknownEventTypeError, UnknownSchemaVersionError } from './case.codec';
import { replay } from './case.decider';
import { CASE_EVENT_TYPES, type CaseEvent, type CaseEventType } from './case.events';
import { actors, ev } from './testing/case.fixtures';
import { submittedWithEverythingMissing, submittedWithoutResident } from './testing/legacy-events';

/** What the store keeps of an event: everything but the type, through JSON. */
const stored = (event: CaseEvent): Record<string, unknown> => {
  const { type: _type, ...data } = event;
  return JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
};

/** Stored data at the current version (what this build writes), decoded. */
const current = (type: CaseEventType, data: Readonly<Record<string, unknown>>): CaseEvent =>
  CASE_EVENT_CODEC.decode({ type, schemaVersion: CASE_EVENT_CODEC.versionOf(type), data });
/** Stored data of `case.submitted` v1, decoded (upcast to v2). */
const submittedV1 = (data: Readonly<Record<string, unknown>>): CaseEvent =>
  CASE_EVENT_CODEC.decode({ type: 'case.submitted', schemaVersion: 1, data }, 'case-x@1');

describe('the case event codec', () => {
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
        expect(current(type, stored(event))).toEqual(event);
        // What is written is what is read: encode writes the current version.
        const encoded = CASE_EVENT_CODEC.encode(event);
        expect(encoded.schemaVersion).toBe(CASE_EVENT_CODEC.versionOf(type));
        expect(CASE_EVENT_CODEC.decode(JSON.parse(JSON.stringify(encoded)) as typeof encoded)).toEqual(event);
      },
    );
  });

  it('writes case.submitted as v2 (every field present) and still reads v1', () => {
    expect(CASE_EVENT_CODEC.encode(ev.submitted()).schemaVersion).toBe(2);
    expect(submittedV1(stored(ev.submitted()))).toEqual(ev.submitted());
  });

  it('reads case.handed_over stored before hand-overs expired (no expiresAt) as it was written, at v1', () => {
    const { expiresAt: _expiresAt, ...old } = ev.handedOver();
    expect(CASE_EVENT_CODEC.versionOf('case.handed_over')).toBe(1);
    const decoded = current('case.handed_over', stored(old));
    expect(decoded).toEqual(old);
    expect(decoded).not.toHaveProperty('expiresAt');
  });

  it('refuses a type or a version this build does not know, naming the event', () => {
    expect(() =>
      CASE_EVENT_CODEC.decode({ type: 'case.teleported', schemaVersion: 1, data: {} }, 'case-x@4'),
    ).toThrow(new UnknownEventTypeError('Unknown event type case.teleported in case-x@4'));
    for (const schemaVersion of [3, 0, 1.5, Number.NaN]) {
      expect(() =>
        CASE_EVENT_CODEC.decode({ type: 'case.submitted', schemaVersion, data: {} }, 'case-x@1'),
      ).toThrow(UnknownSchemaVersionError);
    }
    expect(() => current('case.closed', {})).not.toThrow();
  });

  describe('case.submitted v1 recorded without a resident (issue 9)', () => {
    it('gets an empty resident: name and phone are empty text, nothing else is invented', () => {
      const legacy = submittedWithoutResident();
      expect(submittedV1(legacy)).toEqual({
        ...ev.submitted(),
        resident: { name: '', phone: '' },
      });
    });

    it('keeps whatever part of the resident is readable', () => {
      const legacy = { ...submittedWithoutResident(), resident: { name: '王芳', idNumber: 7 } };
      expect(submittedV1(legacy)).toMatchObject({
        resident: { name: '王芳', phone: '' },
      });
    });

    it('replays on the command side like any submission', () => {
      const event = submittedV1(submittedWithoutResident());
      expect(replay([event])).toEqual(replay([ev.submitted()]));
    });
  });

  describe('case.submitted v1 with every repairable field missing or malformed', () => {
    it('fills each with its neutral value and keeps the envelope and channel', () => {
      const event = submittedV1(submittedWithEverythingMissing());
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
      expect(submittedV1(legacy)).toMatchObject({
        location: { address: '迎宾广场', longitude: 113.2 },
      });
    });
  });

  it('does not touch other types, whose shapes the edge always enforced', () => {
    const data = stored(ev.stepRecorded({ by: actors.cadreA }));
    expect(current('case.handling_step_recorded', data)).toEqual({
      ...data,
      type: 'case.handling_step_recorded',
    });
  });
});

describe('an event codec, as a shape changes twice', () => {
  type Note = { readonly type: 'note.written'; readonly text: string; readonly author: string };
  // v1 {body}, v2 {text} (renamed), v3 {text, author} (added, with a default for old notes).
  const codec = new EventCodec<Note>({
    versions: { 'note.written': 3 },
    upcasters: {
      'note.written': {
        1: ({ body, ...rest }) => ({ ...rest, text: body }),
        2: (data) => ({ author: 'unknown', ...data }),
      },
    },
  });

  it('brings every stored version up to the current shape, one step at a time', () => {
    expect(codec.decode({ type: 'note.written', schemaVersion: 1, data: { body: 'hi' } })).toEqual({
      type: 'note.written',
      text: 'hi',
      author: 'unknown',
    });
    expect(codec.decode({ type: 'note.written', schemaVersion: 2, data: { text: 'hi' } })).toEqual({
      type: 'note.written',
      text: 'hi',
      author: 'unknown',
    });
    const now: Note = { type: 'note.written', text: 'hi', author: 'w' };
    expect(codec.encode(now)).toEqual({
      type: 'note.written',
      schemaVersion: 3,
      data: { text: 'hi', author: 'w' },
    });
    expect(codec.decode(codec.encode(now))).toEqual(now);
  });

  it('stops at a version newer than it knows', () => {
    expect(() => codec.decode({ type: 'note.written', schemaVersion: 4, data: {} }, 'notes-1@9')).toThrow(
      /note.written v4 in notes-1@9 is newer than this build knows \(v3\)/,
    );
  });

  it('cannot be built with a step missing or an upcaster from the current version', () => {
    expect(
      () =>
        new EventCodec<Note>({
          versions: { 'note.written': 3 },
          upcasters: { 'note.written': { 1: (d) => ({ ...d }) } },
        }),
    ).toThrow('note.written: no upcaster from v2 to v3');
    expect(
      () =>
        new EventCodec<Note>({
          versions: { 'note.written': 1 },
          upcasters: { 'note.written': { 1: (d) => ({ ...d }) } },
        }),
    ).toThrow('note.written: an upcaster from v1, but v1 is current');
  });
});
