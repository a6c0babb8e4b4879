/**
 * Org unit codes (the `org_unit` claim), parsed rather than guessed. One format, one level per
 * shape, so "which level is this?" is answered by the code and never by counting dots:
 *
 * | level        | shape                              | example                                  |
 * | ------------ | ---------------------------------- | ---------------------------------------- |
 * | `district`   | `<district>`                       | `pc`                                     |
 * | `street`     | `<district>.<street>`              | `pc.gucheng`                             |
 * | `community`  | `<district>.<street>.<community>`  | `pc.gucheng.taiyangcheng`                |
 * | `grid`       | `<…community>.<grid>`              | `pc.gucheng.taiyangcheng.grid03`         |
 * | `streetUnit` | `<district>.<street>.<unitName>`   | `pc.gucheng.publicServiceOffice`         |
 *
 * Place segments (district, street, community, grid) are lowercase ASCII letters and digits,
 * starting with a letter, at most 32 characters: pinyin, as in docs/glossary.md. A street unit
 * (one of a street's offices, service units or stationed agencies) is named in camelCase with at
 * least one capital (`publicServiceOffice`, `marketSupervisionStation`, at most 48 characters),
 * which is what tells it from a community at the same depth. Nothing else is a code: no digits
 * first (numeric administrative codes such as `140213001` are refused, not read as a district),
 * no empty segments, no whitespace, no other characters, nothing deeper than a grid.
 *
 * Pure: no Nest, no I/O, so the domain and the read side may use it too.
 */
export const ORG_UNIT_LEVELS = ['district', 'street', 'community', 'grid', 'streetUnit'] as const;
export type OrgUnitLevel = (typeof ORG_UNIT_LEVELS)[number];

/**
 * A parsed org unit. `district`, `street` and `community` are the codes of the unit's ancestors
 * (and of itself at that level), in the same form read models store them (`pc.gucheng`), so
 * scope checks compare codes directly. `name` is the unit's own last segment.
 */
export type OrgUnit =
  | { readonly level: 'district'; readonly code: string; readonly name: string; readonly district: string }
  | {
      readonly level: 'street';
      readonly code: string;
      readonly name: string;
      readonly district: string;
      readonly street: string;
    }
  | {
      readonly level: 'community';
      readonly code: string;
      readonly name: string;
      readonly district: string;
      readonly street: string;
      readonly community: string;
    }
  | {
      readonly level: 'grid';
      readonly code: string;
      readonly name: string;
      readonly district: string;
      readonly street: string;
      readonly community: string;
    }
  | {
      readonly level: 'streetUnit';
      readonly code: string;
      readonly name: string;
      readonly district: string;
      readonly street: string;
    };

export const ORG_UNIT_PLACE_SEGMENT = /^[a-z][a-z0-9]{0,31}$/;
export const ORG_UNIT_UNIT_SEGMENT = /^(?=.{2,48}$)[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+$/;
/** The longest code the format allows: four place segments and their dots. */
export const ORG_UNIT_MAX_LENGTH = 4 * 32 + 3;

/** Why a string is not an org unit code; for logs and tests, never shown to callers verbatim. */
export type OrgUnitProblem =
  | 'notAString'
  | 'empty'
  | 'tooLong'
  | 'emptySegment'
  | 'tooDeep'
  | 'badDistrict'
  | 'badStreet'
  | 'badCommunityOrUnit'
  | 'badGrid';

export type OrgUnitParse =
  { readonly ok: true; readonly unit: OrgUnit } | { readonly ok: false; readonly problem: OrgUnitProblem };

/** Parses an org unit code; see the module comment for the format. */
export function parseOrgUnit(value: unknown): OrgUnitParse {
  if (typeof value !== 'string') return refused('notAString');
  if (value.length === 0) return refused('empty');
  if (value.length > ORG_UNIT_MAX_LENGTH) return refused('tooLong');
  const segments = value.split('.');
  if (segments.some((segment) => segment.length === 0)) return refused('emptySegment');
  if (segments.length > 4) return refused('tooDeep');
  const [district = '', street, third, grid] = segments;
  if (!ORG_UNIT_PLACE_SEGMENT.test(district)) return refused('badDistrict');
  if (street === undefined) return accepted({ level: 'district', code: value, name: district, district });
  if (!ORG_UNIT_PLACE_SEGMENT.test(street)) return refused('badStreet');
  const streetCode = `${district}.${street}`;
  const ofStreet = { district, street: streetCode };
  if (third === undefined) return accepted({ level: 'street', code: value, name: street, ...ofStreet });
  if (ORG_UNIT_UNIT_SEGMENT.test(third)) {
    // A street unit has no children: a segment below it makes the code too deep.
    if (grid !== undefined) return refused('tooDeep');
    return accepted({ level: 'streetUnit', code: value, name: third, ...ofStreet });
  }
  if (!ORG_UNIT_PLACE_SEGMENT.test(third)) return refused('badCommunityOrUnit');
  const ofCommunity = { ...ofStreet, community: `${streetCode}.${third}` };
  if (grid === undefined) return accepted({ level: 'community', code: value, name: third, ...ofCommunity });
  if (!ORG_UNIT_PLACE_SEGMENT.test(grid)) return refused('badGrid');
  return accepted({ level: 'grid', code: value, name: grid, ...ofCommunity });
}

/** `true` when `value` is an org unit code of any level. */
export function isOrgUnitCode(value: unknown): value is string {
  return parseOrgUnit(value).ok;
}

/**
 * The code of a parsed unit, rebuilt from its parent and its name (the inverse of
 * `parseOrgUnit`: `formatOrgUnit(parse(x).unit) === x` for every code `x`).
 */
export function formatOrgUnit(unit: OrgUnit): string {
  switch (unit.level) {
    case 'district':
      return unit.name;
    case 'street':
      return `${unit.district}.${unit.name}`;
    case 'community':
    case 'streetUnit':
      return `${unit.street}.${unit.name}`;
    case 'grid':
      return `${unit.community}.${unit.name}`;
    default: {
      const never: never = unit;
      throw new Error(`unknown org unit level ${JSON.stringify(never)}`);
    }
  }
}

const refused = (problem: OrgUnitProblem): OrgUnitParse => ({ ok: false, problem });
const accepted = (unit: OrgUnit): OrgUnitParse => ({ ok: true, unit });
