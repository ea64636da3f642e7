import type { Condition, LeadForRouting } from './rules.js';
import type { NamedAccount } from './accounts.js';
import { conditionMatches } from './rules.js';

export { conditionMatches } from './rules.js';

/**
 * Performance-based access. A rep's tier decides how they meet a pool: full details
 * (cherry-pick), the limited preview, a filtered subset, or not at all (those reps get leads
 * pushed instead). Tiers are set by managers or computed on a schedule by `computeTier`.
 */

export const TIERS = ['top', 'standard', 'new'] as const;
export type Tier = (typeof TIERS)[number];

export type PoolAccess = 'full' | 'preview' | { filter: Condition } | 'none';

export interface TierThresholds {
  /** The stats window the caller counts over, in days (the core only reports it). */
  windowDays: number;
  top: {
    /** converted / claims, 0..1, at or above. */
    minConversionRate: number;
    /** Median minutes from claim to first contact, at or below. A rep with no contact yet never qualifies. */
    maxMedianMinutesToContact: number;
    /** Fewest claims in the window before a rate counts. Default 20: one lucky conversion out of one claim is not a top performer. */
    minClaims?: number;
  };
  /** Reps with at most `maxClaims` claims in the window are `new`. Left out = nobody is tiered `new` automatically. */
  new?: { maxClaims: number };
}

export const DEFAULT_TIER_THRESHOLDS: TierThresholds = {
  windowDays: 30,
  top: { minConversionRate: 0.2, maxMedianMinutesToContact: 60, minClaims: 20 },
  new: { maxClaims: 5 },
};

const DEFAULT_TOP_MIN_CLAIMS = 20;

/**
 * A rep's tier from their stats over the window: `new` while they have too few claims to
 * judge (when `thresholds.new` is set), `top` when conversion and speed both meet the bar
 * over enough claims, else `standard`. The reason names the numbers.
 */
export function computeTier(
  stats: { claims: number; converted: number; medianMinutesToContact: number | null },
  thresholds: TierThresholds,
): { tier: Tier; reason: string } {
  const window = `in ${thresholds.windowDays} days`;
  if (thresholds.new && stats.claims <= thresholds.new.maxClaims) {
    return { tier: 'new', reason: `${stats.claims} claims ${window}, at most ${thresholds.new.maxClaims} counts as new` };
  }
  const minClaims = thresholds.top.minClaims ?? DEFAULT_TOP_MIN_CLAIMS;
  const rate = stats.claims > 0 ? stats.converted / stats.claims : 0;
  const ratePct = `${round1(rate * 100)}%`;
  const misses: string[] = [];
  if (stats.claims < minClaims) misses.push(`${stats.claims} claims < ${minClaims} needed`);
  if (rate < thresholds.top.minConversionRate) misses.push(`conversion ${ratePct} < ${round1(thresholds.top.minConversionRate * 100)}%`);
  if (stats.medianMinutesToContact === null) misses.push('no contact logged yet');
  else if (stats.medianMinutesToContact > thresholds.top.maxMedianMinutesToContact) {
    misses.push(`median ${round1(stats.medianMinutesToContact)} min to contact > ${thresholds.top.maxMedianMinutesToContact}`);
  }
  if (misses.length === 0) {
    return {
      tier: 'top',
      reason: `conversion ${ratePct} >= ${round1(thresholds.top.minConversionRate * 100)}% and median ${round1(stats.medianMinutesToContact!)} min to contact <= ${thresholds.top.maxMedianMinutesToContact} over ${stats.claims} claims ${window}`,
    };
  }
  return { tier: 'standard', reason: `not top: ${misses.join('; ')} (${window})` };
}

/**
 * How a rep of `tier` meets a pool: the pool's access for that tier, else `otherwise`
 * (default 'preview', the pool's ordinary view), and 'preview' for a rep without a tier
 * unless `otherwise` says different.
 */
export function poolAccessFor(access: { byTier: Partial<Record<string, PoolAccess>>; otherwise?: PoolAccess }, tier: string | null): PoolAccess {
  return (tier !== null ? access.byTier[tier] : undefined) ?? access.otherwise ?? 'preview';
}

/**
 * What a rep with this access sees of a lead: 'full', 'preview', or nothing (null). A filter
 * shows the preview of the leads it matches; pass the lead's named account (default none) when
 * the filter tests `namedAccount` or `existingCustomer`.
 */
export function leadVisibility(access: PoolAccess, lead: LeadForRouting, account: NamedAccount | null = null): 'full' | 'preview' | null {
  if (access === 'full' || access === 'preview') return access;
  if (access === 'none') return null;
  return conditionMatches(access.filter, lead, account).matched ? 'preview' : null;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
