import type { AccessRule } from '../access/case-relation';

/** This use case's row of the access policy (`CASE_ACCESS_POLICY`). */
export const ACCEPT_CASE_ACCESS = {
  operation: 'AcceptCase',
  allowed: ['designated_cadre', 'hand_over_target', 'owner'],
  why: 'The cadre it was dispatched or offered to, in the unit it was sent to. The owner too: accepting what one already owns is a state question (409), not a relation one.',
} as const satisfies AccessRule<'AcceptCase'>;
