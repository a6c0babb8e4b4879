import { Inject, Injectable } from '@nestjs/common';
import type { ActorRef, CaseEvent, CaseState, Instant, RouteCase } from '@tongban/cases';
import { routeCase, type RoutingDecision } from '@tongban/directory';
import { CASE_HANDLING_OPTIONS, type CaseHandlingOptions } from '../case-handling.options';
import { localDay } from '../submit-case/case-number-blocks';
import { ROUTING_DIRECTORY, type CaseDirectory } from './case-directory.provider';

/** Who routes: the system, under one id in every event it routes. */
export const ROUTER: ActorRef = { id: 'router', role: 'system' };

/**
 * Routing in the write path (issue 13): for a case waiting for someone — just submitted, or just
 * returned — the `RouteCase` command the directory's rules give (`routeCase` in
 * @tongban/directory), decided and appended with the submission or the return in ONE append, so
 * no case is ever stored submitted-but-unrouted when routing is on. Undefined when routing is
 * off (`CASE_ROUTING=off`) or there is no directory.
 */
@Injectable()
export class CaseRouter {
  constructor(
    /** Its current directory is null: routing is off (`CASE_ROUTING=off`, or no directory). */
    @Inject(ROUTING_DIRECTORY) private readonly directories: CaseDirectory,
    @Inject(CASE_HANDLING_OPTIONS) private readonly options: CaseHandlingOptions,
  ) {}

  /**
   * The routing decision for `state` (the case after its submission or return), from its history
   * (every event so far, the new ones included), at `at`; undefined when nothing routes or the
   * case is not waiting for someone.
   */
  commandFor(state: CaseState, history: readonly CaseEvent[], at: Instant): RouteCase | undefined {
    const directory = this.directories.current();
    if (!directory || (state.status !== 'submitted' && state.status !== 'returned')) return undefined;
    const submitted = history.find((e) => e.type === 'case.submitted');
    if (submitted?.type !== 'case.submitted') return undefined;
    const returnedBy = history
      .filter((e) => e.type === 'case.returned' && !e.handOverRefused)
      .map((e) => e.by.id);
    const decision = routeCase(directory, {
      location: submitted.location,
      ...(submitted.matterCode ? { matterCode: submitted.matterCode } : {}),
      day: localDay(at, this.options.timeZone),
      returns: state.returnCount,
      returnedBy,
    });
    return routeCaseCommand(decision, state.caseId, at);
  }
}

/** Routing's decision as the system's command on the case. */
export function routeCaseCommand(decision: RoutingDecision, caseId: string, at: Instant): RouteCase {
  return {
    type: 'RouteCase',
    caseId,
    actor: ROUTER,
    at,
    target:
      decision.outcome === 'cadre'
        ? { kind: 'cadre', cadreId: decision.cadreId, orgUnit: decision.community }
        : { kind: 'queue', orgUnit: decision.orgUnit },
    rule: decision.rule,
    directoryVersion: decision.directoryVersion,
    catalogueVersion: decision.catalogueVersion,
    located: {
      by: decision.located.by,
      community: decision.located.community,
      grid: decision.located.grid,
    },
    passed: decision.passed,
  };
}
