import { describe, expect, it } from 'vitest';
import { computeTier, DEFAULT_TIER_THRESHOLDS, leadVisibility, poolAccessFor, type TierThresholds } from '../../src/core/routing/tiers.js';
import { buildAccount, buildLead } from './builders.js';

const t: TierThresholds = { windowDays: 30, top: { minConversionRate: 0.2, maxMedianMinutesToContact: 60, minClaims: 20 }, new: { maxClaims: 5 } };

describe('computeTier', () => {
  it('a rep with few claims in the window is new', () => {
    expect(computeTier({ claims: 5, converted: 5, medianMinutesToContact: 3 }, t)).toEqual({ tier: 'new', reason: '5 claims in 30 days, at most 5 counts as new' });
  });
  it('a rep converting well and contacting fast over enough claims is top, with the numbers', () => {
    expect(computeTier({ claims: 40, converted: 10, medianMinutesToContact: 42 }, t)).toEqual({
      tier: 'top',
      reason: 'conversion 25% >= 20% and median 42 min to contact <= 60 over 40 claims in 30 days',
    });
  });
  it('the bars are inclusive', () => {
    expect(computeTier({ claims: 20, converted: 4, medianMinutesToContact: 60 }, t).tier).toBe('top');
  });
  it('a rep missing a bar is standard, and the reason lists every bar missed', () => {
    expect(computeTier({ claims: 12, converted: 1, medianMinutesToContact: 95 }, t)).toEqual({
      tier: 'standard',
      reason: 'not top: 12 claims < 20 needed; conversion 8.3% < 20%; median 95 min to contact > 60 (in 30 days)',
    });
  });
  it('a rep who has logged no contact is never top', () => {
    expect(computeTier({ claims: 30, converted: 30, medianMinutesToContact: null }, t)).toEqual({ tier: 'standard', reason: 'not top: no contact logged yet (in 30 days)' });
  });
  it('without a new threshold a rep with no claims is standard, and top needs 20 claims by default', () => {
    const noNew: TierThresholds = { windowDays: 14, top: { minConversionRate: 0.1, maxMedianMinutesToContact: 30 } };
    expect(computeTier({ claims: 0, converted: 0, medianMinutesToContact: null }, noNew).tier).toBe('standard');
    expect(computeTier({ claims: 19, converted: 19, medianMinutesToContact: 1 }, noNew).tier).toBe('standard');
    expect(computeTier({ claims: 20, converted: 19, medianMinutesToContact: 1 }, noNew).tier).toBe('top');
  });
  it('the defaults are the documented ones', () => {
    expect(DEFAULT_TIER_THRESHOLDS).toEqual(t);
  });
});

describe('pool access by tier', () => {
  const access = { byTier: { top: 'full' as const, standard: { filter: { scoreMax: 79 } }, new: 'none' as const } };
  it('top performers see full details, mid-tier a filtered subset, new reps nothing', () => {
    expect(poolAccessFor(access, 'top')).toBe('full');
    expect(leadVisibility(poolAccessFor(access, 'standard'), buildLead({ score: 60 }))).toBe('preview');
    expect(leadVisibility(poolAccessFor(access, 'standard'), buildLead({ score: 85 }))).toBeNull();
    expect(leadVisibility(poolAccessFor(access, 'new'), buildLead())).toBeNull();
  });
  it('a tier the pool does not list, or no tier, gets the preview unless told otherwise', () => {
    expect(poolAccessFor(access, 'trainee')).toBe('preview');
    expect(poolAccessFor(access, null)).toBe('preview');
    expect(poolAccessFor({ ...access, otherwise: 'none' }, null)).toBe('none');
  });
  it('a filter on named accounts uses the account passed in', () => {
    const filter = { filter: { existingCustomer: false } };
    expect(leadVisibility(filter, buildLead(), buildAccount(1, { customer: true }))).toBeNull();
    expect(leadVisibility(filter, buildLead())).toBe('preview');
  });
});
