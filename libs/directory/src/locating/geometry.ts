/**
 * Planar geometry on WGS-84 degrees (lng as x, lat as y), enough for grids a few hundred metres
 * across: point in polygon, simple polygon, overlapping interiors. Pure and allocation-light; the
 * grid locator's hot path calls `classifyXY` on preallocated coordinate arrays.
 *
 * Collinearity is decided with a relative tolerance (`COLLINEAR_TOLERANCE`): three points count
 * as collinear when the cross product is within 1e-9 of the magnitude of its two terms, i.e. a
 * point within about 1e-9 × its distance from the edge's start of the edge's line (micrometres
 * at a grid's scale). Boundaries are entered and stored as decimal degrees that binary floating
 * point cannot hold exactly; without the tolerance, a vertex typed on a neighbour's edge
 * (113.30, 40.10 on the edge from 113.30, 40.05 to 113.30, 40.20 is exact, but most slanted
 * edges are not) would be "slightly off" it and shared edges would look like overlaps or gaps.
 */
import { type Point, type Ring } from '../model';

export const COLLINEAR_TOLERANCE = 1e-9;

/** Where a point lies relative to a closed polygon. */
export type PointPlacement = 'inside' | 'boundary' | 'outside';

/**
 * The side of c relative to the directed line a→b: 1 left (counter-clockwise), -1 right, 0
 * collinear within the tolerance.
 */
export function orientation(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
): -1 | 0 | 1 {
  const l = (bx - ax) * (cy - ay);
  const r = (by - ay) * (cx - ax);
  const det = l - r;
  if (Math.abs(det) <= COLLINEAR_TOLERANCE * (Math.abs(l) + Math.abs(r))) return 0;
  return det > 0 ? 1 : -1;
}

/**
 * 1 inside, 0 on the boundary (an edge or a vertex), -1 outside, by ray casting towards +x.
 *
 * Each edge is evaluated with its endpoints in a canonical order (lower y first, then lower x),
 * so two grids that share an edge compute bit-for-bit the same cross product for it even though
 * they walk it in opposite directions: a point is never inside both or neither because of
 * rounding. The crossing rule is half-open in y ([lower, upper)), so a ray through a vertex is
 * counted once.
 */
export function classifyXY(xs: Float64Array, ys: Float64Array, px: number, py: number): -1 | 0 | 1 {
  const n = xs.length;
  let inside = false;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    let ux = xs[j]!;
    let uy = ys[j]!;
    let vx = xs[i]!;
    let vy = ys[i]!;
    if (uy > vy || (uy === vy && ux > vx)) {
      const tx = ux;
      const ty = uy;
      ux = vx;
      uy = vy;
      vx = tx;
      vy = ty;
    }
    if (py < uy || py > vy) continue;
    const l = (vx - ux) * (py - uy);
    const r = (vy - uy) * (px - ux);
    const det = l - r;
    if (Math.abs(det) <= COLLINEAR_TOLERANCE * (Math.abs(l) + Math.abs(r))) {
      const minX = ux < vx ? ux : vx;
      const maxX = ux < vx ? vx : ux;
      if (px >= minX && px <= maxX) return 0;
    }
    if (py < vy && det > 0) inside = !inside;
  }
  return inside ? 1 : -1;
}

/** Whether a ring has at least three vertices, all with finite coordinates. */
export function isWellFormedRing(ring: Ring): boolean {
  if (!Array.isArray(ring) || ring.length < 3) return false;
  return ring.every(
    (p: Point) =>
      typeof p === 'object' &&
      p !== null &&
      typeof p.lng === 'number' &&
      typeof p.lat === 'number' &&
      Number.isFinite(p.lng) &&
      Number.isFinite(p.lat),
  );
}

interface Coordinates {
  readonly xs: Float64Array;
  readonly ys: Float64Array;
}

export function ringCoordinates(ring: Ring): Coordinates {
  const xs = new Float64Array(ring.length);
  const ys = new Float64Array(ring.length);
  ring.forEach((p, i) => {
    xs[i] = p.lng;
    ys[i] = p.lat;
  });
  return { xs, ys };
}

/** Where `point` lies relative to the closed polygon `ring` (see `classifyXY`). */
export function classifyPoint(point: Point, ring: Ring): PointPlacement {
  const { xs, ys } = ringCoordinates(ring);
  switch (classifyXY(xs, ys, point.lng, point.lat)) {
    case 1:
      return 'inside';
    case 0:
      return 'boundary';
    case -1:
      return 'outside';
  }
}

