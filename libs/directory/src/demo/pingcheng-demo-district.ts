import type {
  AddressRecord,
  CadreRecord,
  CommunityRecord,
  DirectorySnapshot,
  DutyRecord,
  GridRecord,
  LeaveRecord,
  RotationRecord,
  StaffRecord,
  StreetRecord,
  StreetUnitRecord,
} from '../model';
import { DISTRICT_RECT, lattice, split, toRing, type Rect } from './lattice';
import { addDays, isDay } from '../days';
import { DEMO_MATTERS } from './matters';
import { NAMED_COMPOUNDS, NAMED_LANDMARKS, ROADS, STREET_LATTICE, STREET_PLANS } from './places';
import { NameGenerator, SeededRandom } from './random';

/**
 * The demo district (issue 13): 平城区 with its 18 streets and 145 communities, their grids,
 * cadres, staff, units, catalogue, duty rota, rotations and addresses. Demo data throughout:
 * every person is invented (`demo: true`), and so are the geometry, phone numbers, street–
 * community assignments beyond the source text's two, compounds and road numbers (see
 * places.ts for which names are real).
 *
 * Deterministic: each concern draws from its own seeded stream, so the same options give the
 * same snapshot, and a change of rota range leaves places and people as they were.
 */
export interface PingchengDemoOptions {
  /** The rota's first day, `YYYY-MM-DD` (default `2026-11-30`, a Monday). */
  readonly from?: string;
  /** The rota's length in weeks (default 8). */
  readonly weeks?: number;
}

export const DEMO_ROTA_FROM = '2026-11-30';
export const DEMO_ROTA_WEEKS = 8;

/** The demo people the dev login (AUTH_MODE=dev) signs in as: same ids, roles and org units. */
export const DEMO_CADRE_SLOTS: ReadonlyMap<string, readonly (readonly [slot: number, id: string])[]> =
  new Map([
    [
      'pc.gucheng.taiyangcheng',
      [
        [4, 'demo-cadre-taiyangcheng'],
        [5, 'demo-cadre-taiyangcheng-2'],
      ],
    ],
    ['pc.zhenhua.yunquanli', [[4, 'demo-cadre-yunquanli']]],
  ]);

const DEMO_STAFF: readonly Omit<StaffRecord, 'name' | 'demo'>[] = [
  { id: 'demo-dispatcher', role: 'dispatcher', orgUnit: 'pc' },
  { id: 'demo-supervisor-district', role: 'supervisor', orgUnit: 'pc' },
  { id: 'demo-admin', role: 'admin', orgUnit: 'pc' },
  { id: 'demo-supervisor-gucheng', role: 'supervisor', orgUnit: 'pc.gucheng' },
  {
    id: 'demo-office-gucheng-public-service',
    role: 'office_staff',
    orgUnit: 'pc.gucheng.publicServiceOffice',
  },
  {
    id: 'demo-agency-zhenhua-market-supervision',
    role: 'office_staff',
    orgUnit: 'pc.zhenhua.marketSupervisionStation',
  },
];

/** A street's units: names as the source text gives them; stationed agencies invented per street. */
const STREET_UNITS: readonly Omit<StreetUnitRecord, 'code' | 'street'>[] = [
  { kind: 'office', name: '党建办公室', agencyType: null },
  { kind: 'office', name: '公共管理办公室', agencyType: null },
  { kind: 'office', name: '公共服务办公室', agencyType: null },
  { kind: 'office', name: '公共安全办公室(平安建设办公室)', agencyType: null },
  { kind: 'office', name: '综合行政执法办公室', agencyType: null },
  { kind: 'serviceUnit', name: '党群服务中心', agencyType: null },
  { kind: 'serviceUnit', name: '综合便民服务中心', agencyType: null },
  { kind: 'serviceUnit', name: '退役军人服务保障工作站', agencyType: null },
  { kind: 'stationedAgency', name: '市场监管所', agencyType: 'marketSupervision' },
  { kind: 'stationedAgency', name: '派出所', agencyType: 'police' },
  { kind: 'stationedAgency', name: '司法所', agencyType: 'judicial' },
  { kind: 'stationedAgency', name: '自然资源所', agencyType: 'naturalResources' },
];

