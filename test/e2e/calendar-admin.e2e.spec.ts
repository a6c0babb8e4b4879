import { createTestDatabase, kafkaBrokers, type TestDatabase } from '@tongban/testing';
import { bootApp, type RunningApp } from './boot';

/* eslint-disable @typescript-eslint/no-require-imports -- modules are loaded inside jest.isolateModules */

/**
 * Loading business calendar years over HTTP (issue 14, ADR 0027): two api processes on the real
 * PostgreSQL, in dev mode. An admin loads 2027 and sees it in force beside the shipped years;
 * every bad year is refused with its code and changes nothing (the calendar and its version are
 * as they were); only admins may load or read it; and the other api process sees the loaded year
 * once it has refreshed.
 */

const SECRET = 'e2e-secret-that-is-long-enough-for-hs256-signing';
const ADMIN = 'demo-admin';

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

interface YearView {
  readonly year: number;
  readonly version: number;
  readonly origin: string;
  readonly loaded: {
    by: { id: string; role: string };
    at: string;
    reason: string;
    calendarVersion: number;
  } | null;
  readonly source: Record<string, unknown>;
  readonly holidays: Record<string, unknown>[];
}

interface HolidayBlockBody {
  readonly festivals: string[];
  readonly from: string;
  readonly to: string;
  readonly makeUpWorkdays: string[];
  readonly citation?: string;
}

/**
 * 2027 as TEST DATA: a plausible year written for this test — the weekdays in the citations are
 * 2027's and the festivals fall near their 2027 dates (春节 on 6 February) — not the State
 * Council's notice for 2027, which had not been published when this was written.
 */
const YEAR_2027 = {
  year: 2027,
  version: 1,
  source: {
    title: '测试数据：国务院办公厅关于2027年部分节假日安排的通知（非真实通知）',
    documentNumber: 'TEST-2027-1',
    issuedOn: '2026-11-10',
  },
  holidays: [
    {
      festivals: ['newYearsDay'],
      from: '2027-01-01',
      to: '2027-01-03',
      makeUpWorkdays: [],
      citation: '一、元旦：1月1日（周五）至3日（周日）放假，共3天。',
    },
    {
      festivals: ['springFestival'],
      from: '2027-02-05',
      to: '2027-02-13',
      makeUpWorkdays: ['2027-01-31', '2027-02-20'],
      citation:
        '二、春节：2月5日（周五）至13日（周六）放假调休，共9天。1月31日（周日）、2月20日（周六）上班。',
    },
    {
      festivals: ['qingmingFestival'],
      from: '2027-04-03',
      to: '2027-04-05',
      makeUpWorkdays: [],
      citation: '三、清明节：4月3日（周六）至5日（周一）放假，共3天。',
    },
    {
      festivals: ['labourDay'],
      from: '2027-05-01',
      to: '2027-05-05',
      makeUpWorkdays: ['2027-05-08'],
      citation: '四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。5月8日（周六）上班。',
    },
    {
      festivals: ['dragonBoatFestival'],
      from: '2027-06-09',
      to: '2027-06-09',
      makeUpWorkdays: [],
      citation: '五、端午节：6月9日（周三）放假，共1天。',
    },
    {
      festivals: ['midAutumnFestival'],
      from: '2027-09-15',
      to: '2027-09-15',
      makeUpWorkdays: [],
      citation: '六、中秋节：9月15日（周三）放假，共1天。',
    },
    {
      festivals: ['nationalDay'],
      from: '2027-10-01',
      to: '2027-10-07',
      makeUpWorkdays: ['2027-09-26', '2027-10-09'],
      citation:
        '七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。',
    },
  ] as HolidayBlockBody[],
  reason: '测试：录入2027年节假日安排',
};

/** 2027 with the blocks `change` gives back (the block dropped when it gives back undefined). */
function year2027(
  change: (block: HolidayBlockBody) => HolidayBlockBody | undefined,
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    ...YEAR_2027,
    holidays: YEAR_2027.holidays.flatMap((b) => change(b) ?? []),
    ...fields,
  };
}

