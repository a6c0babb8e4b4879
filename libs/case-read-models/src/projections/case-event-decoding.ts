import { CASE_EVENT_CODEC, type CaseEvent } from '@tongban/cases';
import type { GlobalFilter, RecordedEvent } from '@tongban/event-store';

/** Every case projection reads the case streams (`case-<caseId>`) and nothing else. */
export const CASE_STREAMS: GlobalFilter = { streamPrefix: 'case-' };

/**
 * Stored case event → domain event, through the case context's one codec (the same the command
 * side replays with): older shapes are upcast, a type or version newer than this build stops the
 * projector at its position, and a newer build resumes it.
 */
export function decodeCaseEvent(recorded: RecordedEvent): CaseEvent {
  return CASE_EVENT_CODEC.decode(recorded, `${recorded.streamId}@${recorded.version}`);
}
