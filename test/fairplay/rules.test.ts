import { describe, expect, it } from 'vitest';
import { checkClaimRules, checkDetailView, checkSkip, type PoolRules, type RepClaimState } from '../../src/core/fair-play.js';
import { scorePercentile, industryShare, type PoolMix } from '../../src/core/pool-mix.js';

const state = (over: Partial<RepClaimState> = {}): RepClaimState => ({ openUncontacted: 0, recentScores: [], ratioCredits: 0, claimsToday: 0, ...over });

describe('hoarding limit', () => {
  const rules: PoolRules = { hoardingLimit: 10 };
  it.each([
    [9, null],
    [10, 'RULE_HOARDING_LIMIT'],
    [11, 'RULE_HOARDING_LIMIT'],
  ])('with %i open uncontacted leads the refusal is %s', (open, code) => {
    expect(checkClaimRules(rules, state({ openUncontacted: open }), 50)?.code ?? null).toBe(code);
  });
  it('the refusal gives the numbers and what unblocks the rep', () => {
    const r = checkClaimRules(rules, state({ openUncontacted: 10 }), 50)!;
    expect(r.details).toMatchObject({ current: 10, limit: 10, unblock: 'Log contact on one of your 10 open leads, or release one.' });
    expect(r.status).toBe(403);
  });
});

describe('daily cap', () => {
  it.each([
    [39, null],
    [40, 'RULE_DAILY_CAP'],
    [41, 'RULE_DAILY_CAP'],
  ])('with %i claims today the refusal is %s', (n, code) => {
    expect(checkClaimRules({ dailyCap: 40 }, state({ claimsToday: n }), 50)?.code ?? null).toBe(code);
  });
});

describe('diversity, percent mode (30% of the last 10 under 60)', () => {
  const rules: PoolRules = { diversity: { mode: 'percent', threshold: 60, minPercent: 30, window: 10 } };
  it('a claim under the threshold is always allowed', () => {
    expect(checkClaimRules(rules, state({ recentScores: Array(9).fill(90) }), 59)).toBeNull();
  });
  it('a high claim whose window would hold 2 of 10 low is refused, 3 of 10 allowed', () => {
    // With the new high claim the window is [high, ...last 9].
    const withLows = (lows: number) => [...Array(lows).fill(10), ...Array(9 - lows).fill(90)];
    expect(checkClaimRules(rules, state({ recentScores: withLows(2) }), 60)?.code).toBe('RULE_DIVERSITY');
    expect(checkClaimRules(rules, state({ recentScores: withLows(3) }), 60)).toBeNull();
    expect(checkClaimRules(rules, state({ recentScores: withLows(4) }), 60)).toBeNull();
  });
  it('the score exactly at the threshold counts as high', () => {
    expect(checkClaimRules(rules, state({ recentScores: [] }), 60)?.code).toBe('RULE_DIVERSITY');
  });
  it('the refusal says how many low claims would unblock the rep', () => {
    const r = checkClaimRules(rules, state({ recentScores: [] }), 95)!;
    expect(r.details?.unblock).toBe('Claim a lead under score 60 first.');
    const r2 = checkClaimRules(rules, state({ recentScores: Array(9).fill(90) }), 95)!;
    expect(r2.details?.unblock).toBe('Claim 3 leads under score 60 first.');
  });
});

describe('diversity, ratio mode', () => {
  const rules: PoolRules = { diversity: { mode: 'ratio', threshold: 80 } };
  it.each([
    [0, 'RULE_DIVERSITY'],
    [1, null],
    [2, null],
  ])('with %i credits a high claim is refused: %s', (credits, code) => {
    expect(checkClaimRules(rules, state({ ratioCredits: credits }), 85)?.code ?? null).toBe(code);
  });
  it('low claims never need credit', () => {
    expect(checkClaimRules(rules, state({ ratioCredits: -3 }), 79)).toBeNull();
  });
});

describe('detail views and skips', () => {
  it.each([
    [14, null],
    [15, 'RULE_DETAIL_VIEW_LIMIT'],
    [16, 'RULE_DETAIL_VIEW_LIMIT'],
  ])('after %i detail views the next is %s', (n, code) => {
    expect(checkDetailView({ detailViewLimit: 15 }, n)?.code ?? null).toBe(code);
  });
  it.each([
    [2, null],
    [3, 'RULE_SKIP_LIMIT'],
    [4, 'RULE_SKIP_LIMIT'],
  ])('after %i skips in a row the next is %s', (n, code) => {
    expect(checkSkip({ skipLimit: 3 }, n)?.code ?? null).toBe(code);
  });
  it('rules left out are off', () => {
    expect(checkClaimRules({}, state({ openUncontacted: 1000, claimsToday: 1000 }), 100)).toBeNull();
    expect(checkDetailView({}, 1000)).toBeNull();
    expect(checkSkip({}, 1000)).toBeNull();
  });
});

describe('pool mix', () => {
  const mix: PoolMix = { waiting: 100, byIndustry: { Software: [10, 10, 10, 10, 10, 0, 0, 0, 0, 0], Retail: [0, 0, 0, 0, 0, 10, 10, 10, 10, 10] } };
  it('a score stands at the share below its band plus half its own band', () => {
    expect(scorePercentile(mix, 95)).toBeCloseTo(0.95);
    expect(scorePercentile(mix, 5)).toBeCloseTo(0.05);
    expect(scorePercentile(mix, 55)).toBeCloseTo(0.55);
  });
  it('the industry share is the industry part of what waits', () => {
    expect(industryShare(mix, 'Software')).toBe(0.5);
    expect(industryShare(mix, 'Energy')).toBe(0);
  });
});
