import { AppError } from './errors.js';

/**
 * Fair-play rules of a pool. A rule left out is off. A new database starts with every rule
 * off, so an integration is never refused by a rule nobody chose; SEED_RULES are the
 * brief's defaults (hoarding 10, 30% of claims under the hot threshold of 80), which the
 * demo team uses and a manager can adopt with one call.
 */
export interface PoolRules {
  /** At most this many leads claimed but not yet contacted per rep (across all pools). */
  hoardingLimit?: number;
  diversity?: DiversityRule;
  /** A rep may open at most this many lead details in the pool before they must claim one. */
  detailViewLimit?: number;
  /** A rep may skip at most this many queue leads in a row before they must keep one. */
  skipLimit?: number;
  /** At most this many claims per rep per day in the pool. */
  dailyCap?: number;
  /** Fewer claims than this per day is flagged to managers and shown to the rep; never blocks. */
  minClaimsPerDay?: number;
}

export type DiversityRule =
  /** In the rep's last `window` claims in the pool, at least `minPercent`% must be under `threshold`. */
  | { mode: 'percent'; threshold: number; minPercent: number; window: number }
  /** Every claim at or above `threshold` spends a credit earned by a claim below it. */
  | { mode: 'ratio'; threshold: number };

export const SEED_RULES: PoolRules = {
  hoardingLimit: 10,
  diversity: { mode: 'percent', threshold: 80, minPercent: 30, window: 20 },
};

/** What the store fetched about the rep, inside the claim's transaction. */
export interface RepClaimState {
  /** Leads the rep holds without contact yet, in every pool. */
  openUncontacted: number;
  /** Scores of the rep's most recent claims in this pool, newest first (at least `window` of them when available). */
  recentScores: number[];
  /** Claims below the threshold minus claims at or above it, in this pool (ratio mode). */
  ratioCredits: number;
  claimsToday: number;
}

export const RULE_CODES = ['RULE_HOARDING_LIMIT', 'RULE_DIVERSITY', 'RULE_DAILY_CAP', 'RULE_DETAIL_VIEW_LIMIT', 'RULE_SKIP_LIMIT'] as const;
export type RuleCode = (typeof RULE_CODES)[number];

/** A refusal names its rule (the error code), the numbers, and what would unblock the rep. */
export class RuleRefusal extends AppError {
  readonly rule: RuleCode;
  constructor(rule: RuleCode, message: string, details: { current: number; limit: number; unblock: string } & Record<string, unknown>) {
    super(rule, message, details);
    this.rule = rule;
  }
}

/**
 * Decides whether the rules let this rep claim a lead of this score. Pure: the store
 * fetches the state and calls this inside the same transaction as the claim, so two
 * simultaneous claims cannot both slip under a limit.
 */
export function checkClaimRules(rules: PoolRules, state: RepClaimState, score: number): RuleRefusal | null {
  if (rules.hoardingLimit !== undefined && state.openUncontacted >= rules.hoardingLimit) {
    return new RuleRefusal('RULE_HOARDING_LIMIT', `You hold ${state.openUncontacted} leads without contact; the limit is ${rules.hoardingLimit}.`, {
      current: state.openUncontacted,
      limit: rules.hoardingLimit,
      unblock: `Log contact on one of your ${state.openUncontacted} open leads, or release one.`,
    });
  }
  if (rules.dailyCap !== undefined && state.claimsToday >= rules.dailyCap) {
    return new RuleRefusal('RULE_DAILY_CAP', `You have claimed ${state.claimsToday} leads here today; the cap is ${rules.dailyCap}.`, {
      current: state.claimsToday,
      limit: rules.dailyCap,
      unblock: 'The cap resets at midnight.',
    });
  }
  const d = rules.diversity;
  if (d && score >= d.threshold) {
    if (d.mode === 'percent') {
      // Count the window as it would be after this claim: the claim itself is a high one.
      const window = [score, ...state.recentScores].slice(0, d.window);
      const low = window.filter((s) => s < d.threshold).length;
      const percent = (low / window.length) * 100;
      if (percent < d.minPercent) {
        const needed = lowClaimsNeeded(state.recentScores, d);
        return new RuleRefusal(
          'RULE_DIVERSITY',
          `At least ${d.minPercent}% of your last ${d.window} claims must be under score ${d.threshold}; with this one it would be ${Math.floor(percent)}%.`,
          {
            current: Math.floor(percent),
            limit: d.minPercent,
            threshold: d.threshold,
            unblock: `Claim ${needed === 1 ? 'a lead' : `${needed} leads`} under score ${d.threshold} first.`,
          },
        );
      }
    } else if (state.ratioCredits < 1) {
      return new RuleRefusal('RULE_DIVERSITY', `Each claim at score ${d.threshold} or above needs a claim under ${d.threshold} first.`, {
        current: state.ratioCredits,
        limit: 1,
        threshold: d.threshold,
        unblock: `Claim a lead under score ${d.threshold} first.`,
      });
    }
  }
  return null;
}

/** How many low claims would let the next high claim through (percent mode). */
function lowClaimsNeeded(recent: number[], d: Extract<DiversityRule, { mode: 'percent' }>): number {
  for (let n = 1; n <= d.window; n++) {
    const window = [99_999, ...Array<number>(n).fill(-1), ...recent].slice(0, d.window);
    const low = window.filter((s) => s < d.threshold).length;
    if ((low / window.length) * 100 >= d.minPercent) return n;
  }
  return d.window;
}

export function checkDetailView(rules: PoolRules, viewsSinceClaim: number): RuleRefusal | null {
  if (rules.detailViewLimit === undefined || viewsSinceClaim < rules.detailViewLimit) return null;
  return new RuleRefusal('RULE_DETAIL_VIEW_LIMIT', `You have opened ${viewsSinceClaim} lead details here since your last claim; the limit is ${rules.detailViewLimit}.`, {
    current: viewsSinceClaim,
    limit: rules.detailViewLimit,
    unblock: 'Claim one of the leads you looked at.',
  });
}

export function checkSkip(rules: PoolRules, skipsInRow: number): RuleRefusal | null {
  if (rules.skipLimit === undefined || skipsInRow < rules.skipLimit) return null;
  return new RuleRefusal('RULE_SKIP_LIMIT', `You have skipped ${skipsInRow} leads in a row; the limit is ${rules.skipLimit}.`, {
    current: skipsInRow,
    limit: rules.skipLimit,
    unblock: 'Work this lead: log contact, or release it with a reason for your manager.',
  });
}
