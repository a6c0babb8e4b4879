import { CASE_EVENT_TYPES, type CaseEvent } from '@tongban/cases';
import { ev } from '@tongban/cases/testing';
import type { JsonObject, JsonValue, RecordedEvent } from '@tongban/event-store';
import { toEnvelope } from './envelope';
import { ANY_INDEX, PERSONAL_DATA_POINTERS, personalDataOf } from './personal-data';

/**
 * The field names the logger masks, as libs/platform/logging/src/personal-data.ts lists them
 * (FIELD_MASKERS, not exported): restated here; keep the two equal.
 */
const MASKED_FIELD_NAMES = new Set([
  'phone',
  'mobile',
  'telephone',
  'tel',
  'contactphone',
  'residentphone',
  'idnumber',
  'idcard',
  'identitynumber',
  'residentid',
  'name',
  'fullname',
  'residentname',
  'contactname',
  'address',
  'residentaddress',
  'homeaddress',
]);
const normalise = (key: string): string => key.toLowerCase().replace(/[-_\s]/g, '');

/** One event of each type, every optional field filled (as the codec's spec builds them). */
const oneOfEach: CaseEvent[] = [
  ...Object.values(ev).map((make) => make()),
  ev.submitted({
    resident: { name: '王芳', phone: '13800001234', idNumber: '11010519491231002X' },
    location: { address: '迎宾广场', communityCode: 'pc.a.b', gridCode: 'g', latitude: 40, longitude: 113 },
    matterCode: 'PM-017',
    attachments: [{ ref: 'att-1', name: 'lift.jpg', contentType: 'image/jpeg' }],
  }),
  ev.stepRecorded({ attachments: [{ ref: 'att-2', name: '王芳.jpg' }] }),
  ev.residentInfoSupplemented({
    attachments: [
      { ref: 'att-3', name: 'a.jpg' },
      { ref: 'att-4', name: 'b' },
    ],
  }),
];

/** What the store keeps of an event: everything but the type, through JSON. */
const dataOf = (event: CaseEvent): JsonObject => {
  const { type: _type, ...data } = event;
  return JSON.parse(JSON.stringify(data)) as JsonObject;
};

/** Pointers of every leaf whose field name the logger masks. */
function maskedLeaves(value: JsonValue, pointer = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => maskedLeaves(item, `${pointer}/${i}`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) =>
    typeof item === 'object' && item !== null
      ? maskedLeaves(item, `${pointer}/${key}`)
      : MASKED_FIELD_NAMES.has(normalise(key))
        ? [`${pointer}/${key}`]
        : [],
  );
}

describe('personal data pointers', () => {
  it('cover every case event type', () => {
    expect([...new Set(oneOfEach.map((e) => e.type))].sort()).toEqual([...CASE_EVENT_TYPES].sort());
  });

  it.each(oneOfEach.map((event) => [event.type, event] as const))(
    '%s: every field the logger masks is listed',
    (type, event) => {
      const data = dataOf(event);
      const listed = personalDataOf(type, data);
      expect(maskedLeaves(data).filter((pointer) => !listed.includes(pointer))).toEqual([]);
    },
  );

  it('lists only pointers that resolve, expanding * to each index', () => {
    const data = dataOf(oneOfEach[oneOfEach.length - 1]!);
    expect(personalDataOf('case.resident_info_supplemented', data)).toEqual([
      '/attachments/0/name',
      '/attachments/1/name',
    ]);
    const bare = dataOf(ev.submitted({ resident: { name: '王芳', phone: '13800001234' }, location: {} }));
    expect(personalDataOf('case.submitted', bare)).toEqual(['/resident/name', '/resident/phone']);
    expect(personalDataOf('case.submitted', { resident: 'x', attachments: { 0: { name: 'x' } } })).toEqual(
      [],
    );
    expect(personalDataOf('case.unknown', { name: 'x' })).toEqual([]);
    expect(personalDataOf('constructor', { name: 'x' })).toEqual([]);
  });

  it('escapes keys as RFC 6901 says', () => {
    expect(personalDataOf('directory.cadre_appointed', { cadre: { name: 'x' } })).toEqual(['/cadre/name']);
    expect(
      Object.values(PERSONAL_DATA_POINTERS)
        .flat()
        .every((p) => p.startsWith('/')),
    ).toBe(true);
    expect(ANY_INDEX).toBe('*');
  });

  it("marks staff's names and phones in directory changes", () => {
    const cadre = {
      id: 'c1',
      badge: 'b',
      name: '张伟',
      community: 'x',
      post: 'p',
      duties: [],
      phone: '13900001111',
      demo: true,
    };
    expect(personalDataOf('directory.cadre_appointed', { cadre })).toEqual(['/cadre/name', '/cadre/phone']);
    expect(
      personalDataOf('directory.records_imported', { part: 'staff', records: [{ id: 's', name: '李' }] }),
    ).toEqual(['/records/0/name']);
  });

  it('fills the envelope by default', () => {
    const event = oneOfEach[oneOfEach.length - 3]!;
    const recorded: RecordedEvent = {
      id: '0b9d6a52-5f43-4d1e-9c1e-2f7a8c3d4e51',
      type: event.type,
      streamId: 'case-1',
      version: 1,
      position: { tx: 1n, seq: 0n },
      data: dataOf(event),
      metadata: {},
      schemaVersion: 2,
      recordedAt: new Date(0),
    };
    expect(toEnvelope(recorded).personalData).toEqual([
      '/resident/name',
      '/resident/phone',
      '/resident/idNumber',
      '/location/address',
      '/location/latitude',
      '/location/longitude',
      '/attachments/0/name',
    ]);
    expect(toEnvelope(recorded, []).personalData).toEqual([]);
  });
});