/** Unit name segments, in STREET_UNITS order (glossary names for offices and service units). */
const STREET_UNIT_SEGMENTS: readonly string[] = [
  'partyBuildingOffice',
  'publicManagementOffice',
  'publicServiceOffice',
  'publicSafetyOffice',
  'lawEnforcementOffice',
  'partyMassesServiceCentre',
  'convenienceServiceCentre',
  'veteransServiceStation',
  'marketSupervisionStation',
  'policeStation',
  'judicialStation',
  'naturalResourcesStation',
];

/** Two-committee posts by seat; seats past the list are 委员. */
const COMMITTEE_POSTS = ['党支部书记', '居委会主任', '党支部副书记', '居委会副主任'];
const MEMBER_POST = '委员';
const GRID_WORKER_POST = '网格员';
const LEADER_DUTIES: readonly (readonly string[])[] = [
  ['全面工作', '党建'],
  ['全面工作', '居务公开'],
];
/** Duties shared out among the other members, most needed first (定岗定职定责). */
const MEMBER_DUTIES = [
  '民政',
  '综治',
  '环境卫生',
  '物业协调',
  '社保',
  '退役军人',
  '计生',
  '老龄',
  '安全生产',
  '信访调解',
  '残联',
  '就业',
  '城市管理',
  '文明创建',
];
const GRID_WORKER_DUTIES = ['网格巡查', '信息采集', '矛盾排查'];
const COMPOUND_SUFFIXES = ['家园', '花园', '嘉苑', '雅居'];
const CHINESE_DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

interface CommunityPlan {
  readonly record: CommunityRecord;
  readonly segment: string;
  readonly streetSegment: string;
  readonly streetName: string;
  /** The name without 社区: 太阳城. */
  readonly baseName: string;
  /** Badge prefix: PC-GC-TYC. */
  readonly badgePrefix: string;
  readonly rect: Rect;
}

