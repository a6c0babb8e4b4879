import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { caseStreamId } from '@tongban/cases';
import {
  EventStoreUnavailableError,
  InMemoryEventStore,
  type AppendResult,
  type EventToAppend,
  type ExpectedVersion,
} from '@tongban/event-store';
import { createTestDatabase, type TestDatabase } from '@tongban/testing';
import { DEFAULT_CASE_HANDLING_OPTIONS } from '../case-handling.options';
import { CaseIntake1764201600000 } from './case-intake.migration';
import { SubmitCaseCommand, SubmitCaseHandler, type SubmitCaseInput } from './submit-case.command';
import { fixedDirectory } from '../directory/case-directory';
import { CaseRouter } from '../route-case/case-router';

/** These tests are about intake itself: no directory, nothing routed. */
const ROUTING_OFF = new CaseRouter(fixedDirectory(null), DEFAULT_CASE_HANDLING_OPTIONS);

/** A store without PostgreSQL's one-statement intake (as EventStoreDB), whose next append can fail. */
class FlakyStore extends InMemoryEventStore {
  failNext = false;

  override async append(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedVersion,
  ): Promise<AppendResult> {
    if (this.failNext) {
      this.failNext = false;
      throw new EventStoreUnavailableError('the event store went away between the claim and the append');
    }
    return super.append(streamId, events, expected);
  }
}

const input = (overrides: Partial<SubmitCaseInput> = {}): SubmitCaseInput => ({
  actor: { id: 'agent-12345-07', role: 'channel' },
  at: '2026-11-30T02:00:00.000Z',
  channel: 'hotline',
  resident: { name: '孙建国', phone: '13812341234' },
  location: { address: '平城区南关街道永泰社区9号楼' },
  title: '下水道堵塞',
  description: '9号楼下水道堵了两天。',
  attachments: [],
  ...overrides,
});

describe('intake on an event store other than PostgreSQL: claim, then append (ADR 0020)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let store: FlakyStore;
  let handler: SubmitCaseHandler;

  beforeAll(async () => {
    db = await createTestDatabase('intakeclaim');
    dataSource = await new DataSource({
      type: 'postgres',
      url: db.url,
      migrations: [CaseIntake1764201600000],
      extra: { max: 8 },
    }).initialize();
    await dataSource.runMigrations();
    store = new FlakyStore();
    handler = new SubmitCaseHandler(dataSource, store, DEFAULT_CASE_HANDLING_OPTIONS, ROUTING_OFF);
  });

  afterAll(async () => {
    await store?.close();
    await dataSource?.destroy();
    await db?.drop();
  });

  const submit = (body: SubmitCaseInput, key: string) =>
    handler.execute(new SubmitCaseCommand(body, key, { correlationId: randomUUID() }));

  const claims = async (key: string): Promise<Array<{ case_id: string; case_number: string }>> =>
    dataSource.query('SELECT case_id, case_number FROM case_intake_requests WHERE idempotency_key = $1', [
      key,
    ]);

  it('files a case: the claim, then its event', async () => {
    const key = randomUUID();
    const result = await submit(input(), key);
    expect(result).toMatchObject({ created: true, version: 1 });
    expect(await claims(key)).toEqual([{ case_id: result.caseId, case_number: result.caseNumber }]);
    expect(await store.readStream(caseStreamId(result.caseId))).toHaveLength(1);
  });

  it('completes a case whose append failed after its claim, on the retry with the key', async () => {
    const key = randomUUID();
    store.failNext = true;
    await expect(submit(input(), key)).rejects.toBeInstanceOf(EventStoreUnavailableError);
    const [claim] = await claims(key);
    expect(claim).toBeDefined();
    expect(await store.readStream(caseStreamId(claim!.case_id))).toEqual([]);

    const retry = await submit(input({ at: '2026-11-30T02:00:07.000Z' }), key);
    expect(retry).toMatchObject({ caseId: claim!.case_id, caseNumber: claim!.case_number, version: 1 });
    expect(await store.readStream(caseStreamId(claim!.case_id))).toHaveLength(1);
  });

  it('makes ONE case of 20 concurrent requests with one key', async () => {
    const key = randomUUID();
    const results = await Promise.all(Array.from({ length: 20 }, () => submit(input(), key)));
    expect(new Set(results.map((r) => r.caseId)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await claims(key)).toHaveLength(1);
    expect(await store.readStream(caseStreamId(results[0]!.caseId))).toHaveLength(1);
  });
});
