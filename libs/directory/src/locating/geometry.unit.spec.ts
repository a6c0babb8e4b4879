import { type Ring } from '../model';
import { classifyPoint, isSimplePolygon, polygonsOverlap } from './geometry';

/** Rings from [lng, lat] pairs. */
const ring = (...points: [number, number][]): Ring => points.map(([lng, lat]) => ({ lng, lat }));
const rect = (x0: number, y0: number, x1: number, y1: number): Ring =>
  ring([x0, y0], [x1, y0], [x1, y1], [x0, y1]);

describe('classifyPoint', () => {
  const square = rect(0, 0, 2, 2);
  // An L: the notch [1,2]×[1,2] is outside.
  const ell = ring([0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2]);

  it.each([
    ['the centre of the square', { lng: 1, lat: 1 }, square, 'inside'],
    ['the middle of an edge', { lng: 1, lat: 0 }, square, 'boundary'],
    ['a corner', { lng: 2, lat: 2 }, square, 'boundary'],
    ['a point on the left edge', { lng: 0, lat: 1.5 }, square, 'boundary'],
    ['east of the square', { lng: 3, lat: 1 }, square, 'outside'],
    ['on the bottom edge’s line, west of it', { lng: -1, lat: 0 }, square, 'outside'],
    ['the L’s arm, its ray through the reflex vertex', { lng: 0.5, lat: 1 }, ell, 'inside'],
    ['the L’s notch', { lng: 1.5, lat: 1.5 }, ell, 'outside'],
    ['the notch’s lower edge', { lng: 1.5, lat: 1 }, ell, 'boundary'],
    ['the reflex vertex', { lng: 1, lat: 1 }, ell, 'boundary'],
    ['west of the L on the reflex vertex’s line', { lng: -0.5, lat: 1 }, ell, 'outside'],
  ] as const)('%s', (_name, point, polygon, placement) => {
    expect(classifyPoint(point, polygon)).toBe(placement);
  });

  it('is the same for either winding', () => {
    const reversed = [...ell].reverse();
    for (const point of [
      { lng: 0.5, lat: 1 },
      { lng: 1.5, lat: 1.5 },
      { lng: 1.5, lat: 1 },
    ]) {
      expect(classifyPoint(point, reversed)).toBe(classifyPoint(point, ell));
    }
  });

  it('puts a point typed on a slanted decimal edge on the boundary despite binary rounding', () => {
    const slanted = ring([113.31, 40.11], [113.37, 40.13], [113.37, 40.2], [113.31, 40.2]);
    expect(classifyPoint({ lng: 113.34, lat: 40.12 }, slanted)).toBe('boundary');
    expect(classifyPoint({ lng: 113.34, lat: 40.1201 }, slanted)).toBe('inside');
    expect(classifyPoint({ lng: 113.34, lat: 40.1199 }, slanted)).toBe('outside');
  });
});

describe('isSimplePolygon', () => {
  it.each([
    ['a square', rect(0, 0, 1, 1)],
    ['a triangle', ring([0, 0], [1, 0], [0, 1])],
    ['clockwise', [...rect(0, 0, 1, 1)].reverse()],
    ['a concave L', ring([0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2])],
    [
      'a vertex in the middle of a straight edge (a neighbour’s corner)',
      ring([0, 0], [1, 0], [2, 0], [2, 1], [0, 1]),
    ],
    ['decimal degrees', ring([113.31, 40.11], [113.37, 40.13], [113.37, 40.2], [113.31, 40.2])],
  ])('%s is simple', (_name, polygon) => {
    expect(isSimplePolygon(polygon)).toBe(true);
  });

  it.each([
    ['two vertices', ring([0, 0], [1, 1])],
    ['no vertices', ring()],
    ['a bow tie', ring([0, 0], [1, 1], [1, 0], [0, 1])],
    ['the first vertex repeated at the end', ring([0, 0], [1, 0], [1, 1], [0, 0])],
    ['a repeated vertex', ring([0, 0], [1, 0], [1, 0], [1, 1])],
    ['all collinear (zero area)', ring([0, 0], [1, 0], [2, 0])],
    ['a spike doubling back along an edge', ring([0, 0], [2, 0], [1, 0], [1, 1])],
    ['pinched: touching itself at a vertex', ring([0, 0], [2, 0], [1, 1], [2, 2], [0, 2], [1, 1])],
    ['an edge running along another', ring([0, 0], [3, 0], [3, 1], [2, 1], [2, 0], [1, 0], [1, 1], [0, 1])],
    ['a vertex touching a non-adjacent edge', ring([0, 0], [4, 0], [4, 2], [2, 0], [0, 2])],
    ['a NaN coordinate', ring([0, 0], [1, 0], [Number.NaN, 1])],
    ['an infinite coordinate', ring([0, 0], [1, 0], [Number.POSITIVE_INFINITY, 1])],
  ])('%s is not simple', (_name, polygon) => {
    expect(isSimplePolygon(polygon)).toBe(false);
  });
});