describe('the calendar admin API (two api processes, real PostgreSQL, dev login)', () => {
  let db: TestDatabase;
  let api: RunningApp;
  let other: RunningApp;
  const tokens = new Map<string, string>();

  const environment = (): Record<string, string> => ({
    DATABASE_URL: db.url,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    AUTH_MODE: 'dev',
    AUTH_JWT_SECRET: SECRET,
    DIRECTORY_SOURCE: 'demo',
    DIRECTORY_REFRESH_MS: '200',
    RATE_LIMIT_ENABLED: 'false',
  });

  beforeAll(async () => {
    db = await createTestDatabase('calendaradmin');
    api = await bootApp(() => require('../../apps/api/src/api.module').ApiModule, environment());
    other = await bootApp(() => require('../../apps/api/src/api.module').ApiModule, environment());
  }, 120_000);

  afterAll(async () => {
    await other?.app.close();
    await api?.app.close();
    await db?.drop();
  });

  async function token(userId: string): Promise<string> {
    const known = tokens.get(userId);
    if (known) return known;
    const res = await fetch(`${api.baseUrl}/api/v1/auth/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId }),
    });
    if (res.status !== 200) throw new Error(`dev login as ${userId}: ${res.status}`);
    const { accessToken } = (await res.json()) as { accessToken: string };
    tokens.set(userId, accessToken);
    return accessToken;
  }

  async function call(
    userId: string,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    on: RunningApp = api,
  ): Promise<Answer> {
    const res = await fetch(`${on.baseUrl}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await token(userId)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  async function calendar(on: RunningApp = api): Promise<{ calendarVersion: number; years: YearView[] }> {
    const answer = await call(ADMIN, 'GET', '/admin/calendar', undefined, on);
    expect(answer.status).toBe(200);
    return answer.body as unknown as { calendarVersion: number; years: YearView[] };
  }

  const load = (body: unknown, userId = ADMIN): Promise<Answer> =>
    call(userId, 'POST', '/admin/calendar/years', body);

  /** The refusal a load of `body` answers, after which the calendar is as it was. */
  async function refused(body: unknown): Promise<{ status: number; code: unknown; reasons: unknown[] }> {
    const before = await calendar();
    const answer = await load(body);
    expect(await calendar()).toEqual(before);
    const errors = (answer.body['errors'] as { reason: string }[] | undefined) ?? [];
    return { status: answer.status, code: answer.body['code'], reasons: errors.map((e) => e.reason) };
  }

  it('starts with the shipped years, at calendar version 0', async () => {
    const shipped = await calendar();
    expect(shipped.calendarVersion).toBe(0);
    expect(shipped.years.map((y) => [y.year, y.version, y.origin, y.loaded])).toEqual([
      [2025, 1, 'shipped', null],
      [2026, 1, 'shipped', null],
    ]);
    expect(shipped.years[1]?.source).toMatchObject({ documentNumber: '国办发明电〔2025〕7号' });
  });

  it('loads 2027 and shows it in force, stored by the admin who loaded it', async () => {
    const answer = await load(YEAR_2027);
    expect(answer).toEqual({ status: 201, body: { calendarVersion: 1, year: 2027, version: 1 } });

    const after = await calendar();
    expect(after.calendarVersion).toBe(1);
    const loaded = after.years.find((y) => y.year === 2027);
    expect(loaded).toMatchObject({
      year: 2027,
      version: 1,
      origin: 'stored',
      loaded: { by: { id: ADMIN, role: 'admin' }, reason: YEAR_2027.reason, calendarVersion: 1 },
      source: YEAR_2027.source,
    });
    expect(loaded?.holidays).toEqual(YEAR_2027.holidays);
    expect(after.years.map((y) => y.year)).toEqual([2025, 2026, 2027]);
  });

  it('refuses a year with no Spring Festival block: 422 calendar.missing_holiday', async () => {
    const body = year2027((b) => (b.festivals.includes('springFestival') ? undefined : b), { version: 2 });
    expect(await refused(body)).toEqual({
      status: 422,
      code: 'calendar.missing_holiday',
      reasons: ['calendar.missing_holiday'],
    });
  });

  it('refuses a year whose entries overlap: 422 calendar.overlapping_entries', async () => {
    // 清明 running into 劳动节.
    const body = year2027(
      (b) => (b.festivals.includes('qingmingFestival') ? { ...b, to: '2027-05-02' } : b),
      {
        version: 2,
      },
    );
    expect(await refused(body)).toEqual({
      status: 422,
      code: 'calendar.overlapping_entries',
      reasons: ['calendar.overlapping_entries'],
    });
  });

  it('refuses a make-up workday on a Wednesday: 422 calendar.make_up_not_weekend', async () => {
    const body = year2027(
      (b) => (b.festivals.includes('springFestival') ? { ...b, makeUpWorkdays: ['2027-02-17'] } : b),
      { version: 2 },
    );
    expect(await refused(body)).toEqual({
      status: 422,
      code: 'calendar.make_up_not_weekend',
      reasons: ['calendar.make_up_not_weekend'],
    });
  });

  it('refuses a replacement whose version is not higher: 409 calendar.stale_version', async () => {
    expect(await refused({ ...YEAR_2027, reason: '重复录入' })).toMatchObject({
      status: 409,
      code: 'calendar.stale_version',
    });
    // A shipped year is in force at version 1 too.
    const shipped = (await calendar()).years.find((y) => y.year === 2026)!;
    expect(
      await refused({
        year: 2026,
        version: 1,
        source: shipped.source,
        holidays: shipped.holidays,
        reason: '覆盖内置年份',
      }),
    ).toMatchObject({ status: 409, code: 'calendar.stale_version' });
  });

  it('refuses a malformed body before the year is checked: 400', async () => {
    const body = year2027((b) => (b.festivals.includes('labourDay') ? { ...b, festivals: ['laborDay'] } : b));
    expect(await refused(body)).toMatchObject({ status: 400, code: 'request.validation_failed' });
  });

  it('replaces 2027 with a higher version', async () => {
    const body = year2027(
      (b) => (b.festivals.includes('dragonBoatFestival') ? { ...b, to: '2027-06-11' } : b),
      { version: 2, reason: '测试：更正端午节安排' },
    );
    expect(await load(body)).toEqual({ status: 201, body: { calendarVersion: 2, year: 2027, version: 2 } });
    const after = await calendar();
    expect(after.years.find((y) => y.year === 2027)).toMatchObject({
      version: 2,
      loaded: { reason: '测试：更正端午节安排', calendarVersion: 2 },
    });
  });

  it('only admins may load or read the calendar: 403 for anyone else', async () => {
    const before = await calendar();
    for (const userId of ['demo-dispatcher', 'demo-supervisor-district', 'demo-cadre-taiyangcheng']) {
      expect((await load({ ...YEAR_2027, year: 2028 }, userId)).status).toBe(403);
      expect((await call(userId, 'GET', '/admin/calendar')).status).toBe(403);
    }
    expect(await calendar()).toEqual(before);
  });

  it('the other api process sees the loaded years once it has refreshed', async () => {
    const mine = await calendar();
    const deadline = Date.now() + 10_000;
    let theirs = await calendar(other);
    while (theirs.calendarVersion !== mine.calendarVersion && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      theirs = await calendar(other);
    }
    expect(theirs).toEqual(mine);
    expect(theirs.years.find((y) => y.year === 2027)).toMatchObject({ version: 2, origin: 'stored' });
  });
});
