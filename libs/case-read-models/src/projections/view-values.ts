import { maskPersonalDataInText } from '@tongban/logging';
import { toInstant } from '@tongban/projections';

/**
 * Small pure helpers the case projections share: org unit codes, sorted sets, calendar days and
 * personal data in free text.
 */

/** `pc.gucheng.taiyangcheng` → [`pc`, `pc.gucheng`, `pc.gucheng.taiyangcheng`]. */
export function ancestorsAndSelf(unit: string): string[] {
  const parts = unit.split('.');
  return parts.map((_, i) => parts.slice(0, i + 1).join('.'));
}

/** The street of a unit: its first two segments (a district alone has none). */
export function streetOf(unit: string | null): string | null {
  if (unit === null) return null;
  const parts = unit.split('.');
  return parts.length >= 2 ? `${parts[0]}.${parts[1]}` : null;
}

/**
 * Sorted, duplicate-free union. Sorted by code unit, not locale, so the array is the same on
 * every machine and in every batch.
 */
export function sortedUnion(existing: readonly string[], added: readonly string[]): string[] {
  return [...new Set([...existing, ...added])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

/** The Asia/Shanghai calendar day (UTC+8 all year: China has no daylight saving) of an instant. */
export function shanghaiDay(instant: string): string {
  return new Date(Date.parse(toInstant(instant)) + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** Earliest of some instants (nulls ignored), in the engine's form. */
export function earliest(instants: ReadonlyArray<string | null>): string | null {
  let best: string | null = null;
  for (const instant of instants) {
    if (instant === null) continue;
    if (best === null || Date.parse(instant) < Date.parse(best)) best = instant;
  }
  return best === null ? null : toInstant(best);
}

/** Milliseconds from `from` to `to`, never negative (a skewed clock does not give time back). */
export function millisBetween(from: string, to: string): number {
  return Math.max(0, Date.parse(to) - Date.parse(from));
}

/**
 * Free text typed by residents and cadres (titles, descriptions, notes) often carries a phone or
 * ID number ("call me on 138…"). Read models serve it to many people, so numbers are masked in
 * every free-text value, not only in the fields named `phone` and `idNumber`.
 */
export function maskText(text: string): string {
  return maskPersonalDataInText(text);
}

export function maskOptionalText(text: string | undefined): string | null {
  return text === undefined ? null : maskText(text);
}
