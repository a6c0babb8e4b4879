import type { Ring } from '../model';
import { pingchengDemoDistrict } from './index';

// The org unit format (ADR 0009), as libs/platform/security states it: the directory may not
// import the platform (dependency-cruiser's domain-is-pure), so the two regexes are repeated.
const PLACE_SEGMENT = /^[a-z][a-z0-9]{0,31}$/;
const UNIT_SEGMENT = /^(?=.{2,48}$)[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

// The dev login's people (libs/platform/security/src/dev/demo-users.ts), minus residents and
// channels, which are not directory people. Repeated here for the same reason.
const DEMO_CADRES = [
  ['demo-cadre-taiyangcheng', 'pc.gucheng.taiyangcheng'],
  ['demo-cadre-taiyangcheng-2', 'pc.gucheng.taiyangcheng'],
  ['demo-cadre-yunquanli', 'pc.zhenhua.yunquanli'],
] as const;
const DEMO_STAFF = [
  ['demo-dispatcher', 'dispatcher', 'pc'],
  ['demo-office-gucheng-public-service', 'office_staff', 'pc.gucheng.publicServiceOffice'],
  ['demo-agency-zhenhua-market-supervision', 'office_staff', 'pc.zhenhua.marketSupervisionStation'],
  ['demo-supervisor-gucheng', 'supervisor', 'pc.gucheng'],
  ['demo-supervisor-district', 'supervisor', 'pc'],
  ['demo-admin', 'admin', 'pc'],
] as const;

const OFFICES = [
  'partyBuildingOffice',
  'publicManagementOffice',
  'publicServiceOffice',
  'publicSafetyOffice',
  'lawEnforcementOffice',
];
const SERVICE_UNITS = ['partyMassesServiceCentre', 'convenienceServiceCentre', 'veteransServiceStation'];

const snapshot = pingchengDemoDistrict();

function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  return values.filter((value) => (seen.has(value) ? true : (seen.add(value), false)));
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

interface Box {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

/** A ring as an integer micro-degree rectangle, or null when it is not an axis-aligned one. */
function box(ring: Ring): Box | null {
  if (ring.length !== 4) return null;
  const xs = ring.map((p) => Math.round(p.lng * 1e6));
  const ys = ring.map((p) => Math.round(p.lat * 1e6));
  if (ring.some((p, i) => p.lng !== (xs[i] ?? 0) / 1e6 || p.lat !== (ys[i] ?? 0) / 1e6)) return null;
  const b = { x0: Math.min(...xs), x1: Math.max(...xs), y0: Math.min(...ys), y1: Math.max(...ys) };
  const corners = new Set(xs.map((x, i) => `${x},${ys[i]}`));
  const expected = [`${b.x0},${b.y0}`, `${b.x1},${b.y0}`, `${b.x1},${b.y1}`, `${b.x0},${b.y1}`];
  return corners.size === 4 && expected.every((corner) => corners.has(corner)) && b.x0 < b.x1 && b.y0 < b.y1
    ? b
    : null;
}

const area = (b: Box): number => (b.x1 - b.x0) * (b.y1 - b.y0);
const overlap = (a: Box, b: Box): number =>
  Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0)) *
  Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0));
const hull = (boxes: readonly Box[]): Box => ({
  x0: Math.min(...boxes.map((b) => b.x0)),
  x1: Math.max(...boxes.map((b) => b.x1)),
  y0: Math.min(...boxes.map((b) => b.y0)),
  y1: Math.max(...boxes.map((b) => b.y1)),
});

/** Boxes tile `outer` when none overlaps another and their areas add up to its area. */
function tilingProblems(label: string, boxes: readonly Box[], outer: Box): string[] {
  const problems: string[] = [];
  const sum = boxes.reduce((total, b) => total + area(b), 0);
  if (sum !== area(outer)) problems.push(`${label}: areas add up to ${sum}, not ${area(outer)}`);
  boxes.forEach((a, i) => {
    if (a.x0 < outer.x0 || a.x1 > outer.x1 || a.y0 < outer.y0 || a.y1 > outer.y1)
      problems.push(`${label}: #${i} outside`);
    for (let j = i + 1; j < boxes.length; j++) {
      const b = boxes[j];
      if (b && overlap(a, b) > 0) problems.push(`${label}: #${i} overlaps #${j}`);
    }
  });
  return problems;
}

