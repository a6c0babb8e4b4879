import type { CaseCommandType } from '@tongban/cases';
import type { PrincipalRole } from '@tongban/security';

/** How a caller can stand to a case. Each is a fact about the replayed case, nothing else. */
export type CaseRelation =
  /** The resident who filed it. */
  | 'submitting_resident'
  /** The channel (hotline, third-party portal) that filed it on a resident's behalf. */
  | 'filing_channel'
  /** A cadre of a community (or a unit) the case is, or was, answerable to. */
  | 'cadre_in_scope'
  /** A cadre the case was ever designated, offered or owned by. */
  | 'involved_cadre'
  /** The cadre it is dispatched to now, before acceptance, in the unit it was dispatched to. */
  | 'designated_cadre'
  /** The cadre a pending hand-over is offered to, in the unit it is offered to. */
  | 'hand_over_target'
  /** The ONE accountable owner, now. */
  | 'owner'
  /** Staff of a unit a step of the case was referred to. */
  | 'referred_unit_staff'
  /** A dispatcher whose unit covers the case (the district's dispatcher covers all). */
  | 'dispatcher_in_scope'
  /** A supervisor of the case's street, or of the district. */
  | 'supervisor_in_scope';

/**
 * Who can hold each relation, and what it means: a route's `@Roles` are derived from its policy
 * row, so the role check and the policy cannot disagree (a referral can go to a community, whose
 * staff are cadres, as well as to an office).
 */
export const CASE_RELATIONS: Readonly<
  Record<CaseRelation, { readonly roles: readonly PrincipalRole[]; readonly meaning: string }>
> = {
  submitting_resident: { roles: ['resident'], meaning: 'the resident who filed the case' },
  filing_channel: { roles: ['channel'], meaning: 'the channel (hotline, third-party portal) that filed it' },
  cadre_in_scope: {
    roles: ['cadre'],
    meaning: 'a cadre of a community (or unit) the case is, or was, answerable to',
  },
  involved_cadre: { roles: ['cadre'], meaning: 'a cadre the case was ever designated, offered or owned by' },
  designated_cadre: {
    roles: ['cadre'],
    meaning: 'the cadre it is dispatched to now, before acceptance, acting in the unit it was sent to',
  },
  hand_over_target: {
    roles: ['cadre'],
    meaning: 'the cadre a pending hand-over is offered to, acting in the unit it is offered to',
  },
  owner: { roles: ['cadre'], meaning: 'the ONE accountable owner, now' },
  referred_unit_staff: {
    roles: ['office_staff', 'cadre'],
    meaning: 'staff of a unit a step of the case was referred to',
  },
  dispatcher_in_scope: {
    roles: ['dispatcher'],
    meaning: 'a dispatcher whose unit covers the case (the district’s covers all)',
  },
  supervisor_in_scope: {
    roles: ['supervisor'],
    meaning: 'a supervisor of the case’s street, or of the district',
  },
};

/** Single-case reads. Admins manage the directory and read models, not residents' cases. */
export type CaseRead = 'ReadCase' | 'ReadHistory';

/** Commands a person issues over HTTP (routing and the SLA timers are the system's, never a token's). */
export type CaseAction = Exclude<
  CaseCommandType,
  | 'SubmitCase'
  | 'RouteCase'
  | 'RaiseSlaWarning'
  | 'RecordSlaBreach'
  | 'ExpireFeedbackWindow'
  | 'ExpireHandOver'
  | 'SetDueTimes'
  | 'EscalateCase'
>;

/**
 * One row of the access policy: the operation, every relation that allows it (anything else is
 * refused), and why, in words a reviewer checks against the rules of the service. Each use case
 * keeps its row in its own folder; `CASE_ACCESS_POLICY` puts them in one table.
 */
export interface AccessRule<O extends CaseAction | CaseRead = CaseAction | CaseRead> {
  readonly operation: O;
  readonly allowed: readonly CaseRelation[];
  readonly why: string;
}

/** The roles a row's relations can be held by, in a stable order. */
export function rolesOf(rule: AccessRule): PrincipalRole[] {
  return [...new Set(rule.allowed.flatMap((relation) => CASE_RELATIONS[relation].roles))];
}
