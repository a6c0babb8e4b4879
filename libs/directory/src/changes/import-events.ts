import type { DirectorySnapshot } from '../model';
import {
  IMPORT_PARTS,
  type CatalogueEvent,
  type ChangeStamp,
  type DirectoryEvent,
  type ImportPart,
  type ImportedSections,
} from './directory-events';

/** The most JSON one import event carries: well under the event store's 1 MiB per event. */
export const MAX_IMPORT_EVENT_BYTES = 256 * 1024;

export interface ImportEvents {
  readonly directory: readonly DirectoryEvent[];
  readonly catalogue: readonly CatalogueEvent[];
}

/**
 * A whole directory as import events (a seed, a register handed over): each part in events of
 * at most `MAX_IMPORT_EVENT_BYTES` of records, in the order a fold needs (district, streets,
 * communities, … addresses), and the catalogue's matters. Folding them gives `snapshot` back (its
 * versions aside: those are the streams').
 */
export function importEvents(
  snapshot: DirectorySnapshot,
  dataset: string,
  stamp: ChangeStamp,
  maxBytes = MAX_IMPORT_EVENT_BYTES,
): ImportEvents {
  const directory: DirectoryEvent[] = [];
  for (const part of IMPORT_PARTS) {
    const records = (
      part === 'district' ? [snapshot.district] : snapshot[part]
    ) as readonly ImportedSections[ImportPart][];
    for (const chunk of chunks(records, maxBytes)) {
      directory.push({
        ...stamp,
        type: 'directory.records_imported',
        dataset,
        part,
        records: chunk,
      } as DirectoryEvent);
    }
  }
  const catalogue: CatalogueEvent[] = chunks(snapshot.matters, maxBytes).map((records) => ({
    ...stamp,
    type: 'catalogue.records_imported',
    dataset,
    records,
  }));
  return { directory, catalogue };
}

/** Consecutive runs of records whose JSON stays within `maxBytes` (a record larger goes alone). */
function chunks<T>(records: readonly T[], maxBytes: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = Buffer.byteLength(JSON.stringify(record)) + 1;
    if (current.length > 0 && bytes + size > maxBytes) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}
