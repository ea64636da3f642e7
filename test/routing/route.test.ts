import { describe, expect, it } from 'vitest';
import { routeLead, type RouteContext } from '../../src/core/routing/route.js';
import { AccountIndex } from '../../src/core/routing/accounts.js';
import { EMPTY_ROTATION, type RotationState } from '../../src/core/routing/strategies.js';
import type { RuleSet } from '../../src/core/routing/rules.js';
import type { RepProfile } from '../../src/core/routing/reps.js';
import { buildAccount, buildLead, buildRep, MONDAY_10_BERLIN } from './builders.js';

const GENERAL = 1;
const HOT_FALLBACK = 2;
const ENTERPRISE = 3;
const REVIEW = 4;

/** The seed's hybrid: named accounts to owners, 80+ pushed round robin, enterprise to its pool, the rest general. */
const seedRules: RuleSet = {
  defaultPoolId: GENERAL,
  rules: [
    { id: 'accounts', name: 'Named accounts to their owner', when: { namedAccount: true }, then: { type: 'push_owner', fallbackPoolId: GENERAL, fallbackPriority: 20 } },
    { id: 'hot', name: 'Hot leads pushed', when: { scoreMin: 80 }, then: { type: 'push_team', team: 'inbound', strategy: 'round_robin', fallbackPoolId: HOT_FALLBACK, fallbackPriority: 10 } },
    { id: 'enterprise', name: 'Enterprise pool', when: { companySize: ['1001-5000', '5000+'] }, then: { type: 'pool', poolId: ENTERPRISE, priority: 5 } },
    { id: 'spam', name: 'Suspicious sources to review', when: { source: ['scraper'] }, then: { type: 'review', poolId: REVIEW } },
  ],
};

const owner = buildRep(7, { name: 'Olga Owner', team: 'key-accounts' });
const globex = buildAccount(1, { name: 'Globex GmbH', domains: ['globex.de'], ownerId: 7, customer: true });

function context(over: Partial<RouteContext> & { rotations?: Record<string, RotationState> } = {}): RouteContext {
  const rotations = over.rotations ?? {};
  return {
    ruleSet: seedRules,
    accounts: new AccountIndex([globex]),
    reps: [buildRep(1, { name: 'Anna' }), buildRep(2, { name: 'Ben' }), buildRep(3, { name: 'Cem' }), owner],
    rotation: (team) => rotations[team] ?? EMPTY_ROTATION,
    now: MONDAY_10_BERLIN,
    ...over,
  };
}

