import { DEMO_USERS } from '@tongban/security';
import {
  STREET_OFFICES,
  STREET_SERVICE_UNITS,
  demoDirectoryLookup,
  formatDirectoryLookup,
  interimDirectoryLookup,
} from './interim-directory.lookup';

describe('the interim directory lookup (until the directory lands, ADR 0012)', () => {
  describe('by format (JWT mode)', () => {
    const lookup = formatDirectoryLookup();

    it.each([
      ['pc', 'district', null],
      ['pc.nanguan', 'street', 'pc.nanguan'],
      ['pc.nanguan.yongtai', 'community', 'pc.nanguan'],
      ['pc.nanguan.yongtai.grid03', 'grid', 'pc.nanguan'],
      ['pc.nanguan.publicServiceOffice', 'office', 'pc.nanguan'],
      ['pc.nanguan.lawEnforcementOffice', 'office', 'pc.nanguan'],
      ['pc.nanguan.veteransServiceStation', 'serviceUnit', 'pc.nanguan'],
      ['pc.nanguan.convenienceServiceCentre', 'serviceUnit', 'pc.nanguan'],
      // Not one of the eight units every street has: only a stationed agency can be called so.
      ['pc.nanguan.marketSupervisionStation', 'stationedAgency', 'pc.nanguan'],
    ])('%s is a %s of street %s', async (code, kind, street) => {
      expect(await lookup.unit(code)).toEqual({ found: 'unit', unit: { code, kind, street } });
    });

    it.each(['', 'PC', '140213001', 'pc.gucheng.taiyang-cheng', 'pc..gucheng', 'pc.gucheng.', 'pc.a.b.c.d'])(
      'a code that is not in the format (%p) is unknown',
      async (code) => {
        expect(await lookup.unit(code)).toEqual({ found: 'unknown' });
      },
    );

    it('cannot verify people: every id is taken on trust', async () => {
      for (const id of ['demo-resident-1', 'cadre-typo-99', 'demo-cadre-taiyangcheng']) {
        expect(await lookup.person(id)).toEqual({ found: 'unverified' });
      }
    });
  });

  describe('the demo users (dev mode)', () => {
    const lookup = demoDirectoryLookup();

    it('knows each demo cadre and the community they work in', async () => {
      expect(await lookup.person('demo-cadre-taiyangcheng')).toEqual({
        found: 'cadre',
        community: 'pc.gucheng.taiyangcheng',
      });
      expect(await lookup.person('demo-cadre-yunquanli')).toEqual({
        found: 'cadre',
        community: 'pc.zhenhua.yunquanli',
      });
    });

    it('knows every other demo user as not a cadre, and nobody else', async () => {
      for (const user of DEMO_USERS.filter((u) => u.role !== 'cadre')) {
        expect({ id: user.id, answer: await lookup.person(user.id) }).toEqual({
          id: user.id,
          answer: { found: 'not_a_cadre' },
        });
      }
      expect(await lookup.person('cadre-typo-99')).toEqual({ found: 'unknown' });
      expect(await lookup.person('')).toEqual({ found: 'unknown' });
    });

    it('knows the demo district, its two streets, their communities and every office and service unit of them', async () => {
      const known = [
        'pc',
        'pc.gucheng',
        'pc.zhenhua',
        'pc.gucheng.taiyangcheng',
        'pc.zhenhua.yunquanli',
        'pc.zhenhua.marketSupervisionStation',
        ...['pc.gucheng', 'pc.zhenhua'].flatMap((street) =>
          [...STREET_OFFICES, ...STREET_SERVICE_UNITS].map((name) => `${street}.${name}`),
        ),
      ];
      for (const code of known)
        expect({ code, found: (await lookup.unit(code)).found }).toEqual({ code, found: 'unit' });
      expect(await lookup.unit('pc.zhenhua.marketSupervisionStation')).toMatchObject({
        unit: { kind: 'stationedAgency', street: 'pc.zhenhua' },
      });
    });

    it.each([
      ['a community of a demo street that has no demo cadre', 'pc.gucheng.xinjian'],
      ['a street no demo user acts in', 'pc.nanguan'],
      ['its community', 'pc.nanguan.yongtai'],
      ['its office', 'pc.nanguan.publicServiceOffice'],
      ['a stationed agency of the other street', 'pc.gucheng.marketSupervisionStation'],
      ['a misspelt office', 'pc.gucheng.publicServiceOfice'],
      ['a grid', 'pc.gucheng.taiyangcheng.grid01'],
      ['a code that is not in the format', 'pc.gucheng.taiyang-cheng'],
    ])('does not know %s (%s)', async (_what, code) => {
      expect(await lookup.unit(code)).toEqual({ found: 'unknown' });
    });
  });

  it('picks the demo users in dev mode and the format in JWT mode', async () => {
    expect(await interimDirectoryLookup('dev').person('cadre-typo-99')).toEqual({ found: 'unknown' });
    expect(await interimDirectoryLookup('jwt').person('cadre-typo-99')).toEqual({ found: 'unverified' });
  });
});
