import { InvalidEventError } from './errors';
import { validateAppend } from './validation';

const append = (data: unknown, metadata?: unknown) =>
  validateAppend(
    'case-1',
    [{ id: crypto.randomUUID(), type: 'case.noted', data: data as never, metadata: metadata as never }],
    'any',
  );

describe('validating event JSON', () => {
  it('serialises valid data and metadata as they are', () => {
    const [event] = append({ title: '路灯不亮', list: [1, 'a', null, { ok: true }] }, { correlationId: 'c' });
    expect(JSON.parse(event!.data)).toEqual({ title: '路灯不亮', list: [1, 'a', null, { ok: true }] });
    expect(JSON.parse(event!.metadata)).toEqual({ correlationId: 'c' });
  });

  it('names the path of every problem, in objects and arrays alike', () => {
    const message = (() => {
      try {
        append({
          list: [{ ok: 1 }, { name: 'a\u0000b' }],
          nested: { deep: [[Number.NaN]], gone: undefined },
          when: new Date(0),
          odd: '\ud800',
        });
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidEventError);
        return (error as Error).message;
      }
      return '';
    })();
    expect(message).toContain('data.list[1].name contains a NUL character');
    expect(message).toContain('data.nested.deep[0][0] is NaN');
    expect(message).toContain('data.nested.gone is undefined');
    expect(message).toContain('data.when is a Date, not a plain object');
    expect(message).toContain('data.odd contains a lone UTF-16 surrogate');
  });

  it('names metadata problems as metadata', () => {
    expect(() => append({}, { actor: { id: Infinity } })).toThrow('metadata.actor.id is Infinity');
  });
});
