/**
 * The directory's data (issue 13): the district's places, people, units, responsibilities and
 * rotas, as plain readonly records. A `DirectorySnapshot` is the whole directory at one version;
 * routing and locating read snapshots, never a database (pure TypeScript: no Nest, no I/O).
 *
 * Codes follow the one org unit format (ADR 0009): `pc` (district) · `pc.gucheng` (street) ·
 * `pc.gucheng.taiyangcheng` (community) · `pc.gucheng.taiyangcheng.g03` (grid) ·
 * `pc.gucheng.publicServiceOffice` (a street's office, service unit or stationed agency).
 * Days are Asia/Shanghai calendar days, `YYYY-MM-DD`.
 */

/** A point as WGS-84 longitude and latitude, in degrees. */
export interface Point {
  readonly lng: number;
  readonly lat: number;
}

/**
 * A simple polygon: its vertices in order (either winding), not repeating the first at the end.
 * Grids of a community tile it: they do not overlap (shared edges are fine).
 */
export type Ring = readonly Point[];

export interface DistrictRecord {
  readonly code: string;
  /** 平城区 */
  readonly name: string;
}

export interface StreetRecord {
  readonly code: string;
  /** 古城街道 */
  readonly name: string;
}

export interface CommunityRecord {
  readonly code: string;
  readonly street: string;
  /** 太阳城社区 */
  readonly name: string;
}

export interface GridRecord {
  readonly code: string;
  readonly community: string;
  /** 第三网格 */
  readonly name: string;
  readonly boundary: Ring;
  /** The community cadre responsible for the grid (网格长): routing's first choice. */
  readonly responsibleCadreId: string | null;
  /** Grid workers (网格员) who patrol it. */
  readonly gridWorkerIds: readonly string[];
}

/** A period of leave, both days included. */
export interface LeaveRecord {
  readonly from: string;
  readonly to: string;
  /**
   * Who stands in (代岗) for the cadre's grid meanwhile: routing's `stand_in` rule and the lookup's
   * stand-in. Absent or null: the community's on-duty cadre stands in.
   */
  readonly standInId?: string | null;
}

export interface CadreRecord {
  readonly id: string;
  /** The name badge's number (挂牌上岗). */
  readonly badge: string;
  readonly name: string;
  /** The one community the cadre works in. */
  readonly community: string;
  /** Fixed post, role and duty (定岗定职定责), as the badge states them. */
  readonly post: string;
  readonly duties: readonly string[];
  /** `active`: in post; `inactive`: left the post (kept for history, never routed to). */
  readonly status: 'active' | 'inactive';
  readonly leave: readonly LeaveRecord[];
  /** Office phone, shown to staff; residents see it masked. */
  readonly phone: string;
  /** Demo data (invented people). */
  readonly demo: boolean;
}

/** Staff who are not community cadres: dispatchers, office and agency staff, supervisors. */
export interface StaffRecord {
  readonly id: string;
  readonly name: string;
  readonly role: 'dispatcher' | 'office_staff' | 'supervisor' | 'admin';
  /** The district, a street, or a street unit. */
  readonly orgUnit: string;
  readonly demo: boolean;
}

/**
 * One of a street's units: its five offices (办公室), three public service units (事业单位), and
 * the agencies district departments station there (派驻机构), identified by `agencyType`.
 */
export interface StreetUnitRecord {
  readonly code: string;
  readonly street: string;
  readonly kind: 'office' | 'serviceUnit' | 'stationedAgency';
  /** 公共服务办公室 */
  readonly name: string;
  /** Stationed agencies: what kind (`marketSupervision`, `police`, `judicial`, …); null otherwise. */
  readonly agencyType: string | null;
}

/** Who the catalogue makes responsible for a matter beyond the community. */
export interface ResponsibleUnit {
  readonly kind: 'office' | 'serviceUnit' | 'stationedAgency';
  /**
   * For an office or service unit: the unit's name segment (`publicServiceOffice`); for a
   * stationed agency: its `agencyType`. The street is the case's.
   */
  readonly name: string;
}

/** One entry of the responsibility catalogue (权责清单). */
export interface MatterRecord {
  /** `PC-GGFW-0107` */
  readonly code: string;
  readonly name: string;
  readonly category: string;
  readonly responsible: ResponsibleUnit;
  /** The community's cadre handles it directly (referring steps when needed). */
  readonly communityHandles: boolean;
  readonly priority: 'normal' | 'high' | 'urgent';
  /** The SLA policy's id (the SLA issue defines the policies). */
  readonly slaPolicyId: string;
}

/** The cadre on duty in a community on a day (值班), from the duty rota. */
export interface DutyRecord {
  readonly community: string;
  readonly day: string;
  readonly cadreId: string;
}

/**
 * A week of in-service party members working in their residential community (在职党员下沉轮值):
 * shown in the community's rota, never routed to.
 */
export interface RotationRecord {
  readonly community: string;
  /** The Monday the week starts. */
  readonly week: string;
  readonly members: readonly string[];
}

/** A written address the index knows, and where it is. */
export interface AddressRecord {
  /** As written on the building or in the land register: 振华街道云泉里小区5号楼. */
  readonly text: string;
  readonly community: string;
  readonly grid: string;
}

export interface DirectorySnapshot {
  /** Changes applied so far to everything but the catalogue: each change makes a new version. */
  readonly version: number;
  /** Changes applied so far to the responsibility catalogue (`matters`). */
  readonly catalogueVersion: number;
  readonly district: DistrictRecord;
  readonly streets: readonly StreetRecord[];
  readonly communities: readonly CommunityRecord[];
  readonly grids: readonly GridRecord[];
  readonly cadres: readonly CadreRecord[];
  readonly staff: readonly StaffRecord[];
  readonly units: readonly StreetUnitRecord[];
  readonly matters: readonly MatterRecord[];
  readonly duty: readonly DutyRecord[];
  readonly rotations: readonly RotationRecord[];
  readonly addresses: readonly AddressRecord[];
}
