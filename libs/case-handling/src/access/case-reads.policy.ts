import type { AccessRule } from './case-relation';

/** The single-case reads' rows of the access policy: the query side asks the same policy. */
export const READ_CASE_ACCESS = {
  operation: 'ReadCase',
  allowed: [
    'submitting_resident',
    'filing_channel',
    'cadre_in_scope',
    'involved_cadre',
    'referred_unit_staff',
    'dispatcher_in_scope',
    'supervisor_in_scope',
  ],
  why:
    'Whoever the case is, or was, answerable to: its resident or filing channel, the cadres of its community and ' +
    'those it passed through, the units a step went to, dispatchers and supervisors covering it. Not admins.',
} as const satisfies AccessRule<'ReadCase'>;

export const READ_HISTORY_ACCESS = {
  operation: 'ReadHistory',
  allowed: ['dispatcher_in_scope', 'supervisor_in_scope'],
  why: 'The unaltered audit history (every event, who and when): dispatchers and supervisors covering the case.',
} as const satisfies AccessRule<'ReadHistory'>;
