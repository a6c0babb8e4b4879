import {
  CATALOGUE_STREAM,
  DIRECTORY_STREAM,
  importEvents,
  type ChangeStamp,
  type DirectoryChangeEvent,
  type DirectorySnapshot,
  type DirectoryStreamId,
} from '@tongban/directory';
import {
  IdempotencyConflictError,
  WrongExpectedVersionError,
  type EventStore,
  type EventToAppend,
} from '@tongban/event-store';
import { deterministicUuid } from '../deterministic-id';
import { localDay } from '../submit-case/case-number-blocks';

/** The data set name the demo district is seeded under (its import events carry it). */
export const DEMO_DATASET = 'pingcheng-demo';

/**
 * The demo duty rota's first day when seeding at `now`: a week before, in the district's time
 * zone, so the demo has someone on duty for the seven weeks after the seed.
 */
export function demoRotaStart(now: Date, timeZone: string): string {
  return localDay(new Date(now.getTime() - 7 * 24 * 3600 * 1000).toISOString(), timeZone);
}

/**
 * What seeding did to each stream: `seeded` (the data set's events appended), `present` (the
 * stream holds this data set already: nothing to do), `other` (the stream holds other data —
 * an admin's directory, another data set —: left alone).
 */
export type SeedOutcome = 'seeded' | 'present' | 'other';

export interface SeedReport {
  readonly directory: SeedOutcome;
  readonly catalogue: SeedOutcome;
  readonly directoryVersion: number;
  readonly catalogueVersion: number;
}

/**
 * Loads a whole directory into an event store that has none (`npm run seed`, and the standalone
 * app's first start): idempotent and safe to run from several processes at once. Each stream is
 * seeded in ONE append expecting it not to exist, with ids named after the data set, so a retry
 * is recognised by the store and a concurrent seeder's loss is a `present`, never a second copy.
 * A stream that holds anything else is never touched.
 */
export async function seedDirectory(
  store: EventStore,
  snapshot: DirectorySnapshot,
  dataset: string,
  stamp: ChangeStamp,
): Promise<SeedReport> {
  const events = importEvents(snapshot, dataset, stamp);
  const directory = await seedStream(store, DIRECTORY_STREAM, events.directory, dataset);
  const catalogue = await seedStream(store, CATALOGUE_STREAM, events.catalogue, dataset);
  return {
    directory: directory.outcome,
    catalogue: catalogue.outcome,
    directoryVersion: directory.version,
    catalogueVersion: catalogue.version,
  };
}

async function seedStream(
  store: EventStore,
  stream: DirectoryStreamId,
  events: readonly DirectoryChangeEvent[],
  dataset: string,
): Promise<{ outcome: SeedOutcome; version: number }> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const state = await store.streamState(stream);
    if (state.version > 0) {
      const [first] = await store.readStream(stream, { maxCount: 1 });
      const same = first?.type.endsWith('.records_imported') && first.data['dataset'] === dataset;
      return { outcome: same ? 'present' : 'other', version: state.version };
    }
    try {
      const result = await store.append(
        stream,
        events.map((event, i) =>
          toAppend(event, deterministicUuid(`directory-seed:${dataset}:${stream}:${i}`)),
        ),
        'no_stream',
      );
      return { outcome: 'seeded', version: result.nextExpectedVersion };
    } catch (error) {
      // Another process seeded (or changed) the stream first — at another instant, so its events
      // differ from these beyond their ids —: look again.
      if (!(error instanceof WrongExpectedVersionError) && !(error instanceof IdempotencyConflictError)) {
        throw error;
      }
    }
  }
  throw new Error(`the ${stream} stream kept changing while it was being seeded`);
}

/** A directory or catalogue event as the store keeps it: the whole event as data, its actor in metadata. */
export function toAppend(event: DirectoryChangeEvent, id: string): EventToAppend {
  const { type, ...data } = event;
  return {
    id,
    type,
    data: JSON.parse(JSON.stringify(data)) as EventToAppend['data'],
    metadata: { actor: { id: event.by.id, role: event.by.role } },
  };
}
