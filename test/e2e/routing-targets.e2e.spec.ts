import { TIMEKEEPING_EVENT_TYPES as TIMEKEEPING, type CaseEventType } from '@tongban/cases';
import { startStandalone, type Answer, type DemoCommunity, type StandaloneClient } from './standalone-client';

/**
 * Issue 10's reproductions for where a case is sent, each refused now (ADR 0012), on the
 * standalone app in dev mode, where the demo users are every person there is: a dispatch to a
 * resident's id, to a cadre id that does not exist, or with a community the cadre does not work
 * in; a referral to a unit that does not exist; a hand-over to another street's cadre, and to a
 * mistyped id (which wedged the case for good). Every refusal is 422 and appends nothing: the
 * case's version, read by the district supervisor, is unchanged after it. The valid flows still
 * work.
 */

const USERS = {
  resident: 'demo-resident-1',
  taiyangchengCadre: 'demo-cadre-taiyangcheng',
  taiyangchengDutyCadre: 'demo-cadre-taiyangcheng-2',
  yunquanliCadre: 'demo-cadre-yunquanli',
  dispatcher: 'demo-dispatcher',
  guchengOffice: 'demo-office-gucheng-public-service',
  districtSupervisor: 'demo-supervisor-district',
} as const;
type User = keyof typeof USERS;

const TAIYANGCHENG = 'pc.gucheng.taiyangcheng' satisfies DemoCommunity;
const YUNQUANLI = 'pc.zhenhua.yunquanli';
const GUCHENG_OFFICE = 'pc.gucheng.publicServiceOffice';

