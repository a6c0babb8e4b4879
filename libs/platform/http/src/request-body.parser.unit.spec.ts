import fc from 'fast-check';
import { MAX_JSON_DEPTH, isUnstorableText, parseJsonBody } from './request-body.parser';
import { checkRequestTarget } from './request-target.hook';

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe('parseJsonBody', () => {
  it('parses what JSON.parse parses, for any storable JSON within the depth limit', () => {
    const storable = fc
      .jsonValue({ maxDepth: 6 })
      .filter((value) => !/__proto__|\\u0000|"constructor":\{[^}]*"prototype"/.test(JSON.stringify(value)));
    fc.assert(
      fc.property(storable, (value) => {
        const text = JSON.stringify(value);
        fc.pre(!isUnstorableText(text));
        expect(parseJsonBody(Buffer.from(text, 'utf8'))).toEqual(JSON.parse(text));
      }),
    );
  });

  it('stops at the depth limit exactly', () => {
    const nested = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(parseJsonBody(nested(MAX_JSON_DEPTH))).toHaveLength(1);
    expect(codeOf(() => parseJsonBody(nested(MAX_JSON_DEPTH + 1)))).toBe('request.too_deep');
  });

  it('refuses a million levels in linear time', () => {
    const started = performance.now();
    expect(codeOf(() => parseJsonBody(`{"a":${'['.repeat(1_000_000)}`))).toBe('request.too_deep');
    expect(codeOf(() => parseJsonBody(`"${'\\"['.repeat(300_000)}"`))).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it.each([
    ['1e400', 'request.invalid_number'],
    ['{"a":[-1e999]}', 'request.invalid_number'],
    ['18446744073709551616', undefined],
    ['{"a":"\\ud800"}', 'request.invalid_text'],
    ['{"a":"\\u0000"}', 'request.invalid_text'],
    ['{"a":"\\\\u0000"}', undefined],
    ['{"a":1,"a":1}', 'request.duplicate_key'],
    ['{"a":{"b":1},"c":{"b":1}}', undefined],
    ['{"constructor":{"prototype":1}}', 'request.forbidden_key'],
    ['{"constructor":1,"prototype":1}', undefined],
    ['{"__proto__":null}', 'request.forbidden_key'],
    ['', 'request.malformed_body'],
    ['{"a":"\u0000"}', 'request.malformed_body'],
    ['[1,]', 'request.malformed_body'],
  ])('%s → %s', (text, code) => {
    expect(codeOf(() => parseJsonBody(text))).toBe(code);
  });

  it('refuses bytes that are not UTF-8 instead of replacing them', () => {
    expect(codeOf(() => parseJsonBody(Buffer.from([0x22, 0xc3, 0x22])))).toBe('request.invalid_text');
    expect(parseJsonBody(Buffer.from([0xef, 0xbb, 0xbf, 0x31]))).toBe(1);
  });
});

describe('checkRequestTarget', () => {
  it.each([
    ['/a?x=%00', 'request.invalid_text'],
    ['/a%00', 'request.invalid_text'],
    ['/a?x=%ED%A0%80', 'request.invalid_text'],
    ['/a?x=%C3', 'request.invalid_text'],
    ['/a?x=%G1', 'request.invalid_text'],
    ['/a?x=100%', 'request.invalid_text'],
    ['/a?x=\u00e4', 'request.invalid_text'],
    ['/a?x=a b', 'request.invalid_text'],
    ['/a?x=%E4%B8%AD&y=%2F&z', undefined],
    ['/a/%F0%9F%98%80?', undefined],
  ])('%s → %s', (url, code) => {
    expect(codeOf(() => checkRequestTarget(url))).toBe(code);
  });

  it('names the query parameter that carried the bad text', () => {
    try {
      checkRequestTarget('/a?ok=1&matter=a%00b');
      throw new Error('not refused');
    } catch (error) {
      expect((error as { errors: unknown }).errors).toEqual([expect.objectContaining({ field: 'matter' })]);
    }
  });
});
