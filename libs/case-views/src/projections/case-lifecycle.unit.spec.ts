import { evolve, initialState, type CaseEvent, type CaseState } from '@tongban/cases';
import { generateCaseWorkload } from '@tongban/cases/testing';
import { evolveRouting, NEW_CASE_ROUTING, nextStatus, type Routing } from './case-lifecycle';

/**
 * The read models' view of a case must never disagree with the state the next command is
 * decided on: replay decider-made streams through both and compare at every event.
 */

function streamsOf(events: readonly CaseEvent[]): Map<string, CaseEvent[]> {
  const streams = new Map<string, CaseEvent[]>();
  for (const event of events) streams.set(event.caseId, [...(streams.get(event.caseId) ?? []), event]);
  return streams;
}

/** What the decider state says about who has the case, in the routing's terms. */
function routingFacts(state: CaseState): Partial<Routing> {
  switch (state.status) {
    case 'dispatched':
      return { designated: { cadreId: state.designatedOwnerId, orgUnit: state.designatedOrgUnit } };
    case 'in_handling':
      return {
        owner: { cadreId: state.ownerId, orgUnit: state.ownerOrgUnit },
        handOver: state.pendingHandOver && {
          cadreId: state.pendingHandOver.toCadreId,
          orgUnit: state.pendingHandOver.toOrgUnit,
        },
        suspended: state.suspended,
        designated: null,
      };
    case 'resolved':
    case 'closed':
      return {
        owner: { cadreId: state.ownerId, orgUnit: state.ownerOrgUnit },
        handOver: null,
        suspended: false,
      };
    case 'none':
    case 'submitted':
    case 'returned':
    case 'withdrawn':
    case 'merged':
      return { designated: null, handOver: null, suspended: false };
    default: {
      const _exhaustive: never = state;
      return _exhaustive;
    }
  }
}

describe('the read models’ case lifecycle', () => {
  it.each([1, 2, 3])(
    'agrees with the decider’s evolve on every event of a random workload (seed %i)',
    (seed) => {
      const workload = generateCaseWorkload({ seed, events: 3_000 });
      const streams = streamsOf(workload.appends.flatMap((a) => a.events));
      let compared = 0;
      for (const [caseId, events] of streams) {
        let state: CaseState = initialState;
        let routing: Routing | null = null;
        for (const [i, event] of events.entries()) {
          state = evolve(state, event);
          if (routing === null) {
            routing = NEW_CASE_ROUTING;
          } else {
            expect(nextStatus(routing.status, event)).toBe(evolveRouting(routing, event).status);
            routing = evolveRouting(routing, event);
          }
          const where = `${caseId}@${i + 1} ${event.type}`;
          expect({ where, status: routing.status }).toEqual({ where, status: state.status });
          expect({ where, ...routing }).toMatchObject({ where, ...routingFacts(state) });
          compared += 1;
        }
      }
      expect(compared).toBe(workload.totalEvents);
    },
  );
});
