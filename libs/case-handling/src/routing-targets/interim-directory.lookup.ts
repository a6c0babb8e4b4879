import type { AuthMode } from '@tongban/config';
import type { DirectoryLookup, DirectoryUnitKind, PersonLookup, UnitLookup } from '@tongban/directory';
import { DEMO_USERS, parseOrgUnit, type DemoUser, type OrgUnit } from '@tongban/security';

/**
 * What the system knows of people and units until the directory lands (issue 13, ADR 0012):
 *
 * - units, in every mode, by the one code format (ADR 0009): the level from the code, and for a
 *   street unit the kind from its name: a street's five offices and three service units have
 *   the same names in every street (docs/glossary.md), so another name can only be a stationed
 *   agency (the glossary names none, so any other well-formed name is taken as one);
 * - people, in dev mode (AUTH_MODE=dev), are the demo users, the only people who can hold a token
 *   there, and the units are theirs and the glossary's offices and service units of their
 *   streets; in JWT mode no list of people exists, so a person is `unverified` and taken on trust.
 */

/** A street's five offices (办公室), by the names docs/glossary.md gives them. */
export const STREET_OFFICES: readonly string[] = [
  'partyBuildingOffice',
  'publicManagementOffice',
  'publicServiceOffice',
  'publicSafetyOffice',
  'lawEnforcementOffice',
];

/** A street's three public service units (事业单位). */
export const STREET_SERVICE_UNITS: readonly string[] = [
  'partyMassesServiceCentre',
  'convenienceServiceCentre',
  'veteransServiceStation',
];

/** The kind of a parsed unit, from its level and, for a street unit, its name. */
export function kindOf(unit: OrgUnit): DirectoryUnitKind {
  switch (unit.level) {
    case 'district':
    case 'street':
    case 'community':
    case 'grid':
      return unit.level;
    case 'streetUnit':
      if (STREET_OFFICES.includes(unit.name)) return 'office';
      if (STREET_SERVICE_UNITS.includes(unit.name)) return 'serviceUnit';
      return 'stationedAgency';
    default: {
      const never: never = unit;
      throw new Error(`unknown org unit level ${JSON.stringify(never)}`);
    }
  }
}

function lookUpByFormat(code: string): UnitLookup {
  const parsed = parseOrgUnit(code);
  if (!parsed.ok) return { found: 'unknown' };
  const { unit } = parsed;
  return {
    found: 'unit',
    unit: { code, kind: kindOf(unit), street: unit.level === 'district' ? null : unit.street },
  };
}

/**
 * JWT mode without a directory: units by their format, people unverified. What this cannot
 * catch (a cadre id that does not exist, a cadre named with a community they do not work in, a
 * stationed agency that does not exist) is the directory's to catch.
 */
export function formatDirectoryLookup(): DirectoryLookup {
  return {
    person: (): Promise<PersonLookup> => Promise.resolve({ found: 'unverified' }),
    unit: (code) => Promise.resolve(lookUpByFormat(code)),
  };
}

/**
 * Dev mode: the demo users are every person there is, and the units are the district, streets,
 * communities and units they act for, plus the offices and service units of those streets.
 */
export function demoDirectoryLookup(users: readonly DemoUser[] = DEMO_USERS): DirectoryLookup {
  const units = new Set<string>();
  for (const user of users) {
    const parsed = user.orgUnit === undefined ? undefined : parseOrgUnit(user.orgUnit);
    if (!parsed?.ok) continue;
    const { unit } = parsed;
    units.add(unit.code).add(unit.district);
    if (unit.level === 'district') continue;
    units.add(unit.street);
    if (unit.level === 'community' || unit.level === 'grid') units.add(unit.community);
    for (const name of [...STREET_OFFICES, ...STREET_SERVICE_UNITS]) units.add(`${unit.street}.${name}`);
  }
  const people = new Map(users.map((user) => [user.id, user]));
  return {
    person: (id) => {
      const user = people.get(id);
      const answer: PersonLookup = !user
        ? { found: 'unknown' }
        : user.role === 'cadre' && user.orgUnit !== undefined
          ? { found: 'cadre', community: user.orgUnit }
          : { found: 'not_a_cadre' };
      return Promise.resolve(answer);
    },
    unit: (code) => Promise.resolve(units.has(code) ? lookUpByFormat(code) : { found: 'unknown' }),
  };
}

/** The interim lookup for an auth mode: the demo directory in dev mode, the format otherwise. */
export function interimDirectoryLookup(mode: AuthMode): DirectoryLookup {
  return mode === 'dev' ? demoDirectoryLookup() : formatDirectoryLookup();
}
