import type { SelectQueryBuilder, ObjectLiteral } from 'typeorm';
import { columnsOf } from '@tongban/projections';
import { principalUnit, type Principal } from '@tongban/security';
import { caseDetailTable } from '../projections';

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
 * - dispatcher — the cases their unit covers (the district's dispatcher: all of them);
 * - admin — none: admins manage the directory and the read models, not residents' cases.
 *
 * It is the SQL form of `canSee` in @tongban/case-handling's access policy; a differential test
 * (case-access.differential.int.spec.ts) keeps the two equal.
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
  const c = columnsOf(caseDetailTable, alias);
  switch (principal.role) {
    case 'resident':
      return query.andWhere(`${c.submitter_role} = 'resident' AND ${c.submitter_id} = :scopeId`, {
        scopeId: principal.id,
      });
    case 'channel':
      return query.andWhere(`${c.submitter_role} = 'channel' AND ${c.submitter_id} = :scopeId`, {
        scopeId: principal.id,
      });
    case 'cadre':
      if (!unit)
        return query.andWhere(`${c.participant_ids} @> ARRAY[:scopeId]::text[]`, {
          scopeId: principal.id,
        });
      return query.andWhere(
        `(${c.scope_units} @> ARRAY[:scopeUnit]::text[] OR ${c.participant_ids} @> ARRAY[:scopeId]::text[])`,
        { scopeUnit: unit, scopeId: principal.id },
      );
    case 'office_staff':
      if (!unit) return nothing(query);
      return query.andWhere(`${c.referral_units} @> ARRAY[:scopeUnit]::text[]`, { scopeUnit: unit });
    case 'dispatcher':
    case 'supervisor': {
      // The level is parsed from the token (district or street, nothing else for a supervisor),
      // never guessed from the code's shape.
      const parsed = principalUnit(principal);
      if (!parsed) return nothing(query);
      if (parsed.level === 'district') return query;
      return query.andWhere(`${c.scope_units} @> ARRAY[:scopeUnit]::text[]`, { scopeUnit: parsed.code });
    }
    case 'admin':
      // Admins manage the directory and the read models, not residents' cases.
      return nothing(query);
    default: {
      const unknown: never = principal.role;
      throw new Error(`No case scope for role ${String(unknown)}`);
    }
  }
}

function nothing<T extends ObjectLiteral>(query: SelectQueryBuilder<T>): SelectQueryBuilder<T> {
  return query.andWhere('1 = 0');
}
