import type { AccessRule } from '../access/case-relation';

/** This use case's row of the access policy (`CASE_ACCESS_POLICY`). */
export const SUPERVISE_CASE_ACCESS = {
  operation: 'SuperviseCase',
  allowed: ['supervisor_in_scope'],
  why: "Supervision stays within the supervisor's street (or the district).",
} as const satisfies AccessRule<'SuperviseCase'>;
