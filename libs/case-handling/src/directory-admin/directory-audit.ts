import type { DirectoryStreamId } from '@tongban/directory';
import type { JsonValue, RecordedEvent } from '@tongban/event-store';
import type { DirectoryChangeView } from './directory-admin.views';

/**
 * One stored directory or catalogue event as the audit view lists it: who, when, why, and what
 * changed — the event's data without the stamp. An import (a seed, a register handed over)
 * carries thousands of records: the view names its data set and part and counts the records.
 */
export function auditEntry(stream: DirectoryStreamId, event: RecordedEvent): DirectoryChangeView {
  const { by, at, reason, ...changed } = event.data;
  return {
    stream,
    version: event.version,
    type: event.type,
    by: actorOf(by) ?? actorOf(event.metadata.actor) ?? { id: 'unknown', role: 'unknown' },
    at: typeof at === 'string' ? at : event.recordedAt.toISOString(),
    reason: typeof reason === 'string' ? reason : '',
    changed: event.type.endsWith('.records_imported') ? importSummary(changed) : changed,
  };
}

function importSummary(data: Record<string, JsonValue>): Record<string, unknown> {
  const { records, ...rest } = data;
  return {
    ...('dataset' in rest ? { dataset: rest['dataset'] } : {}),
    ...('part' in rest ? { part: rest['part'] } : {}),
    recordCount: Array.isArray(records) ? records.length : 0,
  };
}

function actorOf(value: unknown): { id: string; role: string } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { id, role } = value as Record<string, unknown>;
  return typeof id === 'string' && typeof role === 'string' ? { id, role } : undefined;
}
