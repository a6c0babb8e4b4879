import { Directory, type Locators } from '../directory';
import type { CadreRecord, DirectorySnapshot, GridRecord } from '../model';
import { routeCase, type RoutingRequest } from './route-case';

/**
 * One test per routing rule (issue 13): the grid's cadre; absent (leave, out of post) or the one
 * who returned the case → the on-duty cadre; a rota gap or an absent on-duty cadre → the
 * community's queue; no community but a street → the street's dispatcher; a second return → the
 * street's dispatcher; nothing in the district → the district's dispatcher. Every decision cites
 * the rule and the versions it read.
 */

const TYC = 'pc.gucheng.taiyangcheng';
const YQL = 'pc.zhenhua.yunquanli';

function cadre(id: string, community: string, extra: Partial<CadreRecord> = {}): CadreRecord {
  return {
    id,
    badge: `B-${id}`,
    name: `演示${id}`,
    community,
    post: '委员',
    duties: ['综治'],
    status: 'active',
    leave: [],
    phone: '13800000000',
    demo: true,
    ...extra,
  };
}

function grid(code: string, community: string, responsibleCadreId: string | null): GridRecord {
  return { code, community, name: code, boundary: [], responsibleCadreId, gridWorkerIds: [] };
}

const snapshot: DirectorySnapshot = {
  version: 7,
  catalogueVersion: 3,
  district: { code: 'pc', name: '平城区' },
  streets: [
    { code: 'pc.gucheng', name: '古城街道' },
    { code: 'pc.zhenhua', name: '振华街道' },
  ],
  communities: [
    { code: TYC, street: 'pc.gucheng', name: '太阳城社区' },
    { code: YQL, street: 'pc.zhenhua', name: '云泉里社区' },
  ],
  grids: [
    grid(`${TYC}.g01`, TYC, 'c-grid'),
    grid(`${TYC}.g02`, TYC, 'c-leave'),
    grid(`${TYC}.g03`, TYC, 'c-gone'),
    grid(`${TYC}.g04`, TYC, null),
    grid(`${TYC}.g05`, TYC, 'c-yql'),
    grid(`${YQL}.g01`, YQL, 'c-yql'),
    grid(`${TYC}.g06`, TYC, 'c-covered'),
  ],
  cadres: [
    cadre('c-grid', TYC),
    cadre('c-leave', TYC, { leave: [{ from: '2026-12-01', to: '2026-12-03' }] }),
    cadre('c-gone', TYC, { status: 'inactive' }),
    cadre('c-duty', TYC),
    cadre('c-duty-away', TYC, { leave: [{ from: '2026-12-02', to: '2026-12-02' }] }),
    cadre('c-yql', YQL),
    // On leave with a named stand-in (代岗): c-grid on the 1st, c-duty-away (away on the 2nd) later.
    cadre('c-covered', TYC, {
      leave: [
        { from: '2026-12-01', to: '2026-12-01', standInId: 'c-grid' },
        { from: '2026-12-02', to: '2026-12-05', standInId: 'c-duty-away' },
      ],
    }),
  ],
  staff: [{ id: 'd-gucheng', name: '调度', role: 'dispatcher', orgUnit: 'pc.gucheng', demo: true }],
  units: [],
  matters: [],
  duty: [
    { community: TYC, day: '2026-12-01', cadreId: 'c-duty' },
    { community: TYC, day: '2026-12-02', cadreId: 'c-duty-away' },
    // 2026-12-03: a gap in the rota.
    { community: TYC, day: '2026-12-04', cadreId: 'c-grid' },
  ],
  rotations: [],
  addresses: [],
};

const locators: Locators = {
  point: ({ lng, lat }) => (lng > 113 && lng < 114 && lat > 40 && lat < 41 ? `${TYC}.g01` : undefined),
  address: (text) => (text.includes('太阳城小区3号楼') ? { community: TYC, grid: `${TYC}.g02` } : undefined),
};
const directory = new Directory(snapshot, locators);

function route(request: Partial<RoutingRequest>) {
  return routeCase(directory, { location: {}, day: '2026-12-01', returns: 0, ...request });
}

