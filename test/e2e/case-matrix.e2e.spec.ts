import { randomUUID } from 'node:crypto';
import { createTokenSigner, type Principal } from '@tongban/security';
import { createTestDatabase, kafkaBrokers, type TestDatabase } from '@tongban/testing';
import { bootApp, type RunningApp, bootReadSide } from './boot';

/* eslint-disable @typescript-eslint/no-require-imports -- modules are loaded inside jest.isolateModules */

/**
 * THE ACCESS MATRIX (issue 10): every operation on a case that the API document lists × every
 * kind of caller × the case in the state the operation applies to → the expected status, on the
 * real api and projector over PostgreSQL. The operations come from /docs-json, so a new endpoint
 * without a row here fails. The expectations below are written by hand from the rules a district
 * would state — who is in scope, who may act — not computed by the policy under test.
 *
 * Every refusal must append nothing (the case's version is unchanged) and no refusal may carry
 * the resident's personal data.
 */

const SECRET = 'e2e-secret-that-is-long-enough-for-hs256-signing';
const signer = createTokenSigner({ secret: SECRET, issuer: 'tongban', audience: 'tongban-api' });
/** Signs as of two hours ago: its tokens expired an hour ago. */
const pastSigner = createTokenSigner({
  secret: SECRET,
  issuer: 'tongban',
  audience: 'tongban-api',
  now: () => Date.now() - 2 * 3_600_000,
});

const COMMUNITY = 'pc.gucheng.taiyangcheng';
const OFFICE = 'pc.gucheng.publicServiceOffice';
const RESIDENT = { name: '周桂英', phone: '13912345678' };

const callers = {
  resident: { id: 'resident-zhou', role: 'resident' },
  otherResident: { id: 'resident-qian', role: 'resident' },
  hotline: { id: 'hotline-12345-07', role: 'channel', channel: 'hotline' },
  otherChannel: { id: 'gateway-third-party', role: 'channel', channel: 'third_party' },
  ownerCadre: { id: 'cadre-tyc-01', role: 'cadre', orgUnit: COMMUNITY },
  sameCommunityCadre: { id: 'cadre-tyc-02', role: 'cadre', orgUnit: COMMUNITY },
  otherCommunityCadre: { id: 'cadre-yql-01', role: 'cadre', orgUnit: 'pc.zhenhua.yunquanli' },
  referredOffice: { id: 'staff-gucheng-ps-01', role: 'office_staff', orgUnit: OFFICE },
  otherOffice: {
    id: 'staff-zhenhua-ms-01',
    role: 'office_staff',
    orgUnit: 'pc.zhenhua.marketSupervisionStation',
  },
  dispatcher: { id: 'dispatcher-pc-01', role: 'dispatcher', orgUnit: 'pc' },
  streetSupervisor: { id: 'supervisor-gucheng', role: 'supervisor', orgUnit: 'pc.gucheng' },
  otherStreetSupervisor: { id: 'supervisor-zhenhua', role: 'supervisor', orgUnit: 'pc.zhenhua' },
  districtSupervisor: { id: 'supervisor-pc', role: 'supervisor', orgUnit: 'pc' },
  admin: { id: 'admin-pc', role: 'admin', orgUnit: 'pc' },
} satisfies Record<string, Principal>;

type Caller = keyof typeof callers | 'noToken' | 'expiredToken' | 'malformedUnit';
const CALLERS: readonly Caller[] = [
  ...(Object.keys(callers) as Caller[]),
  'noToken',
  'expiredToken',
  'malformedUnit',
];

/** Who sees the case the matrix acts on (filed by `resident` on the portal, in 太阳城, referred to 古城's office). */
const SEES: ReadonlySet<Caller> = new Set<Caller>([
  'resident',
  'ownerCadre',
  'sameCommunityCadre',
  'referredOffice',
  'dispatcher',
  'streetSupervisor',
  'districtSupervisor',
]);

type Stage =
  | 'submitted'
  | 'dispatched'
  | 'inHandling'
  | 'suspended'
  | 'handOverOffered'
  | 'referred'
  | 'resolved'
  | 'rated'
  | 'closed';

interface Row {
  /** The state the case must be in for the operation to make sense. */
  readonly stage: Stage;
  /** Everyone who may do it; everyone else in scope gets 403, out of scope 404. */
  readonly may: readonly Caller[];
  readonly body?: (c: Prepared) => unknown;
}

