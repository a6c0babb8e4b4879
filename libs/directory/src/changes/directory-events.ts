import type {
  AddressRecord,
  CadreRecord,
  CommunityRecord,
  DistrictRecord,
  DutyRecord,
  GridRecord,
  MatterRecord,
  Ring,
  RotationRecord,
  StaffRecord,
  StreetRecord,
  StreetUnitRecord,
} from '../model';

/**
 * The directory as events (issue 13, ADR 0024). Two streams: `directory` (the org tree, grids,
 * people, units, leave, duty rota, addresses) and `catalogue` (the responsibility catalogue,
 * 权责清单). A stream's version IS the version routing cites: `directoryVersion` is the
 * `directory` stream's version, `catalogueVersion` the `catalogue` stream's, so "whose job was it
 * at that moment" is the fold of each stream up to the versions a case's dispatch names.
 *
 * Every event says who changed what, when and why (`by`, `at`, `reason`): the audit view lists
 * them as they are. Events are facts in the past tense; their shapes are added to, never changed.
 */
export const DIRECTORY_STREAM = 'directory';
export const CATALOGUE_STREAM = 'catalogue';
export type DirectoryStreamId = typeof DIRECTORY_STREAM | typeof CATALOGUE_STREAM;

/** Who made a change, when, and why. */
export interface ChangeStamp {
  readonly by: { readonly id: string; readonly role: string };
  /** ISO-8601 instant. */
  readonly at: string;
  readonly reason: string;
}

/** The parts a bulk import (a seed, a register handed over) carries, each with its records. */
export interface ImportedSections {
  readonly district: DistrictRecord;
  readonly streets: StreetRecord;
  readonly communities: CommunityRecord;
  readonly grids: GridRecord;
  readonly cadres: CadreRecord;
  readonly staff: StaffRecord;
  readonly units: StreetUnitRecord;
  readonly duty: DutyRecord;
  readonly rotations: RotationRecord;
  readonly addresses: AddressRecord;
}
export type ImportPart = keyof ImportedSections;
export const IMPORT_PARTS: readonly ImportPart[] = [
  'district',
  'streets',
  'communities',
  'grids',
  'cadres',
  'staff',
  'units',
  'duty',
  'rotations',
  'addresses',
];

type Imported = {
  [P in ImportPart]: {
    readonly type: 'directory.records_imported';
    /** The data set the records come from (`pingcheng-demo`): a seed is recognised by it. */
    readonly dataset: string;
    readonly part: P;
    readonly records: readonly ImportedSections[P][];
  };
}[ImportPart];

/** A cadre as appointed: the badge's facts (status and leave follow from later events). */
export type AppointedCadre = Omit<CadreRecord, 'status' | 'leave'>;

export type DirectoryEvent = ChangeStamp &
  (
    | Imported
    | { readonly type: 'directory.district_named'; readonly district: DistrictRecord }
    | { readonly type: 'directory.street_added'; readonly street: StreetRecord }
    | { readonly type: 'directory.community_added'; readonly community: CommunityRecord }
    | {
        /** A new grid, or a grid's boundary or name redrawn (its cadre and workers stay). */
        readonly type: 'directory.grid_drawn';
        readonly code: string;
        readonly community: string;
        readonly name: string;
        readonly boundary: Ring;
      }
    | {
        readonly type: 'directory.grid_cadre_assigned';
        readonly grid: string;
        /** Null: the grid has no responsible cadre (routing goes on to the on-duty cadre). */
        readonly cadreId: string | null;
      }
    | { readonly type: 'directory.cadre_appointed'; readonly cadre: AppointedCadre }
    | {
        readonly type: 'directory.cadre_left_post';
        readonly cadreId: string;
        /** Grids the cadre was responsible for: they have none until one is assigned. */
        readonly releasedGrids: readonly string[];
      }
    | {
        readonly type: 'directory.leave_recorded';
        readonly cadreId: string;
        readonly from: string;
        readonly to: string;
        /** Who stands in (代岗) for the cadre's grids meanwhile; null: the on-duty cadre. */
        readonly standInId: string | null;
      }
    | {
        /** The duty rota of a community for consecutive days, replacing what those days had. */
        readonly type: 'directory.duty_rota_set';
        readonly community: string;
        readonly days: readonly { readonly day: string; readonly cadreId: string }[];
      }
    | { readonly type: 'directory.unit_added'; readonly unit: StreetUnitRecord }
    | { readonly type: 'directory.addresses_registered'; readonly addresses: readonly AddressRecord[] }
  );

export type CatalogueEvent = ChangeStamp &
  (
    | {
        readonly type: 'catalogue.records_imported';
        readonly dataset: string;
        readonly records: readonly MatterRecord[];
      }
    | {
        /** A matter listed, or its entry changed. */
        readonly type: 'catalogue.matter_set';
        readonly matter: MatterRecord;
      }
  );

export type DirectoryChangeEvent = DirectoryEvent | CatalogueEvent;

export const DIRECTORY_EVENT_TYPES: readonly DirectoryEvent['type'][] = [
  'directory.records_imported',
  'directory.district_named',
  'directory.street_added',
  'directory.community_added',
  'directory.grid_drawn',
  'directory.grid_cadre_assigned',
  'directory.cadre_appointed',
  'directory.cadre_left_post',
  'directory.leave_recorded',
  'directory.duty_rota_set',
  'directory.unit_added',
  'directory.addresses_registered',
];
export const CATALOGUE_EVENT_TYPES: readonly CatalogueEvent['type'][] = [
  'catalogue.records_imported',
  'catalogue.matter_set',
];

/** The stream an event belongs to. */
export function streamOf(event: DirectoryChangeEvent): DirectoryStreamId {
  return event.type.startsWith('catalogue.') ? CATALOGUE_STREAM : DIRECTORY_STREAM;
}