describe('routing: find one person', () => {
  it('grid_cadre: the located grid’s responsible cadre, present that day', () => {
    const decision = route({ location: { gridCode: `${TYC}.g01` } });
    expect(decision).toMatchObject({
      outcome: 'cadre',
      rule: 'grid_cadre',
      cadreId: 'c-grid',
      community: TYC,
      directoryVersion: 7,
      catalogueVersion: 3,
      located: { by: 'grid_code', grid: `${TYC}.g01`, community: TYC, street: 'pc.gucheng' },
    });
  });

  it('locates by point, then by address, then by community code', () => {
    expect(route({ location: { latitude: 40.1, longitude: 113.3 } }).located).toMatchObject({
      by: 'point',
      grid: `${TYC}.g01`,
    });
    expect(route({ location: { address: '古城街道太阳城小区3号楼' } }).located).toMatchObject({
      by: 'address',
      grid: `${TYC}.g02`,
    });
    expect(route({ location: { communityCode: YQL } }).located).toMatchObject({
      by: 'community_code',
      community: YQL,
      grid: null,
    });
    // An unknown grid code falls through to what else the case says.
    expect(route({ location: { gridCode: `${TYC}.g99`, communityCode: YQL } }).located.by).toBe(
      'community_code',
    );
  });

  it('on_duty_cadre: the grid’s cadre is on leave', () => {
    const decision = route({ location: { gridCode: `${TYC}.g02` }, day: '2026-12-01' });
    expect(decision).toMatchObject({ outcome: 'cadre', rule: 'on_duty_cadre', cadreId: 'c-duty' });
    expect(decision.passed).toContain(`grid ${TYC}.g02's cadre c-leave: on leave on 2026-12-01`);
  });

  it('stand_in: the grid’s cadre is on leave and the leave names who stands in', () => {
    const decision = route({ location: { gridCode: `${TYC}.g06` }, day: '2026-12-01' });
    expect(decision).toMatchObject({ outcome: 'cadre', rule: 'stand_in', cadreId: 'c-grid', community: TYC });
    expect(decision.passed).toEqual([`grid ${TYC}.g06's cadre c-covered: on leave on 2026-12-01`]);
  });

  it('the named stand-in away too, or the one who returned the case: on to the on-duty cadre', () => {
    const away = route({ location: { gridCode: `${TYC}.g06` }, day: '2026-12-02' });
    expect(away).toMatchObject({ rule: 'community_queue' });
    expect(away.passed).toContain(`stand-in for c-covered c-duty-away: on leave on 2026-12-02`);
    const back = route({ location: { gridCode: `${TYC}.g06` }, day: '2026-12-04' });
    expect(back).toMatchObject({ rule: 'stand_in', cadreId: 'c-duty-away' });
    const returned = route({
      location: { gridCode: `${TYC}.g06` },
      day: '2026-12-01',
      returns: 1,
      returnedBy: ['c-grid'],
    });
    expect(returned).toMatchObject({ rule: 'on_duty_cadre', cadreId: 'c-duty' });
    expect(returned.passed).toContain('stand-in for c-covered c-grid: returned this case');
  });

  it('on_duty_cadre: the grid’s cadre left the post, or the grid has none', () => {
    expect(route({ location: { gridCode: `${TYC}.g03` } })).toMatchObject({
      rule: 'on_duty_cadre',
      cadreId: 'c-duty',
    });
    expect(route({ location: { gridCode: `${TYC}.g04` } })).toMatchObject({
      rule: 'on_duty_cadre',
      cadreId: 'c-duty',
    });
  });

  it('on_duty_cadre: a grid whose named cadre works in another community is not theirs', () => {
    expect(route({ location: { gridCode: `${TYC}.g05` } })).toMatchObject({
      rule: 'on_duty_cadre',
      cadreId: 'c-duty',
    });
  });

  it('on_duty_cadre: after a return, never the cadre who returned it', () => {
    const decision = route({ location: { gridCode: `${TYC}.g01` }, returns: 1, returnedBy: ['c-grid'] });
    expect(decision).toMatchObject({ rule: 'on_duty_cadre', cadreId: 'c-duty' });
  });

  it('community_queue: the on-duty cadre is away too', () => {
    const decision = route({ location: { gridCode: `${TYC}.g02` }, day: '2026-12-02' });
    expect(decision).toMatchObject({ outcome: 'queue', rule: 'community_queue', orgUnit: TYC });
  });

  it('community_queue: a gap in the rota', () => {
    const decision = route({ location: { gridCode: `${TYC}.g02` }, day: '2026-12-03' });
    expect(decision).toMatchObject({ outcome: 'queue', rule: 'community_queue', orgUnit: TYC });
    expect(decision.passed).toContain(`on duty in ${TYC}: none`);
  });

  it('community_queue: located by community only, nobody on duty', () => {
    expect(route({ location: { communityCode: YQL } })).toMatchObject({
      rule: 'community_queue',
      orgUnit: YQL,
    });
  });

  it('street_dispatcher: the codes name a street the directory knows but no community it knows', () => {
    const decision = route({ location: { communityCode: 'pc.gucheng.nosuchplace' } });
    expect(decision).toMatchObject({ outcome: 'queue', rule: 'street_dispatcher', orgUnit: 'pc.gucheng' });
    expect(decision.located).toEqual({ by: 'none', community: null, grid: null, street: 'pc.gucheng' });
  });

  it('street_dispatcher: the address names a street, and nothing in it', () => {
    expect(route({ location: { address: '平城区古城街道东门附近' } })).toMatchObject({
      rule: 'street_dispatcher',
      orgUnit: 'pc.gucheng',
    });
  });

  it('second_return: a case returned twice goes to its street’s dispatcher', () => {
    const decision = route({
      location: { gridCode: `${TYC}.g01` },
      returns: 2,
      returnedBy: ['c-grid', 'c-duty'],
    });
    expect(decision).toMatchObject({ outcome: 'queue', rule: 'second_return', orgUnit: 'pc.gucheng' });
  });

  it('district_dispatcher: nothing locates the case in the district (兜底)', () => {
    expect(route({ location: {} })).toMatchObject({ rule: 'district_dispatcher', orgUnit: 'pc' });
    expect(route({ location: { latitude: 31.2, longitude: 121.5 } })).toMatchObject({
      rule: 'district_dispatcher',
      orgUnit: 'pc',
    });
    expect(route({ location: { address: '上海市黄浦区南京东路1号' } })).toMatchObject({
      rule: 'district_dispatcher',
    });
    expect(route({ location: { latitude: Number.NaN, longitude: 500 } })).toMatchObject({
      rule: 'district_dispatcher',
    });
    expect(route({ location: {}, returns: 3 })).toMatchObject({ rule: 'district_dispatcher', orgUnit: 'pc' });
  });

  it('a directory change: the same case routed before and after cites each version', () => {
    const before = route({ location: { gridCode: `${TYC}.g04` }, day: '2026-12-04' });
    const changed = new Directory(
      {
        ...snapshot,
        version: 8,
        grids: snapshot.grids.map((g) =>
          g.code === `${TYC}.g04` ? { ...g, responsibleCadreId: 'c-duty' } : g,
        ),
      },
      locators,
    );
    const after = routeCase(changed, { location: { gridCode: `${TYC}.g04` }, day: '2026-12-04', returns: 0 });
    expect(before).toMatchObject({ rule: 'on_duty_cadre', cadreId: 'c-grid', directoryVersion: 7 });
    expect(after).toMatchObject({ rule: 'grid_cadre', cadreId: 'c-duty', directoryVersion: 8 });
  });
});