describe('the Pingcheng demo district', () => {
  it('is the same on every call, at version 1 of directory and catalogue', () => {
    // Compared as JSON: a deep toEqual of ~30,000 records is slow, and JSON keeps the order.
    expect(JSON.stringify(pingchengDemoDistrict()) === JSON.stringify(snapshot)).toBe(true);
    expect(
      JSON.stringify(pingchengDemoDistrict({ from: '2026-11-30', weeks: 8 })) === JSON.stringify(snapshot),
    ).toBe(true);
    expect(snapshot.version).toBe(1);
    expect(snapshot.catalogueVersion).toBe(1);
  });

  it('has 平城区, its 18 streets (古城 and 振华 among them) and 145 communities', () => {
    expect(snapshot.district).toEqual({ code: 'pc', name: '平城区' });
    expect(snapshot.streets).toHaveLength(18);
    expect(snapshot.communities).toHaveLength(145);
    expect(snapshot.streets).toEqual(
      expect.arrayContaining([
        { code: 'pc.gucheng', name: '古城街道' },
        { code: 'pc.zhenhua', name: '振华街道' },
      ]),
    );
    expect(snapshot.communities).toEqual(
      expect.arrayContaining([
        { code: 'pc.gucheng.taiyangcheng', street: 'pc.gucheng', name: '太阳城社区' },
        { code: 'pc.zhenhua.yunquanli', street: 'pc.zhenhua', name: '云泉里社区' },
      ]),
    );
    expect(snapshot.streets.every((s) => s.name.endsWith('街道'))).toBe(true);
    expect(snapshot.communities.every((c) => c.name.endsWith('社区'))).toBe(true);
  });

  it('writes every code in the org unit format, each level under its parent', () => {
    const bad: string[] = [];
    for (const s of snapshot.streets) {
      const [district, street, ...rest] = s.code.split('.');
      if (district !== 'pc' || !PLACE_SEGMENT.test(street ?? '') || rest.length > 0) bad.push(s.code);
    }
    for (const c of snapshot.communities) {
      if (!c.code.startsWith(`${c.street}.`) || !PLACE_SEGMENT.test(c.code.slice(c.street.length + 1)))
        bad.push(c.code);
    }
    for (const g of snapshot.grids) {
      if (!g.code.startsWith(`${g.community}.`) || !/^g\d{2}$/.test(g.code.slice(g.community.length + 1)))
        bad.push(g.code);
    }
    for (const u of snapshot.units) {
      if (!u.code.startsWith(`${u.street}.`) || !UNIT_SEGMENT.test(u.code.slice(u.street.length + 1)))
        bad.push(u.code);
    }
    expect(bad).toEqual([]);
  });

  it('never repeats a code, id, badge, phone or address text', () => {
    const codes = [
      snapshot.district.code,
      ...snapshot.streets.map((s) => s.code),
      ...snapshot.communities.map((c) => c.code),
      ...snapshot.grids.map((g) => g.code),
      ...snapshot.units.map((u) => u.code),
    ];
    expect(duplicates(codes)).toEqual([]);
    expect(duplicates([...snapshot.cadres.map((c) => c.id), ...snapshot.staff.map((s) => s.id)])).toEqual([]);
    expect(duplicates(snapshot.cadres.map((c) => c.badge))).toEqual([]);
    expect(duplicates(snapshot.cadres.map((c) => c.phone))).toEqual([]);
    expect(duplicates(snapshot.matters.map((m) => m.code))).toEqual([]);
    expect(duplicates(snapshot.addresses.map((a) => a.text))).toEqual([]);
    expect(duplicates(snapshot.communities.map((c) => c.name))).toEqual([]);
    expect(duplicates(snapshot.duty.map((d) => `${d.community}@${d.day}`))).toEqual([]);
    // Community codes are unique across the district: pinyin collisions take a digit.
    expect(snapshot.communities.map((c) => c.code)).toEqual(
      expect.arrayContaining(['pc.yongtai.xinyuan', 'pc.kaiyuan.xinyuan2']),
    );
  });

  describe('grids', () => {
    const gridsOf = groupBy(snapshot.grids, (g) => g.community);

    it('number 4 to 12 per community, about 1,000 to 1,300 in all, named 第一网格 onwards', () => {
      expect([...gridsOf.keys()].sort()).toEqual(snapshot.communities.map((c) => c.code).sort());
      const counts = [...gridsOf.values()].map((grids) => grids.length);
      expect(Math.min(...counts)).toBeGreaterThanOrEqual(4);
      expect(Math.max(...counts)).toBeLessThanOrEqual(12);
      expect(snapshot.grids.length).toBeGreaterThanOrEqual(1000);
      expect(snapshot.grids.length).toBeLessThanOrEqual(1300);
      const taiyangcheng = gridsOf.get('pc.gucheng.taiyangcheng') ?? [];
      expect(taiyangcheng[0]).toMatchObject({ code: 'pc.gucheng.taiyangcheng.g01', name: '第一网格' });
      expect(snapshot.grids.find((g) => g.code.endsWith('.g10'))?.name).toBe('第十网格');
      expect(snapshot.grids.find((g) => g.code.endsWith('.g12'))?.name).toBe('第十二网格');
    });

    it('tile their community, communities their street, streets the district, around Datong', () => {
      const boxes = new Map(snapshot.grids.map((g) => [g.code, box(g.boundary)]));
      expect([...boxes].filter(([, b]) => b === null).map(([code]) => code)).toEqual([]);
      const communityBox = new Map<string, Box>();
      const problems: string[] = [];
      for (const [community, grids] of gridsOf) {
        const own = grids.map((g) => boxes.get(g.code)).filter((b): b is Box => !!b);
        communityBox.set(community, hull(own));
        problems.push(...tilingProblems(community, own, hull(own)));
      }
      const streetBox = new Map<string, Box>();
      for (const [street, communities] of groupBy(snapshot.communities, (c) => c.street)) {
        const own = communities.map((c) => communityBox.get(c.code)).filter((b): b is Box => !!b);
        streetBox.set(street, hull(own));
        problems.push(...tilingProblems(street, own, hull(own)));
      }
      const district = hull([...streetBox.values()]);
      problems.push(...tilingProblems('pc', [...streetBox.values()], district));
      expect(problems).toEqual([]);
      expect(district).toEqual({ x0: 113_250_000, x1: 113_350_000, y0: 40_050_000, y1: 40_120_000 });
    });
  });

  describe('cadres', () => {
    const cadreById = new Map(snapshot.cadres.map((c) => [c.id, c]));
    const cadresOf = groupBy(snapshot.cadres, (c) => c.community);
    const onLeave = (id: string, day: string): boolean =>
      cadreById.get(id)?.leave.some((l) => l.from <= day && day <= l.to) ?? false;

    it('work in a community that exists, 5 to 9 two-committee members each, plus grid workers', () => {
      const communities = new Set(snapshot.communities.map((c) => c.code));
      expect(snapshot.cadres.filter((c) => !communities.has(c.community))).toEqual([]);
      for (const community of communities) {
        const committee = (cadresOf.get(community) ?? []).filter((c) => c.post !== '网格员');
        expect({ community, fits: committee.length >= 5 && committee.length <= 9 }).toEqual({
          community,
          fits: true,
        });
        expect(committee.filter((c) => c.status === 'active').length).toBeGreaterThanOrEqual(4);
        expect(committee.filter((c) => c.post.endsWith('书记') && !c.post.includes('副'))).toHaveLength(1);
      }
    });

    it('carry badges, posts, duties and invented phones, all marked as demo data', () => {
      const bad = snapshot.cadres.filter(
        (c) =>
          !/^PC-[A-Z]+-[A-Z]+\d?-\d{3}$/.test(c.badge) ||
          !/^1[3-9]\d{9}$/.test(c.phone) ||
          c.duties.length === 0 ||
          c.post === '' ||
          !/^[\u4e00-\u9fa5]{2,3}$/.test(c.name) ||
          !c.demo,
      );
      expect(bad).toEqual([]);
      expect(cadreById.get('cadre-gucheng-taiyangcheng-03')?.badge).toBe('PC-GC-TYC-003');
    });

    it('are mostly active: a few on leave within the rota, about 1% gone', () => {
      const inactive = snapshot.cadres.filter((c) => c.status === 'inactive');
      expect(inactive.length).toBeGreaterThan(0);
      expect(inactive.length / snapshot.cadres.length).toBeLessThan(0.02);
      const leave = snapshot.cadres.flatMap((c) => c.leave);
      expect(leave.length).toBeGreaterThan(10);
      const bad = leave.filter(
        (l) => !DAY.test(l.from) || l.from > l.to || l.from < '2026-11-30' || l.to > '2027-01-24',
      );
      expect(bad).toEqual([]);
      expect(inactive.filter((c) => c.leave.length > 0)).toEqual([]);
    });

    it('include the dev login cadres, active and never on leave', () => {
      for (const [id, community] of DEMO_CADRES) {
        expect(cadreById.get(id)).toMatchObject({ community, status: 'active', leave: [] });
      }
    });

    it('head every grid (an active committee member of its community) and patrol it (a grid worker there)', () => {
      const bad: string[] = [];
      for (const grid of snapshot.grids) {
        const head = cadreById.get(grid.responsibleCadreId ?? '');
        if (head?.community !== grid.community || head.status !== 'active' || head.post === '网格员')
          bad.push(grid.code);
        if (grid.gridWorkerIds.length === 0) bad.push(`${grid.code} has no grid worker`);
        for (const id of grid.gridWorkerIds) {
          const worker = cadreById.get(id);
          if (
            worker?.community !== grid.community ||
            worker.status !== 'active' ||
            worker.post !== '网格员'
          ) {
            bad.push(`${grid.code}: ${id}`);
          }
        }
      }
      expect(bad).toEqual([]);
      expect(snapshot.grids.find((g) => g.code === 'pc.gucheng.taiyangcheng.g01')?.responsibleCadreId).toBe(
        'demo-cadre-taiyangcheng',
      );
    });

    it('share the grids evenly among the active committee members', () => {
      for (const [community, grids] of groupBy(snapshot.grids, (g) => g.community)) {
        const load = [...groupBy(grids, (g) => g.responsibleCadreId ?? '').values()].map((g) => g.length);
        expect({ community, even: Math.max(...load) - Math.min(...load) <= 1 }).toEqual({
          community,
          even: true,
        });
      }
    });

    it('leave some grid heads away on some rota days, for routing to fall back', () => {
      const awayDays = snapshot.grids.flatMap((g) =>
        snapshot.duty
          .filter((d) => d.community === g.community && onLeave(g.responsibleCadreId ?? '', d.day))
          .map((d) => `${g.code}@${d.day}`),
      );
      expect(awayDays.length).toBeGreaterThan(0);
    });
  });

  describe('duty and rotations', () => {
    const cadreById = new Map(snapshot.cadres.map((c) => [c.id, c]));

    it('put one active cadre of the community, not on leave, on duty every day of the rota', () => {
      expect(snapshot.duty).toHaveLength(145 * 56);
      const days = [...new Set(snapshot.duty.map((d) => d.day))].sort();
      expect(days).toHaveLength(56);
      expect([days[0], days[55]]).toEqual(['2026-11-30', '2027-01-24']);
      const bad = snapshot.duty.filter((d) => {
        const cadre = cadreById.get(d.cadreId);
        return (
          cadre?.community !== d.community ||
          cadre.status !== 'active' ||
          cadre.leave.some((l) => l.from <= d.day && d.day <= l.to)
        );
      });
      expect(bad).toEqual([]);
    });

    it('rotate: nobody is on duty two days running in a community of several', () => {
      const runs = [...groupBy(snapshot.duty, (d) => d.community).values()].filter((rows) =>
        rows.some((row, i) => i > 0 && rows[i - 1]?.cadreId === row.cadreId),
      );
      expect(runs).toEqual([]);
    });

    it('follows the range asked for, leaving places and people as they were', () => {
      const other = pingchengDemoDistrict({ from: '2027-03-03', weeks: 2 });
      expect(other.duty).toHaveLength(145 * 14);
      expect(new Set(other.duty.map((d) => d.day)).size).toBe(14);
      expect(other.rotations.map((r) => r.week).sort()[0]).toBe('2027-03-01');
      expect(other.grids).toEqual(snapshot.grids);
      expect(other.addresses).toEqual(snapshot.addresses);
      expect(other.cadres.map(({ leave: _, ...c }) => c)).toEqual(
        snapshot.cadres.map(({ leave: _, ...c }) => c),
      );
      expect(() => pingchengDemoDistrict({ from: '2027-02-30' })).toThrow();
      expect(() => pingchengDemoDistrict({ weeks: 0 })).toThrow();
    });

    it('list a few in-service Party members each week, in every community, from Mondays', () => {
      expect(snapshot.rotations).toHaveLength(145 * 8);
      const bad = snapshot.rotations.filter(
        (r) =>
          new Date(`${r.week}T00:00:00Z`).getUTCDay() !== 1 ||
          r.members.length < 1 ||
          r.members.length > 4 ||
          !snapshot.communities.some((c) => c.code === r.community),
      );
      expect(bad).toEqual([]);
    });
  });

  describe('staff and units', () => {
    it('give every street the five offices, three service units and its stationed agencies', () => {
      const units = new Set(snapshot.units.map((u) => u.code));
      for (const street of snapshot.streets) {
        for (const name of [...OFFICES, ...SERVICE_UNITS]) expect(units).toContain(`${street.code}.${name}`);
        const own = snapshot.units.filter((u) => u.street === street.code);
        expect(own.filter((u) => u.kind === 'office').map((u) => u.code.split('.')[2])).toEqual(OFFICES);
        expect(own.filter((u) => u.kind === 'serviceUnit').map((u) => u.code.split('.')[2])).toEqual(
          SERVICE_UNITS,
        );
        expect(own.filter((u) => u.kind === 'stationedAgency').map((u) => u.agencyType)).toEqual([
          'marketSupervision',
          'police',
          'judicial',
          'naturalResources',
        ]);
        expect(own.filter((u) => (u.kind === 'stationedAgency') !== (u.agencyType !== null))).toEqual([]);
      }
      expect(snapshot.units.find((u) => u.code === 'pc.gucheng.publicSafetyOffice')?.name).toBe(
        '公共安全办公室(平安建设办公室)',
      );
    });

    it('place every staff member in the district, a street or a street unit, with dispatchers and supervisors everywhere', () => {
      const places = new Set([
        'pc',
        ...snapshot.streets.map((s) => s.code),
        ...snapshot.units.map((u) => u.code),
      ]);
      expect(snapshot.staff.filter((s) => !places.has(s.orgUnit) || !s.demo)).toEqual([]);
      for (const place of ['pc', ...snapshot.streets.map((s) => s.code)]) {
        for (const role of ['dispatcher', 'supervisor'] as const) {
          expect(snapshot.staff.filter((s) => s.orgUnit === place && s.role === role).length).toBeGreaterThan(
            0,
          );
        }
      }
      for (const unit of snapshot.units) {
        expect(
          snapshot.staff.filter((s) => s.orgUnit === unit.code && s.role === 'office_staff').length,
        ).toBeGreaterThan(0);
      }
      expect(snapshot.staff.filter((s) => s.role === 'admin').map((s) => s.orgUnit)).toEqual(['pc']);
    });

    it('include the dev login staff with their ids, roles and units', () => {
      for (const [id, role, orgUnit] of DEMO_STAFF) {
        expect(snapshot.staff.find((s) => s.id === id)).toMatchObject({ role, orgUnit });
      }
    });
  });

  describe('the catalogue', () => {
    const WORKLOAD_CODES = [
      'PC-WYGL-0101',
      'PC-GGFW-0107',
      'PC-ZHZF-0203',
      'PC-ZHZF-0115',
      'PC-SCJG-0301',
      'PC-GGFW-0212',
      'PC-GGGL-0104',
      'PC-TJ-0002',
      'PC-ZHZF-0301',
      'PC-GGAQ-0105',
      'PC-GGAQ-0210',
      'PC-GGFW-0115',
      'PC-GGFW-0401',
      'PC-SCJG-0112',
    ];

    it('lists at least 60 matters, the workload codes among them, in the code format', () => {
      expect(snapshot.matters.length).toBeGreaterThanOrEqual(60);
      expect(snapshot.matters.map((m) => m.code)).toEqual(expect.arrayContaining(WORKLOAD_CODES));
      expect(snapshot.matters.filter((m) => !/^PC-[A-Z]{2,4}-\d{4}$/.test(m.code))).toEqual([]);
      expect(
        snapshot.matters.filter(
          (m) => m.name === '' || m.category === '' || !/^[a-z]+-\d+[dh]$/.test(m.slaPolicyId),
        ),
      ).toEqual([]);
    });

    it('covers the everyday matters the issue names', () => {
      const names = snapshot.matters.map((m) => m.name).join(' ');
      for (const word of [
        '路灯',
        '红心物业',
        '垃圾',
        '噪声',
        '停水',
        '供暖',
        '养老',
        '退役军人',
        '户口',
        '身份证',
        '占道',
      ]) {
        expect(names).toContain(word);
      }
    });

    it('makes a unit responsible that every street has', () => {
      const street = snapshot.streets[0]?.code ?? '';
      const own = snapshot.units.filter((u) => u.street === street);
      const bad = snapshot.matters.filter(({ responsible }) =>
        responsible.kind === 'stationedAgency'
          ? !own.some((u) => u.kind === 'stationedAgency' && u.agencyType === responsible.name)
          : !own.some((u) => u.kind === responsible.kind && u.code === `${street}.${responsible.name}`),
      );
      expect(bad).toEqual([]);
    });
  });

  describe('addresses', () => {
    const gridByCode = new Map(snapshot.grids.map((g) => [g.code, g]));

    it('number over 10,000, each in a grid of its community, several per grid', () => {
      expect(snapshot.addresses.length).toBeGreaterThan(10_000);
      expect(snapshot.addresses.filter((a) => gridByCode.get(a.grid)?.community !== a.community)).toEqual([]);
      const perGrid = groupBy(snapshot.addresses, (a) => a.grid);
      expect(perGrid.size).toBe(snapshot.grids.length);
      expect(Math.min(...[...perGrid.values()].map((a) => a.length))).toBeGreaterThanOrEqual(5);
    });

    it('write compounds as street + compound + building, and roads as road + number', () => {
      const streetOf = new Map(snapshot.communities.map((c) => [c.code, c.street]));
      const streetName = new Map(snapshot.streets.map((s) => [s.code, s.name]));
      const bad = snapshot.addresses.filter((a) => {
        if (/^[\u4e00-\u9fa5]+(路|街|大道)\d+号$/.test(a.text)) return false;
        if (['迎宾广场', '城墙带状公园', '百盛商圈'].includes(a.text)) return false;
        const prefix = streetName.get(streetOf.get(a.community) ?? '') ?? '?';
        return !(a.text.startsWith(prefix) && /^[\u4e00-\u9fa5]+\d+号楼$/.test(a.text));
      });
      expect(bad).toEqual([]);
      expect(snapshot.addresses).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ text: '古城街道太阳城小区1号楼', community: 'pc.gucheng.taiyangcheng' }),
          expect.objectContaining({ text: '振华街道云泉里小区5号楼', community: 'pc.zhenhua.yunquanli' }),
          expect.objectContaining({ text: '迎宾广场' }),
        ]),
      );
    });
  });
});
