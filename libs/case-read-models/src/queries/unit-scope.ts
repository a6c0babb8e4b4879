import {
  parseOrgUnit,
  principalUnit,
  type OrgUnit,
  type OrgUnitLevel,
  type Principal,
} from '@tongban/security';

/**
 * The unit `code` names, of one of `levels`, when the caller may read figures about it (the
 * cadres' workload, the KPIs): dispatchers, supervisors and admins, within the unit they act for —
 * a district's, the district and anything under it; a street's, the street and its communities.
 * Levels come from the parsed codes (`principalUnit`), never from the strings' shapes; a caller
 * without a unit (an admin may have none) sees none, so the rule fails closed. Cadres, residents,
 * office staff and channels see none (their routes refuse them by role first).
 */
export function supervisedUnitInScope(
  principal: Principal,
  code: string,
  levels: readonly OrgUnitLevel[],
): OrgUnit | undefined {
  const asked = parseOrgUnit(code);
  if (!asked.ok || !levels.includes(asked.unit.level)) return undefined;
  switch (principal.role) {
    case 'dispatcher':
    case 'supervisor':
    case 'admin':
      break;
    case 'resident':
    case 'channel':
    case 'cadre':
    case 'office_staff':
      return undefined;
    default: {
      const unknown: never = principal.role;
      throw new Error(`No scope of supervised units for role ${String(unknown)}`);
    }
  }
  const own = principalUnit(principal);
  if (own?.level === 'district') return asked.unit.district === own.code ? asked.unit : undefined;
  if (own?.level === 'street') {
    return asked.unit.level !== 'district' && asked.unit.street === own.code ? asked.unit : undefined;
  }
  return undefined;
}