export function pingchengDemoDistrict(options: PingchengDemoOptions = {}): DirectorySnapshot {
  const from = options.from ?? DEMO_ROTA_FROM;
  const weeks = options.weeks ?? DEMO_ROTA_WEEKS;
  if (!isDay(from)) {
    throw new Error(`rota start must be a YYYY-MM-DD day, got ${JSON.stringify(from)}`);
  }
  if (!Number.isInteger(weeks) || weeks < 1)
    throw new Error(`rota weeks must be a positive integer, got ${weeks}`);
  const days = Array.from({ length: weeks * 7 }, (_, i) => addDays(from, i));
  const last = addDays(from, weeks * 7 - 1);

  const geometry = new SeededRandom(2021_03_02);
  const people = new NameGenerator(new SeededRandom(145));
  const peopleRandom = new SeededRandom(88);
  const leaveRandom = new SeededRandom(18);
  const rotaNames = new NameGenerator(new SeededRandom(5000));
  const rotaRandom = new SeededRandom(5001);
  const addressRandom = new SeededRandom(860);

  const { streets, communities } = planPlaces(geometry);

  const grids: GridRecord[] = [];
  const cadres: CadreRecord[] = [];
  const duty: DutyRecord[] = [];
  const rotations: RotationRecord[] = [];
  const addresses: AddressRecord[] = [];
  const phones = new Set<string>();
  const roadNumbers = new Map<string, number>();

  for (const community of communities) {
    const code = community.record.code;
    const gridRects = split(community.rect, geometry.int(4, 12), geometry);
    const names = new Set<string>();

    // The two committees: seats 1–4 by post, then members; a few seats left vacant by a
    // member who has gone (inactive, kept for history).
    const demoSeats = new Map(DEMO_CADRE_SLOTS.get(code) ?? []);
    const committeeSize = Math.max(peopleRandom.int(5, 9), ...[...demoSeats.keys()].map((seat) => seat + 1));
    const committee: CadreRecord[] = [];
    const goneSeat =
      committeeSize >= 6 && peopleRandom.chance(0.15) ? peopleRandom.int(4, committeeSize - 1) : -1;
    const members = committeeSize - 2;
    const dutyCount = Math.min(MEMBER_DUTIES.length, 4 * members);
    for (let seat = 0; seat < committeeSize; seat++) {
      const duties =
        LEADER_DUTIES[seat] ??
        MEMBER_DUTIES.slice(0, dutyCount).filter((_, i) => i % members === seat - LEADER_DUTIES.length);
      committee.push({
        id:
          demoSeats.get(seat) ?? `cadre-${community.streetSegment}-${community.segment}-${pad(seat + 1, 2)}`,
        badge: `${community.badgePrefix}-${pad(seat + 1, 3)}`,
        name: people.uniqueName(names),
        community: code,
        post:
          seat === 0 && code === 'pc.gucheng.taiyangcheng'
            ? '党总支书记'
            : (COMMITTEE_POSTS[seat] ?? MEMBER_POST),
        duties,
        status: seat === goneSeat && !demoSeats.has(seat) ? 'inactive' : 'active',
        leave: [],
        phone: people.phone(phones),
        demo: true,
      });
    }

    // One member (never a demo user) may be on leave for a few days of the rota.
    const leaveCandidates = committee.filter((c) => c.status === 'active' && !c.id.startsWith('demo-'));
    if (leaveRandom.chance(0.5) && leaveCandidates.length > 0) {
      const cadre = leaveRandom.pick(leaveCandidates);
      const start = leaveRandom.int(0, Math.max(0, days.length - 3));
      const end = Math.min(days.length - 1, start + leaveRandom.int(2, 9));
      const leave: LeaveRecord = { from: days[start] ?? from, to: days[end] ?? from };
      committee[committee.indexOf(cadre)] = { ...cadre, leave: [leave] };
    }

    const workerCount = Math.max(2, Math.ceil(gridRects.length / 3));
    const workers: CadreRecord[] = Array.from({ length: workerCount }, (_, i) => ({
      id: `cadre-${community.streetSegment}-${community.segment}-${pad(committeeSize + i + 1, 2)}`,
      badge: `${community.badgePrefix}-${pad(committeeSize + i + 1, 3)}`,
      name: people.uniqueName(names),
      community: code,
      post: GRID_WORKER_POST,
      duties: GRID_WORKER_DUTIES,
      status: 'active',
      leave: [],
      phone: people.phone(phones),
      demo: true,
    }));
    cadres.push(...committee, ...workers);

    // Grids: each grid's head (网格长) is an active committee member, in turn, the community's
    // first demo cadre first; its grid worker covers up to three neighbouring grids.
    const heads = committee.filter((c) => c.status === 'active');
    const offset = Math.max(
      0,
      heads.findIndex((c) => c.id.startsWith('demo-')),
    );
    const communityGrids = gridRects.map((rect, i): GridRecord => {
      const worker = workers[Math.floor((i * workers.length) / gridRects.length)];
      return {
        code: `${code}.g${pad(i + 1, 2)}`,
        community: code,
        name: `第${chineseNumber(i + 1)}网格`,
        boundary: toRing(rect),
        responsibleCadreId: heads[(i + offset) % heads.length]?.id ?? null,
        gridWorkerIds: worker ? [worker.id] : [],
      };
    });
    grids.push(...communityGrids);

    // Duty: the active committee members in turn, passing over whoever is on leave that day.
    let next = 0;
    for (const day of days) {
      for (let tried = 0; tried < heads.length; tried++) {
        const candidate = heads[(next + tried) % heads.length];
        if (candidate && !onLeave(candidate, day)) {
          duty.push({ community: code, day, cadreId: candidate.id });
          next = (next + tried + 1) % heads.length;
          break;
        }
      }
    }

    // In-service Party members' weeks: a few each week, each serving one week.
    for (let week = mondayOnOrBefore(from); week <= last; week = addDays(week, 7)) {
      const count = rotaRandom.int(1, 4);
      rotations.push({
        community: code,
        week,
        members: Array.from({ length: count }, () => rotaNames.uniqueName(names)),
      });
    }

    addresses.push(...communityAddresses(community, communityGrids, addressRandom, roadNumbers));
  }

  return {
    version: 1,
    catalogueVersion: 1,
    district: { code: 'pc', name: '平城区' },
    streets: streets.map((s) => s.record),
    communities: communities.map((c) => c.record),
    grids,
    cadres,
    staff: planStaff(streets, new NameGenerator(new SeededRandom(13))),
    units: streets.flatMap((street) =>
      STREET_UNITS.map((unit, i) => ({
        ...unit,
        code: `${street.record.code}.${STREET_UNIT_SEGMENTS[i]}`,
        street: street.record.code,
      })),
    ),
    matters: DEMO_MATTERS,
    duty,
    rotations,
    addresses,
  };
}

