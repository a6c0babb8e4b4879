import { evolve, lifecycleOf } from './case.decider';
import type { CaseEvent } from './case.events';
import { CASE_EVENT_TYPES, type CaseEventType } from './case.events';
import {
  LIFECYCLE_EVENT_TYPES,
  STATUS_TRANSITIONS,
  evolveLifecycle,
  foldLifecycle,
  handOverOf,
  hasLapsed,
  movesStatus,
  startLifecycle,
  type CaseLifecycle,
} from './case.lifecycle';
import { initialState, type CaseState } from './case.state';
import { HAND_OVER_EXPIRES, ev, history } from './testing/case.fixtures';
import { generateCaseWorkload } from './testing/random-workload';

/**
 * The lifecycle is the one fold both sides use: the decider's state carries exactly the lifecycle
 * `evolveLifecycle` makes, a stored (JSON) snapshot folds on identically, and what the lifecycle
 * says it ignores it ignores. Checked at every event of decider-made random workloads.
 */

function streamsOf(events: readonly CaseEvent[]): Map<string, CaseEvent[]> {
  const streams = new Map<string, CaseEvent[]>();
  for (const event of events) {
    const stream = streams.get(event.caseId);
    if (stream) stream.push(event);
    else streams.set(event.caseId, [event]);
  }
  return streams;
}

const OUTSIDE: readonly CaseEventType[] = CASE_EVENT_TYPES.filter((t) => !LIFECYCLE_EVENT_TYPES.includes(t));

describe('the case lifecycle', () => {
  it.each([1, 2, 3])(
    'is what the decider’s state carries, at every event of a random workload (seed %i)',
    (seed) => {
      const workload = generateCaseWorkload({ seed, events: 3_000 });
      const streams = streamsOf(workload.appends.flatMap((a) => a.events));
      const changedBy = new Set<CaseEventType>();
      let compared = 0;
      for (const [caseId, events] of streams) {
        let state: CaseState = initialState;
        let lifecycle: CaseLifecycle | null = null;
        for (const [i, event] of events.entries()) {
          const where = `${caseId}@${i + 1} ${event.type}`;
          state = evolve(state, event);
          if (lifecycle === null) {
            lifecycle = event.type === 'case.submitted' ? startLifecycle(event) : null;
          } else {
            // A snapshot read back from a row (JSON) folds on exactly like the one in memory.
            const stored = JSON.parse(JSON.stringify(lifecycle)) as CaseLifecycle;
            expect({ where, lifecycle: evolveLifecycle(stored, event) }).toEqual({
              where,
              lifecycle: evolveLifecycle(lifecycle, event),
            });
            const next = evolveLifecycle(lifecycle, event);
            if (OUTSIDE.includes(event.type))
              expect({ where, same: next === lifecycle }).toEqual({ where, same: true });
            if (next.status !== lifecycle.status) {
              changedBy.add(event.type);
              expect({ where, moves: movesStatus(lifecycle.status, event) }).toEqual({ where, moves: true });
              expect(next.status).toBe(STATUS_TRANSITIONS[event.type]?.to);
            }
            lifecycle = next;
          }
          expect(state.status).not.toBe('none');
          if (state.status !== 'none')
            expect({ where, lifecycle: lifecycleOf(state) }).toEqual({ where, lifecycle });
          compared += 1;
        }
        expect(foldLifecycle(events)).toEqual(lifecycle);
      }
      expect(compared).toBe(workload.totalEvents);
      // Every status change of the table happened in the workload.
      expect([...changedBy].sort()).toEqual(Object.keys(STATUS_TRANSITIONS).sort());
    },
  );

  it('is plain JSON data', () => {
    for (const events of Object.values(history)) {
      const lifecycle = foldLifecycle(events);
      expect(JSON.parse(JSON.stringify(lifecycle))).toEqual(lifecycle);
    }
  });

  it('a refused hand-over moves no status', () => {
    const inHandling = foldLifecycle([...history.inHandling, ev.handedOver()])!;
    expect(movesStatus(inHandling.status, ev.returned({ handOverRefused: true }))).toBe(false);
    expect(evolveLifecycle(inHandling, ev.returned({ handOverRefused: true }))).toMatchObject({
      status: 'in_handling',
      pendingHandOver: null,
      returnCount: 0,
    });
  });

  it('a withdrawn or lapsed hand-over is pending no more; the owner keeps the case', () => {
    const offered = foldLifecycle([...history.inHandling, ev.handedOver()])!;
    expect(offered).toMatchObject({ pendingHandOver: { expiresAt: HAND_OVER_EXPIRES } });
    for (const ended of [ev.handOverWithdrawn(), ev.handOverExpired()]) {
      const after = evolveLifecycle(offered, ended);
      expect(after).toMatchObject({ status: 'in_handling', ownerId: 'cadre-zhang', pendingHandOver: null });
      expect(handOverOf(after)).toBeNull();
      expect(movesStatus(offered.status, ended)).toBe(false);
    }
  });

  it('an offer lapses at its expiry; one recorded without an expiry (or a snapshot from before) never does', () => {
    const offer = {
      toCadreId: 'cadre-liu',
      toOrgUnit: 'pc.gucheng.taiyangcheng',
      expiresAt: HAND_OVER_EXPIRES,
    };
    expect(hasLapsed(offer, '2026-11-29T09:29:59+08:00')).toBe(false);
    expect(hasLapsed(offer, HAND_OVER_EXPIRES)).toBe(true);
    expect(hasLapsed(offer, '2026-11-29T01:30:00Z')).toBe(true);
    const { expiresAt: _expiresAt, ...old } = offer;
    expect(hasLapsed(old, '2030-01-01T00:00:00Z')).toBe(false);
    const { expiresAt: _e, ...oldEvent } = ev.handedOver();
    expect(foldLifecycle([...history.inHandling, oldEvent])).toMatchObject({
      pendingHandOver: { toCadreId: 'cadre-liu', toOrgUnit: 'pc.gucheng.taiyangcheng' },
    });
    expect(foldLifecycle([...history.inHandling, oldEvent])).not.toHaveProperty('pendingHandOver.expiresAt');
  });

  it('a reopen starts a new round: the resolution deadline and breach start afresh', () => {
    const breached = foldLifecycle([
      ...history.resolved,
      ev.slaBreached({ clock: 'response', dueAt: '2026-11-27T12:00:00+08:00' }),
      ev.reopened(),
    ]);
    expect(breached?.deadlines).toEqual({
      response: { dueAt: '2026-11-27T12:00:00+08:00', breached: true },
      resolution: { dueAt: null, breached: false },
    });
  });
});