interface Prepared {
  readonly id: string;
  readonly version: number;
  readonly position: string;
  readonly referralId: string;
  /** Another open case of the same street, for merges. */
  readonly other: string;
}

const supervisors: readonly Caller[] = ['streetSupervisor', 'districtSupervisor'];

/** THE ROWS, by method and path as the API document writes them. */
const ROWS: Readonly<Record<string, Row>> = {
  'GET /api/v1/cases/{id}': {
    stage: 'referred',
    may: ['resident', 'ownerCadre', 'sameCommunityCadre', 'referredOffice', 'dispatcher', ...supervisors],
  },
  'GET /api/v1/cases/{id}/timeline': {
    stage: 'referred',
    may: ['resident', 'ownerCadre', 'sameCommunityCadre', 'referredOffice', 'dispatcher', ...supervisors],
  },
  'GET /api/v1/cases/{id}/history': { stage: 'referred', may: ['dispatcher', ...supervisors] },
  'POST /api/v1/cases/{id}/dispatch': {
    stage: 'submitted',
    may: ['dispatcher'],
    body: () => ({ ownerId: callers.ownerCadre.id, ownerOrgUnit: COMMUNITY }),
  },
  'POST /api/v1/cases/{id}/accept': { stage: 'dispatched', may: ['ownerCadre'], body: () => ({}) },
  'POST /api/v1/cases/{id}/return': {
    stage: 'dispatched',
    may: ['ownerCadre'],
    body: () => ({ reason: '不属本社区' }),
  },
  'POST /api/v1/cases/{id}/contact': {
    stage: 'inHandling',
    may: ['ownerCadre'],
    body: () => ({ method: 'phone', note: '已电话联系居民' }),
  },
  'POST /api/v1/cases/{id}/steps': {
    stage: 'inHandling',
    may: ['ownerCadre'],
    body: () => ({ note: '上门查看' }),
  },
  'POST /api/v1/cases/{id}/referrals': {
    stage: 'inHandling',
    may: ['ownerCadre'],
    body: () => ({ target: 'office', toOrgUnit: OFFICE, request: '请协助核实' }),
  },
  'POST /api/v1/cases/{id}/referrals/{referralId}/complete': {
    stage: 'referred',
    may: ['referredOffice'],
    body: () => ({ outcome: '已核实' }),
  },
  'POST /api/v1/cases/{id}/suspend': {
    stage: 'inHandling',
    may: ['ownerCadre'],
    body: () => ({ reason: '居民外出' }),
  },
  'POST /api/v1/cases/{id}/resume': {
    stage: 'suspended',
    may: ['ownerCadre'],
    body: () => ({ reason: '居民已回家' }),
  },
  'POST /api/v1/cases/{id}/hand-over': {
    stage: 'inHandling',
    may: ['ownerCadre'],
    body: () => ({ toCadreId: callers.sameCommunityCadre.id, toOrgUnit: COMMUNITY, reason: '轮值结束' }),
  },
  // Offered to the same community's other cadre, who refuses it with a return: only the owner takes it back.
  'POST /api/v1/cases/{id}/hand-over/withdrawal': {
    stage: 'handOverOffered',
    may: ['ownerCadre'],
    body: () => ({ reason: '培训取消，本人继续办理' }),
  },
  'POST /api/v1/cases/{id}/resolve': {
    stage: 'inHandling',
    may: ['ownerCadre'],
    body: () => ({ summary: '已修复' }),
  },
  'POST /api/v1/cases/{id}/supplement': {
    stage: 'submitted',
    may: ['resident'],
    body: () => ({ note: '补充：二单元也不亮' }),
  },
  'POST /api/v1/cases/{id}/withdraw': {
    stage: 'submitted',
    may: ['resident'],
    body: () => ({ reason: '已自行解决' }),
  },
  'POST /api/v1/cases/{id}/feedback': {
    stage: 'resolved',
    may: ['resident'],
    body: () => ({ satisfaction: 'satisfied', solved: true }),
  },
  'POST /api/v1/cases/{id}/close': { stage: 'rated', may: ['ownerCadre'], body: () => ({}) },
  'POST /api/v1/cases/{id}/reopen': {
    stage: 'closed',
    may: ['dispatcher', ...supervisors],
    body: () => ({ reason: '居民反映问题复发' }),
  },
  'POST /api/v1/cases/{id}/supervise': {
    stage: 'inHandling',
    may: supervisors,
    body: () => ({ instruction: '请加快办理' }),
  },
  'POST /api/v1/cases/{id}/extensions': {
    stage: 'inHandling',
    may: supervisors,
    body: () => ({ clock: 'resolution', extraBusinessDays: 3, reason: '等待排期' }),
  },
  'POST /api/v1/cases/{id}/rule-unreasonable': {
    stage: 'inHandling',
    may: supervisors,
    body: () => ({ reason: '诉求超出职责范围' }),
  },
  // The case is the resident's own portal case: no channel filed it, so only its owner may.
  'POST /api/v1/cases/{id}/contact-details/reveal': {
    stage: 'inHandling',
    may: ['ownerCadre'],
    body: () => ({ reason: '回电前核对居民手机号' }),
  },
  'POST /api/v1/cases/{id}/merge': {
    stage: 'inHandling',
    may: supervisors,
    body: (c) => ({ intoCaseId: c.other, reason: '重复反映' }),
  },
};

