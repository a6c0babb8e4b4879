import type { AccessRule } from '../access/case-relation';

/** This use case's row of the access policy (`CASE_ACCESS_POLICY`). */
export const COMPLETE_REFERRAL_ACCESS = {
  operation: 'CompleteReferral',
  allowed: ['referred_unit_staff'],
  why: 'Only staff of the unit the step was referred to.',
} as const satisfies AccessRule<'CompleteReferral'>;
