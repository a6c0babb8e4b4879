import { type GridRecord, type Point, type Ring } from '../model';
import { GridLocator } from './grid-locator';
import { InvalidPointError } from './locating.errors';

const ring = (...points: [number, number][]): Ring => points.map(([lng, lat]) => ({ lng, lat }));
const rect = (x0: number, y0: number, x1: number, y1: number): Ring =>
  ring([x0, y0], [x1, y0], [x1, y1], [x0, y1]);
const grid = (code: string, boundary: Ring): GridRecord => ({
  code,
  community: code.split('.').slice(0, 3).join('.'),
  name: code,
  boundary,
  responsibleCadreId: null,
  gridWorkerIds: [],
});

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// A 2×2 district in decimal degrees: g01 south-west, g02 south-east, g03 north-west, g04 north-east.
const X = [113.3, 113.31, 113.32];
const Y = [40.1, 40.11, 40.12];
const quad = [
  grid('pc.s.c.g01', rect(X[0]!, Y[0]!, X[1]!, Y[1]!)),
  grid('pc.s.c.g02', rect(X[1]!, Y[0]!, X[2]!, Y[1]!)),
  grid('pc.s.c.g03', rect(X[0]!, Y[1]!, X[1]!, Y[2]!)),
  grid('pc.s.c.g04', rect(X[1]!, Y[1]!, X[2]!, Y[2]!)),
];

