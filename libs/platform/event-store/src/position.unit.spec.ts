import { InvalidPositionError } from './errors';
import { comparePositions, formatPosition, parsePosition, POSITION_TOKEN_PATTERN } from './position';

describe('position tokens', () => {
  const positions = [
    { tx: 0n, seq: 0n },
    { tx: 742n, seq: 9n },
    { tx: 4_294_968_038n, seq: 123_456n },
    { tx: 2n ** 64n - 1n, seq: 2n ** 63n - 1n },
  ];

  it('are opaque: no transaction id or counter in them, and they round-trip', () => {
    for (const position of positions) {
      const token = formatPosition(position);
      expect(token).toMatch(/^p[A-Za-z0-9_-]{22}$/);
      expect(token).toMatch(POSITION_TOKEN_PATTERN);
      if (position.tx > 9n) expect(token).not.toContain(String(position.tx));
      expect(parsePosition(token)).toEqual(position);
    }
  });

  it('still reads the tokens clients kept from before (`<tx>-<seq>`)', () => {
    expect(parsePosition('742-9')).toEqual({ tx: 742n, seq: 9n });
    expect(
      comparePositions(parsePosition('742-9'), parsePosition(formatPosition({ tx: 742n, seq: 9n }))),
    ).toBe(0);
  });

  it.each([
    '',
    '742',
    '742-',
    '-9',
    'AAAAAAAAAAAAAAAAAAAAAA', // no form letter
    'pAAAAAAAAAAAAAAAAAAAAAA=',
    'pAAAAAAAAAAAAAAAAAAAAAB', // trailing bits set: not a token this API writes
    'pAAAAAAAAAAAAAAAAAAAA+A',
    'qAAAAAAAAAAAAAAAAAAAAAA',
    '\u0000AAAAAAAAAAAAAAAAAAAAA',
  ])('refuses %j with a typed error', (token) => {
    expect(() => parsePosition(token)).toThrow(InvalidPositionError);
  });

  it('reads a legacy token beyond any position (the store answers it as ahead), and never writes one', () => {
    const beyond = parsePosition('99999999999999999999-1');
    expect(beyond).toEqual({ tx: 99_999_999_999_999_999_999n, seq: 1n });
    expect(() => formatPosition(beyond)).toThrow(InvalidPositionError);
    expect(() => parsePosition('999999999999999999999-1')).toThrow(InvalidPositionError);
  });

  it('refuses to write what no position can be', () => {
    expect(() => formatPosition({ tx: -1n, seq: 0n })).toThrow(InvalidPositionError);
    expect(() => formatPosition({ tx: 0n, seq: 2n ** 64n })).toThrow(InvalidPositionError);
  });
});
