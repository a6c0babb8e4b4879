import { businessDays, calendarHours, type TimeLimit } from './time-limit';

/** What an SLA policy sets a time limit for. */
export const SLA_TARGETS = ['dispatch', 'response', 'resolution', 'feedbackWindow'] as const;
/**
 * - `dispatch` (派单): until the case has its owner;
 * - `response` (响应): until the first contact with the resident (the `response` clock);
 * - `resolution` (办结): until the owner resolves it and reports back (the `resolution` clock);
 * - `feedbackWindow` (回访): after resolution, how long the resident's rating is awaited.
 */
export type SlaTarget = (typeof SLA_TARGETS)[number];

/**
 * The 12345 service-standard tiers: 紧急 (emergencies that may cost life or property),
 * 水电气热及极端天气 (utilities and extreme weather), 一般 (general), 疑难复杂 (complex).
 */
export const SLA_TIERS = ['emergency', 'utilities', 'general', 'complex'] as const;
export type SlaTier = (typeof SLA_TIERS)[number];

export interface SlaPolicy {
  /** Names its resolution limit: `standard-5d` is five business days, `urgent-24h` 24 hours. */
  readonly id: string;
  readonly tier: SlaTier;
  readonly targets: Readonly<Record<SlaTarget, TimeLimit>>;
}

/**
 * How long the resident's rating is awaited after resolution, in every tier: our default, not a
 * published standard (ADR 0026).
 */
const FEEDBACK_WINDOW = businessDays(3);

/**
 * The published tiers give dispatch and feedback (反馈: the result reported back, our
 * `resolution`); the first contact is ours to set: within the dispatch limit for the round-the-
 * clock tiers, within one business day for the others. Hours count on the calendar, days are
 * business days (ADR 0026).
 */
function policy(id: string, tier: SlaTier, resolution: TimeLimit): SlaPolicy {
  const dispatch =
    tier === 'emergency' ? calendarHours(1) : tier === 'utilities' ? calendarHours(2) : calendarHours(24);
  const response = tier === 'emergency' || tier === 'utilities' ? dispatch : businessDays(1);
  return Object.freeze({
    id,
    tier,
    targets: Object.freeze({ dispatch, response, resolution, feedbackWindow: FEEDBACK_WINDOW }),
  });
}

/**
 * Every policy a matter of the catalogue can name. The tiers' own policies are `emergency-2h`,
 * `urgent-24h`, `standard-7d` and `long-15d`; the other general ones only shorten or lengthen the
 * resolution limit as the catalogue sets it for a matter (时限).
 */
export const SLA_POLICIES: Readonly<Record<string, SlaPolicy>> = Object.freeze(
  Object.fromEntries(
    [
      policy('emergency-2h', 'emergency', calendarHours(2)),
      policy('urgent-24h', 'utilities', calendarHours(24)),
      policy('quick-2d', 'general', businessDays(2)),
      policy('quick-3d', 'general', businessDays(3)),
      policy('standard-5d', 'general', businessDays(5)),
      policy('standard-7d', 'general', businessDays(7)),
      policy('standard-10d', 'general', businessDays(10)),
      policy('long-15d', 'complex', businessDays(15)),
    ].map((p) => [p.id, p]),
  ),
);

/** The policy of each tier. */
export const TIER_POLICIES: Readonly<Record<SlaTier, SlaPolicy>> = Object.freeze({
  emergency: SLA_POLICIES['emergency-2h']!,
  utilities: SLA_POLICIES['urgent-24h']!,
  general: SLA_POLICIES['standard-7d']!,
  complex: SLA_POLICIES['long-15d']!,
});

export function findSlaPolicy(id: string): SlaPolicy | undefined {
  return Object.hasOwn(SLA_POLICIES, id) ? SLA_POLICIES[id] : undefined;
}
