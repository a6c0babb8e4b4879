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

/** The authenticated caller. Built from the claims `sub`, `role`, `org_unit` and `name`. */
export interface Principal {
  /** `sub`: the caller's stable id at the identity provider. */
  readonly id: string;
  readonly role: PrincipalRole;
  /** `org_unit`: the org unit the caller acts for, e.g. `pc.gucheng.taiyangcheng`. */
  readonly orgUnit?: string;
  /** `name`: for display only; never use it to decide anything. */
  readonly displayName?: string;
}
