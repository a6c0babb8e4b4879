import type { Directory, Place } from '../directory';

/**
 * Find one person (找到一个人、办理所有事): routing as a chain of named rules over one version of
 * the directory. Every decision names the rule that made it and the directory and catalogue
 * versions it read, so "whose job was it at that moment" is answered from the case's history.
 *
 * 1. Locate the case: its grid code, else its point (point-in-polygon), else its address (the
 *    address index), else its community code. Only places the directory knows count.
 * 2. `grid_cadre` — the located grid's responsible cadre (网格长), when present that day (in post,
 *    not on leave) and not one who returned this case.
 * 3. `stand_in` — else, when that cadre is on leave and the leave names a stand-in (代岗), the
 *    stand-in, on the same terms.
 * 4. `on_duty_cadre` — else the community's on-duty cadre of the day (值班), on the same terms.
 * 5. `community_queue` — else the community's dispatch queue: its cadres and the street's
 *    dispatcher see the case and a dispatcher chooses.
 * 6. `street_dispatcher` — the location names no community the directory knows but a street (a
 *    code under it, or its full name in the address):
 *    the street's dispatcher takes it. Also `second_return`: a case returned twice goes to its
 *    street's dispatcher, whatever the rules above would say.
 * 7. `district_dispatcher` — nothing locates it in the district: the district's dispatcher, who
 *    always takes it (兜底).
 *
 * Pure: the directory and the request are all it reads.
 */

export const ROUTING_RULES = [
  'grid_cadre',
  'stand_in',
  'on_duty_cadre',
  'community_queue',
  'street_dispatcher',
  'second_return',
  'district_dispatcher',
] as const;
export type RoutingRule = (typeof ROUTING_RULES)[number];

/** Where the case says it is (the case's location, as submitted or supplemented). */
export interface RoutingLocation {
  readonly address?: string;
  readonly communityCode?: string;
  readonly gridCode?: string;
  readonly latitude?: number;
  readonly longitude?: number;
}

export interface RoutingRequest {
  readonly location: RoutingLocation;
  readonly matterCode?: string;
  /** The Asia/Shanghai day routing runs on (presence, leave and the duty rota are by day). */
  readonly day: string;
  /** How many times the case was returned (退单) so far. */
  readonly returns: number;
  /** Cadres who returned the case: never chosen again for it by the rules. */
  readonly returnedBy?: readonly string[];
}

/** How the case was located. */
export type LocatedBy = 'grid_code' | 'point' | 'address' | 'community_code' | 'none';

export interface Located {
  readonly by: LocatedBy;
  readonly community: string | null;
  readonly grid: string | null;
  readonly street: string | null;
}

/** The rules that leave the choice to people: a community's queue or a dispatcher's. */
export type QueueRule = Exclude<RoutingRule, CadreRule>;
/** The rules that choose a cadre. */
export type CadreRule = 'grid_cadre' | 'stand_in' | 'on_duty_cadre';

interface DecisionBase {
  readonly rule: RoutingRule;
  readonly directoryVersion: number;
  readonly catalogueVersion: number;
  readonly located: Located;
  /** Why each rule before the deciding one passed, in order (for the timeline and disputes). */
  readonly passed: readonly string[];
}

export type RoutingDecision =
  | (DecisionBase & {
      readonly outcome: 'cadre';
      readonly rule: CadreRule;
      readonly cadreId: string;
      /** The cadre's community: the case's accountable unit. */
      readonly community: string;
    })
  | (DecisionBase & {
      readonly outcome: 'queue';
      readonly rule: QueueRule;
      /** Whose queue: the community, the street or the district. */
      readonly orgUnit: string;
    });

