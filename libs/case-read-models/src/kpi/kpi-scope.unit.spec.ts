import type { Principal } from '@tongban/security';
import { KPI_STREET, KPI_UNIT } from './kpi.dto';
import { kpiUnitInScope } from './kpi.reads';

const TAIYANGCHENG = 'pc.gucheng.taiyangcheng';

/** Whose KPIs a caller may see: the unit asked, when in scope; otherwise nothing (404). */
const seen = (principal: Principal, unit: string): string | undefined =>
  kpiUnitInScope(principal, unit)?.code;

describe('the KPI scope', () => {
  it('lets a district’s dispatcher, supervisor and admin see the district and any street or community of it', () => {
    for (const role of ['dispatcher', 'supervisor', 'admin'] as const) {
      const principal: Principal = { id: `${role}-pc`, role, orgUnit: 'pc' };
      expect([
        role,
        seen(principal, 'pc'),
        seen(principal, 'pc.zhenhua'),
        seen(principal, TAIYANGCHENG),
      ]).toEqual([role, 'pc', 'pc.zhenhua', TAIYANGCHENG]);
      expect(seen(principal, 'xy')).toBeUndefined();
      expect(seen(principal, 'xy.gucheng.taiyangcheng')).toBeUndefined();
    }
  });

  it('lets a street’s supervisor or dispatcher see the street and its communities, not the district', () => {
    for (const role of ['dispatcher', 'supervisor'] as const) {
      const principal: Principal = { id: `${role}-gucheng`, role, orgUnit: 'pc.gucheng' };
      expect(seen(principal, 'pc.gucheng')).toBe('pc.gucheng');
      expect(seen(principal, TAIYANGCHENG)).toBe(TAIYANGCHENG);
      expect(seen(principal, 'pc')).toBeUndefined();
      expect(seen(principal, 'pc.zhenhua')).toBeUndefined();
      expect(seen(principal, 'pc.zhenhua.yunquanli')).toBeUndefined();
      expect(seen(principal, 'pc.guchengxi.taiyangcheng')).toBeUndefined();
    }
  });

  it('fails closed: no unit, a unit its role may not hold, or another role', () => {
    expect(seen({ id: 'admin-x', role: 'admin' }, TAIYANGCHENG)).toBeUndefined();
    expect(
      seen({ id: 'dispatcher-x', role: 'dispatcher', orgUnit: TAIYANGCHENG }, TAIYANGCHENG),
    ).toBeUndefined();
    for (const role of ['cadre', 'office_staff', 'resident'] as const) {
      expect(seen({ id: `${role}-x`, role, orgUnit: TAIYANGCHENG }, TAIYANGCHENG)).toBeUndefined();
    }
    expect(seen({ id: 'hotline', role: 'channel', channel: 'hotline' }, 'pc')).toBeUndefined();
  });

  it('answers districts, streets and communities only, which is what the query accepts', () => {
    const district: Principal = { id: 'dispatcher-pc', role: 'dispatcher', orgUnit: 'pc' };
    for (const unit of ['pc.gucheng.publicServiceOffice', `${TAIYANGCHENG}.grid03`]) {
      expect([unit, seen(district, unit), KPI_UNIT.test(unit)]).toEqual([unit, undefined, false]);
    }
    for (const unit of ['pc', 'pc.gucheng', TAIYANGCHENG]) expect(KPI_UNIT.test(unit)).toBe(true);
    expect([KPI_STREET.test('pc.gucheng'), KPI_STREET.test('pc'), KPI_STREET.test(TAIYANGCHENG)]).toEqual([
      true,
      false,
      false,
    ]);
  });
});
