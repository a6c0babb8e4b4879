import type { Instant } from '@tongban/cases';

export interface CaseHandlingOptions {
  /** Prefix of human-readable case numbers: PC for Pingcheng (平城). */
  readonly caseNumberPrefix: string;
  /** The district's time zone: case numbers and business days follow its calendar. */
  readonly timeZone: string;
  /** Most supplements one case takes (CASE_MAX_SUPPLEMENTS); the decider refuses one more. */
  readonly maxSupplementsPerCase: number;
  /** Hours a hand-over waits for an answer before it lapses (HAND_OVER_EXPIRES_AFTER_HOURS). */
  readonly handOverExpiresAfterHours: number;
}

export const CASE_HANDLING_OPTIONS = Symbol('CASE_HANDLING_OPTIONS');

export const DEFAULT_CASE_HANDLING_OPTIONS: CaseHandlingOptions = {
  caseNumberPrefix: 'PC',
  timeZone: 'Asia/Shanghai',
  maxSupplementsPerCase: 20,
  handOverExpiresAfterHours: 48,
};

/** When a hand-over offered at `at` lapses: the decider reads no setting, so it comes with the command. */
export function handOverExpiry(
  at: Instant,
  options: Pick<CaseHandlingOptions, 'handOverExpiresAfterHours'>,
): Instant {
  return new Date(Date.parse(at) + options.handOverExpiresAfterHours * 3_600_000).toISOString();
}