/**
 * Every other endpoint: intake, the lists and who-am-I. `may` are the callers it answers 2xx;
 * `shows` those whose answer must list the matrix's case (filed by `resident` in 太阳城, referred
 * to 古城's public service office, its phone number revealed to its owner): every other caller's
 * answer must not carry it, nor the resident's data.
 */
interface EndpointRow {
  readonly may: readonly Caller[];
  readonly shows?: readonly Caller[];
  /**
   * Not a list: called once with this query string (lists are read whole after the matrix's last
   * write); a function is given that write's `?after=<position>`.
   */
  readonly query?: string | ((after: string) => string);
  /** Callers it admits by role but answers 404: what they ask is outside their scope. */
  readonly hidden?: readonly Caller[];
  /** What the callers it admits are answered, when not 200 (201 for POST). */
  readonly admitted?: number;
}

const cadres: readonly Caller[] = ['ownerCadre', 'sameCommunityCadre', 'otherCommunityCadre'];
const everyone: readonly Caller[] = Object.keys(callers) as Caller[];

/** Today in Asia/Shanghai (UTC+8 all year): the day the KPI facts of the matrix's cases fall on. */
const shanghaiToday = (): string => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

const ENDPOINT_ROWS: Readonly<Record<string, EndpointRow>> = {
  'GET /api/v1/auth/me': { may: everyone },
  'POST /api/v1/cases': { may: ['resident', 'otherResident', 'hotline', 'otherChannel', ...cadres] },
  'GET /api/v1/cases': {
    may: everyone.filter((c) => c !== 'admin'),
    shows: [...SEES],
  },
  'GET /api/v1/me/cases': { may: ['resident', 'otherResident'], shows: ['resident'] },
  'GET /api/v1/worklist': { may: cadres, shows: ['ownerCadre'] },
  'GET /api/v1/referrals': { may: ['referredOffice', 'otherOffice'], shows: ['referredOffice'] },
  'GET /api/v1/contact-reveals': { may: [...supervisors, 'otherStreetSupervisor'], shows: supervisors },
  // A read of the directory (who is the one person for a place): anyone signed in, no case in it.
  // The matrix's api has no directory (JWT mode, DIRECTORY_SOURCE unset): past the access check,
  // the callers it admits are answered 503 directory.unavailable; the others 403 before that.
  'GET /api/v1/directory/lookup': {
    may: everyone,
    query: `?address=${encodeURIComponent('古城街道太阳城小区3号楼')}`,
    admitted: 503,
  },
  // The workload of the matrix case's community: dispatchers, supervisors and admins covering it;
  // another street's supervisor is answered as for a unit nobody took a case in.
  'GET /api/v1/workload': {
    may: ['dispatcher', ...supervisors, 'admin'],
    hidden: ['otherStreetSupervisor'],
    query: (after) => `${after}&orgUnit=${COMMUNITY}`,
  },
  // The three rates (issue 14) of the matrix case's community, today (Asia/Shanghai): dispatchers,
  // supervisors and admins covering it; another street's supervisor is answered as for a unit
  // without KPI facts. The CSV is asked of a month without facts (404 for everyone admitted): this
  // matrix reads every answer as JSON; test/e2e/kpi.e2e.spec.ts reads the file itself.
  'GET /api/v1/kpi': {
    may: ['dispatcher', ...supervisors, 'admin'],
    hidden: ['otherStreetSupervisor'],
    query: (after) => `${after}&unit=${COMMUNITY}&from=${shanghaiToday()}&to=${shanghaiToday()}&period=day`,
  },
  'GET /api/v1/kpi.csv': {
    may: ['dispatcher', ...supervisors, 'admin'],
    hidden: ['otherStreetSupervisor'],
    query: (after) => `${after}&unit=${COMMUNITY}&from=2001-01-01&to=2001-01-31`,
    admitted: 404,
  },
  // One cadre's rates (issue 14): the matrix case's owner, today. The cadre themselves, and
  // dispatchers, supervisors and admins covering their community; any other cadre and another
  // street's supervisor are answered as for a cadre without KPI facts.
  'GET /api/v1/kpi/cadre': {
    may: ['ownerCadre', 'dispatcher', ...supervisors, 'admin'],
    hidden: ['sameCommunityCadre', 'otherCommunityCadre', 'otherStreetSupervisor'],
    query: (after) =>
      `${after}&cadre=${callers.ownerCadre.id}&from=${shanghaiToday()}&to=${shanghaiToday()}&period=day`,
  },
  // The cadres of the matrix case's community, today: scoped like the unit's rates.
  'GET /api/v1/kpi/cadres': {
    may: ['dispatcher', ...supervisors, 'admin'],
    hidden: ['otherStreetSupervisor'],
    query: (after) => `${after}&unit=${COMMUNITY}&from=${shanghaiToday()}&to=${shanghaiToday()}&period=day`,
  },
  'GET /api/v1/kpi/rankings': {
    may: ['dispatcher', ...supervisors, 'admin'],
    hidden: ['otherStreetSupervisor'],
    query: (after) => `${after}&street=pc.gucheng&month=${shanghaiToday().slice(0, 7)}`,
  },
  // The directory's administration (issue 13): admins only. The matrix's store holds no directory
  // (DIRECTORY_SOURCE unset in JWT mode: `store`, never seeded): the status answers versions 0 and
  // the audit view nothing. Every POST gets the intake's body, which no change accepts: 400 for the
  // admin, 403 for everyone else before the body is looked at.
  'GET /api/v1/admin/directory': { may: ['admin'], query: '' },
  'GET /api/v1/admin/directory/changes': { may: ['admin'], query: '?stream=directory&limit=10' },
  ...Object.fromEntries(
    [
      '/api/v1/admin/directory/district',
      '/api/v1/admin/directory/streets',
      '/api/v1/admin/directory/communities',
      '/api/v1/admin/directory/grids',
      '/api/v1/admin/directory/grids/{code}/responsible-cadre',
      '/api/v1/admin/directory/cadres',
      '/api/v1/admin/directory/cadres/{cadre}/departure',
      '/api/v1/admin/directory/cadres/{cadre}/leave',
      '/api/v1/admin/directory/communities/{code}/duty-rota',
      '/api/v1/admin/directory/units',
      '/api/v1/admin/directory/addresses',
      '/api/v1/admin/catalogue/matters',
    ].map((path): [string, EndpointRow] => [`POST ${path}`, { may: ['admin'], admitted: 400 }]),
  ),
  // The business calendar's administration (issue 14): admins only. The shipped years are in force
  // without any load; the intake's body is no year: 400 for the admin, 403 for everyone else.
  'GET /api/v1/admin/calendar': { may: ['admin'], query: '' },
  'POST /api/v1/admin/calendar/years': { may: ['admin'], admitted: 400 },
};

