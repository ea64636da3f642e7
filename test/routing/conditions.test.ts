import { describe, expect, it } from 'vitest';
import { conditionMatches, validateRuleSet, RuleSetSchema, type Condition } from '../../src/core/routing/rules.js';
import { buildAccount, buildLead } from './builders.js';

const acme = buildAccount(1, { name: 'Acme', customer: true });
const prospect = buildAccount(2, { name: 'Prospect Ltd', customer: false });

describe('conditionMatches', () => {
  const cases: { name: string; when: Condition; lead?: Parameters<typeof buildLead>[0]; account?: typeof acme | null; matched: boolean; why: string }[] = [
    { name: 'an empty condition matches every lead', when: {}, matched: true, why: 'no conditions: matches every lead' },
    { name: 'a score under scoreMin misses with both numbers', when: { scoreMin: 80 }, lead: { score: 72 }, matched: false, why: 'score 72 < 80' },
    { name: 'scoreMin is inclusive', when: { scoreMin: 80 }, lead: { score: 80 }, matched: true, why: 'score 80 >= 80' },
    { name: 'a score over scoreMax misses', when: { scoreMax: 40 }, lead: { score: 41 }, matched: false, why: 'score 41 > 40' },
    { name: 'scoreMax is inclusive', when: { scoreMin: 20, scoreMax: 40 }, lead: { score: 40 }, matched: true, why: 'score 40 >= 20, score 40 <= 40' },
    {
      name: 'an industry outside the list misses and names the list',
      when: { industry: ['Finance', 'Insurance'] },
      lead: { industry: 'Retail' },
      matched: false,
      why: 'industry "Retail" not in [Finance, Insurance]',
    },
    {
      name: 'industry compares ignoring case and surrounding spaces',
      when: { industry: ['saas '] },
      lead: { industry: 'SaaS' },
      matched: true,
      why: 'industry "SaaS" in [saas ]',
    },
    { name: 'company size is one of the listed sizes', when: { companySize: ['1001-5000', '5000+'] }, lead: { companySize: '5000+' }, matched: true, why: 'company size 5000+ in [1001-5000, 5000+]' },
    { name: 'a company size outside the list misses', when: { companySize: ['5000+'] }, lead: { companySize: '1-10' }, matched: false, why: 'company size 1-10 not in [5000+]' },
    { name: 'a source outside the list misses', when: { source: ['partner'] }, lead: { source: 'web' }, matched: false, why: 'source "web" not in [partner]' },
    { name: 'a region outside the territory misses', when: { region: ['US-East'] }, lead: { region: 'DACH' }, matched: false, why: 'region "DACH" not in [US-East]' },
    { name: 'namedAccount true misses without an account', when: { namedAccount: true }, account: null, matched: false, why: 'no named account matched' },
    { name: 'namedAccount true holds with an account', when: { namedAccount: true }, account: prospect, matched: true, why: 'named account "Prospect Ltd" matched' },
    { name: 'namedAccount false misses when an account matched', when: { namedAccount: false }, account: acme, matched: false, why: 'named account "Acme" matched' },
    { name: 'existingCustomer true holds for a customer account', when: { existingCustomer: true }, account: acme, matched: true, why: '"Acme" is an existing customer' },
    { name: 'existingCustomer true misses for a prospect account', when: { existingCustomer: true }, account: prospect, matched: false, why: '"Prospect Ltd" is not a customer' },
    { name: 'existingCustomer true misses without an account', when: { existingCustomer: true }, account: null, matched: false, why: 'not an existing customer (no named account matched)' },
    { name: 'existingCustomer false misses for a customer', when: { existingCustomer: false }, account: acme, matched: false, why: '"Acme" is an existing customer' },
    { name: 'an attribute equal to a string matches ignoring case', when: { attributes: { plan: 'Pro' } }, lead: { attributes: { plan: 'pro' } }, matched: true, why: 'attribute plan "pro" = "Pro"' },
    { name: 'an attribute with another value misses', when: { attributes: { plan: 'pro' } }, lead: { attributes: { plan: 'free' } }, matched: false, why: 'attribute plan "free" != "pro"' },
    { name: 'a missing attribute never matches', when: { attributes: { plan: 'pro' } }, lead: { attributes: {} }, matched: false, why: 'attribute plan is missing' },
    { name: 'a number attribute does not equal its string form', when: { attributes: { seats: 5 } }, lead: { attributes: { seats: '5' } }, matched: false, why: 'attribute seats "5" != 5' },
    { name: 'a boolean attribute matches exactly', when: { attributes: { trial: true } }, lead: { attributes: { trial: true } }, matched: true, why: 'attribute trial true = true' },
    { name: 'an attribute in a list matches', when: { attributes: { plan: { in: ['pro', 'enterprise'] } } }, lead: { attributes: { plan: 'Enterprise' } }, matched: true, why: 'attribute plan "Enterprise" in [pro, enterprise]' },
    { name: 'an attribute outside a list misses', when: { attributes: { plan: { in: ['pro', 'enterprise'] } } }, lead: { attributes: { plan: 'free' } }, matched: false, why: 'attribute plan "free" not in [pro, enterprise]' },
    { name: 'an attribute below a range misses', when: { attributes: { seats: { gte: 10, lte: 100 } } }, lead: { attributes: { seats: 5 } }, matched: false, why: 'attribute seats 5 < 10' },
    { name: 'an attribute above a range misses', when: { attributes: { seats: { lte: 100 } } }, lead: { attributes: { seats: 101 } }, matched: false, why: 'attribute seats 101 > 100' },
    { name: 'a numeric string counts in a range', when: { attributes: { seats: { gte: 10 } } }, lead: { attributes: { seats: '12' } }, matched: true, why: 'attribute seats 12 >= 10' },
    { name: 'a non-numeric value misses a range', when: { attributes: { seats: { gte: 10 } } }, lead: { attributes: { seats: 'many' } }, matched: false, why: 'attribute seats "many" is not a number' },
    {
      name: 'the first failing condition in the fixed order is the reason',
      when: { region: ['US-East'], scoreMin: 90, industry: ['Retail'] },
      lead: { score: 50, industry: 'Software', region: 'DACH' },
      matched: false,
      why: 'score 50 < 90',
    },
    {
      name: 'a match lists every condition that held',
      when: { scoreMin: 80, industry: ['Software'], namedAccount: true, attributes: { seats: { gte: 10, lte: 50 } } },
      lead: { score: 85, attributes: { seats: 20 } },
      account: prospect,
      matched: true,
      why: 'score 85 >= 80, industry "Software" in [Software], named account "Prospect Ltd" matched, attribute seats 20 >= 10 and <= 50',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(conditionMatches(c.when, buildLead(c.lead), c.account ?? null)).toMatchObject({ matched: c.matched, why: c.why });
    });
  }
});

