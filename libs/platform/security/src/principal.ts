import { parseOrgUnit, type OrgUnit, type OrgUnitLevel } from './org-unit';

/**
 * Who is calling, as the bearer token says. The role strings are the ones the case context uses
 * for actors (docs/design.md, "Security"); they are repeated here because the platform may not
 * depend on a domain lib. `system` is not among them: no token can claim it.
 */
export const PRINCIPAL_ROLES = [
  'resident',
  'channel',
  'cadre',
  'dispatcher',
  'office_staff',
  'supervisor',
  'admin',
] as const;

export type PrincipalRole = (typeof PRINCIPAL_ROLES)[number];

export function isPrincipalRole(value: unknown): value is PrincipalRole {
  return typeof value === 'string' && (PRINCIPAL_ROLES as readonly string[]).includes(value);
}

/**
 * The intake channels a `channel` principal can be: the system clients that file for residents
 * (the 12345 hotline, a street hall's counter, a third-party gateway, the portal, app and mini
 * program back ends). A repeat of the case vocabulary's CHANNELS (less `grid_patrol` and
 * `filed_on_behalf`, which are a cadre's), as PRINCIPAL_ROLES repeats the roles: the platform
 * may not depend on a domain lib; @tongban/case-handling checks the two agree.
 */
export const PRINCIPAL_CHANNELS = [
  'hotline',
  'walk_in',
  'third_party',
  'portal',
  'app',
  'mini_program',
] as const;

export type PrincipalChannel = (typeof PRINCIPAL_CHANNELS)[number];

/**
 * The `channel` claim checked: a `channel` principal must name the one channel it is (so it files
 * under that channel only and channel statistics stay true); any other role must not carry it.
 */
export function channelForRole(
  role: PrincipalRole,
  claim: unknown,
):
  | { readonly ok: true; readonly channel: PrincipalChannel | undefined }
  | { readonly ok: false; readonly reason: string } {
  if (role !== 'channel') {
    return claim === undefined
      ? { ok: true, channel: undefined }
      : { ok: false, reason: `the role ${role} carries no channel claim: only a channel client does` };
  }
  if (claim === undefined) {
    return { ok: false, reason: 'channel missing: a channel client names the channel it files through' };
  }
  return typeof claim === 'string' && (PRINCIPAL_CHANNELS as readonly string[]).includes(claim)
    ? { ok: true, channel: claim as PrincipalChannel }
    : { ok: false, reason: `channel unknown: one of ${PRINCIPAL_CHANNELS.join(', ')}` };
}

/**
 * The authenticated caller. Built from the claims `sub`, `role`, `org_unit`, `channel` and
 * `name`.
 */
export interface Principal {
  /** `sub`: the caller's stable id at the identity provider. */
  readonly id: string;
  readonly role: PrincipalRole;
  /** `org_unit`: the org unit the caller acts for, e.g. `pc.gucheng.taiyangcheng`. */
  readonly orgUnit?: string;
  /**
   * `orgUnit` parsed, with its level. Set by the token verifier, which refuses a token whose unit
   * is malformed or not one its role may hold (`ORG_UNIT_RULES`). Decide scope with this (or
   * `principalUnit`), never by looking at the string.
   */
  readonly unit?: OrgUnit;
  /**
   * `channel`: the intake channel a `channel` principal is, and the only one it files through.
   * Set (and required) for that role alone; the token verifier refuses a token that breaks this.
   */
  readonly channel?: PrincipalChannel;
  /** `name`: for display only; never use it to decide anything. */
  readonly displayName?: string;
}

/**
 * Which levels each role may act for, and whether it must. A token that breaks this is refused
 * at verification (401 `auth.invalid_org_unit`), so every other layer can rely on it:
 *
 * - resident: none; a resident acts for themselves, never for a unit;
 * - channel: optional, a district or a street (the 12345 hotline, a street's hall); its scope is
 *   what it filed, not its unit;
 * - cadre: required, a community (the one whose two committees they sit on);
 * - dispatcher: required, a district or a street (they dispatch within it);
 * - office_staff: required, a street unit (an office, service unit or stationed agency);
 * - supervisor: required, a district or a street (what they supervise);
 * - admin: optional, a district (an admin manages the directory of the one district).
 *
 * No role holds a grid yet: a grid worker acts as `cadre` of their community until the directory
 * gives grids a role of their own.
 */
export const ORG_UNIT_RULES: Readonly<
  Record<PrincipalRole, { readonly required: boolean; readonly levels: readonly OrgUnitLevel[] }>
> = {
  resident: { required: false, levels: [] },
  channel: { required: false, levels: ['district', 'street'] },
  cadre: { required: true, levels: ['community'] },
  dispatcher: { required: true, levels: ['district', 'street'] },
  office_staff: { required: true, levels: ['streetUnit'] },
  supervisor: { required: true, levels: ['district', 'street'] },
  admin: { required: false, levels: ['district'] },
};

/** The unit a role acts for, checked against `ORG_UNIT_RULES`; a reason when it does not hold. */
export function unitForRole(
  role: PrincipalRole,
  orgUnit: unknown,
):
  | { readonly ok: true; readonly unit: OrgUnit | undefined }
  | { readonly ok: false; readonly reason: string } {
  const rule = ORG_UNIT_RULES[role];
  const needs = `the role ${role} acts for ${rule.levels.length === 0 ? 'no org unit' : `a ${rule.levels.join(' or ')}`}`;
  if (orgUnit === undefined) {
    return rule.required
      ? { ok: false, reason: `org_unit missing: ${needs}` }
      : { ok: true, unit: undefined };
  }
  const parsed = parseOrgUnit(orgUnit);
  if (!parsed.ok) return { ok: false, reason: `org_unit malformed (${parsed.problem})` };
  if (!rule.levels.includes(parsed.unit.level)) {
    return { ok: false, reason: `org_unit is a ${parsed.unit.level}: ${needs}` };
  }
  return { ok: true, unit: parsed.unit };
}

/**
 * The parsed unit of a principal: the one the verifier set, or, for a principal built by hand
 * (tests, in-process callers), its `orgUnit` checked as the verifier would. `undefined` when
 * there is none or it does not hold, so a scope built on it fails closed.
 */
export function principalUnit(principal: Principal): OrgUnit | undefined {
  if (principal.unit !== undefined) return principal.unit;
  const checked = unitForRole(principal.role, principal.orgUnit);
  return checked.ok ? checked.unit : undefined;
}
