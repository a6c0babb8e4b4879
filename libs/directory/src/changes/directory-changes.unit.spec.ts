import { pingchengDemoDistrict } from '../demo';
import { Directory } from '../directory';
import type { Ring } from '../model';
import { decideChange, type DirectoryChange } from './decide-change';
import type { ChangeStamp, DirectoryEvent } from './directory-events';
import { DirectoryState } from './directory-state';
import { DirectoryError, type DirectoryErrorCode } from './directory.errors';
import { importEvents } from './import-events';

/**
 * The directory as events (issue 13, ADR 0024): the fold gives back what was imported, every
 * admin change is checked before anything is decided, and each refusal has its code.
 */

const stamp: ChangeStamp = {
  by: { id: 'admin-pc', role: 'admin' },
  at: '2026-11-30T02:00:00.000Z',
  reason: '测试',
};
const TYC = 'pc.gucheng.taiyangcheng';

const square = (lng: number, lat: number, size = 0.01): Ring => [
  { lng, lat },
  { lng: lng + size, lat },
  { lng: lng + size, lat: lat + size },
  { lng, lat: lat + size },
];

/** A directory built the way an admin would, one change at a time, through the fold. */
class Built {
  readonly state = new DirectoryState();
  directory: Directory | undefined;

  apply(...changes: DirectoryChange[]): this {
    for (const change of changes) {
      const decided = decideChange(this.directory, change, stamp);
      for (const event of decided.events) {
        if (decided.stream === 'directory')
          this.state.applyDirectory(event as DirectoryEvent, this.state.version + 1);
        else this.state.applyCatalogue(event as never, this.state.catalogueVersion + 1);
      }
      const snapshot = this.state.snapshot();
      this.directory = snapshot ? Directory.indexed(snapshot) : undefined;
    }
    return this;
  }

  refuses(change: DirectoryChange, code: DirectoryErrorCode): DirectoryError {
    const before = this.state.version;
    let caught: unknown;
    try {
      decideChange(this.directory, change, stamp);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DirectoryError);
    expect((caught as DirectoryError).code).toBe(code);
    expect(this.state.version).toBe(before);
    return caught as DirectoryError;
  }
}

const cadre = (id: string, community = TYC, badge = `B-${id}`) => ({
  type: 'AppointCadre' as const,
  cadre: {
    id,
    badge,
    name: `演示${id}`,
    community,
    post: '委员',
    duties: ['综治'],
    phone: '13800000000',
    demo: true,
  },
});

function district(): Built {
  return new Built().apply(
    { type: 'NameDistrict', code: 'pc', name: '平城区' },
    { type: 'AddStreet', code: 'pc.gucheng', name: '古城街道' },
    { type: 'AddCommunity', code: TYC, name: '太阳城社区' },
    { type: 'AddCommunity', code: 'pc.gucheng.dongguan', name: '东关社区' },
    { type: 'DrawGrid', code: `${TYC}.g01`, name: '第一网格', boundary: square(113.3, 40.1) },
    { type: 'DrawGrid', code: `${TYC}.g02`, name: '第二网格', boundary: square(113.31, 40.1) },
    cadre('a'),
    cadre('b'),
    cadre('c'),
    cadre('d', 'pc.gucheng.dongguan'),
    {
      type: 'AddUnit',
      unit: {
        code: 'pc.gucheng.publicServiceOffice',
        street: 'pc.gucheng',
        kind: 'office',
        name: '公共服务办公室',
        agencyType: null,
      },
    },
  );
}

