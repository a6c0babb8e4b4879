import type { AccessRule } from '../access/case-relation';

/** This use case's row of the access policy (`CASE_ACCESS_POLICY`). */
export const REOPEN_CASE_ACCESS = {
  operation: 'ReopenCase',
  allowed: ['supervisor_in_scope', 'dispatcher_in_scope'],
  why: "A supervisor of the case's street (or the district), or a dispatcher whose unit covers it.",
} as const satisfies AccessRule<'ReopenCase'>;
