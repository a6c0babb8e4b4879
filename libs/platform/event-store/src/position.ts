import type { GlobalPosition } from './event-store';
import { InvalidPositionError } from './errors';

export function comparePositions(a: GlobalPosition, b: GlobalPosition): number {
  if (a.tx !== b.tx) return a.tx < b.tx ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

/**
 * The position as a compact, URL-safe token (`<tx>-<seq>`), e.g. for the consistency token a
 * command returns and a query accepts as `?after=`.
 */
export function formatPosition(position: GlobalPosition): string {
  return `${position.tx}-${position.seq}`;
}

export function parsePosition(token: string): GlobalPosition {
  const match = /^(\d{1,20})-(\d{1,20})$/.exec(token);
  if (!match) throw new InvalidPositionError(`Not a position token: ${JSON.stringify(token.slice(0, 50))}`);
  return { tx: BigInt(match[1]!), seq: BigInt(match[2]!) };
}
