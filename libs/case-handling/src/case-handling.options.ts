export interface CaseHandlingOptions {
  /** Prefix of human-readable case numbers: PC for Pingcheng (平城). */
  readonly caseNumberPrefix: string;
  /** The district's time zone: case numbers and business days follow its calendar. */
  readonly timeZone: string;
  /** Most supplements one case takes (CASE_MAX_SUPPLEMENTS); the decider refuses one more. */
  readonly maxSupplementsPerCase: number;
}

export const CASE_HANDLING_OPTIONS = Symbol('CASE_HANDLING_OPTIONS');

export const DEFAULT_CASE_HANDLING_OPTIONS: CaseHandlingOptions = {
  caseNumberPrefix: 'PC',
  timeZone: 'Asia/Shanghai',
  maxSupplementsPerCase: 20,
};
