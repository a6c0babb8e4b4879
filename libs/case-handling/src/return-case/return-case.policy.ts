import type { AccessRule } from '../access/case-relation';

/** This use case's row of the access policy (`CASE_ACCESS_POLICY`). */
export const RETURN_CASE_ACCESS = {
  operation: 'ReturnCase',
  allowed: ['designated_cadre', 'hand_over_target', 'owner'],
  why:
    'The cadre it was dispatched or offered to refuses it (退单). The owner too, to be told that an accepted case ' +
    'is handed over, not returned: a state answer (409), not a relation one.',
} as const satisfies AccessRule<'ReturnCase'>;
