import { TIMEKEEPING_EVENT_TYPES as TIMEKEEPING, type CaseEventType } from '@tongban/cases';
import { CLOCK, type Clock } from '@tongban/case-handling';
import { startStandalone, type Answer, type DemoCommunity, type StandaloneClient } from './standalone-client';

/**
 * Issue 13: a pending hand-over can no longer wedge a case. Its owner takes it back (撤回移交,
 * `POST /cases/{id}/hand-over/withdrawal`), and one nobody answers lapses after
 * HAND_OVER_EXPIRES_AFTER_HOURS (48 by default): the owner then acts as if none were pending and
 * the cadre it was offered to can no longer accept it. On the standalone app in dev mode, with a
 * real demo cadre as the target; time is moved by fixing the app's clock (no sleeping two days).
 * Every refusal appends nothing: the case's version, read by the district supervisor, stays.
 */

const USERS = {
  owner: 'demo-cadre-taiyangcheng',
  dutyCadre: 'demo-cadre-taiyangcheng-2',
  otherCommunityCadre: 'demo-cadre-yunquanli',
  resident: 'demo-resident-1',
  districtSupervisor: 'demo-supervisor-district',
} as const;
type User = keyof typeof USERS;

const TAIYANGCHENG = 'pc.gucheng.taiyangcheng' satisfies DemoCommunity;
const HOUR = 3_600_000;
const OFFER = {
  toCadreId: USERS.dutyCadre,
  toOrgUnit: TAIYANGCHENG,
  reason: '轮值结束，交由本周值班委员办理',
};
const WITHDRAWAL = { reason: '培训取消，本人继续办理' };

interface HistoryEvent {
  readonly type: string;
  readonly data: Record<string, unknown>;
}

