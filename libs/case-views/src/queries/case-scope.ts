import type { SelectQueryBuilder, ObjectLiteral } from 'typeorm';
import type { Principal } from '@tongban/security';

/**
 * Who may see which case, as ONE rule every case query applies (DESIGN "Security"):
 *
 * - resident — the cases they filed themselves;
 * - channel (hotline, third-party portal) — the cases it filed;
 * - cadre — every case their community was involved in (location, dispatch, ownership,
 *   hand-over) and every case they were personally designated, owner or offered;
 * - office and agency staff — the cases with a step referred to their unit;
 * - supervisor — their street's cases (any unit of the street involved), or the whole district
 *   when they act for the district;
 * - dispatcher and admin — the district (a deployment serves one district).
 *
 * A case outside the caller's scope is answered as if it did not exist (404), so ids cannot be
 * probed. `alias` is the `rm_case_detail` alias in the query.
 */
export function applyCaseScope<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  principal: Principal,
  alias = 'c',
): SelectQueryBuilder<T> {
  const unit = principal.orgUnit;
  switch (principal.role) {
    case 'resident':
      return query.andWhere(`${alias}.submitterRole = 'resident' AND ${alias}.submitterId = :scopeId`, {
        scopeId: principal.id,
      });
    case 'channel':
      return query.andWhere(`${alias}.submitterId = :scopeId`, { scopeId: principal.id });
    case 'cadre':
      if (!unit)
        return query.andWhere(`${alias}.participantIds @> ARRAY[:scopeId]::text[]`, {
          scopeId: principal.id,
        });
      return query.andWhere(
        `(${alias}.scopeUnits @> ARRAY[:scopeUnit]::text[] OR ${alias}.participantIds @> ARRAY[:scopeId]::text[])`,
        { scopeUnit: unit, scopeId: principal.id },
      );
    case 'office_staff':
      if (!unit) return nothing(query);
      return query.andWhere(`${alias}.referralUnits @> ARRAY[:scopeUnit]::text[]`, { scopeUnit: unit });
    case 'supervisor':
      if (!unit) return nothing(query);
      if (isDistrict(unit)) return query;
      return query.andWhere(`${alias}.scopeUnits @> ARRAY[:scopeUnit]::text[]`, { scopeUnit: unit });
    case 'dispatcher':
    case 'admin':
      return query;
    default: {
      const unknown: never = principal.role;
      throw new Error(`No case scope for role ${String(unknown)}`);
    }
  }
}

/** A district code has no dots (`pc`); streets and communities do. */
export const isDistrict = (unit: string): boolean => !unit.includes('.');

function nothing<T extends ObjectLiteral>(query: SelectQueryBuilder<T>): SelectQueryBuilder<T> {
  return query.andWhere('1 = 0');
}
