import { expectedVersionFrom, idempotencyKeyFrom } from './preconditions';

const codeOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'no error';
};

describe('If-Match (RFC 9110 §13.1.1: strong comparison)', () => {
  it('reads the ETag as the server sent it, alone or in a list', () => {
    expect(expectedVersionFrom('"3"')).toBe(3);
    expect(expectedVersionFrom(' "3" ')).toBe(3);
    expect(expectedVersionFrom('W/"2", "3"')).toBe(3);
    expect(expectedVersionFrom('"3", "3"')).toBe(3);
    expect(expectedVersionFrom(['"3"'])).toBe(3);
  });

  it('takes * as "whatever version the case is at now"', () => {
    expect(expectedVersionFrom('*')).toBeUndefined();
    expect(expectedVersionFrom(' * ')).toBeUndefined();
  });

  it('never matches a weak tag, nor a tag no version has: 412', () => {
    expect(codeOf(() => expectedVersionFrom('W/"3"'))).toBe('request.precondition_failed');
    expect(codeOf(() => expectedVersionFrom('"abc"'))).toBe('request.precondition_failed');
    expect(codeOf(() => expectedVersionFrom('""'))).toBe('request.precondition_failed');
  });

  it('refuses what is not an entity tag (a bare version, a broken list) or names two versions: 400', () => {
    for (const value of ['3', '"3', '3"', 'W/3', '"3" "4"', ', "3"', '*, "3"', '"3",,']) {
      expect({ value, code: codeOf(() => expectedVersionFrom(value)) }).toEqual({
        value,
        code: 'request.invalid_header',
      });
    }
    expect(codeOf(() => expectedVersionFrom('"3", "4"'))).toBe('request.invalid_header');
  });

  it('requires the header: 428', () => {
    expect(codeOf(() => expectedVersionFrom(undefined))).toBe('request.precondition_required');
    expect(codeOf(() => expectedVersionFrom('  '))).toBe('request.precondition_required');
  });
});

describe('Idempotency-Key', () => {
  it('takes 8-128 visible ASCII characters', () => {
    expect(idempotencyKeyFrom('a'.repeat(8))).toBe('a'.repeat(8));
    expect(idempotencyKeyFrom('~'.repeat(128))).toBe('~'.repeat(128));
    expect(codeOf(() => idempotencyKeyFrom('a'.repeat(7)))).toBe('request.invalid_header');
    expect(codeOf(() => idempotencyKeyFrom('a'.repeat(129)))).toBe('request.invalid_header');
    expect(codeOf(() => idempotencyKeyFrom('abc def gh'))).toBe('request.invalid_header');
    expect(codeOf(() => idempotencyKeyFrom(undefined))).toBe('idempotency.key_missing');
  });
});
