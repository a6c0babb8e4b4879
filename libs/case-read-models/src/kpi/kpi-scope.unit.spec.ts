import { fixedDirectory } from '@tongban/case-handling';
import { Directory, pingchengDemoDistrict } from '@tongban/directory';
import type { Principal } from '@tongban/security';
import { KPI_CADRE, KPI_CATEGORY, KPI_STREET, KPI_UNIT } from './kpi.dto';
import { cadreKpiScope, kpiUnitInScope } from './kpi.reads';
import { catalogueMatterCategories, fixedMatterCategories } from './matter-categories';

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

describe('the scope of one cadre’s KPIs', () => {
  const cadre: Principal = { id: 'cadre-tyc-31', role: 'cadre', orgUnit: TAIYANGCHENG };

  it('lets a cadre see their own figures, wherever they counted them, and nobody else’s', () => {
    expect(cadreKpiScope(cadre, 'cadre-tyc-31')).toEqual({ within: null });
    expect(cadreKpiScope(cadre, 'cadre-tyc-32')).toBeUndefined();
    // A cadre's token without a community does not hold: it fails closed.
    expect(cadreKpiScope({ id: 'cadre-x', role: 'cadre' }, 'cadre-x')).toBeUndefined();
  });

  it('lets dispatchers, supervisors and admins see any cadre’s figures counted within the unit they act for', () => {
    for (const role of ['dispatcher', 'supervisor'] as const) {
      expect(cadreKpiScope({ id: role, role, orgUnit: 'pc.gucheng' }, 'cadre-tyc-31')).toEqual({
        within: 'pc.gucheng',
      });
      expect(cadreKpiScope({ id: role, role, orgUnit: 'pc' }, 'cadre-tyc-31')).toEqual({ within: 'pc' });
    }
    expect(cadreKpiScope({ id: 'admin', role: 'admin', orgUnit: 'pc' }, 'cadre-tyc-31')).toEqual({
      within: 'pc',
    });
  });

  it('fails closed: no unit, a unit the role may not hold, or another role', () => {
    expect(cadreKpiScope({ id: 'admin-x', role: 'admin' }, 'cadre-tyc-31')).toBeUndefined();
    expect(
      cadreKpiScope({ id: 'supervisor-x', role: 'supervisor', orgUnit: TAIYANGCHENG }, 'cadre-tyc-31'),
    ).toBeUndefined();
    expect(
      cadreKpiScope(
        { id: 'staff', role: 'office_staff', orgUnit: 'pc.gucheng.publicServiceOffice' },
        'cadre-tyc-31',
      ),
    ).toBeUndefined();
    expect(cadreKpiScope({ id: 'cadre-tyc-31', role: 'resident' }, 'cadre-tyc-31')).toBeUndefined();
    expect(cadreKpiScope({ id: 'hotline', role: 'channel', channel: 'hotline' }, 'x')).toBeUndefined();
  });

  it('takes cadre ids and catalogue categories, not formulas or control characters', () => {
    expect(['demo-cadre-taiyangcheng-2', 'cadre-tyc-31'].map((id) => KPI_CADRE.test(id))).toEqual([
      true,
      true,
    ]);
    expect(['', '-x', 'a b', 'x'.repeat(65)].map((id) => KPI_CADRE.test(id))).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(['物业管理', '公共安全', 'Property'].map((c) => KPI_CATEGORY.test(c))).toEqual([true, true, true]);
    expect(
      ['', '=1+1', '@x', ' 物业', '物业\n管理', '类'.repeat(41)].map((c) => KPI_CATEGORY.test(c)),
    ).toEqual([false, false, false, false, false, false]);
  });
});

describe('matter categories', () => {
  it('are the catalogue’s: each category holds the matter codes filed under it now', () => {
    const directory = new Directory(pingchengDemoDistrict());
    const categories = catalogueMatterCategories(fixedDirectory(directory));
    const property = categories.mattersOf('物业管理');
    expect(property).toEqual(
      directory.snapshot.matters.filter((m) => m.category === '物业管理').map((m) => m.code),
    );
    expect(property).toContain('PC-WYGL-0101');
    expect(categories.mattersOf('没有这个类别')).toEqual([]);
    // No directory (DIRECTORY_SOURCE=none, or nothing seeded yet): no category has matters.
    expect(catalogueMatterCategories(fixedDirectory(null)).mattersOf('物业管理')).toEqual([]);
    expect(fixedMatterCategories({ 物业管理: ['PC-WYGL-0101'] }).mattersOf('toString')).toEqual([]);
  });
});