describe('where a case is sent must exist (standalone, dev mode)', () => {
  let client: StandaloneClient;

  beforeAll(async () => {
    client = await startStandalone('targets');
  });

  afterAll(async () => {
    await client?.close();
  });

  const call = (
    user: User,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Answer> => client.call(USERS[user], method, path, body, headers);

  const act = (user: User, caseId: string, action: string, body: unknown = {}): Promise<Answer> =>
    client.act(USERS[user], caseId, action, body);

  const ok = (user: User, caseId: string, action: string, body: unknown = {}): Promise<Answer> =>
    client.ok(USERS[user], caseId, action, body);

  /** The history as the district supervisor's audit shows it: the version and the event types. */
  /**
   * The case's event types as the audit shows them, without the SLA watcher's timekeeping (it
   * runs in standalone and records due times at its own pace, ADR 0029).
   */
  async function audit(caseId: string): Promise<{ types: string[] }> {
    const history = await call('districtSupervisor', 'GET', `/cases/${caseId}/history`);
    expect(history.status).toBe(200);
    const events = history.body['events'] as { type: string }[];
    return { types: events.map((e) => e.type).filter((t) => !TIMEKEEPING.includes(t as CaseEventType)) };
  }

  /** Each attempt is refused with 422 and its code, and the case's history does not move. */
  async function refused(
    caseId: string,
    attempts: readonly (readonly [User, string, unknown, string])[],
  ): Promise<void> {
    const before = await audit(caseId);
    for (const [user, action, body, code] of attempts) {
      const answer = await act(user, caseId, action, body);
      expect({ action, body, status: answer.status, code: answer.body['code'] }).toEqual({
        action,
        body,
        status: 422,
        code,
      });
      expect(answer.body['type']).toBe(`urn:tongban:problem:${code}`);
    }
    expect(await audit(caseId)).toEqual(before);
  }

  /** A resident's portal case in 太阳城, filed and — for later stages — dispatched and accepted there. */
  const caseInTaiyangcheng = (stage: 'submitted' | 'in_handling'): Promise<string> =>
    client.caseIn(TAIYANGCHENG, stage);

  it('dispatch to a resident’s id, to a cadre who does not exist, or with a community the cadre does not work in is refused; the right pair is dispatched', async () => {
    const id = await caseInTaiyangcheng('submitted');
    await refused(id, [
      [
        'dispatcher',
        'dispatch',
        { ownerId: USERS.resident, ownerOrgUnit: TAIYANGCHENG },
        'case.unknown_target',
      ],
      [
        'dispatcher',
        'dispatch',
        { ownerId: 'cadre-typo-99', ownerOrgUnit: TAIYANGCHENG },
        'case.unknown_target',
      ],
      [
        'dispatcher',
        'dispatch',
        { ownerId: USERS.taiyangchengCadre, ownerOrgUnit: YUNQUANLI },
        'case.target_not_in_unit',
      ],
      [
        'dispatcher',
        'dispatch',
        { ownerId: USERS.taiyangchengCadre, ownerOrgUnit: 'pc.gucheng.xinjian' },
        'case.unknown_target',
      ],
      [
        'dispatcher',
        'dispatch',
        { ownerId: USERS.taiyangchengCadre, ownerOrgUnit: 'pc.gucheng' },
        'case.target_wrong_kind',
      ],
    ]);
    // The owner's unit is the one the cadre works in: accepting puts the case there.
    await ok('dispatcher', id, 'dispatch', { ownerId: USERS.taiyangchengCadre, ownerOrgUnit: TAIYANGCHENG });
    await ok('taiyangchengCadre', id, 'accept');
    const detail = await call('taiyangchengCadre', 'GET', `/cases/${id}`);
    expect(detail.status).toBe(200);
    // Intake routed the case first (the demo district, issue 13); the dispatcher's choice redispatched it.
    expect((await audit(id)).types).toEqual([
      'case.submitted',
      'case.dispatched',
      'case.dispatched',
      'case.accepted',
    ]);
  });

  it('a referral to a unit that does not exist, of another street or of the wrong kind is refused; one to the street’s office is taken', async () => {
    const id = await caseInTaiyangcheng('in_handling');
    const request = '请公共服务办协调供电线路检修';
    await refused(id, [
      [
        'taiyangchengCadre',
        'referrals',
        { target: 'office', toOrgUnit: 'pc.gucheng.noSuchOffice', request },
        'case.unknown_target',
      ],
      [
        'taiyangchengCadre',
        'referrals',
        { target: 'office', toOrgUnit: 'pc.nanguan.publicServiceOffice', request },
        'case.unknown_target',
      ],
      [
        'taiyangchengCadre',
        'referrals',
        { target: 'office', toOrgUnit: 'pc.zhenhua.publicServiceOffice', request },
        'case.target_out_of_scope',
      ],
      [
        'taiyangchengCadre',
        'referrals',
        { target: 'agency', toOrgUnit: GUCHENG_OFFICE, request },
        'case.target_wrong_kind',
      ],
      [
        'taiyangchengCadre',
        'referrals',
        { target: 'office', toOrgUnit: YUNQUANLI, request },
        'case.target_wrong_kind',
      ],
    ]);
    const referred = await ok('taiyangchengCadre', id, 'referrals', {
      target: 'office',
      toOrgUnit: GUCHENG_OFFICE,
      request,
    });
    const referralId = referred.body['referralId'] as string;
    await ok('guchengOffice', id, `referrals/${referralId}/complete`, { outcome: '线路已检修完毕' });
  });

  it('a hand-over to another street’s cadre or to a mistyped id is refused, so the case is not wedged; one within the community is taken', async () => {
    const id = await caseInTaiyangcheng('in_handling');
    const reason = '轮值结束，交由本周值班委员办理';
    await refused(id, [
      [
        'taiyangchengCadre',
        'hand-over',
        { toCadreId: USERS.yunquanliCadre, toOrgUnit: YUNQUANLI, reason },
        'case.target_out_of_scope',
      ],
      [
        'taiyangchengCadre',
        'hand-over',
        { toCadreId: USERS.yunquanliCadre, toOrgUnit: TAIYANGCHENG, reason },
        'case.target_not_in_unit',
      ],
      [
        'taiyangchengCadre',
        'hand-over',
        { toCadreId: 'cadre-typo-99', toOrgUnit: TAIYANGCHENG, reason },
        'case.unknown_target',
      ],
      [
        'taiyangchengCadre',
        'hand-over',
        { toCadreId: USERS.resident, toOrgUnit: TAIYANGCHENG, reason },
        'case.unknown_target',
      ],
    ]);
    // Nothing is pending: the owner hands it to the community's duty cadre, who accepts it.
    await ok('taiyangchengCadre', id, 'hand-over', {
      toCadreId: USERS.taiyangchengDutyCadre,
      toOrgUnit: TAIYANGCHENG,
      reason,
    });
    await ok('taiyangchengDutyCadre', id, 'accept');
    await ok('taiyangchengDutyCadre', id, 'contact', { method: 'phone', note: '已电话联系居民' });
    await ok('taiyangchengDutyCadre', id, 'resolve', { summary: '已更换灯泡' });
  });
});