/** What each kind of caller files through, and where (a cadre in their own community). */
function intakeOf(caller: Caller): unknown {
  const principal: Principal | undefined =
    caller in callers ? callers[caller as keyof typeof callers] : undefined;
  const channel =
    principal?.role === 'channel'
      ? principal.channel
      : principal?.role === 'cadre'
        ? 'grid_patrol'
        : 'portal';
  const community = principal?.role === 'cadre' ? principal.orgUnit : COMMUNITY;
  return {
    channel,
    resident: { name: '吴建华', phone: '13712345670' },
    location: { address: '矩阵测试地址 1 号', communityCode: community },
    title: '井盖松动',
    description: '路口井盖松动，有安全隐患。',
  };
}

interface Answer {
  readonly status: number;
  readonly text: string;
  readonly body: Record<string, unknown>;
}

describe('the access matrix (real PostgreSQL)', () => {
  let db: TestDatabase;
  let api: RunningApp;
  let projector: RunningApp;
  let operations: Array<{ key: string; method: 'GET' | 'POST'; path: string; roles: readonly string[] }>;
  /** Every operation of the document that is not on one case. */
  let endpoints: Array<{ key: string; method: 'GET' | 'POST'; path: string }>;

  const environment = (): Record<string, string> => ({
    DATABASE_URL: db.url,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    AUTH_JWT_ALGORITHM: 'HS256',
    AUTH_JWT_SECRET: SECRET,
    RATE_LIMIT_ENABLED: 'false',
  });

  beforeAll(async () => {
    db = await createTestDatabase('matrix');
    api = await bootApp(() => require('../../apps/api/src/api.module').ApiModule, environment(), {
      openApiTitle: 'Tongban API',
    });
    projector = await bootReadSide(environment());
    const document = (await (await fetch(`${api.baseUrl}/docs-json`)).json()) as {
      paths: Record<string, Record<string, { 'x-roles'?: string[] }>>;
    };
    endpoints = Object.entries(document.paths)
      .filter(([path]) => !path.startsWith('/api/v1/cases/{id}'))
      .flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => ({
          key: `${method.toUpperCase()} ${path}`,
          method: method.toUpperCase() as 'GET' | 'POST',
          path,
        })),
      );
    operations = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/api/v1/cases/{id}'))
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, op]) => ({
          key: `${method.toUpperCase()} ${path}`,
          method: method.toUpperCase() as 'GET' | 'POST',
          path,
          roles: op['x-roles'] ?? [],
        })),
      );
  }, 120_000);

  afterAll(async () => {
    await projector?.app.close();
    await api?.app.close();
    await db?.drop();
  });

  async function tokenOf(caller: Caller): Promise<string | undefined> {
    if (caller === 'noToken') return undefined;
    if (caller === 'expiredToken') return pastSigner.sign(callers.districtSupervisor, 3_600);
    if (caller === 'malformedUnit') {
      return signer.sign({ id: 'supervisor-140213001', role: 'supervisor', orgUnit: '140213001' }, 600);
    }
    return signer.sign(callers[caller], 600);
  }

  async function call(
    caller: Caller,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const token = await tokenOf(caller);
    const res = await fetch(`${api.baseUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, text, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  async function step(caller: Caller, c: { id: string; version: number }, action: string, body: unknown) {
    const answer = await call(caller, 'POST', `/api/v1/cases/${c.id}/${action}`, body, {
      'if-match': `"${c.version}"`,
    });
    if (answer.status !== 200) throw new Error(`${action} by ${caller}: ${answer.status} ${answer.text}`);
    return {
      id: c.id,
      version: answer.body['version'] as number,
      position: answer.body['position'] as string,
    };
  }

  async function file(): Promise<{ id: string; version: number; position: string }> {
    const filed = await call(
      'resident',
      'POST',
      '/api/v1/cases',
      {
        channel: 'portal',
        resident: RESIDENT,
        location: { address: '太阳城小区 7 号楼', communityCode: COMMUNITY },
        title: '路灯不亮',
        description: '7 号楼前两盏路灯不亮。',
      },
      { 'idempotency-key': randomUUID() },
    );
    if (filed.status !== 201) throw new Error(`intake: ${filed.status} ${filed.text}`);
    return { id: filed.body['caseId'] as string, version: 1, position: filed.body['position'] as string };
  }

  /** A fresh case in `stage`, with everything the rows need. */
  async function prepare(stage: Stage): Promise<Prepared> {
    let c = await file();
    const other = (await file()).id;
    let referralId: string = randomUUID();
    const done = (): Prepared => ({ ...c, referralId, other });
    if (stage === 'submitted') return done();
    c = await step('dispatcher', c, 'dispatch', { ownerId: callers.ownerCadre.id, ownerOrgUnit: COMMUNITY });
    if (stage === 'dispatched') return done();
    c = await step('ownerCadre', c, 'accept', {});
    c = await step('ownerCadre', c, 'contact', { method: 'phone', note: '已电话联系居民' });
    if (stage === 'inHandling') return done();
    if (stage === 'suspended')
      return ((c = await step('ownerCadre', c, 'suspend', { reason: '居民外出' })), done());
    if (stage === 'handOverOffered') {
      const offer = { toCadreId: callers.sameCommunityCadre.id, toOrgUnit: COMMUNITY, reason: '轮值结束' };
      return ((c = await step('ownerCadre', c, 'hand-over', offer)), done());
    }
    const referred = await call(
      'ownerCadre',
      'POST',
      `/api/v1/cases/${c.id}/referrals`,
      { target: 'office', toOrgUnit: OFFICE, request: '请协助核实' },
      { 'if-match': `"${c.version}"` },
    );
    if (referred.status !== 200) throw new Error(`refer: ${referred.status} ${referred.text}`);
    referralId = referred.body['referralId'] as string;
    c = {
      id: c.id,
      version: referred.body['version'] as number,
      position: referred.body['position'] as string,
    };
    if (stage === 'referred') return done();
    c = await step('referredOffice', c, `referrals/${referralId}/complete`, { outcome: '已核实' });
    c = await step('ownerCadre', c, 'resolve', { summary: '已修复' });
    if (stage === 'resolved') return done();
    c = await step('resident', c, 'feedback', { satisfaction: 'satisfied', solved: true });
    if (stage === 'rated') return done();
    c = await step('ownerCadre', c, 'close', {});
    return done();
  }

  /** The district supervisor's audit: the case's version now. */
  async function versionOf(id: string): Promise<number> {
    const history = await call('districtSupervisor', 'GET', `/api/v1/cases/${id}/history`);
    return history.body['version'] as number;
  }

  function expected(row: Row, roles: readonly string[], caller: Caller): number {
    if (caller === 'noToken' || caller === 'expiredToken' || caller === 'malformedUnit') return 401;
    if (!roles.includes(callers[caller].role)) return 403;
    if (!SEES.has(caller)) return 404;
    return row.may.includes(caller) ? 200 : 403;
  }

  it('every operation on a case has a row, and every row an operation', () => {
    expect(operations.map((o) => o.key).sort()).toEqual(Object.keys(ROWS).sort());
  });

  it('every operation × every caller answers as the rows say, refusals append nothing and leak nothing', async () => {
    const failures: string[] = [];
    let cells = 0;
    for (const op of operations) {
      const row = ROWS[op.key];
      if (!row) continue;
      const target = await prepare(row.stage);
      const path = op.path.replace('{id}', target.id).replace('{referralId}', target.referralId);
      const query = op.method === 'GET' ? `?after=${target.position}` : '';
      const before = await versionOf(target.id);
      const allowed: Caller[] = [];
      for (const caller of CALLERS) {
        const want = expected(row, op.roles, caller);
        if (want === 200) {
          allowed.push(caller);
          continue;
        }
        cells += 1;
        const answer = await call(caller, op.method, `${path}${query}`, row.body?.(target), {
          'if-match': `"${before}"`,
        });
        if (answer.status !== want)
          failures.push(`${op.key} by ${caller}: ${answer.status}, want ${want}: ${answer.text}`);
        if (answer.text.includes(RESIDENT.name) || answer.text.includes(RESIDENT.phone)) {
          failures.push(`${op.key} by ${caller}: the refusal carries the resident's data`);
        }
        if (want === 404 && answer.body['code'] !== 'case.not_found') {
          failures.push(
            `${op.key} by ${caller}: 404 with code ${String(answer.body['code'])}, want case.not_found`,
          );
        }
      }
      if ((await versionOf(target.id)) !== before) failures.push(`${op.key}: a refusal appended to the case`);
      // Each caller the row allows acts on a case of its own in the same state.
      for (const caller of allowed) {
        cells += 1;
        const own = op.method === 'GET' ? target : await prepare(row.stage);
        const ownPath = op.path.replace('{id}', own.id).replace('{referralId}', own.referralId);
        const answer = await call(caller, op.method, `${ownPath}${query}`, row.body?.(own), {
          'if-match': `"${own.version}"`,
        });
        if (answer.status !== 200)
          failures.push(`${op.key} by ${caller}: ${answer.status}, want 200: ${answer.text}`);
      }
    }
    expect(failures).toEqual([]);
    process.stdout.write(
      `access matrix: ${operations.length} operations × ${CALLERS.length} callers = ${cells} cells, 0 failures\n`,
    );
  }, 600_000);

  /**
   * A list read again while it answers `behind` (a busy machine can outlast the api's bounded
   * wait): what it lists is judged only once the read models have reached the token.
   */
  async function current(read: () => Promise<Answer>): Promise<Answer> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const answer = await read();
      const consistency = answer.body['consistency'] as { status?: string } | undefined;
      if (consistency?.status !== 'behind' || Date.now() > deadline) return answer;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * A list read whole: every page, following `nextCursor` (the owner's worklist holds every case
   * the matrix made, more than a page), each page once it answers current. The answer is the
   * first page's status with the text of all pages.
   */
  async function everyPage(caller: Caller, path: string): Promise<Answer> {
    const first = await current(() => call(caller, 'GET', `${path}&limit=100`));
    let text = first.text;
    let cursor = first.status === 200 ? (first.body['nextCursor'] as string | null | undefined) : null;
    while (cursor) {
      const page = await current(() =>
        call(caller, 'GET', `${path}&limit=100&cursor=${encodeURIComponent(cursor!)}`),
      );
      if (page.status !== 200) throw new Error(`${path} page by ${caller}: ${page.status} ${page.text}`);
      text += page.text;
      cursor = page.body['nextCursor'] as string | null | undefined;
    }
    return { ...first, text };
  }

  it('every other endpoint of the document has a row, and every row an endpoint', () => {
    expect(endpoints.map((o) => o.key).sort()).toEqual(Object.keys(ENDPOINT_ROWS).sort());
  });

  it('every other endpoint × every caller: who may call it, and no answer carries a case out of scope', async () => {
    const target = await prepare('referred');
    const revealed = await call('ownerCadre', 'POST', `/api/v1/cases/${target.id}/contact-details/reveal`, {
      reason: '回电核实',
    });
    expect(revealed.status).toBe(200);
    const after = `?after=${String(revealed.body['position'])}`;
    const failures: string[] = [];
    let cells = 0;
    for (const op of endpoints) {
      const row = ENDPOINT_ROWS[op.key];
      if (!row) continue;
      for (const caller of CALLERS) {
        cells += 1;
        const bad = caller === 'noToken' || caller === 'expiredToken' || caller === 'malformedUnit';
        const want = bad
          ? 401
          : row.may.includes(caller)
            ? (row.admitted ?? (op.method === 'POST' ? 201 : 200))
            : (row.hidden ?? []).includes(caller)
              ? 404
              : 403;
        const answer =
          op.method === 'POST'
            ? await call(caller, 'POST', op.path, intakeOf(caller), { 'idempotency-key': randomUUID() })
            : row.query !== undefined
              ? await call(
                  caller,
                  'GET',
                  `${op.path}${typeof row.query === 'string' ? row.query : row.query(after)}`,
                )
              : await everyPage(caller, `${op.path}${after}`);
        if (answer.status !== want) {
          failures.push(`${op.key} by ${caller}: ${answer.status}, want ${want}: ${answer.text}`);
          continue;
        }
        if (op.method !== 'GET') continue;
        const listed = answer.text.includes(target.id);
        const shown = want === 200 && (row.shows ?? []).includes(caller);
        if (shown && !listed) failures.push(`${op.key} by ${caller}: does not list the case in scope`);
        if (!shown && listed) failures.push(`${op.key} by ${caller}: lists a case out of its scope`);
        if (!shown && (answer.text.includes(RESIDENT.name) || answer.text.includes(RESIDENT.phone))) {
          failures.push(`${op.key} by ${caller}: the answer carries the resident's data`);
        }
      }
    }
    expect(failures).toEqual([]);
    process.stdout.write(
      `access matrix, other endpoints: ${endpoints.length} endpoints × ${CALLERS.length} callers = ${cells} cells, 0 failures\n`,
    );
  }, 300_000);
});
