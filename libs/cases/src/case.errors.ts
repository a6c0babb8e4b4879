import { TongbanError, type ErrorKind, type FieldProblem } from '@tongban/errors';

/** Stable codes of everything the case decider refuses. Codes are added, never renamed. */
export const CASE_ERROR_KINDS = {
  /** A command other than SubmitCase for a case that does not exist. */
  'case.not_found': 'not_found',
  /** SubmitCase for a case id that already exists. */
  'case.already_exists': 'conflict',
  /** The command is not allowed in the case's current status. */
  'case.invalid_transition': 'conflict',
  /** A cadre action by someone who is not the case's accountable owner. */
  'case.not_owner': 'forbidden',
  /** Accepting or refusing a hand-over by someone it was not offered to. */
  'case.not_offered_to_actor': 'forbidden',
  /** A resident action by a resident who did not submit the case. */
  'case.not_case_resident': 'forbidden',
  'case.suspended': 'conflict',
  'case.not_suspended': 'conflict',
  /** Resolving while referred steps are still open. */
  'case.open_referrals': 'conflict',
  'case.unknown_referral': 'not_found',
  'case.referral_exists': 'conflict',
  'case.referral_completed': 'conflict',
  /** Completing a referral from an org unit it was not referred to. */
  'case.not_referral_unit': 'forbidden',
  'case.feedback_recorded': 'conflict',
  'case.already_ruled_unreasonable': 'conflict',
  'case.hand_over_pending': 'conflict',
  /** Withdrawing a hand-over when none is pending (answered, withdrawn, lapsed or never offered). */
  'case.no_hand_over_pending': 'conflict',
  /** Accepting or refusing a hand-over whose time ran out: the owner keeps the case. */
  'case.hand_over_expired': 'conflict',
  /** The system's expiry of a hand-over that has not lapsed yet (or never lapses). */
  'case.hand_over_not_expired': 'conflict',
  'case.hand_over_to_self': 'validation',
  'case.merge_into_self': 'validation',
  'case.invalid_extension': 'validation',
  /** The SLA watcher's due times are not ones its rules make (a system command only). */
  'case.invalid_due_times': 'validation',
  /** A reason, note, summary or other required text is empty or only whitespace. */
  'case.missing_text': 'validation',
  /**
   * A field the command's events promise every reader is absent or not of its type (SubmitCase
   * without a resident, say): refused so that no event the read models cannot read is recorded.
   */
  'case.missing_field': 'validation',
  /** The actor's role may not perform this command at all (e.g. an office clerk rating a case). */
  'case.role_not_allowed': 'forbidden',
  /** Feedback after the feedback window of this resolution round has expired. */
  'case.feedback_window_expired': 'conflict',
  /** A resident's supplement beyond the most a case takes (the cap arrives with the command). */
  'case.too_many_supplements': 'conflict',
} as const satisfies Record<string, ErrorKind>;

export type CaseErrorCode = keyof typeof CASE_ERROR_KINDS;

export class CaseError extends TongbanError {
  readonly kind: ErrorKind;

  constructor(
    readonly code: CaseErrorCode,
    message: string,
    errors: readonly FieldProblem[] = [],
  ) {
    super(message, errors);
    this.kind = CASE_ERROR_KINDS[code];
  }
}
