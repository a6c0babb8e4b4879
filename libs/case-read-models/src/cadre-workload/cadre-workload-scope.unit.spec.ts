import type { Principal } from '@tongban/security';
import { STREET_OR_COMMUNITY } from './cadre-workload.dto';
import { workloadUnitInScope } from './cadre-workload.reads';

const TAIYANGCHENG = 'pc.gucheng.taiyangcheng';

/** Whose workload a caller may see: the unit asked, when in scope; otherwise nothing (404). */
const seen = (principal: Principal, orgUnit: string): string | undefined =>
  workloadUnitInScope(principal, orgUnit)?.code;

describe('the workload scope', () => {
  it('lets a district’s dispatcher, supervisor and admin see any street or community of the district', () => {
    for (const role of ['dispatcher', 'supervisor', 'admin'] as const) {
      const principal: Principal = { id: `${role}-pc`, role, orgUnit: 'pc' };
      expect([role, seen(principal, TAIYANGCHENG), seen(principal, 'pc.zhenhua')]).toEqual([
        role,
        TAIYANGCHENG,
        'pc.zhenhua',
      ]);
      expect(seen(principal, 'xy.gucheng.taiyangcheng')).toBeUndefined();
    }
  });

  it('lets a street’s dispatcher or supervisor see the street and its communities, nothing else', () => {
    for (const role of ['dispatcher', 'supervisor'] as const) {
      const principal: Principal = { id: `${role}-gucheng`, role, orgUnit: 'pc.gucheng' };
      expect(seen(principal, 'pc.gucheng')).toBe('pc.gucheng');
      expect(seen(principal, TAIYANGCHENG)).toBe(TAIYANGCHENG);
      expect(seen(principal, 'pc.zhenhua')).toBeUndefined();
      expect(seen(principal, 'pc.zhenhua.yunquanli')).toBeUndefined();
      // A street whose name starts like another's is another street.
      expect(seen(principal, 'pc.guchengxi.taiyangcheng')).toBeUndefined();
    }
  });

  it('fails closed: no unit, a unit its role may not hold, or another role', () => {
    expect(seen({ id: 'admin-x', role: 'admin' }, TAIYANGCHENG)).toBeUndefined();
    expect(
      seen({ id: 'dispatcher-x', role: 'dispatcher', orgUnit: TAIYANGCHENG }, TAIYANGCHENG),
    ).toBeUndefined();
    expect(seen({ id: 'cadre-x', role: 'cadre', orgUnit: TAIYANGCHENG }, TAIYANGCHENG)).toBeUndefined();
    expect(seen({ id: 'resident-x', role: 'resident' }, TAIYANGCHENG)).toBeUndefined();
  });

  it('answers only streets and communities, which is what the query accepts', () => {
    const district: Principal = { id: 'dispatcher-pc', role: 'dispatcher', orgUnit: 'pc' };
    for (const unit of ['pc', 'pc.gucheng.publicServiceOffice', `${TAIYANGCHENG}.grid03`]) {
      expect([unit, seen(district, unit), STREET_OR_COMMUNITY.test(unit)]).toEqual([unit, undefined, false]);
    }
    for (const unit of ['pc.gucheng', TAIYANGCHENG]) expect(STREET_OR_COMMUNITY.test(unit)).toBe(true);
  });
});
