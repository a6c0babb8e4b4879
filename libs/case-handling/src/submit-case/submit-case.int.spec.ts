import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CaseError } from '@tongban/cases';
import { migrateEventStore, PostgresEventStore, poolOf } from '@tongban/event-store';
import { createTestDatabase, type TestDatabase } from '@tongban/testing';
import { DEFAULT_CASE_HANDLING_OPTIONS } from '../case-handling.options';
import { CaseIntake1764201600000 } from './case-intake.migration';
import {
  IdempotencyKeyReusedError,
  SubmitCaseCommand,
  SubmitCaseHandler,
  type SubmitCaseInput,
} from './submit-case.command';
import { fixedDirectory } from '../directory/case-directory';
import { CaseRouter } from '../route-case/case-router';

/** These tests are about intake itself: no directory, nothing routed. */
const ROUTING_OFF = new CaseRouter(fixedDirectory(null), DEFAULT_CASE_HANDLING_OPTIONS);

const input = (overrides: Partial<SubmitCaseInput> = {}): SubmitCaseInput => ({
  actor: { id: 'agent-12345-03', role: 'channel' },
  at: '2026-11-30T02:00:00.000Z',
  channel: 'hotline',
  resident: { name: '孙建国', phone: '13812341234' },
  location: { address: '平城区南关街道永泰社区9号楼' },
  title: '下水道堵塞',
  description: '9号楼下水道堵了两天。',
  attachments: [],
  ...overrides,
});

describe('intake in one transaction (real PostgreSQL)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let store: PostgresEventStore;
  let handler: SubmitCaseHandler;

  beforeAll(async () => {
    db = await createTestDatabase('intaketx');
    dataSource = await new DataSource({
      type: 'postgres',
      url: db.url,
      migrations: [CaseIntake1764201600000],
      extra: { max: 4 },
    }).initialize();
    await dataSource.runMigrations();
    await migrateEventStore(poolOf(dataSource));
    store = new PostgresEventStore({ pool: poolOf(dataSource), notify: false });
    handler = new SubmitCaseHandler(dataSource, store, DEFAULT_CASE_HANDLING_OPTIONS, ROUTING_OFF);
  });

  afterAll(async () => {
    await store?.close();
    await dataSource?.destroy();
    await db?.drop();
  });

  const submit = (body: SubmitCaseInput, key = randomUUID()) =>
    handler.execute(new SubmitCaseCommand(body, key, { correlationId: randomUUID() }));

  async function written(): Promise<{ claims: number; events: number }> {
    const [row] = await dataSource.query<Array<{ claims: number; events: number }>>(
      `SELECT (SELECT count(*)::int FROM case_intake_requests) AS claims,
              (SELECT count(*)::int FROM tongban_es.events) AS events`,
    );
    return row!;
  }

  it('files a case: its claim and its event, the number of the Shanghai day', async () => {
    const result = await submit(input());
    expect(result).toMatchObject({ created: true, version: 1, caseNumber: 'PC-20261130-000001' });
    expect(await written()).toEqual({ claims: 1, events: 1 });
  });

  it('writes nothing for an intake decide refuses, and hands its number to the next intake', async () => {
    const before = await written();
    const refused = submit(input({ resident: { name: '', phone: '13812341234' } }));
    await expect(refused).rejects.toBeInstanceOf(CaseError);
    expect(await written()).toEqual(before);
    expect((await submit(input())).caseNumber).toBe('PC-20261130-000002');
  });

  it('answers a retry with the first case, and refuses the key with another request', async () => {
    const key = randomUUID();
    const first = await submit(input(), key);
    const retry = await submit(input({ at: '2026-11-30T02:00:05.000Z' }), key);
    expect(retry).toEqual({ ...first, created: false });
    await expect(submit(input({ title: '另一件事' }), key)).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    // The losers' numbers were not used: the next intake gets the one right after.
    expect(Number((await submit(input())).caseNumber.slice(-6))).toBe(Number(first.caseNumber.slice(-6)) + 1);
  });
});
