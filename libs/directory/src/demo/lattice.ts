import type { Ring } from '../model';
import type { SeededRandom } from './random';

/**
 * Synthetic geometry for the demo district: rectangles cut from rectangles, so that grids tile
 * their community, communities their street and streets the district, exactly. Coordinates are
 * whole micro-degrees (1e-6°) until they become a `Ring`, so two neighbours share an edge to the
 * last bit and a test can check the tiling with integer arithmetic.
 */
export interface Rect {
  /** West, east, south, north, in micro-degrees. */
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

export const MICRO = 1_000_000;

/** The demo district: around Datong's old town, lng 113.25–113.35, lat 40.05–40.12. */
export const DISTRICT_RECT: Rect = { x0: 113_250_000, x1: 113_350_000, y0: 40_050_000, y1: 40_120_000 };

/** `n` cut points from `from` to `to` (both included), spaced unevenly but never by less than half. */
function cuts(from: number, to: number, n: number, random: SeededRandom): number[] {
  const weights = Array.from({ length: n }, () => 0.7 + 0.6 * random.next());
  const total = weights.reduce((sum, w) => sum + w, 0);
  const points = [from];
  let acc = 0;
  for (const w of weights) {
    acc += w;
    points.push(from + Math.round(((to - from) * acc) / total));
  }
  points[n] = to;
  return points;
}

/** Cuts `rect` into `rows` × `cols` rectangles, row by row from the south-west. */
export function lattice(rect: Rect, rows: number, cols: number, random: SeededRandom): Rect[][] {
  const ys = cuts(rect.y0, rect.y1, rows, random);
  const xs = cuts(rect.x0, rect.x1, cols, random);
  const out: Rect[][] = [];
  for (let r = 0; r < rows; r++) {
    const row: Rect[] = [];
    for (let c = 0; c < cols; c++) {
      row.push({ x0: xs[c] ?? 0, x1: xs[c + 1] ?? 0, y0: ys[r] ?? 0, y1: ys[r + 1] ?? 0 });
    }
    out.push(row);
  }
  return out;
}

/**
 * Cuts `rect` into `n` rectangles: a few rows (more of them when the rectangle is tall), each
 * row cut into columns on its own, in order from the south-west.
 */
export function split(rect: Rect, n: number, random: SeededRandom): Rect[] {
  const aspect = (rect.y1 - rect.y0) / (rect.x1 - rect.x0);
  const rows = Math.max(1, Math.min(n, Math.round(Math.sqrt(n * aspect))));
  const ys = cuts(rect.y0, rect.y1, rows, random);
  const out: Rect[] = [];
  for (let r = 0; r < rows; r++) {
    const inRow = Math.floor(n / rows) + (r < n % rows ? 1 : 0);
    const xs = cuts(rect.x0, rect.x1, inRow, random);
    for (let c = 0; c < inRow; c++) {
      out.push({ x0: xs[c] ?? 0, x1: xs[c + 1] ?? 0, y0: ys[r] ?? 0, y1: ys[r + 1] ?? 0 });
    }
  }
  return out;
}

/** The rectangle as a ring, counter-clockwise from its south-west corner, in degrees. */
export function toRing(rect: Rect): Ring {
  return [
    { lng: rect.x0 / MICRO, lat: rect.y0 / MICRO },
    { lng: rect.x1 / MICRO, lat: rect.y0 / MICRO },
    { lng: rect.x1 / MICRO, lat: rect.y1 / MICRO },
    { lng: rect.x0 / MICRO, lat: rect.y1 / MICRO },
  ];
}
