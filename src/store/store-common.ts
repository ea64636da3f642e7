import type { PoolRules, RuleRefusal } from '../core/fair-play.js';
import { DAY } from '../core/clock.js';

/** Helpers both stores share: small facts about claims that are not SQL. */

/** The seed's hot-lead threshold: the score band a claim is counted against when no diversity rule sets one. */
export const DEFAULT_HOT_THRESHOLD = 80;

/** Days are UTC days until teams get their own time zone. */
export function startOfUtcDay(now: number): number {
  return Math.floor(now / DAY) * DAY;
}

/** Monday 00:00 UTC of the ISO week. */
export function startOfUtcWeek(now: number): number {
  const day = startOfUtcDay(now);
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday = 0
  return day - weekday * DAY;
}

/** Where a refusal happened, for its audit record (kept beside the error, not in its public details). */
export const refusalLocation = new WeakMap<RuleRefusal, { leadId: number | null; poolId: number }>();

export function withLead(refusal: RuleRefusal, leadId: number | null, poolId: number): RuleRefusal {
  refusalLocation.set(refusal, { leadId, poolId });
  return refusal;
}

export function withoutDiversity(rules: PoolRules): PoolRules {
  const { diversity: _ignored, ...rest } = rules;
  return rest;
}
