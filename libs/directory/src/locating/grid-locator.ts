import { type FieldProblem } from '@tongban/errors';
import { type DirectorySnapshot, type GridRecord, type Point } from '../model';
import { classifyXY, isWellFormedRing } from './geometry';
import { InvalidPointError } from './locating.errors';

/**
 * Checks that `value` is a WGS-84 point: `lat` and `lng` finite numbers, lat in [-90, 90], lng in
 * [-180, 180]. Throws `InvalidPointError` (code `directory.invalid_point`) naming the field(s).
 */
export function assertValidPoint(value: unknown): asserts value is Point {
  const problems: FieldProblem[] = [];
  const record = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  if (!record) {
    problems.push({
      field: 'point',
      reason: 'isObject',
      message: 'a point must be an object with lat and lng',
    });
  } else {
    checkCoordinate(record['lat'], 'lat', 90, problems);
    checkCoordinate(record['lng'], 'lng', 180, problems);
  }
  if (problems.length > 0) throw new InvalidPointError(problems);
}

function checkCoordinate(
  value: unknown,
  field: 'lat' | 'lng',
  limit: number,
  problems: FieldProblem[],
): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    problems.push({ field, reason: 'isFinite', message: `${field} must be a finite number` });
  } else if (value < -limit || value > limit) {
    problems.push({ field, reason: 'range', message: `${field} must be between -${limit} and ${limit}` });
  }
}

/** Cells per grid in the bucket index: a lookup then tests about one or two polygons. */
const CELLS_PER_GRID = 4;
const MAX_CELLS = 1 << 20;

/**
 * Finds the grid a point lies in, without outside services (issue 13).
 *
 * Containment is closed: a point on a grid's edge or vertex is in that grid, so a point on the
 * district's outer boundary is inside. A point in several grids' closed polygons — on an edge
 * two grids share, on a vertex four grids share, or (with invalid, overlapping data) inside two —
 * resolves to the one with the lowest `code` in plain string order (`<`, UTF-16 code units), so
 * the answer does not depend on the order the grids were given in.
 *
 * Index: a uniform bucket grid over the bounding box of all grids, about four cells per grid.
 * Each cell lists, in code order, the grids whose bounding boxes touch it; a lookup computes the
 * point's cell, skips grids whose box does not hold the point and ray-casts the rest, stopping at
 * the first that contains it. Cell ranges for boxes and points come from the same monotonic
 * function, so a point on a box's edge always finds that box's grid in its cell.
 */
export class GridLocator {
  private readonly grids: readonly GridRecord[];
  private readonly xs: readonly Float64Array[];
  private readonly ys: readonly Float64Array[];
  /** minX, minY, maxX, maxY per grid. */
  private readonly boxes: Float64Array;
  private readonly minX: number;
  private readonly minY: number;
  private readonly maxX: number;
  private readonly maxY: number;
  private readonly columns: number;
  private readonly rows: number;
  private readonly xScale: number;
  private readonly yScale: number;
  /** Cell c's grids are cellItems[cellStart[c] .. cellStart[c + 1]). */
  private readonly cellStart: Int32Array;
  private readonly cellItems: Int32Array;

  static fromSnapshot(snapshot: Pick<DirectorySnapshot, 'grids'>): GridLocator {
    return new GridLocator(snapshot.grids);
  }