/** Twice the signed area (shoelace): positive when the ring runs counter-clockwise. */
export function signedArea2(ring: Ring): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[j]!;
    const b = ring[i]!;
    sum += (a.lng - b.lng) * (a.lat + b.lat);
  }
  return sum;
}

function within(a: number, b: number, c: number): boolean {
  return a < b ? c >= a && c <= b : c >= b && c <= a;
}

/** c lies on the closed segment a–b (collinear within the tolerance, inside its box). */
function onSegment(a: Point, b: Point, c: Point): boolean {
  return (
    orientation(a.lng, a.lat, b.lng, b.lat, c.lng, c.lat) === 0 &&
    within(a.lng, b.lng, c.lng) &&
    within(a.lat, b.lat, c.lat)
  );
}

/** The closed segments p1–p2 and q1–q2 have at least one point in common. */
function segmentsIntersect(p1: Point, p2: Point, q1: Point, q2: Point): boolean {
  const o1 = orientation(p1.lng, p1.lat, p2.lng, p2.lat, q1.lng, q1.lat);
  const o2 = orientation(p1.lng, p1.lat, p2.lng, p2.lat, q2.lng, q2.lat);
  const o3 = orientation(q1.lng, q1.lat, q2.lng, q2.lat, p1.lng, p1.lat);
  const o4 = orientation(q1.lng, q1.lat, q2.lng, q2.lat, p2.lng, p2.lat);
  if (o1 * o2 < 0 && o3 * o4 < 0) return true;
  return (
    (o1 === 0 && onSegment(p1, p2, q1)) ||
    (o2 === 0 && onSegment(p1, p2, q2)) ||
    (o3 === 0 && onSegment(q1, q2, p1)) ||
    (o4 === 0 && onSegment(q1, q2, p2))
  );
}

/** The segments cross at a single point interior to both (touching or collinear does not count). */
function segmentsCrossProperly(p1: Point, p2: Point, q1: Point, q2: Point): boolean {
  const o1 = orientation(p1.lng, p1.lat, p2.lng, p2.lat, q1.lng, q1.lat);
  const o2 = orientation(p1.lng, p1.lat, p2.lng, p2.lat, q2.lng, q2.lat);
  if (o1 * o2 >= 0) return false;
  const o3 = orientation(q1.lng, q1.lat, q2.lng, q2.lat, p1.lng, p1.lat);
  const o4 = orientation(q1.lng, q1.lat, q2.lng, q2.lat, p2.lng, p2.lat);
  return o3 * o4 < 0;
}

function samePoint(a: Point, b: Point): boolean {
  return a.lng === b.lng && a.lat === b.lat;
}

/**
 * A valid grid boundary: at least three vertices with finite coordinates, no repeated
 * consecutive vertex (the first is not repeated at the end either), no edge that touches or
 * crosses a non-adjacent edge (a "pinched" ring touching itself at a vertex is not simple), no
 * spike (an edge doubling back over the previous one), and a non-zero area. A vertex in the
 * middle of a straight edge is fine: tilings need them where a neighbour's corner meets the edge.
 */
export function isSimplePolygon(ring: Ring): boolean {
  if (!isWellFormedRing(ring)) return false;
  const n = ring.length;
  const at = (i: number): Point => ring[((i % n) + n) % n]!;
  for (let i = 0; i < n; i++) {
    const prev = at(i - 1);
    const cur = at(i);
    const next = at(i + 1);
    if (samePoint(cur, next)) return false;
    if (orientation(prev.lng, prev.lat, cur.lng, cur.lat, next.lng, next.lat) === 0) {
      const dot = (prev.lng - cur.lng) * (next.lng - cur.lng) + (prev.lat - cur.lat) * (next.lat - cur.lat);
      if (dot > 0) return false;
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 2; j < n; j++) {
      if (i === 0 && j === n - 1) continue;
      if (segmentsIntersect(at(i), at(i + 1), at(j), at(j + 1))) return false;
    }
  }
  return signedArea2(ring) !== 0;
}

/**
 * A point strictly inside a simple polygon: the lowest vertex v is convex; if no other vertex
 * lies inside the triangle (u, v, w) it forms with its neighbours, the triangle's centroid is
 * inside; otherwise the midpoint of v and the vertex inside the triangle nearest to v (measured
 * perpendicular to u–w) is (O'Rourke, Computational Geometry in C, §1.6).
 */