describe('validateRuleSet', () => {
  const known = { poolIds: [1, 2, 3], teams: ['inbound', 'enterprise'] };
  const good = {
    defaultPoolId: 1,
    rules: [
      { id: 'accounts', name: 'Named accounts to owners', when: { namedAccount: true }, then: { type: 'push_owner', fallbackPoolId: 2 } },
      { id: 'hot', name: 'Hot leads pushed', when: { scoreMin: 80 }, then: { type: 'push_team', team: 'inbound', strategy: 'round_robin', fallbackPoolId: 2, fallbackPriority: 10 } },
      { id: 'ent', name: 'Enterprise pool', enabled: false, when: { companySize: ['1001-5000', '5000+'], attributes: { plan: { in: ['x'] }, seats: { gte: 1 } } }, then: { type: 'pool', poolId: 3, priority: 5 } },
      { id: 'odd', name: 'Odd ones to review', when: { source: ['unknown'] }, then: { type: 'review', poolId: 1 } },
    ],
  };

  it('accepts a valid rule set and returns it', () => {
    const r = validateRuleSet(good, known);
    expect(r).toEqual({ ok: true, value: good });
  });

  it('the exported schema is an object schema with an $id the HTTP layer can reference', () => {
    expect((RuleSetSchema as { $id?: string }).$id).toBe('RoutingRuleSet');
    expect(RuleSetSchema.type).toBe('object');
  });

  const problemsOf = (input: unknown) => {
    const r = validateRuleSet(input, known);
    if (r.ok) throw new Error('expected problems');
    return r.problems;
  };
  const withRule = (i: number, patch: Record<string, unknown>) => ({ ...good, rules: good.rules.map((r, j) => (j === i ? { ...r, ...patch } : r)) });

  it('a missing pool id on a pool action names the rule and field, not every union branch', () => {
    expect(problemsOf(withRule(2, { then: { type: 'pool' } }))).toEqual([{ field: 'rules[2].then.poolId', problem: 'is required' }]);
  });

  it('an unknown action type names the allowed types', () => {
    expect(problemsOf(withRule(0, { then: { type: 'shout', poolId: 1 } }))).toEqual([
      { field: 'rules[0].then.type', problem: 'must be one of "push_owner", "push_team", "pool", "review"' },
    ]);
  });

  it('an unknown strategy and an unknown condition field are both named', () => {
    const p = problemsOf(withRule(1, { when: { scoreMin: 80, hotness: 3 }, then: { ...good.rules[1]!.then, strategy: 'random' } }));
    expect(p).toContainEqual({ field: 'rules[1].when.hotness', problem: 'is not a known field' });
    expect(p.map((x) => x.field)).toContain('rules[1].then.strategy');
  });

  it('a malformed attribute test is named by its attribute', () => {
    expect(problemsOf(withRule(2, { when: { attributes: { plan: { equals: 'x' } } } }))).toEqual([
      { field: 'rules[2].when.attributes.plan', problem: 'must be a string, number or boolean to equal, { in: [values] }, or { gte, lte } with numbers' },
    ]);
  });

  it('an unknown pool or team is refused with the rule and field', () => {
    expect(problemsOf({ ...withRule(1, { then: { type: 'push_team', team: 'nobody', strategy: 'weighted', fallbackPoolId: 9 } }), defaultPoolId: 7 })).toEqual([
      { field: 'defaultPoolId', problem: 'pool 7 does not exist' },
      { field: 'rules[1].then.team', problem: 'team "nobody" is not known' },
      { field: 'rules[1].then.fallbackPoolId', problem: 'pool 9 does not exist' },
    ]);
  });

  it('scoreMin above scoreMax is refused because the rule could never match', () => {
    expect(problemsOf(withRule(1, { when: { scoreMin: 90, scoreMax: 80 } }))).toEqual([
      { field: 'rules[1].when.scoreMin', problem: '90 is above scoreMax 80, so the rule can never match' },
    ]);
  });

  it('a range with no bound, or with gte above lte, is refused', () => {
    expect(problemsOf(withRule(2, { when: { attributes: { a: {}, b: { gte: 5, lte: 1 } } } }))).toEqual([
      { field: 'rules[2].when.attributes.a', problem: 'a range needs gte, lte or both' },
      { field: 'rules[2].when.attributes.b.gte', problem: '5 is above lte 1, so the rule can never match' },
    ]);
  });

  it('a duplicate rule id is refused and names the first rule with it', () => {
    expect(problemsOf(withRule(3, { id: 'hot' }))).toEqual([{ field: 'rules[3].id', problem: '"hot" is already the id of rules[1]' }]);
  });

  it('a score outside 0..100 and a missing default pool are named', () => {
    const p = problemsOf({ rules: [{ ...good.rules[1], when: { scoreMin: 120 } }] });
    expect(p).toContainEqual({ field: 'rules[0].when.scoreMin', problem: 'must be at most 100' });
    expect(p).toContainEqual({ field: 'defaultPoolId', problem: 'is required' });
  });

  it('something that is not an object at all gets a problem, never an empty list', () => {
    expect(problemsOf('rules').length).toBeGreaterThan(0);
    expect(problemsOf(null).length).toBeGreaterThan(0);
  });
});
