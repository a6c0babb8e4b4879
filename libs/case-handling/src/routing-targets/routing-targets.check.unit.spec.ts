import { replay, type CaseCommand, type CaseEvent } from '@tongban/cases';
import { actors, cmd, ev, history } from '@tongban/cases/testing';
import { Directory, type CadreRecord, type DirectoryLookup } from '@tongban/directory';
import { demoDirectoryLookup, formatDirectoryLookup } from './interim-directory.lookup';
import { DEFAULT_CASE_HANDLING_OPTIONS } from '../case-handling.options';
import { checkRoutingTargets } from './routing-targets.check';

const TAIYANGCHENG = 'pc.gucheng.taiyangcheng';
const YUNQUANLI = 'pc.zhenhua.yunquanli';
const CADRE_TYC = 'demo-cadre-taiyangcheng';
const CADRE_YQL = 'demo-cadre-yunquanli';

/** The owner of the case is the 太阳城 demo cadre. */
const owner = { id: CADRE_TYC, role: 'cadre', orgUnit: TAIYANGCHENG } as const;
const districtDispatcher = { id: 'demo-dispatcher', role: 'dispatcher', orgUnit: 'pc' } as const;
const zhenhuaDispatcher = { id: 'dispatcher-zhenhua', role: 'dispatcher', orgUnit: 'pc.zhenhua' } as const;

const submitted = history.submitted;
const inHandling: readonly CaseEvent[] = [
  ...submitted,
  ev.dispatched({ ownerId: CADRE_TYC, ownerOrgUnit: TAIYANGCHENG }),
  ev.accepted({ by: owner, ownerId: CADRE_TYC, ownerOrgUnit: TAIYANGCHENG }),
];

/** The code the check refuses with, or 'passes'. */
async function verdict(
  directory: DirectoryLookup,
  events: readonly CaseEvent[],
  command: CaseCommand,
): Promise<string> {
  try {
    await checkRoutingTargets(command, replay(events), directory, DEFAULT_CASE_HANDLING_OPTIONS.timeZone);
    return 'passes';
  } catch (error) {
    const { code, kind } = error as { code: string; kind: string };
    expect(kind).toBe('unprocessable');
    return code;
  }
}

const dispatch = (ownerId: string, ownerOrgUnit: string, actor: CaseCommand['actor'] = districtDispatcher) =>
  cmd.dispatch({ actor, ownerId, ownerOrgUnit });
const handOver = (toCadreId: string, toOrgUnit: string) =>
  cmd.handOver({ actor: owner, toCadreId, toOrgUnit });
const refer = (target: 'office' | 'agency', toOrgUnit: string) =>
  cmd.refer({ actor: owner, target, toOrgUnit });

