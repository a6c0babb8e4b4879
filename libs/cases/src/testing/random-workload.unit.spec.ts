import { isDeepStrictEqual } from 'node:util';
import { evolve } from '../case.decider';
import { CASE_EVENT_TYPES, type CaseEvent, type CaseEventType } from '../case.events';
import { initialState, type CaseState, type CaseStatus } from '../case.state';
import { DEFAULT_WORKLOAD_START, generateCaseWorkload, type CaseWorkload } from './random-workload';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const INSTANT_AT_08 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/;
const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;

/** GB 11643 check, written out here rather than borrowed from the generator it checks. */
function isValidIdNumber(value: string): boolean {
  if (!/^\d{17}[\dX]$/.test(value)) return false;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = weights.reduce((acc, w, i) => acc + w * Number(value[i]), 0);
  const birth = new Date(`${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}T00:00:00Z`);
  return '10X98765432'[sum % 11] === value[17] && !Number.isNaN(birth.getTime());
}

function streamsOf(workload: CaseWorkload): Map<string, CaseEvent[]> {
  const streams = new Map<string, CaseEvent[]>();
  for (const append of workload.appends) {
    const stream = streams.get(append.caseId) ?? [];
    stream.push(...append.events);
    streams.set(append.caseId, stream);
  }
  return streams;
}

const allEvents = (workload: CaseWorkload): CaseEvent[] => workload.appends.flatMap((a) => a.events);

function ofType<T extends CaseEventType>(
  events: readonly CaseEvent[],
  type: T,
): Extract<CaseEvent, { type: T }>[] {
  return events.filter((e): e is Extract<CaseEvent, { type: T }> => e.type === type);
}

const CLOSED_OR_ENDED: readonly CaseStatus[] = ['closed', 'withdrawn', 'merged'];
/** Events that add a fact no rule reads: evolve returns the state as it is. */
const FACTS_ONLY: readonly CaseEventType[] = [
  'case.handling_step_recorded',
  // A queue's unit already involved (the located community, usually) changes no fact.
  'case.routed',
  'case.supervised',
  'case.extension_granted',
  'case.resident_info_supplemented',
  'case.contact_revealed',
];