  /** @throws RangeError when a grid's boundary has fewer than three finite vertices. */
  constructor(grids: readonly GridRecord[]) {
    for (const grid of grids) {
      if (!isWellFormedRing(grid.boundary)) {
        throw new RangeError(
          `grid ${grid.code}: a boundary needs at least three vertices with finite coordinates`,
        );
      }
    }
    this.grids = [...grids].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
    const count = this.grids.length;
    this.xs = this.grids.map((g) => Float64Array.from(g.boundary, (p) => p.lng));
    this.ys = this.grids.map((g) => Float64Array.from(g.boundary, (p) => p.lat));
    this.boxes = new Float64Array(count * 4);
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let g = 0; g < count; g++) {
      const xs = this.xs[g]!;
      const ys = this.ys[g]!;
      let gx0 = Infinity;
      let gy0 = Infinity;
      let gx1 = -Infinity;
      let gy1 = -Infinity;
      for (let i = 0; i < xs.length; i++) {
        gx0 = Math.min(gx0, xs[i]!);
        gx1 = Math.max(gx1, xs[i]!);
        gy0 = Math.min(gy0, ys[i]!);
        gy1 = Math.max(gy1, ys[i]!);
      }
      this.boxes.set([gx0, gy0, gx1, gy1], g * 4);
      minX = Math.min(minX, gx0);
      minY = Math.min(minY, gy0);
      maxX = Math.max(maxX, gx1);
      maxY = Math.max(maxY, gy1);
    }
    this.minX = minX;
    this.minY = minY;
    this.maxX = maxX;
    this.maxY = maxY;

    const width = count > 0 ? maxX - minX : 0;
    const height = count > 0 ? maxY - minY : 0;
    const cells = Math.min(MAX_CELLS, Math.max(1, count * CELLS_PER_GRID));
    const aspect = width > 0 && height > 0 ? width / height : 1;
    this.columns = width > 0 ? Math.max(1, Math.min(cells, Math.round(Math.sqrt(cells * aspect)))) : 1;
    this.rows = height > 0 ? Math.max(1, Math.min(cells, Math.round(cells / this.columns))) : 1;
    this.xScale = width > 0 ? this.columns / width : 0;
    this.yScale = height > 0 ? this.rows / height : 0;

    const counts = new Int32Array(this.columns * this.rows + 1);
    const ranges = this.grids.map((_, g) => this.cellRange(g));
    for (const [c0, r0, c1, r1] of ranges) {
      for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) counts[r * this.columns + c + 1]!++;
    }
    for (let i = 1; i < counts.length; i++) counts[i]! += counts[i - 1]!;
    this.cellStart = counts;
    this.cellItems = new Int32Array(counts[counts.length - 1]!);
    const fill = counts.slice(0, -1);
    ranges.forEach(([c0, r0, c1, r1], g) => {
      for (let r = r0; r <= r1; r++)
        for (let c = c0; c <= c1; c++) this.cellItems[fill[r * this.columns + c]!++] = g;
    });
  }

  get size(): number {
    return this.grids.length;
  }

  /**
   * The grid containing `point` (closed; ties to the lowest code, see the class), or undefined
   * when the point is outside every grid.
   * @throws InvalidPointError when `point` is not a valid WGS-84 point.
   */
  locate(point: Point): GridRecord | undefined {
    assertValidPoint(point);
    const x = point.lng;
    const y = point.lat;
    if (x < this.minX || x > this.maxX || y < this.minY || y > this.maxY) return undefined;
    const cell = this.row(y) * this.columns + this.column(x);
    const end = this.cellStart[cell + 1]!;
    const boxes = this.boxes;
    for (let k = this.cellStart[cell]!; k < end; k++) {
      const g = this.cellItems[k]!;
      const b = g * 4;
      if (x < boxes[b]! || y < boxes[b + 1]! || x > boxes[b + 2]! || y > boxes[b + 3]!) continue;
      if (classifyXY(this.xs[g]!, this.ys[g]!, x, y) >= 0) return this.grids[g];
    }
    return undefined;
  }

  private column(x: number): number {
    const c = Math.floor((x - this.minX) * this.xScale);
    return c < 0 ? 0 : c >= this.columns ? this.columns - 1 : c;
  }

  private row(y: number): number {
    const r = Math.floor((y - this.minY) * this.yScale);
    return r < 0 ? 0 : r >= this.rows ? this.rows - 1 : r;
  }

  private cellRange(g: number): [number, number, number, number] {
    const b = g * 4;
    return [
      this.column(this.boxes[b]!),
      this.row(this.boxes[b + 1]!),
      this.column(this.boxes[b + 2]!),
      this.row(this.boxes[b + 3]!),
    ];
  }
}