describe('checkRoutingTargets', () => {
  describe('with the directory (issue 13): the cadre must be present that day', () => {
    const TYC_CADRE = 'tyc-present';
    const directory = new Directory({
      version: 1,
      catalogueVersion: 1,
      district: { code: 'pc', name: '平城区' },
      streets: [{ code: 'pc.gucheng', name: '古城街道' }],
      communities: [{ code: TAIYANGCHENG, street: 'pc.gucheng', name: '太阳城社区' }],
      grids: [],
      cadres: [
        cadreRecord(CADRE_TYC, {}),
        cadreRecord(TYC_CADRE, {}),
        // The fixtures' commands are at 2026-11-27 (Asia/Shanghai): on leave that day, both ends counted.
        cadreRecord('tyc-on-leave', { leave: [{ from: '2026-11-27', to: '2026-11-27' }] }),
        cadreRecord('tyc-left', { status: 'inactive' }),
      ],
      staff: [],
      units: [],
      matters: [],
      duty: [],
      rotations: [],
      addresses: [],
    });

    it.each([
      ['present', dispatch(TYC_CADRE, TAIYANGCHENG), 'passes'],
      ['on leave that day', dispatch('tyc-on-leave', TAIYANGCHENG), 'case.target_absent'],
      ['no longer in post', dispatch('tyc-left', TAIYANGCHENG), 'case.target_absent'],
      ['not in the directory', dispatch('cadre-typo-99', TAIYANGCHENG), 'case.unknown_target'],
    ])('dispatch to a cadre %s: %s', async (_what, command, expected) => {
      expect(await verdict(directory, submitted, command)).toBe(expected);
    });

    it.each([
      ['present', handOver(TYC_CADRE, TAIYANGCHENG), 'passes'],
      ['on leave that day', handOver('tyc-on-leave', TAIYANGCHENG), 'case.target_absent'],
      ['no longer in post', handOver('tyc-left', TAIYANGCHENG), 'case.target_absent'],
    ])('hand-over to a cadre %s: %s', async (_what, command, expected) => {
      expect(await verdict(directory, inHandling, command)).toBe(expected);
    });

    it('a leave ending the day before is over', async () => {
      const later = dispatch('tyc-on-leave', TAIYANGCHENG);
      expect(await verdict(directory, submitted, { ...later, at: '2026-11-28T08:00:00+08:00' })).toBe(
        'passes',
      );
      // 2026-11-27T23:30 UTC is already the 28th in Shanghai.
      expect(await verdict(directory, submitted, { ...later, at: '2026-11-27T23:30:00Z' })).toBe('passes');
    });
  });

  describe('with the demo users (dev mode)', () => {
    const demo = demoDirectoryLookup();

    it.each([
      ['a cadre in the community they work in', dispatch(CADRE_TYC, TAIYANGCHENG), 'passes'],
      ['another street’s cadre in theirs', dispatch(CADRE_YQL, YUNQUANLI), 'passes'],
      ['a resident’s id', dispatch('demo-resident-1', TAIYANGCHENG), 'case.unknown_target'],
      ['a dispatcher’s id', dispatch('demo-dispatcher', TAIYANGCHENG), 'case.unknown_target'],
      ['a cadre id that does not exist', dispatch('cadre-typo-99', TAIYANGCHENG), 'case.unknown_target'],
      [
        'a cadre with a community they do not work in',
        dispatch(CADRE_TYC, YUNQUANLI),
        'case.target_not_in_unit',
      ],
      ['a community that does not exist', dispatch(CADRE_TYC, 'pc.gucheng.xinjian'), 'case.unknown_target'],
      ['a malformed unit', dispatch(CADRE_TYC, 'pc.gucheng.taiyang-cheng'), 'case.unknown_target'],
      ['a street', dispatch(CADRE_TYC, 'pc.gucheng'), 'case.target_wrong_kind'],
      ['an office', dispatch(CADRE_TYC, 'pc.gucheng.publicServiceOffice'), 'case.target_wrong_kind'],
    ])('dispatch to %s: %s', async (_what, command, expected) => {
      expect(await verdict(demo, submitted, command)).toBe(expected);
    });

    it.each([
      ['a cadre of the community, in it', handOver('demo-cadre-taiyangcheng-2', TAIYANGCHENG), 'passes'],
      [
        'a cadre id no demo user has',
        handOver('demo-cadre-taiyangcheng-3', TAIYANGCHENG),
        'case.unknown_target',
      ],
      [
        'another street’s cadre, in their community',
        handOver(CADRE_YQL, YUNQUANLI),
        'case.target_out_of_scope',
      ],
      [
        'another street’s cadre, named with the owner’s community',
        handOver(CADRE_YQL, TAIYANGCHENG),
        'case.target_not_in_unit',
      ],
      ['a mistyped cadre id', handOver('cadre-typo-99', TAIYANGCHENG), 'case.unknown_target'],
      ['a resident', handOver('demo-resident-1', TAIYANGCHENG), 'case.unknown_target'],
      ['an office', handOver(CADRE_TYC, 'pc.gucheng.publicServiceOffice'), 'case.target_wrong_kind'],
      // The decider's rule answers a hand-over to oneself (400 case.hand_over_to_self).
      ['the owner themself', handOver(CADRE_TYC, TAIYANGCHENG), 'passes'],
    ])('hand-over to %s: %s', async (_what, command, expected) => {
      expect(await verdict(demo, inHandling, command)).toBe(expected);
    });

    it.each([
      ['office', 'pc.gucheng.publicServiceOffice', 'passes'],
      ['office', 'pc.gucheng.veteransServiceStation', 'passes'],
      ['office', 'pc.gucheng.noSuchOffice', 'case.unknown_target'],
      ['office', 'pc.zhenhua.publicServiceOffice', 'case.target_out_of_scope'],
      ['agency', 'pc.zhenhua.marketSupervisionStation', 'case.target_out_of_scope'],
      ['office', 'pc.zhenhua.marketSupervisionStation', 'case.target_wrong_kind'],
      ['agency', 'pc.gucheng.publicServiceOffice', 'case.target_wrong_kind'],
      ['office', TAIYANGCHENG, 'case.target_wrong_kind'],
      ['office', 'pc.gucheng', 'case.target_wrong_kind'],
    ] as const)('referral as %s to %s: %s', async (target, unit, expected) => {
      expect(await verdict(demo, inHandling, refer(target, unit))).toBe(expected);
    });
  });

  describe('by format only (JWT mode, no directory)', () => {
    const format = formatDirectoryLookup();
    const yongtai = 'pc.nanguan.yongtai';
    const nanguanOwner = { id: 'cadre-a', role: 'cadre', orgUnit: yongtai } as const;
    const nanguanCase: readonly CaseEvent[] = [
      ...submitted,
      ev.dispatched({ ownerId: 'cadre-a', ownerOrgUnit: yongtai }),
      ev.accepted({ by: nanguanOwner, ownerId: 'cadre-a', ownerOrgUnit: yongtai }),
    ];

    it('takes cadre ids on trust but checks the unit’s format, level and street', async () => {
      expect(await verdict(format, submitted, dispatch('anyone-at-all', yongtai))).toBe('passes');
      expect(await verdict(format, submitted, dispatch('cadre-a', 'pc.nanguan.yong-tai'))).toBe(
        'case.unknown_target',
      );
      expect(await verdict(format, submitted, dispatch('cadre-a', 'pc.nanguan'))).toBe(
        'case.target_wrong_kind',
      );
      const toOther = cmd.handOver({ actor: nanguanOwner, toCadreId: 'cadre-b', toOrgUnit: TAIYANGCHENG });
      expect(await verdict(format, nanguanCase, toOther)).toBe('case.target_out_of_scope');
      const within = cmd.handOver({
        actor: nanguanOwner,
        toCadreId: 'cadre-b',
        toOrgUnit: 'pc.nanguan.xinjian',
      });
      expect(await verdict(format, nanguanCase, within)).toBe('passes');
      const office = cmd.refer({
        actor: nanguanOwner,
        target: 'office',
        toOrgUnit: 'pc.nanguan.publicServiceOffice',
      });
      expect(await verdict(format, nanguanCase, office)).toBe('passes');
      const agency = cmd.refer({
        actor: nanguanOwner,
        target: 'agency',
        toOrgUnit: 'pc.nanguan.policeStation',
      });
      expect(await verdict(format, nanguanCase, agency)).toBe('passes');
      const misspelt = cmd.refer({
        actor: nanguanOwner,
        target: 'office',
        toOrgUnit: 'pc.nanguan.publicServiceOfice',
      });
      expect(await verdict(format, nanguanCase, misspelt)).toBe('case.target_wrong_kind');
    });
  });

  it('keeps a dispatcher within their unit; the system dispatches anywhere', async () => {
    const format = formatDirectoryLookup();
    expect(await verdict(format, submitted, dispatch('cadre-a', TAIYANGCHENG, zhenhuaDispatcher))).toBe(
      'case.target_out_of_scope',
    );
    expect(await verdict(format, submitted, dispatch('cadre-a', YUNQUANLI, zhenhuaDispatcher))).toBe(
      'passes',
    );
    expect(await verdict(format, submitted, dispatch('cadre-a', TAIYANGCHENG, actors.system))).toBe('passes');
  });

  it('lets a case whose owner’s unit is not known go to any valid unit, so it is never stuck', async () => {
    const legacy: readonly CaseEvent[] = [
      ...submitted,
      ev.dispatched({ ownerId: CADRE_TYC, ownerOrgUnit: 'pc.gucheng.taiyang-cheng' }),
      ev.accepted({ by: owner, ownerId: CADRE_TYC, ownerOrgUnit: 'pc.gucheng.taiyang-cheng' }),
    ];
    expect(await verdict(demoDirectoryLookup(), legacy, handOver(CADRE_YQL, YUNQUANLI))).toBe('passes');
  });

  it('says nothing about other commands, nor about a case that does not exist', async () => {
    const demo = demoDirectoryLookup();
    expect(await verdict(demo, inHandling, cmd.step({ actor: owner }))).toBe('passes');
    expect(await verdict(demo, [], dispatch('cadre-typo-99', 'nowhere'))).toBe('passes');
  });
});

function cadreRecord(id: string, extra: Partial<CadreRecord>): CadreRecord {
  return {
    id,
    badge: `B-${id}`,
    name: `演示${id}`,
    community: TAIYANGCHENG,
    post: '委员',
    duties: [],
    status: 'active',
    leave: [],
    phone: '13800000000',
    demo: true,
    ...extra,
  };
}
