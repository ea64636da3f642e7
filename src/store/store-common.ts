import type { PoolRules, RuleRefusal } from '../core/fair-play.js';
import { DAY } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import { conditionMatches, type Condition, type NamedAccount, type PoolAccess, type RepProfile } from '../core/routing/index.js';
import type { RepSettings } from './store.js';
import { leadForRouting } from '../core/lead-routing.js';
import type { Lead } from '../core/types.js';

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

/**
 * Performance-based access at the claim: a tier kept out of a pool is refused; a tier limited
 * to a filtered part is refused leads outside it. Returns the filter (for take-next), or null.
 */
export function tierAccessDecision(access: Record<string, PoolAccess>, tier: string | null, lead: Lead | null, account: NamedAccount | null): Condition | null {
  const a = tier === null ? undefined : access[tier];
  if (a === undefined || a === 'full' || a === 'preview') return null;
  if (a === 'none') {
    throw new AppError('FORBIDDEN', `This pool is not open to your tier (${tier}); leads are pushed to you instead.`, { tier, reason: 'tier_access' });
  }
  if (lead === null) return a.filter;
  const m = conditionMatches(a.filter, leadForRouting(lead), account);
  if (!m.matched) throw new AppError('FORBIDDEN', `Your tier (${tier}) works a filtered part of this pool, and lead ${lead.id} is outside it: ${m.why}.`, { tier, reason: 'tier_filter' });
  return a.filter;
}

/** A rep as push routing sees them: their settings, and the counts the store made. */
export function repProfile(s: RepSettings, counts: { openLeads: number; pushed?: { h: number; d: number; w: number } | undefined; excluded: boolean }): RepProfile {
  return {
    userId: s.userId,
    name: s.name,
    team: s.team,
    tier: s.tier,
    availability: s.availability,
    paused: s.paused,
    capacity: s.capacity,
    openLeads: counts.openLeads,
    weight: s.weight,
    hours: s.hours,
    caps: s.caps,
    pushed: { lastHour: counts.pushed?.h ?? 0, today: counts.pushed?.d ?? 0, thisWeek: counts.pushed?.w ?? 0 },
    excluded: counts.excluded,
  };
}