describe('a pending hand-over is withdrawn by its owner or lapses (standalone, dev mode)', () => {
  let client: StandaloneClient;
  let clock: Clock;

  beforeAll(async () => {
    client = await startStandalone('hand-over');
    clock = client.app.get<Clock>(CLOCK);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    await client?.close();
  });

  const call = (user: User, method: 'GET' | 'POST', path: string): Promise<Answer> =>
    client.call(USERS[user], method, path);

  const act = (user: User, caseId: string, action: string, body: unknown = {}): Promise<Answer> =>
    client.act(USERS[user], caseId, action, body);

  const ok = (user: User, caseId: string, action: string, body: unknown = {}): Promise<Answer> =>
    client.ok(USERS[user], caseId, action, body);

  /**
   * The case's events as the district supervisor's audit shows them, without the SLA watcher's
   * timekeeping: standalone runs the watcher, which records due times whenever a clock starts or
   * stops counting (ADR 0029), at its own pace.
   */
  async function audit(caseId: string): Promise<{ version: number; events: HistoryEvent[] }> {
    const history = await call('districtSupervisor', 'GET', `/cases/${caseId}/history`);
    expect(history.status).toBe(200);
    return {
      version: history.body['version'] as number,
      events: (history.body['events'] as HistoryEvent[]).filter(
        (e) => !TIMEKEEPING.includes(e.type as CaseEventType),
      ),
    };
  }

  const typesOf = async (caseId: string): Promise<string[]> =>
    (await audit(caseId)).events.map((e) => e.type);

  /** Each attempt answers `status` with `code`, and the case's history does not move. */
  async function refused(
    caseId: string,
    attempts: readonly (readonly [User, string, unknown, number, string])[],
  ): Promise<void> {
    const before = await audit(caseId);
    for (const [user, action, body, status, code] of attempts) {
      const answer = await act(user, caseId, action, body);
      expect({ user, action, status: answer.status, code: answer.body['code'] }).toEqual({
        user,
        action,
        status,
        code,
      });
    }
    // Nothing appended by the refused attempts (the watcher's timekeeping aside).
    expect((await audit(caseId)).events.length).toBe(before.events.length);
  }

  /** The case detail once the read models show the command that answered `after`. */
  async function detailAfter(caseId: string, after: Answer): Promise<Record<string, unknown>> {
    const position = String(after.body['position']);
    const detail = await call('owner', 'GET', `/cases/${caseId}?after=${encodeURIComponent(position)}`);
    expect(detail.status).toBe(200);
    expect(detail.body['consistency']).toMatchObject({ status: 'current' });
    return detail.body;
  }

  const timelineOf = (detail: Record<string, unknown>): Array<{ type: string; summary: string }> =>
    (detail['timeline'] as Array<{ type: string; summary: string }>)
      .filter(({ type }) => !TIMEKEEPING.includes(type as CaseEventType))
      .map(({ type, summary }) => ({ type, summary }));

  it('the owner withdraws a pending hand-over: the cadre offered it cannot accept, and the owner offers again and resolves', async () => {
    const id = await client.caseIn(TAIYANGCHENG, 'in_handling');
    await ok('owner', id, 'hand-over', OFFER);
    const offered = (await audit(id)).events.at(-1)!;
    expect(offered.type).toBe('case.handed_over');
    // The offer lapses HAND_OVER_EXPIRES_AFTER_HOURS (48 by default) after it was made.
    expect(Date.parse(offered.data['expiresAt'] as string) - Date.parse(offered.data['at'] as string)).toBe(
      48 * HOUR,
    );
    await refused(id, [['owner', 'resolve', { summary: '已更换灯泡' }, 409, 'case.hand_over_pending']]);

    const withdrawn = await ok('owner', id, 'hand-over/withdrawal', WITHDRAWAL);
    expect(withdrawn.body['events']).toEqual(['case.hand_over_withdrawn']);
    expect((await audit(id)).events.at(-1)).toMatchObject({
      type: 'case.hand_over_withdrawn',
      data: { toCadreId: USERS.dutyCadre, reason: WITHDRAWAL.reason, by: { id: USERS.owner } },
    });
    const detail = await detailAfter(id, withdrawn);
    expect(detail).toMatchObject({ status: 'in_handling', ownerId: USERS.owner, handoverToId: null });
    expect(timelineOf(detail).at(-1)).toEqual({
      type: 'case.hand_over_withdrawn',
      summary: `Hand-over to cadre ${USERS.dutyCadre} withdrawn by cadre ${USERS.owner}`,
    });

    // Nothing is pending now: the cadre it was offered to is no longer asked, a second
    // withdrawal has nothing to take back.
    await refused(id, [
      ['dutyCadre', 'accept', {}, 403, 'case.not_owner'],
      ['owner', 'hand-over/withdrawal', WITHDRAWAL, 409, 'case.no_hand_over_pending'],
    ]);

    // A new offer works, and once it is taken back too, so does the resolution.
    await ok('owner', id, 'hand-over', OFFER);
    await ok('owner', id, 'hand-over/withdrawal', WITHDRAWAL);
    const resolved = await ok('owner', id, 'resolve', { summary: '已更换灯泡' });
    expect(resolved.body['events']).toEqual(['case.resolved']);
    expect((await typesOf(id)).slice(-5)).toEqual([
      'case.handed_over',
      'case.hand_over_withdrawn',
      'case.handed_over',
      'case.hand_over_withdrawn',
      'case.resolved',
    ]);
  });

  it('a hand-over nobody answers lapses: the cadre offered it is refused, the owner resolves and the lapse is recorded once', async () => {
    const id = await client.caseIn(TAIYANGCHENG, 'in_handling');
    await ok('owner', id, 'hand-over', OFFER);
    const expiresAt = Date.parse((await audit(id)).events.at(-1)!.data['expiresAt'] as string);

    // A fixed clock: just before the offer lapses, and then at its expiry.
    const now = jest.spyOn(clock, 'now').mockReturnValue(new Date(expiresAt - 60_000));
    await refused(id, [['owner', 'resolve', { summary: '已更换灯泡' }, 409, 'case.hand_over_pending']]);
    now.mockReturnValue(new Date(expiresAt));
    await refused(id, [
      ['dutyCadre', 'accept', {}, 409, 'case.hand_over_expired'],
      ['dutyCadre', 'return', { reason: '本周外出培训，无法接手' }, 409, 'case.hand_over_expired'],
      ['otherCommunityCadre', 'accept', {}, 404, 'case.not_found'],
    ]);

    now.mockReturnValue(new Date(expiresAt + HOUR));
    const resolved = await ok('owner', id, 'resolve', { summary: '已更换灯泡' });
    expect(resolved.body['events']).toEqual(['case.hand_over_expired', 'case.resolved']);
    const { events } = await audit(id);
    expect(events.slice(-2)).toMatchObject([
      {
        type: 'case.hand_over_expired',
        data: {
          toCadreId: USERS.dutyCadre,
          expiredAt: new Date(expiresAt).toISOString(),
          at: new Date(expiresAt + HOUR).toISOString(),
          by: { id: USERS.owner },
        },
      },
      { type: 'case.resolved' },
    ]);
    expect(events.filter((e) => e.type === 'case.hand_over_expired')).toHaveLength(1);

    const detail = await detailAfter(id, resolved);
    expect(detail).toMatchObject({ status: 'resolved', ownerId: USERS.owner, handoverToId: null });
    expect(timelineOf(detail).slice(-2)).toEqual([
      {
        type: 'case.hand_over_expired',
        summary: `Hand-over to cadre ${USERS.dutyCadre} lapsed unanswered at ${new Date(expiresAt).toISOString()}`,
      },
      { type: 'case.resolved', summary: `Resolved by cadre ${USERS.owner}` },
    ]);
    // The resident's timeline says what happened without naming anyone.
    const mine = await call('resident', 'GET', `/cases/${id}?after=${String(resolved.body['position'])}`);
    expect(timelineOf(mine.body).slice(-2)[0]).toEqual({
      type: 'case.hand_over_expired',
      summary: 'Hand-over lapsed unanswered: the same community cadre keeps the case',
    });
  });

  it('a lapsed hand-over is no longer pending: its owner offers the case again, which the new target accepts', async () => {
    const id = await client.caseIn(TAIYANGCHENG, 'in_handling');
    await ok('owner', id, 'hand-over', OFFER);
    const expiresAt = Date.parse((await audit(id)).events.at(-1)!.data['expiresAt'] as string);
    const now = jest.spyOn(clock, 'now').mockReturnValue(new Date(expiresAt + HOUR));
    await refused(id, [['owner', 'hand-over/withdrawal', WITHDRAWAL, 409, 'case.no_hand_over_pending']]);
    const again = await ok('owner', id, 'hand-over', { ...OFFER, reason: '再次移交值班委员' });
    expect(again.body['events']).toEqual(['case.hand_over_expired', 'case.handed_over']);
    now.mockReturnValue(new Date(expiresAt + 2 * HOUR));
    await ok('dutyCadre', id, 'accept');
    const detail = await call('dutyCadre', 'GET', `/cases/${id}`);
    expect(detail.body).toMatchObject({ ownerId: USERS.dutyCadre });
  });

  it('only the owner withdraws: the cadre it is offered to, another community’s cadre and the resident are refused as the access policy says, and nothing is appended', async () => {
    const id = await client.caseIn(TAIYANGCHENG, 'in_handling');
    await ok('owner', id, 'hand-over', OFFER);
    const before = await audit(id);
    await refused(id, [
      // In scope, offered the case, but not its owner: 403 with the case vocabulary's word.
      ['dutyCadre', 'hand-over/withdrawal', WITHDRAWAL, 403, 'case.not_owner'],
      // Out of scope: answered like a case that does not exist.
      ['otherCommunityCadre', 'hand-over/withdrawal', WITHDRAWAL, 404, 'case.not_found'],
    ]);
    // A resident is not a role the route's row admits at all.
    expect((await act('resident', id, 'hand-over/withdrawal', WITHDRAWAL)).status).toBe(403);
    // A reason is required (validated at the edge).
    expect((await act('owner', id, 'hand-over/withdrawal', {})).status).toBe(400);
    expect((await act('owner', id, 'hand-over/withdrawal', { reason: '  ' })).status).toBe(400);
    // Nothing appended (the watcher's timekeeping aside, which moves the version at its own pace).
    expect((await audit(id)).events).toEqual(before.events);
    // The offer still stands for its owner to take back.
    await ok('owner', id, 'hand-over/withdrawal', WITHDRAWAL);
  });
});
