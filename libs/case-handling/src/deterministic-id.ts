import { createHash } from 'node:crypto';

/** Tongban's UUIDv5 namespace (a fixed random UUID). */
const NAMESPACE = Buffer.from('6f1c7d7e4b2a4f0c9a51d3c8e2b7a901', 'hex');

/**
 * A name-based UUID (RFC 9562 version 5): the same name always gives the same id. Used where a
 * retried request must produce the very same event (e.g. the intake's CaseSubmitted), so the
 * event store recognises the retry.
 */
export function deterministicUuid(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