describe('the directory as the routing-target lookup', () => {
  it('knows its cadres, staff and units, and nobody else', async () => {
    await expect(directory.person('c-grid')).resolves.toEqual({ found: 'cadre', community: TYC });
    await expect(directory.person('d-gucheng')).resolves.toEqual({ found: 'not_a_cadre' });
    await expect(directory.person('cadre-typo-99')).resolves.toEqual({ found: 'unknown' });
    await expect(directory.unit(`${TYC}.g01`)).resolves.toEqual({
      found: 'unit',
      unit: { code: `${TYC}.g01`, kind: 'grid', street: 'pc.gucheng' },
    });
    await expect(directory.unit('pc')).resolves.toMatchObject({ found: 'unit', unit: { kind: 'district' } });
    await expect(directory.unit('pc.gucheng.nosuchplace')).resolves.toEqual({ found: 'unknown' });
  });

  it('presence: in post and not on leave, by day (both ends of a leave included)', () => {
    expect(directory.isPresent('c-leave', '2026-11-30')).toBe(true);
    expect(directory.isPresent('c-leave', '2026-12-01')).toBe(false);
    expect(directory.isPresent('c-leave', '2026-12-03')).toBe(false);
    expect(directory.isPresent('c-leave', '2026-12-04')).toBe(true);
    expect(directory.isPresent('c-gone', '2026-12-01')).toBe(false);
    expect(directory.isPresent('nobody', '2026-12-01')).toBe(false);
  });
});
