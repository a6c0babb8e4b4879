import type { AccessRule } from '../access/case-relation';

/** This use case's row of the access policy (`CASE_ACCESS_POLICY`). */
export const REVEAL_CONTACT_ACCESS = {
  operation: 'RevealContact',
  allowed: ['owner', 'filing_channel'],
  why: 'The full phone number, recorded (ADR 0014): whoever calls the resident back, the owner or the channel that filed for them. Everyone else reads it masked.',
} as const satisfies AccessRule<'RevealContact'>;
