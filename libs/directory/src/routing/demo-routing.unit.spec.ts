import { pingchengDemoDistrict } from '../demo';
import { Directory } from '../directory';
import { routeCase, type RoutingRequest } from './route-case';

/**
 * Routing over the whole demo district with its locating indexes, as `npm start` runs it: every
 * grid's own location finds its grid and one person; an address in its written forms and a point
 * inside a grid find the same grid; outside the district, the district's dispatcher.
 */

const snapshot = pingchengDemoDistrict();
const directory = Directory.indexed(snapshot);
const DAY = '2026-12-01';

function route(request: Partial<RoutingRequest>) {
  return routeCase(directory, { location: {}, day: DAY, returns: 0, ...request });
}

function centre(code: string): { latitude: number; longitude: number } {
  const grid = snapshot.grids.find((g) => g.code === code)!;
  const lng = grid.boundary.reduce((sum, p) => sum + p.lng, 0) / grid.boundary.length;
  const lat = grid.boundary.reduce((sum, p) => sum + p.lat, 0) / grid.boundary.length;
  return { latitude: lat, longitude: lng };
}

describe('routing in the demo district', () => {
  it('every grid finds one person or its community queue, by code and by its centre point', () => {
    const outcomes = new Map<string, number>();
    for (const grid of snapshot.grids) {
      const byCode = route({ location: { gridCode: grid.code } });
      const byPoint = route({ location: centre(grid.code) });
      expect(byPoint.located).toMatchObject({ by: 'point', grid: grid.code, community: grid.community });
      expect({ ...byPoint, located: byCode.located }).toEqual(byCode);
      if (byCode.outcome === 'cadre') {
        const cadre = directory.cadre(byCode.cadreId)!;
        expect(cadre.community).toBe(grid.community);
        expect(directory.isPresent(cadre.id, DAY)).toBe(true);
      }
      outcomes.set(byCode.rule, (outcomes.get(byCode.rule) ?? 0) + 1);
    }
    // Mostly the grid's own cadre; the rota covers the rest.
    expect(outcomes.get('grid_cadre')).toBeGreaterThan(snapshot.grids.length * 0.8);
    expect(
      [...outcomes.keys()].every((rule) => ['grid_cadre', 'on_duty_cadre', 'community_queue'].includes(rule)),
    ).toBe(true);
  });

  it('the demo cadre of 太阳城 is the one person for their grid', () => {
    expect(route({ location: { gridCode: 'pc.gucheng.taiyangcheng.g01' } })).toMatchObject({
      outcome: 'cadre',
      rule: 'grid_cadre',
      cadreId: 'demo-cadre-taiyangcheng',
      community: 'pc.gucheng.taiyangcheng',
      directoryVersion: snapshot.version,
      catalogueVersion: snapshot.catalogueVersion,
    });
  });

  it('an address in several written forms finds the same grid as its record', () => {
    const record = snapshot.addresses.find(
      (a) => a.text.startsWith('古城街道太阳城小区') && /\d号楼$/.test(a.text),
    )!;
    const building = /(\d+)号楼$/.exec(record.text)![1]!;
    const wide = building.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
    const forms = [
      record.text,
      `山西省大同市平城区${record.text}`,
      `太阳城小区${building}号楼`,
      `太阳城小区 ${wide} 栋 2 单元 301 室`,
      `平城区古城街道太阳城小区${building}幢`,
    ];
    for (const address of forms) {
      expect({ address, located: route({ location: { address } }).located }).toEqual({
        address,
        located: { by: 'address', community: record.community, grid: record.grid, street: 'pc.gucheng' },
      });
    }
  });

  it('outside the district, or nowhere at all: the district dispatcher (兜底)', () => {
    expect(route({ location: { latitude: 39.9, longitude: 116.4 } })).toMatchObject({
      outcome: 'queue',
      rule: 'district_dispatcher',
      orgUnit: 'pc',
    });
    expect(route({ location: { address: '北京市东城区东长安街1号' } })).toMatchObject({
      rule: 'district_dispatcher',
    });
  });
});