describe('routeLead', () => {
  it('a warm lead that matches no rule goes to the default pool, and the trace says why each rule missed', () => {
    const { trace, rotationUpdates } = routeLead(buildLead({ score: 72 }), context());
    expect(trace).toMatchObject({
      rules: [
        { id: 'accounts', name: 'Named accounts to their owner', matched: false, why: 'no named account matched' },
        { id: 'hot', name: 'Hot leads pushed', matched: false, why: 'score 72 < 80' },
        { id: 'enterprise', name: 'Enterprise pool', matched: false, why: 'company size 51-200 not in [1001-5000, 5000+]' },
        { id: 'spam', name: 'Suspicious sources to review', matched: false, why: 'source "web" not in [scraper]' },
      ],
      matchedRuleId: null,
      account: null,
      action: 'default_pool',
      skipped: [],
      outcome: { kind: 'pool', poolId: GENERAL, priority: 0 },
    });
    expect(rotationUpdates).toEqual({});
  });

  it('a hot lead is pushed round robin after the last rep, stops evaluating rules, and returns the moved rotation', () => {
    const { trace, rotationUpdates } = routeLead(buildLead({ score: 91 }), context({ rotations: { inbound: { ...EMPTY_ROTATION, lastUserId: 1 } } }));
    expect(trace.rules.map((r) => [r.id, r.matched, r.why])).toEqual([
      ['accounts', false, 'no named account matched'],
      ['hot', true, 'score 91 >= 80'],
    ]);
    expect(trace).toMatchObject({ matchedRuleId: 'hot', action: 'push_team', strategy: 'round_robin', team: 'inbound', skipped: [] });
    expect(trace.outcome).toMatchObject({ kind: 'pushed', userId: 2, name: 'Ben' });
    expect(rotationUpdates).toEqual({ inbound: { ...EMPTY_ROTATION, lastUserId: 2 } });
  });

  it('a push names the reps it skipped and why', () => {
    const reps = [buildRep(1, { name: 'Anna', availability: 'away' }), buildRep(2, { name: 'Ben', capacity: 3, openLeads: 3 }), buildRep(3, { name: 'Cem' })];
    const { trace } = routeLead(buildLead({ score: 85 }), context({ reps }));
    expect(trace.skipped).toMatchObject([
      { userId: 1, name: 'Anna', reason: 'away', detail: 'Anna is away' },
      { userId: 2, name: 'Ben', reason: 'at_capacity', detail: 'holds 3 open leads, capacity 3' },
    ]);
    expect(trace.outcome).toMatchObject({ kind: 'pushed', userId: 3, name: 'Cem' });
  });

  it('when nobody in the team is eligible the lead falls back to the rule’s pool, and the trace counts the reasons', () => {
    const reps = [
      buildRep(1, { name: 'Anna', availability: 'away' }),
      buildRep(2, { name: 'Ben', availability: 'away' }),
      buildRep(3, { name: 'Cem', caps: { daily: 5 }, pushed: { lastHour: 0, today: 5, thisWeek: 5 } }),
    ];
    const { trace, rotationUpdates } = routeLead(buildLead({ score: 85 }), context({ reps }));
    expect(trace.skipped.map((s) => s.reason)).toEqual(['away', 'away', 'daily_cap']);
    expect(trace.outcome).toMatchObject({ kind: 'pool', poolId: HOT_FALLBACK, priority: 10, fellBack: 'nobody in team "inbound" can take it: 2 away, 1 at their daily cap' });
    expect(rotationUpdates).toEqual({});
  });

  it('a paused rotation falls back and says so', () => {
    const { trace } = routeLead(buildLead({ score: 85 }), context({ rotations: { inbound: { ...EMPTY_ROTATION, paused: true } } }));
    expect(trace.outcome).toMatchObject({ kind: 'pool', poolId: HOT_FALLBACK, priority: 10, fellBack: 'the rotation of team "inbound" is paused' });
    expect(trace.skipped.every((s) => s.reason === 'paused')).toBe(true);
  });

  it('a team with no reps falls back and says so', () => {
    const { trace } = routeLead(buildLead({ score: 85 }), context({ reps: [owner] }));
    expect(trace.outcome).toMatchObject({ kind: 'pool', poolId: HOT_FALLBACK, priority: 10, fellBack: 'team "inbound" has no reps' });
  });

  it('a rep who let this lead go is never pushed it again', () => {
    const reps = [buildRep(1, { name: 'Anna', excluded: true }), buildRep(2, { name: 'Ben' })];
    const { trace } = routeLead(buildLead({ score: 85 }), context({ reps }));
    expect(trace.skipped).toMatchObject([{ userId: 1, name: 'Anna', reason: 'handed_back', detail: 'Anna already let this lead go (expired, released or skipped it)' }]);
    expect(trace.outcome).toMatchObject({ kind: 'pushed', userId: 2 });
  });

  it('a named-account lead (by email domain) is pushed to the account owner, ahead of the hot rule', () => {
    const { trace } = routeLead(buildLead({ score: 95, company: 'Whatever', contact: { email: 'cto@globex.de' } }), context());
    expect(trace.account).toEqual({ id: 1, name: 'Globex GmbH', by: 'domain' });
    expect(trace.rules).toMatchObject([{ id: 'accounts', name: 'Named accounts to their owner', matched: true, why: 'named account "Globex GmbH" matched' }]);
    expect(trace.outcome).toMatchObject({ kind: 'pushed', userId: 7, name: 'Olga Owner' });
  });

  it('a named-account lead matched by company name records that it matched by name', () => {
    const { trace } = routeLead(buildLead({ company: 'GLOBEX', contact: { email: 'x@gmail.com' } }), context());
    expect(trace.account).toEqual({ id: 1, name: 'Globex GmbH', by: 'name' });
  });

  it('an owner who is away does not get the lead: it falls back with the owner in skipped and the reason', () => {
    const reps = [buildRep(1), { ...owner, availability: 'away' as const }];
    const { trace } = routeLead(buildLead({ contact: { email: 'a@globex.de' } }), context({ reps }));
    expect(trace.skipped).toMatchObject([{ userId: 7, name: 'Olga Owner', reason: 'away', detail: 'Olga Owner is away' }]);
    expect(trace.outcome).toMatchObject({ kind: 'pool', poolId: GENERAL, priority: 20, fellBack: 'the owner of "Globex GmbH", Olga Owner, cannot take it: Olga Owner is away' });
  });

  it('an owner who is not an active rep makes the lead fall back', () => {
    const { trace } = routeLead(buildLead({ contact: { email: 'a@globex.de' } }), context({ reps: [buildRep(1)] }));
    expect(trace.outcome).toMatchObject({ kind: 'pool', poolId: GENERAL, priority: 20, fellBack: 'the owner of "Globex GmbH" (user 7) is not an active rep' });
  });

  it('push_owner without a matched account falls back, saying there is no owner', () => {
    const ruleSet: RuleSet = { defaultPoolId: GENERAL, rules: [{ id: 'all', name: 'Everyone to owners', when: {}, then: { type: 'push_owner', fallbackPoolId: HOT_FALLBACK } }] };
    const { trace } = routeLead(buildLead(), context({ ruleSet }));
    expect(trace.outcome).toMatchObject({ kind: 'pool', poolId: HOT_FALLBACK, priority: 0, fellBack: 'no named account matched, so there is no owner to push to' });
  });

  it('an enterprise lead goes to the enterprise pool with the rule’s priority', () => {
    const { trace } = routeLead(buildLead({ companySize: '5000+' }), context());
    expect(trace).toMatchObject({ matchedRuleId: 'enterprise', action: 'pool', outcome: { kind: 'pool', poolId: ENTERPRISE, priority: 5 } });
  });

  it('a review rule sends the lead to manager review in its pool', () => {
    const { trace } = routeLead(buildLead({ source: 'Scraper' }), context());
    expect(trace).toMatchObject({ matchedRuleId: 'spam', action: 'review', outcome: { kind: 'review', poolId: REVIEW } });
  });

  it('a disabled rule is listed as disabled and never matches', () => {
    const ruleSet: RuleSet = { ...seedRules, rules: seedRules.rules.map((r) => (r.id === 'hot' ? { ...r, enabled: false } : r)) };
    const { trace } = routeLead(buildLead({ score: 99 }), context({ ruleSet }));
    expect(trace.rules[1]).toMatchObject({ id: 'hot', name: 'Hot leads pushed', matched: false, why: 'rule is disabled' });
    expect(trace.action).toBe('default_pool');
  });

  it('weighted pushes follow the weights over a stream of leads when the store writes back each update', () => {
    const ruleSet: RuleSet = { defaultPoolId: GENERAL, rules: [{ id: 'w', name: 'Weighted', when: {}, then: { type: 'push_team', team: 'inbound', strategy: 'weighted', fallbackPoolId: GENERAL } }] };
    const reps: RepProfile[] = [buildRep(1, { weight: 3 }), buildRep(2, { weight: 1 })];
    const rotations: Record<string, RotationState> = {};
    const counts: Record<number, number> = { 1: 0, 2: 0 };
    for (let i = 0; i < 40; i++) {
      const { trace, rotationUpdates } = routeLead(buildLead(), context({ ruleSet, reps, rotations }));
      if (trace.outcome.kind === 'pushed') counts[trace.outcome.userId]!++;
      Object.assign(rotations, rotationUpdates);
    }
    expect(counts).toEqual({ 1: 30, 2: 10 });
  });

  it('is deterministic: the same lead and context give the same decision', () => {
    const ctx = context({ rotations: { inbound: { ...EMPTY_ROTATION, lastUserId: 2 } } });
    const lead = buildLead({ score: 88 });
    expect(routeLead(lead, ctx)).toEqual(routeLead(structuredClone(lead), ctx));
  });
});
