/**
 * The settings every benchmark reads from the environment. BENCH_SCALE multiplies every count of
 * a run (below 1 a smoke run, which its report says); BENCH_KEEP=1 keeps the databases (and
 * whatever else a bench says) afterwards instead of dropping them.
 */

/** BENCH_SCALE (default 1), refused outside (0, max]. */
export function benchScale(max = 10): number {
  const scale = Number(process.env.BENCH_SCALE ?? '1');
  if (!(scale > 0 && scale <= max))
    throw new Error(`BENCH_SCALE must be in (0, ${max}], got ${process.env.BENCH_SCALE}`);
  return scale;
}

/** `n` times `scale`, rounded, and never below `min`. */
export const scaledBy =
  (scale: number) =>
  (n: number, min = 1): number =>
    Math.max(min, Math.round(n * scale));

export const KEEP = process.env.BENCH_KEEP === '1';
