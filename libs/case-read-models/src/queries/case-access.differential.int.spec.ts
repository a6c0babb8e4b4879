import { DataSource } from 'typeorm';
import { canSee } from '@tongban/case-handling';
import { replay, type ActorRef, type CaseEvent } from '@tongban/cases';
import { generateCaseWorkload } from '@tongban/cases/testing';
import { poolOf } from '@tongban/event-store';
import { PROJECTION_MIGRATIONS, applyInTransaction, ensureCheckpoint } from '@tongban/projections';
import type { Principal } from '@tongban/security';
import { createTestDatabase, type TestDatabase } from '@tongban/testing';
import { READ_MODEL_MIGRATIONS } from '../persistence';
import { CASE_PROJECTIONS, caseDetailTable } from '../projections';
import { EventLog } from '../projections/projection-test-kit';
import { applyCaseScope } from './case-scope';

/**
 * ONE access policy, two forms (issue 10): `canSee` decides single-case reads and commands from
 * the case as replayed; `applyCaseScope` is its SQL for the list queries. Over a few hundred
 * generated cases and every caller the workload knows — plus callers it does not (another
 * street, the district, an admin, a cadre without a unit) — a list must return exactly the cases
 * the policy lets that caller see: nothing more (a leak), nothing less (a case lost to its
 * cadre).
 */

const SEED = 20261130;

describe('the list scope and the access policy agree', () => {
  let db: TestDatabase;
  let ds: DataSource;
  const workload = generateCaseWorkload({ seed: SEED, events: 3_000 });
  const byCase = new Map<string, CaseEvent[]>();
  for (const append of workload.appends) {
    byCase.set(append.caseId, [...(byCase.get(append.caseId) ?? []), ...append.events]);
  }

  beforeAll(async () => {
    db = await createTestDatabase('access');
    ds = await new DataSource({
      type: 'postgres',
      url: db.url,
      migrations: [...PROJECTION_MIGRATIONS, ...READ_MODEL_MIGRATIONS],
      extra: { max: 2 },
    }).initialize();
    await ds.runMigrations({ transaction: 'all' });
    const detail = CASE_PROJECTIONS.find((p) => p.name === 'case_detail');
    if (!detail) throw new Error('no case_detail projection');
    const pool = poolOf(ds);
    await ensureCheckpoint(pool, detail.name);
    const recorded = new EventLog().record(...workload.appends.flatMap((a) => a.events));
    const target = [{ projection: detail, checkpoint: detail.name, suffix: '' }];
    for (let i = 0; i < recorded.length; i += 500) {
      await applyInTransaction(pool, target, recorded.slice(i, i + 500));
    }
  }, 120_000);

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  /** Everyone who acted in the workload, and callers it never saw. */
  function callers(): Principal[] {
    const seen = new Map<string, ActorRef>();
    for (const events of byCase.values()) {
      for (const event of events)
        seen.set(`${event.by.role}:${event.by.id}:${event.by.orgUnit ?? ''}`, event.by);
    }
    const extra: ActorRef[] = [
      { id: 'supervisor-other-street', role: 'supervisor', orgUnit: 'pc.chengguan' },
      { id: 'supervisor-district-2', role: 'supervisor', orgUnit: 'pc' },
      { id: 'dispatcher-other-street', role: 'dispatcher', orgUnit: 'pc.chengguan' },
      { id: 'admin-ma', role: 'admin', orgUnit: 'pc' },
      { id: 'cadre-without-unit', role: 'cadre' },
      { id: 'resident-nobody', role: 'resident' },
      { id: 'gateway-unknown', role: 'channel', orgUnit: 'pc' },
    ];
    // A channel's id used as a resident's and the other way round must not open anything.
    const firstResident = [...seen.values()].find((a) => a.role === 'resident');
    const firstChannel = [...seen.values()].find((a) => a.role === 'channel');
    if (firstResident) extra.push({ id: firstResident.id, role: 'channel', orgUnit: 'pc' });
    if (firstChannel) extra.push({ id: firstChannel.id, role: 'resident' });
    return [...seen.values(), ...extra]
      .filter((a): a is ActorRef & { role: Principal['role'] } => a.role !== 'system')
      .map((a) => ({ id: a.id, role: a.role, ...(a.orgUnit ? { orgUnit: a.orgUnit } : {}) }));
  }

  it('for every caller: the list returns exactly the cases the policy lets them see', async () => {
    const states = [...byCase.entries()].map(([caseId, events]) => [caseId, replay(events)] as const);
    const all = callers();
    expect(states.length).toBeGreaterThan(150);
    expect(all.length).toBeGreaterThan(30);
    const mismatches: string[] = [];
    let visiblePairs = 0;
    for (const principal of all) {
      const listed = (
        await applyCaseScope(
          ds.createQueryBuilder().select('"c"."case_id"', 'case_id').from(caseDetailTable.table, 'c'),
          principal,
        ).getRawMany<{ case_id: string }>()
      )
        .map((row) => row.case_id)
        .sort();
      const allowed = states
        .filter(([, state]) => canSee(principal, state))
        .map(([caseId]) => caseId)
        .sort();
      visiblePairs += allowed.length;
      const extra = listed.filter((id) => !allowed.includes(id));
      const missing = allowed.filter((id) => !listed.includes(id));
      if (extra.length + missing.length > 0) {
        mismatches.push(
          `${principal.role} ${principal.id} (${principal.orgUnit ?? 'no unit'}): listed but not allowed ${extra.length} [${extra.slice(0, 3).join(', ')}], allowed but not listed ${missing.length} [${missing.slice(0, 3).join(', ')}]`,
        );
      }
    }
    expect(mismatches).toEqual([]);
    // Not vacuous: callers see some cases and not all of them.
    expect(visiblePairs).toBeGreaterThan(states.length);
    expect(visiblePairs).toBeLessThan(states.length * all.length);
    process.stdout.write(
      `access differential (seed ${SEED}): ${states.length} cases × ${all.length} callers, ${visiblePairs} visible pairs, 0 mismatches\n`,
    );
  });
});
