import fc from 'fast-check';
import { DEMO_USERS } from './dev/demo-users';
import { formatOrgUnit, isOrgUnitCode, parseOrgUnit, type OrgUnit } from './org-unit';
import { ORG_UNIT_RULES, PRINCIPAL_ROLES, principalUnit, unitForRole } from './principal';

const parsed = (code: string): OrgUnit => {
  const result = parseOrgUnit(code);
  if (!result.ok) throw new Error(`${code} refused: ${result.problem}`);
  return result.unit;
};

describe('parseOrgUnit', () => {
  it.each<[string, OrgUnit]>([
    ['pc', { level: 'district', code: 'pc', name: 'pc', district: 'pc' }],
    [
      'pc.gucheng',
      { level: 'street', code: 'pc.gucheng', name: 'gucheng', district: 'pc', street: 'pc.gucheng' },
    ],
    [
      'pc.gucheng.taiyangcheng',
      {
        level: 'community',
        code: 'pc.gucheng.taiyangcheng',
        name: 'taiyangcheng',
        district: 'pc',
        street: 'pc.gucheng',
        community: 'pc.gucheng.taiyangcheng',
      },
    ],
    [
      'pc.gucheng.taiyangcheng.grid03',
      {
        level: 'grid',
        code: 'pc.gucheng.taiyangcheng.grid03',
        name: 'grid03',
        district: 'pc',
        street: 'pc.gucheng',
        community: 'pc.gucheng.taiyangcheng',
      },
    ],
    [
      'pc.gucheng.publicServiceOffice',
      {
        level: 'streetUnit',
        code: 'pc.gucheng.publicServiceOffice',
        name: 'publicServiceOffice',
        district: 'pc',
        street: 'pc.gucheng',
      },
    ],
    [
      'pc.zhenhua.marketSupervisionStation',
      {
        level: 'streetUnit',
        code: 'pc.zhenhua.marketSupervisionStation',
        name: 'marketSupervisionStation',
        district: 'pc',
        street: 'pc.zhenhua',
      },
    ],
  ])('reads %s with its level and ancestors', (code, unit) => {
    expect(parseOrgUnit(code)).toEqual({ ok: true, unit });
  });

  it.each([
    'partyBuildingOffice',
    'publicManagementOffice',
    'publicServiceOffice',
    'publicSafetyOffice',
    'lawEnforcementOffice',
    'partyMassesServiceCentre',
    'convenienceServiceCentre',
    'veteransServiceStation',
  ])('reads the glossary unit %s of a street as a street unit', (name) => {
    expect(parsed(`pc.gucheng.${name}`).level).toBe('streetUnit');
  });

  it.each<[string, unknown, string]>([
    ['a numeric administrative code', '140213001', 'badDistrict'],
    ['a numeric street under a district', 'pc.140213', 'badStreet'],
    ['a numeric community', 'pc.gucheng.001', 'badCommunityOrUnit'],
    ['256 characters of junk', 'x'.repeat(256), 'tooLong'],
    ['256 characters of dotted letters', `${'abcdefg.'.repeat(31)}abcdefgh`, 'tooLong'],
    ['an upper-case district', 'PC', 'badDistrict'],
    ['an upper-case street', 'pc.Gucheng', 'badStreet'],
    ['camelCase at street level', 'pc.guCheng', 'badStreet'],
    ['a capitalised unit name', 'pc.gucheng.PublicServiceOffice', 'badCommunityOrUnit'],
    ['an upper-case grid', 'pc.gucheng.taiyangcheng.Grid03', 'badGrid'],
    ['an empty string', '', 'empty'],
    ['an empty segment', 'pc..gucheng', 'emptySegment'],
    ['a trailing dot', 'pc.gucheng.', 'emptySegment'],
    ['a leading dot', '.pc', 'emptySegment'],
    ['a lone dot', '.', 'emptySegment'],
    ['a NUL', 'pc\u0000', 'badDistrict'],
    ['a NUL inside a community', 'pc.gucheng.tai\u0000yangcheng', 'badCommunityOrUnit'],
    ['a trailing newline', 'pc.gucheng\n', 'badStreet'],
    ['whitespace', ' pc', 'badDistrict'],
    ['a hyphen', 'pc.gucheng.public-service', 'badCommunityOrUnit'],
    ['an underscore', 'pc.gu_cheng', 'badStreet'],
    ['Chinese characters', 'pc.古城', 'badStreet'],
    ['full-width letters', 'ｐｃ', 'badDistrict'],
    ['a segment of 33 characters', `pc.${'a'.repeat(33)}`, 'badStreet'],
    ['a unit name of 49 characters', `pc.gucheng.${'a'.repeat(41)}Office12`, 'badCommunityOrUnit'],
    ['five levels', 'pc.gucheng.taiyangcheng.grid03.block7', 'tooDeep'],
    ['anything under a street unit', 'pc.gucheng.publicServiceOffice.desk1', 'tooDeep'],
    ['a street unit directly under the district', 'pc.publicServiceOffice', 'badStreet'],
    ['a number', 140213001, 'notAString'],
    ['an array', ['pc'], 'notAString'],
    ['null', null, 'notAString'],
  ])('refuses %s', (_what, value, problem) => {
    expect(parseOrgUnit(value)).toEqual({ ok: false, problem });
    expect(isOrgUnitCode(value)).toBe(false);
  });

  describe('format(parse(x)) = x', () => {
    const place = fc.stringMatching(/^[a-z][a-z0-9]{0,31}$/);
    const unitName = fc.stringMatching(/^[a-z][a-z0-9]{0,8}([A-Z][a-z0-9]{0,8}){1,4}$/);
    const code = fc.oneof(
      place,
      fc.tuple(place, place).map((s) => s.join('.')),
      fc.tuple(place, place, place).map((s) => s.join('.')),
      fc.tuple(place, place, place, place).map((s) => s.join('.')),
      fc.tuple(place, place, unitName).map((s) => s.join('.')),
    );

    it('holds for every code, and the ancestors are prefixes of it', () => {
      fc.assert(
        fc.property(code, (x) => {
          const unit = parsed(x);
          expect(formatOrgUnit(unit)).toBe(x);
          expect(unit.code).toBe(x);
          expect(x.startsWith(unit.district)).toBe(true);
          if ('street' in unit) expect(x.startsWith(`${unit.street}`)).toBe(true);
          if ('community' in unit) expect(x.startsWith(`${unit.community}`)).toBe(true);
          expect(x.endsWith(unit.name)).toBe(true);
        }),
        { numRuns: 500 },
      );
    });

    it('holds for whatever it accepts among arbitrary strings', () => {
      // Arbitrary short strings over the characters that matter: whatever parses formats back.
      const text = fc.string({
        unit: fc.constantFrom('a', 'b', 'z', 'Q', 'A', '0', '9', '.', '-', '_', ' ', '\u0000', '古'),
        maxLength: 24,
      });
      fc.assert(
        fc.property(text, (x) => {
          const result = parseOrgUnit(x);
          if (result.ok) expect(formatOrgUnit(result.unit)).toBe(x);
          else expect(result.problem).toEqual(expect.any(String));
        }),
        { numRuns: 2_000 },
      );
    });
  });
});