function interiorPoint(ring: Ring): Point {
  const n = ring.length;
  let vi = 0;
  for (let i = 1; i < n; i++) {
    const p = ring[i]!;
    const best = ring[vi]!;
    if (p.lat < best.lat || (p.lat === best.lat && p.lng < best.lng)) vi = i;
  }
  const u = ring[(vi + n - 1) % n]!;
  const v = ring[vi]!;
  const w = ring[(vi + 1) % n]!;
  const turn = orientation(u.lng, u.lat, v.lng, v.lat, w.lng, w.lat);
  let nearest: Point | undefined;
  let nearestDistance = -Infinity;
  for (let i = 0; i < n; i++) {
    if (i === vi || i === (vi + 1) % n || i === (vi + n - 1) % n) continue;
    const q = ring[i]!;
    if (
      orientation(u.lng, u.lat, v.lng, v.lat, q.lng, q.lat) === turn &&
      orientation(v.lng, v.lat, w.lng, w.lat, q.lng, q.lat) === turn &&
      orientation(w.lng, w.lat, u.lng, u.lat, q.lng, q.lat) === turn
    ) {
      const distance = Math.abs((w.lng - u.lng) * (q.lat - u.lat) - (w.lat - u.lat) * (q.lng - u.lng));
      if (distance > nearestDistance) {
        nearestDistance = distance;
        nearest = q;
      }
    }
  }
  if (nearest) return { lng: (v.lng + nearest.lng) / 2, lat: (v.lat + nearest.lat) / 2 };
  return { lng: (u.lng + v.lng + w.lng) / 3, lat: (u.lat + v.lat + w.lat) / 3 };
}

/**
 * Some piece of `ring`'s boundary runs through the interior of `other`. Each edge is cut at the
 * vertices of `other` lying on it; with no proper crossings between the boundaries, each piece
 * is then wholly inside, outside or on the boundary of `other`, and its midpoint says which.
 */
function boundaryEntersInterior(ring: Ring, other: Ring, otherXY: Coordinates): boolean {
  const n = ring.length;
  for (let i = 0; i < n; i++) {
    const a = ring[i]!;
    const b = ring[(i + 1) % n]!;
    const dx = b.lng - a.lng;
    const dy = b.lat - a.lat;
    const length2 = dx * dx + dy * dy;
    const cuts = [0, 1];
    for (const q of other) {
      if (onSegment(a, b, q)) cuts.push(((q.lng - a.lng) * dx + (q.lat - a.lat) * dy) / length2);
    }
    cuts.sort((x, y) => x - y);
    for (let k = 0; k + 1 < cuts.length; k++) {
      const t = (cuts[k]! + cuts[k + 1]!) / 2;
      if (cuts[k + 1]! - cuts[k]! <= 0) continue;
      if (classifyXY(otherXY.xs, otherXY.ys, a.lng + t * dx, a.lat + t * dy) === 1) return true;
    }
  }
  return false;
}

/**
 * Whether the interiors of two simple polygons intersect. Sharing an edge (wholly or in part,
 * collinear pieces included) or touching at vertices is not an overlap; one containing the
 * other, or two identical rings, is. Rings that are not simple (check `isSimplePolygon` first)
 * give an unspecified answer; rings with fewer than three vertices have no interior (false).
 */
export function polygonsOverlap(a: Ring, b: Ring): boolean {
  if (!isWellFormedRing(a) || !isWellFormedRing(b)) return false;
  const ab = box(a);
  const bb = box(b);
  if (ab.maxX <= bb.minX || bb.maxX <= ab.minX || ab.maxY <= bb.minY || bb.maxY <= ab.minY) return false;
  for (let i = 0; i < a.length; i++) {
    const a1 = a[i]!;
    const a2 = a[(i + 1) % a.length]!;
    for (let j = 0; j < b.length; j++) {
      if (segmentsCrossProperly(a1, a2, b[j]!, b[(j + 1) % b.length]!)) return true;
    }
  }
  const axy = ringCoordinates(a);
  const bxy = ringCoordinates(b);
  if (boundaryEntersInterior(a, b, bxy) || boundaryEntersInterior(b, a, axy)) return true;
  // Neither boundary enters the other's interior: each interior lies wholly inside or wholly
  // outside the other polygon (identical rings are the "inside" case).
  const pa = interiorPoint(a);
  if (classifyXY(bxy.xs, bxy.ys, pa.lng, pa.lat) === 1) return true;
  const pb = interiorPoint(b);
  return classifyXY(axy.xs, axy.ys, pb.lng, pb.lat) === 1;
}

interface Box {
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
}

function box(ring: Ring): Box {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const p of ring) {
    if (p.lng < minX) minX = p.lng;
    if (p.lng > maxX) maxX = p.lng;
    if (p.lat < minY) minY = p.lat;
    if (p.lat > maxY) maxY = p.lat;
  }
  return { minX, minY, maxX, maxY };
}
