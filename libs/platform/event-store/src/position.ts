import type { GlobalPosition } from './event-store';
import { InvalidPositionError } from './errors';

export function comparePositions(a: GlobalPosition, b: GlobalPosition): number {
  if (a.tx !== b.tx) return a.tx < b.tx ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

const MAX = 2n ** 64n - 1n;

/**
 * The opaque token: `p`, then 16 bytes (both halves of the position, big-endian) in base64url.
 * The letter keeps it apart from the legacy form, which starts with a digit, and leaves room for
 * another form later.
 */
const TOKEN = /^p([A-Za-z0-9_-]{22})$/;
/**
 * What tokens looked like before they were opaque (`<tx>-<seq>`): still read, never written. As
 * before, up to 20 digits each: one beyond any position is read, and refused as ahead of the
 * store by whoever waits for it.
 */
const LEGACY_TOKEN = /^(\d{1,20})-(\d{1,20})$/;

/** Every token `parsePosition` reads, for request validation and the API document. */
export const POSITION_TOKEN_PATTERN = /^(?:p[A-Za-z0-9_-]{22}|\d{1,20}-\d{1,20})$/;

/**
 * The position as an opaque, URL-safe token, e.g. the consistency token a command returns and a
 * query accepts as `?after=`. Opaque on purpose (issue 11): clients pass tokens back, never read
 * or compare them, so what a position is made of (a PostgreSQL transaction id and sequence today,
 * an EventStoreDB commit and prepare position in that adapter) can change without breaking them.
 */
export function formatPosition(position: GlobalPosition): string {
  if (position.tx < 0n || position.tx > MAX || position.seq < 0n || position.seq > MAX) {
    throw new InvalidPositionError(`Not a position: ${position.tx}/${position.seq}`);
  }
  const bytes = Buffer.alloc(16);
  bytes.writeBigUInt64BE(position.tx, 0);
  bytes.writeBigUInt64BE(position.seq, 8);
  return `p${bytes.toString('base64url')}`;
}

export function parsePosition(token: string): GlobalPosition {
  const opaque = TOKEN.exec(token);
  if (opaque) {
    const bytes = Buffer.from(opaque[1]!, 'base64url');
    const position = { tx: bytes.readBigUInt64BE(0), seq: bytes.readBigUInt64BE(8) };
    // One token per position: trailing bits set make another spelling of the same bytes.
    if (formatPosition(position) === token) return position;
  } else {
    const legacy = LEGACY_TOKEN.exec(token);
    if (legacy) return { tx: BigInt(legacy[1]!), seq: BigInt(legacy[2]!) };
  }
  throw new InvalidPositionError(`Not a position token: ${JSON.stringify(token.slice(0, 50))}`);
}
