import {
  CASE_EVENT_SCHEMA_VERSIONS,
  CASE_EVENT_TYPES,
  upcastCaseEvent,
  type CaseEvent,
  type CaseEventType,
} from '@tongban/cases';
import type { GlobalFilter, RecordedEvent } from '@tongban/event-store';

/** Every case projection reads the case streams (`case-<caseId>`) and nothing else. */
export const CASE_STREAMS: GlobalFilter = { streamPrefix: 'case-' };

const KNOWN_TYPES = new Set<string>(CASE_EVENT_TYPES);

/**
 * Stored case event → domain event, the same way the command side reads its streams (a copy of
 * case-handling's `fromStoredEvent`, which that context keeps private). A shape newer than this
 * build is refused rather than misread: the projector stops and a newer build resumes it. Older
 * or incomplete shapes are brought up to date by the case context's `upcastCaseEvent` (ADR 0008).
 */
export function decodeCaseEvent(recorded: RecordedEvent): CaseEvent {
  if (!KNOWN_TYPES.has(recorded.type)) {
    throw new Error(`Unknown case event type ${recorded.type} in ${recorded.streamId}@${recorded.version}`);
  }
  const type = recorded.type as CaseEventType;
  if (recorded.schemaVersion !== CASE_EVENT_SCHEMA_VERSIONS[type]) {
    throw new Error(
      `No upcaster for ${type} v${recorded.schemaVersion} (this build knows v${CASE_EVENT_SCHEMA_VERSIONS[type]})`,
    );
  }
  return upcastCaseEvent(type, recorded.data);
}