interface StreetPlanned {
  readonly record: StreetRecord;
  readonly segment: string;
}

function planPlaces(geometry: SeededRandom): { streets: StreetPlanned[]; communities: CommunityPlan[] } {
  const blocks = lattice(DISTRICT_RECT, STREET_LATTICE.length, STREET_LATTICE[0]?.length ?? 0, geometry);
  const rectOf = new Map<string, Rect>();
  STREET_LATTICE.forEach((row, r) =>
    row.forEach((segment, c) => rectOf.set(segment, blocks[r]?.[c] as Rect)),
  );

  const streets: StreetPlanned[] = [];
  const communities: CommunityPlan[] = [];
  const segments = new Set<string>();
  for (const plan of STREET_PLANS) {
    const segment = plan.pinyin.replaceAll('-', '');
    const rect = rectOf.get(segment);
    if (!rect) throw new Error(`street ${segment} has no place in the lattice`);
    streets.push({ record: { code: `pc.${segment}`, name: `${plan.name}街道` }, segment });
    const rects = split(rect, plan.communities.length, geometry);
    const abbreviations = new Set<string>();
    plan.communities.forEach((entry, i) => {
      const [pinyin = '', baseName = ''] = entry.split(':');
      const communitySegment = unique(pinyin.replaceAll('-', ''), segments);
      const abbreviation = unique(initials(pinyin), abbreviations);
      communities.push({
        record: {
          code: `pc.${segment}.${communitySegment}`,
          street: `pc.${segment}`,
          name: `${baseName}社区`,
        },
        segment: communitySegment,
        streetSegment: segment,
        streetName: `${plan.name}街道`,
        baseName,
        badgePrefix: `PC-${initials(plan.pinyin)}-${abbreviation}`,
        rect: rects[i] as Rect,
      });
    });
  }
  return { streets, communities };
}

function planStaff(streets: readonly StreetPlanned[], names: NameGenerator): StaffRecord[] {
  const taken = new Set<string>();
  const staff: StaffRecord[] = [];
  const add = (record: Omit<StaffRecord, 'name' | 'demo'>) =>
    staff.push({ ...record, name: names.uniqueName(taken), demo: true });
  const demo = new Map(DEMO_STAFF.map((s) => [`${s.role}@${s.orgUnit}`, s]));
  const take = (role: StaffRecord['role'], orgUnit: string, id: string) => {
    const key = `${role}@${orgUnit}`;
    const demoUser = demo.get(key);
    demo.delete(key);
    add(demoUser ?? { id, role, orgUnit });
  };

  take('dispatcher', 'pc', 'demo-dispatcher');
  add({ id: 'staff-pc-dispatcher-2', role: 'dispatcher', orgUnit: 'pc' });
  take('supervisor', 'pc', 'demo-supervisor-district');
  take('admin', 'pc', 'demo-admin');
  for (const street of streets) {
    const code = street.record.code;
    take('dispatcher', code, `staff-${street.segment}-dispatcher`);
    take('supervisor', code, `staff-${street.segment}-supervisor`);
    for (const unit of STREET_UNIT_SEGMENTS) {
      const orgUnit = `${code}.${unit}`;
      const kebab = unit.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      take('office_staff', orgUnit, `staff-${street.segment}-${kebab}-1`);
      // Offices that take most referred steps have a second pair of hands.
      if (
        unit === 'publicServiceOffice' ||
        unit === 'lawEnforcementOffice' ||
        unit === 'marketSupervisionStation'
      ) {
        add({ id: `staff-${street.segment}-${kebab}-2`, role: 'office_staff', orgUnit });
      }
    }
  }
  if (demo.size > 0) throw new Error(`demo staff without a place: ${[...demo.keys()].join(', ')}`);
  return staff;
}

