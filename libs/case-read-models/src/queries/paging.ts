import { TongbanError } from '@tongban/errors';
import { formatPosition, parsePosition, type GlobalPosition } from '@tongban/event-store';
import type { ConsistencyResult, ReadModelConsistency } from '@tongban/projections';

export class InvalidCursorError extends TongbanError {
  readonly code = 'query.invalid_cursor';
  readonly kind = 'validation';
}

/**
 * Keyset pagination: the cursor is the last row's sort value and id, opaque to clients
 * (base64url JSON). Stable under inserts, unlike offsets.
 */
export interface Cursor {
  readonly value: string | null;
  readonly id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.value, cursor.id]), 'utf8').toString('base64url');
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const IDS = {
  uuid: new RegExp(`^${UUID}$`),
  /** `<case id>/<referral id>`; referral ids are the server's UUIDs. */
  referral: new RegExp(`^${UUID}/[0-9A-Za-z_-]{1,100}$`),
  /** `<case id>/<version>`: a timeline cursor names its case, so it cannot page another one. */
  timeline: new RegExp(`^${UUID}/[1-9][0-9]{0,8}$`),
};

/**
 * The cursor's sort value must be an instant as this API writes them (or null) and its id of
 * the listing's kind: anything else — a tampered or foreign cursor — is the caller's mistake,
 * answered 400, never a database error.
 */
export function decodeCursor(token: string | undefined, kind: keyof typeof IDS): Cursor | undefined {
  if (token === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      (parsed[0] === null ||
        (typeof parsed[0] === 'string' && INSTANT.test(parsed[0]) && isRealInstant(parsed[0]))) &&
      typeof parsed[1] === 'string' &&
      IDS[kind].test(parsed[1])
    ) {
      return { value: parsed[0] as string | null, id: parsed[1] };
    }
  } catch {
    // fall through to the error
  }
  throw new InvalidCursorError('The cursor is not one this API issued; start again without it.', [
    { field: 'cursor', reason: 'invalid', message: 'use the nextCursor of a previous page' },
  ]);
}

function isRealInstant(value: string): boolean {
  const date = new Date(value);
  return !Number.isNaN(date.getTime()) && date.toISOString() === value;
}

export interface Page<T> {
  readonly items: T[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
  readonly consistency: ConsistencyView;
}

/**
 * How current the answer is. `status` is `current` when the read models had applied the
 * position the caller asked for (`after`), or when none was asked; `behind` when the bounded
 * wait ran out first: the data is then older than the caller's last command, and says so.
 */
export interface ConsistencyView {
  readonly status: 'current' | 'behind';
  /** The read models' position when the answer was read. */
  readonly position: string;
  readonly requested: string | null;
}

export async function readConsistently(
  consistency: ReadModelConsistency,
  projections: readonly string[],
  after: string | undefined,
  waitMs: number,
): Promise<ConsistencyView> {
  if (after === undefined) {
    return {
      status: 'current',
      position: formatPosition(await consistency.position(projections)),
      requested: null,
    };
  }
  const target: GlobalPosition = parsePosition(after);
  const result: ConsistencyResult = await consistency.waitFor(projections, target, waitMs);
  return {
    status: result.reached ? 'current' : 'behind',
    position: formatPosition(result.position),
    requested: after,
  };
}