describe('generateCaseWorkload', () => {
  let big: CaseWorkload;

  // Built once for the checks below; it takes well under a second (the hook's 5 s timeout guards it).
  beforeAll(() => {
    big = generateCaseWorkload({ seed: 20261102, events: 10_000 });
  });

  it('gives the same workload for the same seed', () => {
    const options = { seed: 42, events: 2_000, cases: 120, start: '2026-12-01T09:00:00+08:00' };
    expect(generateCaseWorkload(options)).toEqual(generateCaseWorkload(options));
  });

  it('gives a different workload for a different seed', () => {
    const one = generateCaseWorkload({ seed: 1, events: 1_000 });
    const two = generateCaseWorkload({ seed: 2, events: 1_000 });
    const idsOfTwo = new Set(two.appends.map((a) => a.caseId));
    expect(one.appends.some((a) => idsOfTwo.has(a.caseId))).toBe(false);
    const shape = (w: CaseWorkload) => allEvents(w).map((e) => [e.type, e.at, e.by.id]);
    expect(shape(one)).not.toEqual(shape(two));
  });

  it('reaches the target: every event counted, one decided command per append', () => {
    expect(big.totalEvents).toBeGreaterThanOrEqual(10_000);
    expect(big.totalEvents).toBe(allEvents(big).length);
    expect(big.appends.every((a) => a.events.length >= 1)).toBe(true);
  });

  it('contains every event type of the catalogue in a 10,000-event run', () => {
    const seen = new Set(allEvents(big).map((e) => e.type));
    expect([...CASE_EVENT_TYPES].filter((type) => !seen.has(type))).toEqual([]);
  });

  // Checks collect problems and assert once: ten thousand `expect` calls would cost seconds.
  it('appends at the version each stream is at, and every stream replays from the initial state', () => {
    const problems: string[] = [];
    const versions = new Map<string, number>();
    const states = new Map<string, CaseState>();
    big.appends.forEach((append, i) => {
      const version = versions.get(append.caseId) ?? 0;
      let state = states.get(append.caseId) ?? initialState;
      const types = append.events.map((e) => e.type).join(',');
      if (append.expectedVersion !== version)
        problems.push(`#${i}: expected version ${append.expectedVersion}, stream at ${version}`);
      if ((version === 0) !== (types === 'case.submitted'))
        problems.push(`#${i}: ${types} at version ${version}`);
      // A withdrawn or merged case takes nothing more; a closed one only a reopen.
      if (state.status === 'withdrawn' || state.status === 'merged')
        problems.push(`#${i}: ${types} on a ${state.status} case`);
      if (state.status === 'closed' && types !== 'case.reopened')
        problems.push(`#${i}: ${types} on a closed case`);
      for (const event of append.events) {
        if (event.caseId !== append.caseId)
          problems.push(`#${i}: event of ${event.caseId} in ${append.caseId}`);
        const next = evolve(state, event);
        // evolve ignores an event that does not fit the status; only facts-only events may leave it as is.
        if (next === state && !FACTS_ONLY.includes(event.type))
          problems.push(`#${i}: ${event.type} ignored in ${state.status}`);
        state = next;
      }
      versions.set(append.caseId, version + append.events.length);
      states.set(append.caseId, state);
    });
    expect(problems).toEqual([]);
    const replayedDiffer = [...streamsOf(big)].filter(
      ([caseId, stream]) =>
        versions.get(caseId) !== stream.length ||
        !isDeepStrictEqual(stream.reduce(evolve, initialState), states.get(caseId)),
    );
    expect(replayedDiffer.map(([caseId]) => caseId)).toEqual([]);
  });

  it('never turns time back within a case, and writes instants in +08:00 from the start on', () => {
    expect(big.appends[0]?.events[0]?.at).toBe(DEFAULT_WORKLOAD_START);
    const problems: string[] = [];
    for (const [caseId, stream] of streamsOf(big)) {
      let previous = Date.parse(DEFAULT_WORKLOAD_START);
      for (const event of stream) {
        const at = Date.parse(event.at);
        if (!INSTANT_AT_08.test(event.at)) problems.push(`${caseId}: ${event.at} is not in +08:00`);
        if (at < previous) problems.push(`${caseId}: ${event.type} at ${event.at} goes back in time`);
        previous = at;
      }
    }
    expect(problems).toEqual([]);
  });

  it('interleaves cases, in time order overall', () => {
    const times = big.appends.map((a) => Date.parse(a.events[0]?.at ?? ''));
    expect(times.every((t, i) => i === 0 || t >= (times[i - 1] ?? t))).toBe(true);
    const switches = big.appends.filter((a, i) => i > 0 && a.caseId !== big.appends[i - 1]?.caseId).length;
    expect(switches).toBeGreaterThan(big.appends.length * 0.8);
  });

  it('derives distinct version-4 UUIDs as case ids', () => {
    const ids = [...streamsOf(big).keys()];
    expect(ids.every((id) => UUID_V4.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ofType(allEvents(big), 'case.step_referred').every((e) => UUID_V4.test(e.referralId))).toBe(true);
  });

  it('submits through every channel, with and without a matter code, by residents and by channels', () => {
    const submitted = ofType(allEvents(big), 'case.submitted');
    expect(new Set(submitted.map((e) => e.channel)).size).toBe(8);
    expect(submitted.some((e) => e.matterCode !== undefined)).toBe(true);
    expect(submitted.some((e) => e.matterCode === undefined && e.category !== undefined)).toBe(true);
    const byResidents = submitted.filter((e) => e.by.role === 'resident');
    expect(new Set(byResidents.map((e) => e.by.id)).size).toBeGreaterThanOrEqual(4);
    expect(byResidents.every((e) => ['app', 'mini_program', 'portal'].includes(e.channel))).toBe(true);
    expect(submitted.some((e) => e.channel === 'hotline' && e.by.role === 'channel')).toBe(true);
    expect(submitted.every((e) => MAINLAND_MOBILE.test(e.resident.phone))).toBe(true);
    const idNumbers = submitted.flatMap((e) =>
      e.resident.idNumber !== undefined ? [e.resident.idNumber] : [],
    );
    expect(idNumbers.length).toBeGreaterThan(100);
    expect(idNumbers.filter((n) => !isValidIdNumber(n))).toEqual([]);
    expect(idNumbers.some((n) => n.endsWith('X'))).toBe(true);
  });

  it('routes to cadres of four communities in two streets, with returns and redispatches', () => {
    const events = allEvents(big);
    const dispatched = ofType(events, 'case.dispatched');
    const communities = new Set(dispatched.map((e) => e.ownerOrgUnit));
    expect(communities).toEqual(
      new Set(['pc.gucheng.taiyangcheng', 'pc.gucheng.yingbin', 'pc.zhenhua.yunquanli', 'pc.zhenhua.xinghe']),
    );
    expect(dispatched.some((e) => e.redispatch)).toBe(true);
    const returned = ofType(events, 'case.returned');
    expect(new Set(returned.map((e) => e.handOverRefused))).toEqual(new Set([true, false]));
    expect(new Set(ofType(events, 'case.accepted').map((e) => e.viaHandOver))).toEqual(
      new Set([true, false]),
    );
    const contacts = ofType(events, 'case.resident_contacted');
    expect(new Set(contacts.map((e) => e.firstContact))).toEqual(new Set([true, false]));
  });

  it('refers steps to offices and agencies, which complete them', () => {
    const events = allEvents(big);
    const referred = ofType(events, 'case.step_referred');
    const units = new Set(referred.map((e) => e.toOrgUnit));
    expect(units).toContain('pc.gucheng.publicServiceOffice');
    expect(units).toContain('pc.zhenhua.marketSupervisionStation');
    expect(new Set(referred.map((e) => e.target))).toEqual(new Set(['office', 'agency']));
    const completed = ofType(events, 'case.referral_completed');
    expect(completed.some((e) => e.by.role === 'office_staff')).toBe(true);
  });

  it('records every satisfaction, SLA alerts with their deadlines, and merges into earlier cases', () => {
    const events = allEvents(big);
    const satisfaction = new Set(ofType(events, 'case.feedback_recorded').map((e) => e.satisfaction));
    expect(satisfaction).toEqual(new Set(['satisfied', 'basically_satisfied', 'unsatisfied']));
    const alerts = [...ofType(events, 'case.sla_warning_raised'), ...ofType(events, 'case.sla_breached')];
    expect(alerts.every((e) => INSTANT_AT_08.test(e.dueAt))).toBe(true);
    expect(
      ofType(events, 'case.sla_warning_raised').every((e) => Date.parse(e.at) < Date.parse(e.dueAt)),
    ).toBe(true);
    expect(ofType(events, 'case.sla_breached').every((e) => Date.parse(e.at) >= Date.parse(e.dueAt))).toBe(
      true,
    );
    const submittedBefore = new Map<string, number>();
    events.forEach((e, i) => {
      if (e.type === 'case.submitted') submittedBefore.set(e.caseId, i);
      if (e.type === 'case.merged_into') {
        expect(e.intoCaseId).not.toBe(e.caseId);
        expect(submittedBefore.get(e.intoCaseId)).toBeLessThan(i);
      }
    });
  });

  it('keeps at most `cases` cases open at once, and starts at `start`', () => {
    const workload = generateCaseWorkload({
      seed: 7,
      events: 600,
      cases: 5,
      start: '2026-12-01T09:00:00+08:00',
    });
    expect(workload.totalEvents).toBe(600);
    expect(workload.appends[0]?.events[0]?.at).toBe('2026-12-01T09:00:00+08:00');
    const states = new Map<string, CaseState>();
    let maxOpen = 0;
    for (const append of workload.appends) {
      states.set(append.caseId, append.events.reduce(evolve, states.get(append.caseId) ?? initialState));
      const open = [...states.values()].filter((s) => !CLOSED_OR_ENDED.includes(s.status)).length;
      maxOpen = Math.max(maxOpen, open);
    }
    expect(maxOpen).toBe(5);
    expect(states.size).toBeGreaterThan(5);
  });

  it('gives nothing for no events and refuses nonsense options', () => {
    expect(generateCaseWorkload({ seed: 1, events: 0 })).toEqual({ appends: [], totalEvents: 0 });
    expect(() => generateCaseWorkload({ seed: 1, events: -1 })).toThrow(RangeError);
    expect(() => generateCaseWorkload({ seed: 1, events: 10, cases: 0 })).toThrow(RangeError);
    expect(() => generateCaseWorkload({ seed: 1, events: 10, start: 'tomorrow' })).toThrow(RangeError);
  });
});