/**
 * A community's addresses: its compounds (小区) with numbered buildings, each building in one
 * grid, a few road numbers per grid, and the named places that lie there.
 */
function communityAddresses(
  community: CommunityPlan,
  grids: readonly GridRecord[],
  random: SeededRandom,
  roadNumbers: Map<string, number>,
): AddressRecord[] {
  const code = community.record.code;
  const compoundCount = 1 + Math.floor(grids.length / 5);
  const compounds = Array.from({ length: compoundCount }, (_, i) =>
    i === 0
      ? `${community.baseName}小区`
      : i === 1 && NAMED_COMPOUNDS.has(code)
        ? (NAMED_COMPOUNDS.get(code) ?? '')
        : `${community.baseName}${COMPOUND_SUFFIXES[(i - 1) % COMPOUND_SUFFIXES.length] ?? ''}`,
  );
  const nextBuilding = compounds.map(() => 1);
  const street = STREET_PLANS.find((plan) => `${plan.name}街道` === community.streetName);
  const roads = street ? roadsOf(street.pinyin.replaceAll('-', '')) : [];
  const out: AddressRecord[] = [];
  grids.forEach((grid, i) => {
    const c = Math.floor((i * compoundCount) / grids.length);
    const buildings = random.int(6, 10);
    for (let b = 0; b < buildings; b++) {
      const number = nextBuilding[c] ?? 1;
      nextBuilding[c] = number + 1;
      out.push({
        text: `${community.streetName}${compounds[c] ?? ''}${number}号楼`,
        community: code,
        grid: grid.code,
      });
    }
    const roadAddresses = random.int(1, 2);
    for (let r = 0; r < roadAddresses; r++) {
      const road = roads[(i + r) % roads.length];
      if (!road) continue;
      const number = (roadNumbers.get(road) ?? 0) + random.int(1, 6);
      roadNumbers.set(road, number);
      out.push({ text: `${road}${number}号`, community: code, grid: grid.code });
    }
  });
  const first = grids[0];
  for (const landmark of NAMED_LANDMARKS.get(code) ?? []) {
    if (first) out.push({ text: landmark, community: code, grid: first.code });
  }
  return out;
}

function roadsOf(streetSegment: string): readonly string[] {
  const at = STREET_LATTICE.flat().indexOf(streetSegment);
  return [ROADS[(2 * at) % ROADS.length] ?? '', ROADS[(2 * at + 1) % ROADS.length] ?? ''];
}

function onLeave(cadre: CadreRecord, day: string): boolean {
  return cadre.leave.some((leave) => leave.from <= day && day <= leave.to);
}

/** `candidate`, or with a digit when taken (xinyuan, xinyuan2): codes stay unique. */
function unique(candidate: string, taken: Set<string>): string {
  let result = candidate;
  for (let n = 2; taken.has(result); n++) result = `${candidate}${n}`;
  taken.add(result);
  return result;
}

/** `tai-yang-cheng` → `TYC`. */
function initials(pinyin: string): string {
  return pinyin
    .split('-')
    .map((syllable) => syllable.charAt(0).toUpperCase())
    .join('');
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** 1–99 in Chinese numerals: 一, 十, 十二, 二十一. */
export function chineseNumber(n: number): string {
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  const onesText = ones === 0 ? '' : (CHINESE_DIGITS[ones] ?? '');
  if (tens === 0) return onesText;
  return `${tens === 1 ? '' : (CHINESE_DIGITS[tens] ?? '')}十${onesText}`;
}

function mondayOnOrBefore(day: string): string {
  const [y = 0, m = 1, d = 1] = day.split('-').map(Number);
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return addDays(day, -((weekday + 6) % 7));
}