export function routeCase(directory: Directory, request: RoutingRequest): RoutingDecision {
  const located = locate(directory, request.location);
  const passed: string[] = [];
  const base = {
    directoryVersion: directory.version,
    catalogueVersion: directory.catalogueVersion,
    located,
    passed,
  };
  const queue = (rule: QueueRule, orgUnit: string): RoutingDecision => ({
    ...base,
    outcome: 'queue',
    rule,
    orgUnit,
  });

  if (request.returns >= 2) {
    passed.push(`returned ${request.returns} times`);
    return located.street
      ? queue('second_return', located.street)
      : queue('district_dispatcher', directory.districtCode);
  }
  if (located.community === null) {
    passed.push(`not located in a community (${located.by})`);
    return located.street
      ? queue('street_dispatcher', located.street)
      : queue('district_dispatcher', directory.districtCode);
  }
  const excluded = new Set(request.returnedBy ?? []);
  const candidate = (cadreId: string | null | undefined, what: string): string | undefined => {
    if (!cadreId) {
      passed.push(`${what}: none`);
      return undefined;
    }
    const cadre = directory.cadre(cadreId);
    if (!cadre || cadre.community !== located.community) {
      passed.push(`${what} ${cadreId}: not a cadre of ${located.community}`);
      return undefined;
    }
    if (excluded.has(cadreId)) {
      passed.push(`${what} ${cadreId}: returned this case`);
      return undefined;
    }
    if (!directory.isPresent(cadreId, request.day)) {
      passed.push(
        `${what} ${cadreId}: ${cadre.status === 'active' ? 'on leave' : 'not in post'} on ${request.day}`,
      );
      return undefined;
    }
    return cadreId;
  };

  if (located.grid !== null) {
    const grid = directory.grid(located.grid);
    const responsible = grid?.responsibleCadreId;
    const chosen = candidate(responsible, `grid ${located.grid}'s cadre`);
    if (chosen)
      return { ...base, outcome: 'cadre', rule: 'grid_cadre', cadreId: chosen, community: located.community };
    const standInId = responsible ? directory.standInFor(responsible, request.day) : undefined;
    if (standInId) {
      const standIn = candidate(standInId, `stand-in for ${responsible}`);
      if (standIn)
        return {
          ...base,
          outcome: 'cadre',
          rule: 'stand_in',
          cadreId: standIn,
          community: located.community,
        };
    }
  } else {
    passed.push('no grid located');
  }
  const onDuty = candidate(
    directory.onDuty(located.community, request.day),
    `on duty in ${located.community}`,
  );
  if (onDuty)
    return {
      ...base,
      outcome: 'cadre',
      rule: 'on_duty_cadre',
      cadreId: onDuty,
      community: located.community,
    };
  return queue('community_queue', located.community);
}

/** The first of grid code, point, address and community code that names a place the directory knows. */
export function locate(directory: Directory, location: RoutingLocation): Located {
  const inGrid = (by: LocatedBy, grid: string): Located | undefined => {
    const record = directory.grid(grid);
    if (!record) return undefined;
    return {
      by,
      grid,
      community: record.community,
      street: directory.community(record.community)?.street ?? null,
    };
  };
  const atPlace = (by: LocatedBy, place: Place): Located | undefined =>
    place.grid !== null
      ? inGrid(by, place.grid)
      : directory.community(place.community)
        ? { by, grid: null, community: place.community, street: directory.community(place.community)!.street }
        : undefined;

  if (location.gridCode) {
    const found = inGrid('grid_code', location.gridCode);
    if (found) return found;
  }
  if (isCoordinate(location.latitude, -90, 90) && isCoordinate(location.longitude, -180, 180)) {
    const place = directory.placeAt({ lat: location.latitude, lng: location.longitude });
    const found = place && atPlace('point', place);
    if (found) return found;
  }
  if (location.address) {
    const place = directory.placeOf(location.address);
    const found = place && atPlace('address', place);
    if (found) return found;
  }
  if (location.communityCode) {
    const found = atPlace('community_code', { community: location.communityCode, grid: null });
    if (found) return found;
  }
  // No place the directory knows: the street, if the codes given name one, or the address does.
  const street =
    [location.gridCode, location.communityCode]
      .map((code) => code?.split('.').slice(0, 2).join('.'))
      .find((code) => code !== undefined && directory.street(code) !== undefined) ??
    (location.address ? directory.streetNamedIn(location.address)?.code : undefined);
  return { by: 'none', community: null, grid: null, street: street ?? null };
}

function isCoordinate(value: number | undefined, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}
