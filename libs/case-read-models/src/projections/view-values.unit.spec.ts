import { ev } from '@tongban/cases/testing';
import { decodeCaseEvent } from './case-event-decoding';
import { recordedOf } from './projection-test-kit';
import { ancestorsAndSelf, earliest, shanghaiDay, sortedUnion, streetOf } from './view-values';

describe('org unit codes', () => {
  it('lists a unit’s ancestors and itself, district first', () => {
    expect(ancestorsAndSelf('pc.gucheng.taiyangcheng')).toEqual([
      'pc',
      'pc.gucheng',
      'pc.gucheng.taiyangcheng',
    ]);
    expect(ancestorsAndSelf('pc')).toEqual(['pc']);
  });

  it('finds the street of a unit in its first two segments', () => {
    expect(streetOf('pc.gucheng.taiyangcheng')).toBe('pc.gucheng');
    expect(streetOf('pc.gucheng.publicServiceOffice')).toBe('pc.gucheng');
    expect(streetOf('pc.gucheng')).toBe('pc.gucheng');
    expect(streetOf('pc')).toBeNull();
    expect(streetOf(null)).toBeNull();
  });
});

describe('values', () => {
  it('unions sets sorted by code unit, whatever the locale', () => {
    expect(sortedUnion(['pc.b', 'pc.a'], ['pc.a', 'pc.B', 'pc'])).toEqual(['pc', 'pc.B', 'pc.a', 'pc.b']);
  });

  it('takes the Asia/Shanghai calendar day of an instant', () => {
    expect(shanghaiDay('2026-11-27T23:59:59+08:00')).toBe('2026-11-27');
    expect(shanghaiDay('2026-11-28T00:00:00+08:00')).toBe('2026-11-28');
    expect(shanghaiDay('2026-11-27T16:00:00Z')).toBe('2026-11-28');
    expect(shanghaiDay('2026-12-31T16:30:00.000Z')).toBe('2027-01-01');
  });

  it('picks the earliest instant in UTC form', () => {
    expect(earliest([null, '2026-11-28T09:00:00+08:00', '2026-11-28T00:30:00Z'])).toBe(
      '2026-11-28T00:30:00.000Z',
    );
    expect(earliest([null, null])).toBeNull();
  });
});

describe('decodeCaseEvent', () => {
  const [recorded] = recordedOf([ev.submitted()]);

  it('turns a stored event back into the domain event', () => {
    expect(decodeCaseEvent(recorded!)).toEqual(ev.submitted());
  });

  it('refuses event types and shape versions this build does not know', () => {
    expect(() => decodeCaseEvent({ ...recorded!, type: 'case.teleported' })).toThrow(
      /^Unknown event type case.teleported in case-\S+@1$/,
    );
    expect(() => decodeCaseEvent({ ...recorded!, schemaVersion: 3 })).toThrow(
      /case.submitted v3 in case-\S+@1 is newer than this build knows \(v2\)/,
    );
  });
});
