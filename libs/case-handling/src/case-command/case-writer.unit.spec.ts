import { caseStreamId, type CaseEvent } from '@tongban/cases';
import { actors, cmd, ev, history } from '@tongban/cases/testing';
import {
  InMemoryEventStore,
  type AppendResult,
  type EventToAppend,
  type ExpectedVersion,
} from '@tongban/event-store';
import { toStoredEvent } from '../case-event-mapping';
import { CaseCommandMessage, CaseVersionConflictError } from './case-command';
import { CaseWriter } from './case-writer';

class Accept extends CaseCommandMessage<'AcceptCase'> {}
class Contact extends CaseCommandMessage<'RecordResidentContact'> {}

const context = { correlationId: 'writer-spec' };

async function storeWith(events: readonly CaseEvent[]): Promise<InMemoryEventStore> {
  const store = new InMemoryEventStore();
  await store.append(
    caseStreamId(events[0]!.caseId),
    events.map((e) => toStoredEvent(e, context)),
    'no_stream',
  );
  return store;
}

const accept = (expectedVersion: number) => new Accept(cmd.accept(), context, expectedVersion);

describe('CaseWriter: If-Match and the system’s timekeeping (ADR 0029)', () => {
  const dispatched = history.dispatched;

  it('a version made stale only by due times, warnings or breaches still acts, on the latest version', async () => {
    const store = await storeWith([...dispatched, ev.dueTimesSet(), ev.slaWarningRaised(), ev.slaBreached()]);
    const result = await new CaseWriter(store).write(accept(dispatched.length));
    expect(result.events.map((e) => e.type)).toEqual(['case.accepted']);
    expect(result.version).toBe(dispatched.length + 4);
  });

  it('anything else in between is a conflict: a person’s change, or a system escalation', async () => {
    for (const between of [ev.supervised(), ev.escalated(), ev.resolved()]) {
      const store = await storeWith([...history.inHandling, ev.dueTimesSet(), between]);
      const contact = new Contact(cmd.contact({ actor: actors.cadreA }), context, history.inHandling.length);
      await expect(new CaseWriter(store).write(contact)).rejects.toBeInstanceOf(CaseVersionConflictError);
    }
  });

  it('a version the case never had is a conflict', async () => {
    const store = await storeWith([...dispatched, ev.dueTimesSet()]);
    await expect(new CaseWriter(store).write(accept(dispatched.length + 5))).rejects.toBeInstanceOf(
      CaseVersionConflictError,
    );
    await expect(new CaseWriter(store).write(accept(0))).rejects.toBeInstanceOf(CaseVersionConflictError);
  });
});

/** A store where, once, something else is appended to the stream just before the writer's append. */
class RacedStore extends InMemoryEventStore {
  intruder: CaseEvent | undefined;

  override async append(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedVersion,
  ): Promise<AppendResult> {
    const intruder = this.intruder;
    if (intruder && typeof expected === 'number') {
      this.intruder = undefined;
      await super.append(streamId, [toStoredEvent(intruder, context)], expected);
    }
    return super.append(streamId, events, expected);
  }
}

describe('CaseWriter: a lost race with the system’s timekeeping (If-Match: *)', () => {
  const contactOf = () => new Contact(cmd.contact({ actor: actors.cadreA }), context);

  async function raced(intruder: CaseEvent): Promise<RacedStore> {
    const store = new RacedStore();
    await store.append(
      caseStreamId(history.inHandling[0]!.caseId),
      history.inHandling.map((e) => toStoredEvent(e, context)),
      'no_stream',
    );
    store.intruder = intruder;
    return store;
  }

  it('is decided again when only due times came in between', async () => {
    const result = await new CaseWriter(await raced(ev.dueTimesSet())).write(contactOf());
    expect(result.events.map((e) => e.type)).toEqual(['case.resident_contacted']);
    expect(result.version).toBe(history.inHandling.length + 2);
  });

  it('is a conflict when a person’s change came in between (the command is not retry-safe)', async () => {
    await expect(new CaseWriter(await raced(ev.stepRecorded())).write(contactOf())).rejects.toBeInstanceOf(
      CaseVersionConflictError,
    );
  });
});
