import type { DirectoryLookup, DirectoryUnitKind, PersonLookup, UnitLookup } from './directory-lookup';
import { AddressIndex } from './locating/address-index';
import { GridLocator } from './locating/grid-locator';
import type {
  CadreRecord,
  CommunityRecord,
  DirectorySnapshot,
  MatterRecord,
  GridRecord,
  Point,
  StaffRecord,
  StreetRecord,
  StreetUnitRecord,
} from './model';

/** Where a place is: a grid (and so its community), or a community only. */
export interface Place {
  readonly community: string;
  readonly grid: string | null;
}

/**
 * How the directory finds places from what a resident wrote or where they stood: filled by the
 * locating indexes (point-in-polygon over the grids, the address index). Optional so the
 * directory works without them (then only codes locate).
 */
export interface Locators {
  point(point: Point): string | undefined;
  address(text: string): Place | undefined;
}

/**
 * The directory at one version, indexed for lookups: who is who, where, present or away, on
 * duty. Immutable: a change makes a new snapshot and a new
 * `Directory`. Also the `DirectoryLookup` port the case application checks routing targets
 * against (ADR 0012), answered from real data instead of the interim lookup.
 */
export class Directory implements DirectoryLookup {
  private readonly streets = new Map<string, StreetRecord>();
  private readonly communities = new Map<string, CommunityRecord>();
  private readonly grids = new Map<string, GridRecord>();
  private readonly cadres = new Map<string, CadreRecord>();
  private readonly staff = new Map<string, StaffRecord>();
  private readonly units = new Map<string, StreetUnitRecord>();
  private readonly duty = new Map<string, string>();
  private readonly matters = new Map<string, MatterRecord>();

  constructor(
    readonly snapshot: DirectorySnapshot,
    private readonly locators?: Locators,
  ) {
    for (const s of snapshot.streets) this.streets.set(s.code, s);
    for (const c of snapshot.communities) this.communities.set(c.code, c);
    for (const g of snapshot.grids) this.grids.set(g.code, g);
    for (const c of snapshot.cadres) this.cadres.set(c.id, c);
    for (const s of snapshot.staff) this.staff.set(s.id, s);
    for (const u of snapshot.units) this.units.set(u.code, u);
    for (const m of snapshot.matters) this.matters.set(m.code, m);
    for (const d of snapshot.duty) this.duty.set(`${d.community}\u0000${d.day}`, d.cadreId);
  }

  /** A directory over `snapshot` that locates by point (its grids) and by address (its index). */
  static indexed(snapshot: DirectorySnapshot): Directory {
    const grids = GridLocator.fromSnapshot(snapshot);
    const addresses = AddressIndex.fromSnapshot(snapshot);
    return new Directory(snapshot, {
      point: (point) => grids.locate(point)?.code,
      address: (text) => {
        const found = addresses.locate(text);
        return found ? { community: found.community, grid: found.grid } : undefined;
      },
    });
  }

  get version(): number {
    return this.snapshot.version;
  }

  get catalogueVersion(): number {
    return this.snapshot.catalogueVersion;
  }

  get districtCode(): string {
    return this.snapshot.district.code;
  }

  street(code: string): StreetRecord | undefined {
    return this.streets.get(code);
  }

  /** The street whose full name (古城街道) the text contains, if exactly one does. */
  streetNamedIn(text: string): StreetRecord | undefined {
    const named = this.snapshot.streets.filter((s) => text.includes(s.name));
    return named.length === 1 ? named[0] : undefined;
  }

  community(code: string): CommunityRecord | undefined {
    return this.communities.get(code);
  }

  grid(code: string): GridRecord | undefined {
    return this.grids.get(code);
  }

  cadre(id: string): CadreRecord | undefined {
    return this.cadres.get(id);
  }

  /** In post and not on leave that day: a case may be routed to them. */
  isPresent(cadreId: string, day: string): boolean {
    const cadre = this.cadres.get(cadreId);
    if (!cadre || cadre.status !== 'active') return false;
    return !cadre.leave.some((leave) => leave.from <= day && day <= leave.to);
  }

  /** A matter of the responsibility catalogue (权责清单). */
  matter(code: string): MatterRecord | undefined {
    return this.matters.get(code);
  }

  /**
   * The unit of `street` the catalogue makes responsible for the matter: its office or service
   * unit of that name, or its stationed agency of that type. Undefined when the matter is not in
   * the catalogue or the street has no such unit.
   */
  responsibleUnit(matterCode: string, street: string): StreetUnitRecord | undefined {
    const matter = this.matters.get(matterCode);
    if (!matter) return undefined;
    const { kind, name } = matter.responsible;
    if (kind !== 'stationedAgency') {
      const unit = this.units.get(`${street}.${name}`);
      return unit?.kind === kind ? unit : undefined;
    }
    return this.snapshot.units.find((u) => u.street === street && u.kind === kind && u.agencyType === name);
  }

  /**
   * Who the cadre's leave that day names to stand in (代岗): the latest recorded leave covering the
   * day decides. Undefined when the cadre is not on leave that day or named nobody.
   */
  standInFor(cadreId: string, day: string): string | undefined {
    const leave = this.cadres.get(cadreId)?.leave ?? [];
    for (let i = leave.length - 1; i >= 0; i--) {
      const l = leave[i]!;
      if (l.from <= day && day <= l.to) return l.standInId ?? undefined;
    }
    return undefined;
  }

  /** The cadre the rota puts on duty in the community that day (present or not), if any. */
  onDuty(community: string, day: string): string | undefined {
    return this.duty.get(`${community}\u0000${day}`);
  }

  /** The grid a point lies in, through the locating index (undefined without one). */
  gridAt(point: Point): GridRecord | undefined {
    const code = this.locators?.point(point);
    return code === undefined ? undefined : this.grids.get(code);
  }

  /** The place a point lies in (its grid and the grid's community), through the grid index. */
  placeAt(point: Point): Place | undefined {
    const grid = this.gridAt(point);
    return grid ? { community: grid.community, grid: grid.code } : undefined;
  }

  /** The place an address names, through the address index (undefined without one). */
  placeOf(address: string): Place | undefined {
    return this.locators?.address(address);
  }

  // ---- the DirectoryLookup port ----------------------------------------------------------------

  person(id: string, day?: string): Promise<PersonLookup> {
    const cadre = this.cadres.get(id);
    if (cadre) {
      return Promise.resolve({
        found: 'cadre',
        community: cadre.community,
        ...(day === undefined ? {} : { present: this.isPresent(id, day) }),
      });
    }
    return Promise.resolve(this.staff.has(id) ? { found: 'not_a_cadre' } : { found: 'unknown' });
  }

  unit(code: string): Promise<UnitLookup> {
    return Promise.resolve(this.unitNow(code));
  }

  private unitNow(code: string): UnitLookup {
    const found = (kind: DirectoryUnitKind, street: string | null): UnitLookup => ({
      found: 'unit',
      unit: { code, kind, street },
    });
    if (code === this.snapshot.district.code) return found('district', null);
    if (this.streets.has(code)) return found('street', code);
    const community = this.communities.get(code);
    if (community) return found('community', community.street);
    const grid = this.grids.get(code);
    if (grid) return found('grid', this.communities.get(grid.community)?.street ?? null);
    const unit = this.units.get(code);
    if (unit) return found(unit.kind, unit.street);
    return { found: 'unknown' };
  }
}