describe('ORG_UNIT_RULES: which unit each role acts for', () => {
  it('has a rule for every role', () => {
    expect(Object.keys(ORG_UNIT_RULES).sort()).toEqual([...PRINCIPAL_ROLES].sort());
  });

  it.each([
    ['cadre', undefined, 'org_unit missing: the role cadre acts for a community'],
    ['office_staff', undefined, 'org_unit missing: the role office_staff acts for a streetUnit'],
    ['supervisor', undefined, 'org_unit missing: the role supervisor acts for a district or street'],
    ['dispatcher', undefined, 'org_unit missing: the role dispatcher acts for a district or street'],
    ['cadre', 'pc.gucheng', 'org_unit is a street: the role cadre acts for a community'],
    [
      'supervisor',
      'pc.gucheng.taiyangcheng',
      'org_unit is a community: the role supervisor acts for a district or street',
    ],
    [
      'office_staff',
      'pc.gucheng.taiyangcheng',
      'org_unit is a community: the role office_staff acts for a streetUnit',
    ],
    ['resident', 'pc', 'org_unit is a district: the role resident acts for no org unit'],
    ['admin', 'pc.gucheng', 'org_unit is a street: the role admin acts for a district'],
    [
      'channel',
      'pc.gucheng.taiyangcheng',
      'org_unit is a community: the role channel acts for a district or street',
    ],
    ['cadre', 'pc.gucheng.taiyangcheng.grid03', 'org_unit is a grid: the role cadre acts for a community'],
    ['supervisor', '140213001', 'org_unit malformed (badDistrict)'],
  ] as const)('refuses role %s with org_unit %s', (role, orgUnit, reason) => {
    expect(unitForRole(role, orgUnit)).toEqual({ ok: false, reason });
  });

  it.each([
    ['resident', undefined],
    ['channel', undefined],
    ['channel', 'pc'],
    ['admin', undefined],
    ['admin', 'pc'],
    ['dispatcher', 'pc.gucheng'],
    ['supervisor', 'pc'],
  ] as const)('accepts role %s with org_unit %s', (role, orgUnit) => {
    expect(unitForRole(role, orgUnit)).toMatchObject({ ok: true });
  });

  it('accepts every demo user as the verifier will', () => {
    for (const user of DEMO_USERS) {
      expect({ user: user.id, result: unitForRole(user.role, user.orgUnit).ok }).toEqual({
        user: user.id,
        result: true,
      });
    }
  });

  it('gives a hand-made principal its unit only when its role may hold it, so scopes fail closed', () => {
    expect(principalUnit({ id: 's', role: 'supervisor', orgUnit: 'pc' })?.level).toBe('district');
    expect(principalUnit({ id: 's', role: 'supervisor', orgUnit: 'pc.gucheng' })?.level).toBe('street');
    expect(principalUnit({ id: 's', role: 'supervisor', orgUnit: '140213001' })).toBeUndefined();
    expect(
      principalUnit({ id: 's', role: 'supervisor', orgUnit: 'pc.gucheng.taiyangcheng' }),
    ).toBeUndefined();
    expect(principalUnit({ id: 's', role: 'supervisor' })).toBeUndefined();
    const unit = parsed('pc.gucheng');
    expect(principalUnit({ id: 's', role: 'supervisor', orgUnit: 'pc.gucheng', unit })).toBe(unit);
  });
});