describe('polygonsOverlap', () => {
  const a = rect(0, 0, 2, 2);

  it.each([
    ['separate', rect(3, 0, 4, 2)],
    ['a whole shared edge', rect(2, 0, 4, 2)],
    ['part of an edge, collinear and offset', rect(2, 1, 4, 3)],
    ['a shorter collinear edge inside the longer one', rect(2, 0.5, 3, 1.5)],
    ['touching at a corner', rect(2, 2, 3, 3)],
    ['a vertex touching an edge from outside', ring([1, 2], [2, 3], [0, 3])],
    [
      'a neighbour with a T-junction on the shared edge',
      ring([2, 0], [3, 0], [3, 1], [3, 2], [2, 2], [2, 1]),
    ],
    ['an L wrapped around it, sharing two edges', ring([2, 0], [3, 0], [3, 3], [0, 3], [0, 2], [2, 2])],
    ['a degenerate ring (no interior)', ring([0, 0], [1, 1])],
    ['a triangle whose edge only grazes a corner', ring([1, 3], [3, 1], [3, 3])],
  ])('%s: no overlap', (_name, b) => {
    expect(polygonsOverlap(a, b)).toBe(false);
    expect(polygonsOverlap(b, a)).toBe(false);
  });

  it.each([
    ['crossing edges', rect(1, 1, 3, 3)],
    ['a plus sign (no vertex inside the other)', rect(-1, 0.5, 3, 1.5)],
    ['identical', rect(0, 0, 2, 2)],
    ['identical, other winding and start', ring([2, 2], [2, 0], [0, 0], [0, 2])],
    ['contained', rect(0.5, 0.5, 1.5, 1.5)],
    ['contained, sharing an edge', rect(0, 0, 1, 2)],
    ['a collinear edge and a half inside', rect(1, 0, 3, 2)],
    ['a triangle inscribed, its vertices on the boundary', ring([0, 0], [2, 1], [1, 2])],
    ['an edge through two corners, cutting it in half', ring([-1, -1], [3, 3], [3, -1])],
    ['a diamond with corners on the edges', ring([1, 0], [2, 1], [1, 2], [0, 1])],
  ])('%s: overlap', (_name, b) => {
    expect(polygonsOverlap(a, b)).toBe(true);
    expect(polygonsOverlap(b, a)).toBe(true);
  });

  it('treats decimal-degree neighbours sharing a slanted edge as neighbours', () => {
    const south = ring([113.31, 40.05], [113.37, 40.05], [113.37, 40.13], [113.34, 40.12], [113.31, 40.11]);
    const north = ring([113.31, 40.11], [113.37, 40.13], [113.37, 40.2], [113.31, 40.2]);
    expect(isSimplePolygon(south)).toBe(true);
    expect(polygonsOverlap(south, north)).toBe(false);
    const pushedNorth = ring(
      [113.31, 40.05],
      [113.37, 40.05],
      [113.37, 40.13],
      [113.34, 40.121],
      [113.31, 40.11],
    );
    expect(polygonsOverlap(pushedNorth, north)).toBe(true);
  });

  it('concave polygons interlocking without overlap', () => {
    const ell = ring([0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2]);
    const notch = rect(1, 1, 2, 2);
    expect(polygonsOverlap(ell, notch)).toBe(false);
    expect(polygonsOverlap(ell, rect(1, 1, 2.5, 2.5))).toBe(false);
    expect(polygonsOverlap(ell, rect(0.9, 1, 2, 2))).toBe(true);
  });
});