describe('the directory as events', () => {
  it('folding the import of the demo district gives the demo district back, in events under the size cap', () => {
    const demo = pingchengDemoDistrict({ from: '2026-11-23' });
    const events = importEvents(demo, 'pingcheng-demo', stamp);
    for (const e of [...events.directory, ...events.catalogue]) {
      expect(Buffer.byteLength(JSON.stringify(e))).toBeLessThan(300 * 1024);
    }
    const state = new DirectoryState();
    events.directory.forEach((e, i) =>
      state.applyDirectory(JSON.parse(JSON.stringify(e)) as DirectoryEvent, i + 1),
    );
    events.catalogue.forEach((e, i) => state.applyCatalogue(JSON.parse(JSON.stringify(e)) as never, i + 1));
    expect(state.snapshot()).toEqual({
      ...demo,
      version: events.directory.length,
      catalogueVersion: events.catalogue.length,
    });
  });

  it('an event out of order is never applied', () => {
    const state = new DirectoryState();
    expect(() =>
      state.applyDirectory(
        { ...stamp, type: 'directory.district_named', district: { code: 'pc', name: '平城区' } },
        2,
      ),
    ).toThrow(/version 2 applied after 0/);
  });

  it('builds a district change by change; every event carries who and why', () => {
    const built = district();
    const directory = built.directory!;
    expect(directory.version).toBe(11);
    expect(directory.community(TYC)?.street).toBe('pc.gucheng');
    expect(directory.placeAt({ lng: 113.305, lat: 40.105 })).toEqual({ community: TYC, grid: `${TYC}.g01` });
    const decided = decideChange(
      directory,
      { type: 'AssignGridCadre', grid: `${TYC}.g01`, cadreId: 'a' },
      stamp,
    );
    expect(decided.events[0]).toMatchObject({ by: stamp.by, at: stamp.at, reason: '测试' });
  });

  it('refuses a change before the district is named, and a second district', () => {
    new Built().refuses(
      { type: 'AddStreet', code: 'pc.gucheng', name: '古城街道' },
      'directory.unknown_parent',
    );
    district().refuses({ type: 'NameDistrict', code: 'pc', name: '平城区' }, 'directory.already_exists');
  });

  it('unknown parent: a community under a street that does not exist, a grid under no community, a unit under no street', () => {
    const built = district();
    built.refuses(
      { type: 'AddCommunity', code: 'pc.nosuchstreet.x', name: '某社区' },
      'directory.unknown_parent',
    );
    built.refuses({ type: 'AddStreet', code: 'xx.gucheng', name: '古城街道' }, 'directory.unknown_parent');
    built.refuses(
      { type: 'DrawGrid', code: 'pc.gucheng.nowhere.g01', name: '网格', boundary: square(113.5, 40.5) },
      'directory.unknown_parent',
    );
    built.refuses(
      {
        type: 'AddUnit',
        unit: {
          code: 'pc.nowhere.office',
          street: 'pc.nowhere',
          kind: 'office',
          name: '办公室',
          agencyType: null,
        },
      },
      'directory.unknown_parent',
    );
    built.refuses(cadre('e', 'pc.gucheng.nowhere'), 'directory.unknown_parent');
    built.refuses({ type: 'AddCommunity', code: TYC, name: '太阳城社区' }, 'directory.already_exists');
  });

  it('grids: an overlap is refused, a shared edge is fine, and a boundary must be a simple polygon', () => {
    const built = district();
    const overlap = built.refuses(
      { type: 'DrawGrid', code: `${TYC}.g03`, name: '第三网格', boundary: square(113.305, 40.105) },
      'directory.grids_overlap',
    );
    expect(overlap.message).toContain(`${TYC}.g01`);
    built.refuses(
      {
        type: 'DrawGrid',
        code: `${TYC}.g03`,
        name: '第三网格',
        boundary: [
          { lng: 113.4, lat: 40.1 },
          { lng: 113.41, lat: 40.11 },
          { lng: 113.41, lat: 40.1 },
          { lng: 113.4, lat: 40.11 },
        ],
      },
      'directory.invalid_boundary',
    );
    built.refuses(
      { type: 'DrawGrid', code: `${TYC}.g03`, name: '第三网格', boundary: square(113.4, 95) },
      'directory.invalid_boundary',
    );
    // Redrawing a grid over its own old boundary is no overlap; an edge shared with g02 neither.
    built.apply({
      type: 'DrawGrid',
      code: `${TYC}.g01`,
      name: '第一网格',
      boundary: square(113.3, 40.1, 0.005),
    });
    built.apply({
      type: 'DrawGrid',
      code: `${TYC}.g03`,
      name: '第三网格',
      boundary: square(113.31 + 0.01, 40.1),
    });
    expect(built.directory!.grid(`${TYC}.g03`)?.community).toBe(TYC);
  });

  it('a cadre in two communities, a taken badge, a grid given to a cadre of another community', () => {
    const built = district();
    built.refuses(cadre('a', 'pc.gucheng.dongguan'), 'directory.cadre_in_two_communities');
    built.refuses(cadre('a'), 'directory.already_exists');
    built.refuses(cadre('e', TYC, 'B-a'), 'directory.badge_taken');
    built.refuses(
      { type: 'AssignGridCadre', grid: `${TYC}.g01`, cadreId: 'd' },
      'directory.not_in_community',
    );
    built.refuses(
      { type: 'AssignGridCadre', grid: `${TYC}.g01`, cadreId: 'nobody' },
      'directory.unknown_cadre',
    );
    built.refuses({ type: 'AssignGridCadre', grid: `${TYC}.g99`, cadreId: 'a' }, 'directory.not_found');
    // Leaving the post releases the grids; then the cadre may be appointed elsewhere, badge and all.
    built.apply(
      { type: 'AssignGridCadre', grid: `${TYC}.g01`, cadreId: 'a' },
      { type: 'EndCadrePost', cadreId: 'a' },
    );
    expect(built.directory!.grid(`${TYC}.g01`)?.responsibleCadreId).toBeNull();
    built.refuses({ type: 'EndCadrePost', cadreId: 'a' }, 'directory.cadre_not_in_post');
    built.apply(cadre('a', 'pc.gucheng.dongguan'));
    expect(built.directory!.cadre('a')).toMatchObject({ community: 'pc.gucheng.dongguan', status: 'active' });
  });

  it('leave: a stand-in of the same community; a chain that comes back is a cycle', () => {
    const built = district();
    built.apply({ type: 'RecordLeave', cadreId: 'a', from: '2026-12-01', to: '2026-12-05', standInId: 'b' });
    expect(built.directory!.standInFor('a', '2026-12-03')).toBe('b');
    const cycle = built.refuses(
      { type: 'RecordLeave', cadreId: 'b', from: '2026-12-05', to: '2026-12-06', standInId: 'a' },
      'directory.stand_in_cycle',
    );
    expect(cycle.message).toContain('b → a → b');
    // A chain is fine: b away with c standing in, on days a is away with b standing in.
    built.apply({ type: 'RecordLeave', cadreId: 'b', from: '2026-12-05', to: '2026-12-06', standInId: 'c' });
    built.refuses(
      { type: 'RecordLeave', cadreId: 'c', from: '2026-12-05', to: '2026-12-05', standInId: 'a' },
      'directory.stand_in_cycle',
    );
    built.refuses(
      { type: 'RecordLeave', cadreId: 'a', from: '2026-12-01', to: '2026-12-01', standInId: 'a' },
      'directory.stand_in_cycle',
    );
    built.refuses(
      { type: 'RecordLeave', cadreId: 'a', from: '2026-12-01', to: '2026-12-01', standInId: 'd' },
      'directory.not_in_community',
    );
    built.refuses(
      { type: 'RecordLeave', cadreId: 'a', from: '2026-12-05', to: '2026-12-01', standInId: null },
      'directory.invalid_days',
    );
    built.refuses(
      { type: 'RecordLeave', cadreId: 'a', from: '2026-02-30', to: '2026-03-01', standInId: null },
      'directory.invalid_days',
    );
    built.refuses(
      { type: 'RecordLeave', cadreId: 'a', from: '2026-01-01', to: '2027-06-01', standInId: null },
      'directory.invalid_days',
    );
    built.refuses(
      { type: 'RecordLeave', cadreId: 'z', from: '2026-12-01', to: '2026-12-01', standInId: null },
      'directory.not_found',
    );
  });

  it('duty rota: consecutive days of the community’s cadres, continuing the rota without a gap', () => {
    const built = district();
    const days = (from: number, to: number, cadreId = 'a') =>
      Array.from({ length: to - from + 1 }, (_, i) => ({
        day: `2026-12-${String(from + i).padStart(2, '0')}`,
        cadreId,
      }));
    built.apply({ type: 'SetDutyRota', community: TYC, days: days(1, 7) });
    expect(built.directory!.onDuty(TYC, '2026-12-07')).toBe('a');
    const gap = built.refuses(
      { type: 'SetDutyRota', community: TYC, days: [...days(8, 9), ...days(11, 14)] },
      'directory.rota_gap',
    );
    expect(gap.message).toContain('2026-12-10');
    built.refuses(
      { type: 'SetDutyRota', community: TYC, days: [...days(8, 9), ...days(9, 9)] },
      'directory.rota_gap',
    );
    const after = built.refuses(
      { type: 'SetDutyRota', community: TYC, days: days(10, 16) },
      'directory.rota_gap',
    );
    expect(after.message).toContain('from 2026-12-08 to 2026-12-09 nobody would be on duty');
    built.refuses(
      { type: 'SetDutyRota', community: TYC, days: days(8, 14, 'd') },
      'directory.not_in_community',
    );
    built.refuses(
      { type: 'SetDutyRota', community: TYC, days: days(8, 14, 'ghost') },
      'directory.unknown_cadre',
    );
    built.refuses({ type: 'SetDutyRota', community: TYC, days: [] }, 'directory.rota_gap');
    built.refuses(
      { type: 'SetDutyRota', community: 'pc.gucheng.nowhere', days: days(8, 9) },
      'directory.not_found',
    );
    // Replacing days already on the rota, and continuing it the next day, are fine.
    built.apply({ type: 'SetDutyRota', community: TYC, days: [...days(5, 7, 'b'), ...days(8, 14, 'c')] });
    expect(
      [5, 8, 14].map((d) => built.directory!.onDuty(TYC, `2026-12-${String(d).padStart(2, '0')}`)),
    ).toEqual(['b', 'c', 'c']);
  });

  it('addresses into known grids; the catalogue names units a street has, in its own stream', () => {
    const built = district();
    built.refuses(
      { type: 'RegisterAddresses', addresses: [{ text: '古城街道太阳城小区1号楼', grid: `${TYC}.g09` }] },
      'directory.unknown_grid',
    );
    built.apply({
      type: 'RegisterAddresses',
      addresses: [{ text: '古城街道太阳城小区1号楼', grid: `${TYC}.g02` }],
    });
    expect(built.directory!.placeOf('太阳城小区1号楼')).toEqual({ community: TYC, grid: `${TYC}.g02` });
    const matter = {
      code: 'PC-GGFW-0001',
      name: '路灯不亮',
      category: '市政设施',
      communityHandles: true,
      priority: 'normal' as const,
      slaPolicyId: 'standard',
    };
    built.refuses(
      { type: 'SetMatter', matter: { ...matter, responsible: { kind: 'stationedAgency', name: 'police' } } },
      'catalogue.unknown_responsible_unit',
    );
    const version = built.state.version;
    built.apply({
      type: 'SetMatter',
      matter: { ...matter, responsible: { kind: 'office', name: 'publicServiceOffice' } },
    });
    expect(built.state.version).toBe(version);
    expect(built.directory!.catalogueVersion).toBe(1);
    expect(built.directory!.snapshot.matters.map((m) => m.code)).toEqual(['PC-GGFW-0001']);
  });
});
