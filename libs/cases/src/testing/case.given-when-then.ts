// Imported rather than global, so this file type-checks under the build config too.
import { expect } from '@jest/globals';
import type { CaseCommand } from '../case.commands';
import { decide, replay } from '../case.decider';
import { CASE_ERROR_KINDS, CaseError, type CaseErrorCode } from '../case.errors';
import type { CaseEvent } from '../case.events';

type Outcome =
  { readonly events: readonly CaseEvent[] } | { readonly error: CaseErrorCode; readonly kind: string };

/**
 * Decider specs read as given(history) → when(command) → then(events) or thenFails(code). Both
 * outcomes are compared as one value, so a failing spec shows what the decider did instead.
 */
export function given(...history: readonly CaseEvent[]) {
  return {
    when(command: CaseCommand) {
      const outcome = (): Outcome => {
        const state = replay(history);
        try {
          return { events: decide(command, state) };
        } catch (error) {
          if (error instanceof CaseError) return { error: error.code, kind: error.kind };
          throw error;
        }
      };
      return {
        then(...expected: readonly CaseEvent[]): void {
          expect(outcome()).toEqual({ events: expected });
        },
        /** The command is recognised as already done: no event, no error. */
        thenNothing(): void {
          expect(outcome()).toEqual({ events: [] });
        },
        thenFails(code: CaseErrorCode): void {
          expect(outcome()).toEqual({ error: code, kind: CASE_ERROR_KINDS[code] });
        },
      };
    },
  };
}