describe('GridLocator', () => {
  const locator = new GridLocator(quad);
  // The same grids given in another order must answer alike.
  const reversed = new GridLocator([...quad].reverse());
  const at = (lng: number, lat: number): string | undefined => locator.locate({ lng, lat })?.code;

  it.each([
    ['inside the south-west grid', 113.305, 40.105, 'pc.s.c.g01'],
    ['inside the south-east grid', 113.315, 40.105, 'pc.s.c.g02'],
    ['inside the north-west grid', 113.305, 40.115, 'pc.s.c.g03'],
    ['inside the north-east grid', 113.315, 40.115, 'pc.s.c.g04'],
    ['on the edge g01 | g02: the lower code', 113.31, 40.105, 'pc.s.c.g01'],
    ['on the edge g02 | g04: the lower code', 113.315, 40.11, 'pc.s.c.g02'],
    ['on the edge g03 | g04: the lower code', 113.31, 40.115, 'pc.s.c.g03'],
    ['on the vertex all four share: the lowest code', 113.31, 40.11, 'pc.s.c.g01'],
    ['on the district’s western boundary', 113.3, 40.115, 'pc.s.c.g03'],
    ['on the district’s eastern boundary', 113.32, 40.105, 'pc.s.c.g02'],
    ['on the district’s north-east corner', 113.32, 40.12, 'pc.s.c.g04'],
    ['on the outer boundary where two grids meet', 113.31, 40.12, 'pc.s.c.g03'],
  ])('%s', (_name, lng, lat, code) => {
    expect(at(lng, lat)).toBe(code);
    expect(reversed.locate({ lng, lat })?.code).toBe(code);
  });

  it.each([
    ['east of the district', 113.33, 40.11],
    ['just outside the eastern boundary', 113.3200001, 40.11],
    ['north of the district', 113.31, 40.13],
    ['far away (Beijing)', 116.4, 39.9],
    ['on the district’s boundary line, extended', 113.34, 40.1],
  ])('%s: no grid', (_name, lng, lat) => {
    expect(at(lng, lat)).toBeUndefined();
  });

  it('an empty directory locates nothing', () => {
    expect(new GridLocator([]).locate({ lng: 113.3, lat: 40.1 })).toBeUndefined();
  });

  it('finds the grid in the notch of a concave neighbour, and the neighbour around it', () => {
    const ell = grid('pc.s.c.g01', ring([0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2]));
    const notch = grid('pc.s.c.g02', rect(1, 1, 2, 2));
    const concave = new GridLocator([notch, ell]);
    expect(concave.locate({ lng: 1.5, lat: 1.5 })?.code).toBe('pc.s.c.g02');
    expect(concave.locate({ lng: 0.5, lat: 1.5 })?.code).toBe('pc.s.c.g01');
    expect(concave.locate({ lng: 1.5, lat: 0.5 })?.code).toBe('pc.s.c.g01');
    expect(concave.locate({ lng: 1.5, lat: 1 })?.code).toBe('pc.s.c.g01');
    expect(concave.locate({ lng: 2.5, lat: 1.5 })).toBeUndefined();
  });

  it('splits a slanted shared edge without a gap or a double answer', () => {
    const south = grid('pc.s.c.g02', ring([0, 0], [3, 0], [3, 1]));
    const north = grid('pc.s.c.g01', ring([0, 0], [3, 1], [0, 1]));
    const slanted = new GridLocator([south, north]);
    expect(slanted.locate({ lng: 1.5, lat: 0.5 })?.code).toBe('pc.s.c.g01');
    const rng = random(7);
    for (let i = 0; i < 2000; i++) {
      const lng = rng() * 3;
      const point = { lng, lat: lng / 3 };
      expect(slanted.locate(point)).toBeDefined();
    }
  });

  describe('invalid points', () => {
    it.each([
      ['lat above 90', { lng: 113.3, lat: 91 }, ['lat']],
      ['lat below -90', { lng: 113.3, lat: -90.5 }, ['lat']],
      ['lng above 180', { lng: 180.1, lat: 40 }, ['lng']],
      ['lng below -180', { lng: -181, lat: 40 }, ['lng']],
      ['NaN', { lng: Number.NaN, lat: 40 }, ['lng']],
      ['infinite', { lng: 113.3, lat: Number.POSITIVE_INFINITY }, ['lat']],
      ['a string', { lng: '113.3', lat: 40 }, ['lng']],
      ['both missing', {}, ['lat', 'lng']],
      ['not an object', null, ['point']],
    ])('%s → InvalidPointError naming the field', (_name, point, fields) => {
      let error: unknown;
      try {
        locator.locate(point as unknown as Point);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(InvalidPointError);
      const invalid = error as InvalidPointError;
      expect(invalid.code).toBe('directory.invalid_point');
      expect(invalid.kind).toBe('validation');
      expect(invalid.errors.map((e) => e.field)).toEqual(fields);
    });

    it('accepts the extremes', () => {
      expect(locator.locate({ lng: -180, lat: -90 })).toBeUndefined();
      expect(locator.locate({ lng: 180, lat: 90 })).toBeUndefined();
    });
  });

  it('refuses a grid whose boundary has fewer than three finite vertices', () => {
    expect(() => new GridLocator([grid('pc.s.c.g01', ring([0, 0], [1, 1]))])).toThrow(RangeError);
    expect(() => new GridLocator([grid('pc.s.c.g01', ring([0, 0], [1, 0], [Number.NaN, 1]))])).toThrow(
      RangeError,
    );
  });

  describe('a 40×40 tiling against brute force', () => {
    const size = 40;
    const step = 0.0025;
    const xs = Array.from({ length: size + 1 }, (_, i) => 113.2 + i * step);
    const ys = Array.from({ length: size + 1 }, (_, j) => 40.0 + j * step);
    const tiles: { code: string; x0: number; y0: number; x1: number; y1: number }[] = [];
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) {
        // Codes deliberately not in row or column order.
        const code = `pc.s.c${String((i * 7 + j * 13) % size).padStart(2, '0')}.g${String(i * size + j).padStart(4, '0')}`;
        tiles.push({ code, x0: xs[i]!, y0: ys[j]!, x1: xs[i + 1]!, y1: ys[j + 1]! });
      }
    }
    const rng = random(2024);
    const shuffled = [...tiles].sort(() => rng() - 0.5);
    const tiling = new GridLocator(shuffled.map((t) => grid(t.code, rect(t.x0, t.y0, t.x1, t.y1))));
    const bruteForce = (p: Point): string | undefined => {
      let lowest: string | undefined;
      for (const t of tiles) {
        const contains = p.lng >= t.x0 && p.lng <= t.x1 && p.lat >= t.y0 && p.lat <= t.y1;
        if (contains && (lowest === undefined || t.code < lowest)) lowest = t.code;
      }
      return lowest;
    };
    const pick = <T>(values: readonly T[]): T => values[Math.floor(rng() * values.length)]!;
    const coordinate = (lines: readonly number[]): number => {
      const r = rng();
      // A third on a grid line (edges, shared vertices, the outer boundary), the rest anywhere,
      // including a margin outside the district.
      if (r < 0.33) return pick(lines);
      const span = lines[lines.length - 1]! - lines[0]!;
      return lines[0]! - span * 0.05 + rng() * span * 1.1;
    };

    it('answers exactly as brute force for 20,000 points', () => {
      let onLines = 0;
      let outside = 0;
      const mismatches: string[] = [];
      for (let k = 0; k < 20_000; k++) {
        const point = { lng: coordinate(xs), lat: coordinate(ys) };
        const expected = bruteForce(point);
        if (xs.includes(point.lng) || ys.includes(point.lat)) onLines++;
        if (expected === undefined) outside++;
        const actual = tiling.locate(point)?.code;
        if (actual !== expected) mismatches.push(`${point.lng},${point.lat}: ${actual} ≠ ${expected}`);
      }
      expect(mismatches).toEqual([]);
      // The sample did exercise the edge cases.
      expect(onLines).toBeGreaterThan(5000);
      expect(outside).toBeGreaterThan(500);
    });
  });
});
