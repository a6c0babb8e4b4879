import { WRITE_PROBE_STREAM_PREFIX, type JsonObject, type RecordedEvent } from '@tongban/event-store';
import { recordedEventOf } from './envelope';
import { DIRECTORY_CHANGE_KEYS, eventMessage, type DirectoryChangeType } from './event-message';
import { parseEnvelope } from './parse-envelope';
import { CASE_EVENTS_TOPIC, DIRECTORY_CHANGES_TOPIC } from './topics';

const ID = '0b9d6a52-5f43-4d1e-9c1e-2f7a8c3d4e51';
const recorded = (streamId: string, type: string, data: JsonObject): RecordedEvent => ({
  id: ID,
  type,
  streamId,
  version: 4,
  position: { tx: 10n, seq: 2n },
  data,
  metadata: { actor: { id: 'admin-1', role: 'admin' } },
  schemaVersion: 1,
  recordedAt: new Date('2026-11-27T01:30:00.125Z'),
});

describe('eventMessage', () => {
  it('sends a case event to the case topic keyed by case id, with the envelope and headers', () => {
    const event = recorded('case-4f1c', 'case.submitted', {
      resident: { name: '王芳', phone: '13800001234' },
    });
    const sent = eventMessage(event)!;
    expect(sent.topic).toBe(CASE_EVENTS_TOPIC);
    expect(sent.message.key).toBe('4f1c');
    expect(sent.message.headers).toEqual({
      'content-type': 'application/json',
      'tongban-envelope-version': '1',
      'tongban-event-type': 'case.submitted',
      'tongban-event-id': ID,
    });
    const parsed = parseEnvelope(Buffer.from(sent.message.value));
    expect(parsed.ok && parsed.envelope.personalData).toEqual(['/resident/name', '/resident/phone']);
    expect(parsed.ok && recordedEventOf(parsed.envelope)).toEqual(event);
  });

  it('keeps anything else inside: write probes, other streams, a bare prefix', () => {
    for (const stream of [
      `${WRITE_PROBE_STREAM_PREFIX}${ID}`,
      '$health-write-probe',
      'case-',
      'cases',
      'sla',
    ]) {
      expect(eventMessage(recorded(stream, 'health.write_probe', {}))).toBeNull();
    }
  });

  const examples: ReadonlyArray<[DirectoryChangeType, string, JsonObject, string]> = [
    ['directory.records_imported', 'directory', { part: 'cadres', records: [] }, `directory/event/${ID}`],
    ['directory.district_named', 'directory', { district: { code: 'pc' } }, 'directory/district'],
    [
      'directory.street_added',
      'directory',
      { street: { code: 'pc.gucheng' } },
      'directory/street/pc.gucheng',
    ],
    [
      'directory.community_added',
      'directory',
      { community: { code: 'pc.a.b' } },
      'directory/community/pc.a.b',
    ],
    ['directory.grid_drawn', 'directory', { code: 'g-1', community: 'pc.a.b' }, 'directory/grid/g-1'],
    [
      'directory.grid_cadre_assigned',
      'directory',
      { grid: 'g-1', cadreId: null },
      'directory/grid-cadre/g-1',
    ],
    [
      'directory.cadre_appointed',
      'directory',
      { cadre: { id: 'cadre-zhang' } },
      'directory/cadre/cadre-zhang',
    ],
    [
      'directory.cadre_left_post',
      'directory',
      { cadreId: 'c1', releasedGrids: [] },
      'directory/cadre-left-post/c1',
    ],
    [
      'directory.leave_recorded',
      'directory',
      { cadreId: 'c1', from: '2026-12-01', to: 'x' },
      'directory/leave/c1/2026-12-01',
    ],
    [
      'directory.duty_rota_set',
      'directory',
      {
        community: 'pc.a.b',
        days: [
          { day: '2026-12-01', cadreId: 'c' },
          { day: '2026-12-03', cadreId: 'd' },
        ],
      },
      'directory/duty/pc.a.b/2026-12-01/2026-12-03',
    ],
    [
      'directory.unit_added',
      'directory',
      { unit: { code: 'pc.gucheng.office' } },
      'directory/unit/pc.gucheng.office',
    ],
    ['directory.addresses_registered', 'directory', { addresses: [] }, `directory/event/${ID}`],
    ['catalogue.records_imported', 'catalogue', { records: [] }, `catalogue/event/${ID}`],
    ['catalogue.matter_set', 'catalogue', { matter: { code: 'PM-017' } }, 'catalogue/matter/PM-017'],
    ['calendar.year_loaded', 'calendar', { year: { year: 2027 } }, 'calendar/year/2027'],
  ];

  it('has an example for every directory change type', () => {
    expect(examples.map(([type]) => type).sort()).toEqual(Object.keys(DIRECTORY_CHANGE_KEYS).sort());
  });

  it.each(examples)('keys %s on the directory topic by what it sets', (type, stream, data, key) => {
    const sent = eventMessage(recorded(stream, type, data))!;
    expect(sent.topic).toBe(DIRECTORY_CHANGES_TOPIC);
    expect(sent.message.key).toBe(key);
  });

  it('falls back to the event id for missing parts or unknown types, and escapes / and %', () => {
    const key = (type: string, data: JsonObject, stream = 'directory') =>
      eventMessage(recorded(stream, type, data))!.message.key;
    expect(key('directory.cadre_appointed', { cadre: {} })).toBe(`directory/event/${ID}`);
    expect(key('directory.duty_rota_set', { community: 'x', days: [] })).toBe(`directory/event/${ID}`);
    expect(key('directory.street_added', { street: { code: '' } })).toBe(`directory/event/${ID}`);
    expect(key('calendar.year_loaded', { year: { year: 20.5 } }, 'calendar')).toBe(`calendar/event/${ID}`);
    expect(key('directory.something_new', { code: 'x' })).toBe(`directory/event/${ID}`);
    expect(key('directory.constructor', {})).toBe(`directory/event/${ID}`);
    expect(key('directory.leave_recorded', { cadreId: 'a/b', from: '100%' })).toBe(
      'directory/leave/a%2Fb/100%25',
    );
    expect(key('directory.leave_recorded', { cadreId: 'a', from: 'b/100%' })).not.toBe(
      key('directory.leave_recorded', { cadreId: 'a/b', from: '100%' }),
    );
  });
});
