import type {
  AddressRecord,
  CadreRecord,
  CommunityRecord,
  DirectorySnapshot,
  DistrictRecord,
  DutyRecord,
  GridRecord,
  MatterRecord,
  RotationRecord,
  StaffRecord,
  StreetRecord,
  StreetUnitRecord,
} from '../model';
import type { CatalogueEvent, DirectoryEvent } from './directory-events';

/**
 * The fold of the `directory` and `catalogue` streams (ADR 0024): records by key, replaced —
 * never mutated — by each event, so a snapshot taken earlier stays what it was. `snapshot()` is
 * the whole directory at the versions applied so far.
 */
export class DirectoryState {
  private district: DistrictRecord | null = null;
  private readonly streets = new Map<string, StreetRecord>();
  private readonly communities = new Map<string, CommunityRecord>();
  private readonly grids = new Map<string, GridRecord>();
  private readonly cadres = new Map<string, CadreRecord>();
  private readonly staff = new Map<string, StaffRecord>();
  private readonly units = new Map<string, StreetUnitRecord>();
  private readonly matters = new Map<string, MatterRecord>();
  private readonly duty = new Map<string, DutyRecord>();
  private readonly rotations = new Map<string, RotationRecord>();
  private readonly addresses = new Map<string, AddressRecord>();
  /** The `directory` stream's version applied so far. */
  version = 0;
  /** The `catalogue` stream's version applied so far. */
  catalogueVersion = 0;

  /** Whether a district exists: without one there is no directory to route with. */
  get hasDistrict(): boolean {
    return this.district !== null;
  }

  applyDirectory(event: DirectoryEvent, version: number): void {
    if (version !== this.version + 1) {
      throw new Error(`directory event at version ${version} applied after ${this.version}`);
    }
    this.applyDirectoryEvent(event);
    // Only once applied: an event this version cannot apply is met again on the next read.
    this.version = version;
  }

  private applyDirectoryEvent(event: DirectoryEvent): void {
    switch (event.type) {
      case 'directory.records_imported':
        this.importPart(event);
        return;
      case 'directory.district_named':
        this.district = event.district;
        return;
      case 'directory.street_added':
        this.streets.set(event.street.code, event.street);
        return;
      case 'directory.community_added':
        this.communities.set(event.community.code, event.community);
        return;
      case 'directory.grid_drawn': {
        const before = this.grids.get(event.code);
        this.grids.set(event.code, {
          code: event.code,
          community: event.community,
          name: event.name,
          boundary: event.boundary,
          responsibleCadreId: before?.responsibleCadreId ?? null,
          gridWorkerIds: before?.gridWorkerIds ?? [],
        });
        return;
      }
      case 'directory.grid_cadre_assigned': {
        const grid = this.grids.get(event.grid);
        if (grid) this.grids.set(grid.code, { ...grid, responsibleCadreId: event.cadreId });
        return;
      }
      case 'directory.cadre_appointed':
        this.cadres.set(event.cadre.id, { ...event.cadre, status: 'active', leave: [] });
        return;
      case 'directory.cadre_left_post': {
        const cadre = this.cadres.get(event.cadreId);
        if (cadre) this.cadres.set(cadre.id, { ...cadre, status: 'inactive' });
        for (const code of event.releasedGrids) {
          const grid = this.grids.get(code);
          if (grid?.responsibleCadreId === event.cadreId) {
            this.grids.set(code, { ...grid, responsibleCadreId: null });
          }
        }
        return;
      }
      case 'directory.leave_recorded': {
        const cadre = this.cadres.get(event.cadreId);
        if (cadre) {
          const leave = { from: event.from, to: event.to, standInId: event.standInId };
          this.cadres.set(cadre.id, { ...cadre, leave: [...cadre.leave, leave] });
        }
        return;
      }
      case 'directory.duty_rota_set':
        for (const { day, cadreId } of event.days) {
          this.duty.set(dutyKey(event.community, day), { community: event.community, day, cadreId });
        }
        return;
      case 'directory.unit_added':
        this.units.set(event.unit.code, event.unit);
        return;
      case 'directory.addresses_registered':
        for (const address of event.addresses) this.addresses.set(address.text, address);
        return;
      default:
        throw new Error(`directory event ${(event as { type: string }).type} is not known to this version`);
    }
  }

  applyCatalogue(event: CatalogueEvent, version: number): void {
    if (version !== this.catalogueVersion + 1) {
      throw new Error(`catalogue event at version ${version} applied after ${this.catalogueVersion}`);
    }
    this.applyCatalogueEvent(event);
    this.catalogueVersion = version;
  }

  private applyCatalogueEvent(event: CatalogueEvent): void {
    switch (event.type) {
      case 'catalogue.records_imported':
        for (const matter of event.records) this.matters.set(matter.code, matter);
        return;
      case 'catalogue.matter_set':
        this.matters.set(event.matter.code, event.matter);
        return;
      default:
        throw new Error(`catalogue event ${(event as { type: string }).type} is not known to this version`);
    }
  }

  /** The directory at the versions applied; undefined while there is no district. */
  snapshot(): DirectorySnapshot | undefined {
    if (!this.district) return undefined;
    return {
      version: this.version,
      catalogueVersion: this.catalogueVersion,
      district: this.district,
      streets: [...this.streets.values()],
      communities: [...this.communities.values()],
      grids: [...this.grids.values()],
      cadres: [...this.cadres.values()],
      staff: [...this.staff.values()],
      units: [...this.units.values()],
      matters: [...this.matters.values()],
      duty: [...this.duty.values()],
      rotations: [...this.rotations.values()],
      addresses: [...this.addresses.values()],
    };
  }

  private importPart(event: Extract<DirectoryEvent, { type: 'directory.records_imported' }>): void {
    switch (event.part) {
      case 'district':
        for (const r of event.records) this.district = r;
        return;
      case 'streets':
        for (const r of event.records) this.streets.set(r.code, r);
        return;
      case 'communities':
        for (const r of event.records) this.communities.set(r.code, r);
        return;
      case 'grids':
        for (const r of event.records) this.grids.set(r.code, r);
        return;
      case 'cadres':
        for (const r of event.records) this.cadres.set(r.id, r);
        return;
      case 'staff':
        for (const r of event.records) this.staff.set(r.id, r);
        return;
      case 'units':
        for (const r of event.records) this.units.set(r.code, r);
        return;
      case 'duty':
        for (const r of event.records) this.duty.set(dutyKey(r.community, r.day), r);
        return;
      case 'rotations':
        for (const r of event.records) this.rotations.set(`${r.community}\u0000${r.week}`, r);
        return;
      case 'addresses':
        for (const r of event.records) this.addresses.set(r.text, r);
        return;
    }
  }
}

function dutyKey(community: string, day: string): string {
  return `${community}\u0000${day}`;
}
