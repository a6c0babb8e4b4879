import type { AccessRule } from '../access/case-relation';

/** This use case's row of the access policy (`CASE_ACCESS_POLICY`). */
export const RULE_UNREASONABLE_ACCESS = {
  operation: 'RuleUnreasonable',
  allowed: ['supervisor_in_scope'],
  why: "Supervision stays within the supervisor's street (or the district): the ruling takes the case out of the rates.",
} as const satisfies AccessRule<'RuleUnreasonable'>;
