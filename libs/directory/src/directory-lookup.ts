/**
 * What routing asks the directory (issue 13): is this person a cadre, and where do they work; does
 * this org unit exist, and what kind of unit is it. The case application checks the targets of
 * dispatch, hand-over and referral against it before anything is decided (ADR 0012).
 *
 * A port: the directory implements it when it lands; until then the case application has an
 * interim implementation (org unit codes by their format, the demo users in dev mode). Pure
 * types, so the domain stays free of Nest and I/O; lookups are asynchronous because the directory
 * will answer from its read models.
 */
export interface DirectoryLookup {
  /**
   * What is known of the person with this id, as a possible owner of a case; with `day`
   * (YYYY-MM-DD, the district's calendar), also whether a cadre is present: in post, not on leave.
   */
  person(id: string, day?: string): Promise<PersonLookup>;
  /** What is known of the org unit with this code. */
  unit(code: string): Promise<UnitLookup>;
}

/**
 * - `cadre`: a cadre, working in exactly one community (the directory refuses a cadre in two).
 * - `not_a_cadre`: a person the directory knows, in another role (a resident, a dispatcher…).
 * - `unknown`: nobody with this id.
 * - `unverified`: the lookup cannot tell (no directory to ask): the id is taken on trust.
 */
export type PersonLookup =
  | {
      readonly found: 'cadre';
      readonly community: string;
      /** Present on the day asked about; absent from the answer when not asked or not known. */
      readonly present?: boolean;
    }
  | { readonly found: 'not_a_cadre' }
  | { readonly found: 'unknown' }
  | { readonly found: 'unverified' };

/** The kinds of org unit the directory holds (docs/glossary.md). */
export const DIRECTORY_UNIT_KINDS = [
  'district',
  'street',
  'community',
  'grid',
  /** One of a street's five offices (办公室). */
  'office',
  /** One of a street's three public service units (事业单位). */
  'serviceUnit',
  /** An agency a district department stations in a street (派驻机构). */
  'stationedAgency',
] as const;
export type DirectoryUnitKind = (typeof DIRECTORY_UNIT_KINDS)[number];

export interface DirectoryUnit {
  readonly code: string;
  readonly kind: DirectoryUnitKind;
  /** The code of the street the unit is in or under; null for the district. */
  readonly street: string | null;
}

export type UnitLookup =
  { readonly found: 'unit'; readonly unit: DirectoryUnit } | { readonly found: 'unknown' };
