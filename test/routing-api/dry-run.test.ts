import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecisionTrace } from '../../src/core/routing/index.js';
import { call, fieldsOf, ingest, makeEnv, makePool, makeTeam, ok, owners, person, putRouting, routedLead, type Rep, type TestEnv } from './support.js';

describe('POST /routing/dry-run', () => {
  let env: TestEnv;
  let manager: string;
  let general: number;
  let enterprise: number;
  let a: Rep;
  let b: Rep;
  beforeAll(async () => {
    env = await makeEnv();
    manager = (await person(env, 'manager')).token;
    general = await makePool(env, manager, { name: 'General', mode: 'pool', isDefault: true });
    enterprise = await makePool(env, manager, { name: 'Enterprise', mode: 'pool' });
    [a, b] = (await makeTeam(env, manager, 'Dry', 2)) as [Rep, Rep];
  });
  afterAll(async () => env.cleanup());

  const saved = () => ({
    defaultPoolId: general,
    rules: [{ id: 'hot', name: 'Hot to Dry', when: { scoreMin: 80 }, then: { type: 'push_team', team: 'Dry', strategy: 'round_robin', fallbackPoolId: general } }],
  });
  const draft = () => ({
    defaultPoolId: general,
    rules: [
      { id: 'big', name: 'Enterprise', when: { companySize: ['1001-5000', '5000+'] }, then: { type: 'pool', poolId: enterprise, priority: 3 } },
      { id: 'hot', name: 'Hot to Dry', when: { scoreMin: 80 }, then: { type: 'push_team', team: 'Dry', strategy: 'round_robin', fallbackPoolId: general } },
    ],
  });
  const dryRun = (body: unknown, token = manager) => call(env, token, 'POST', '/routing/dry-run', body);
  /** Everything a dry run must leave alone. */
  const snapshot = async () => ({
    lastEvent: await env.store.lastEventId(),
    pools: (await ok(call(env, manager, 'GET', '/pools'))).items.map((p: { id: number; available: number }) => [p.id, p.available]),
    held: [(await env.store.leadsOwnedBy(a.id)).length, (await env.store.leadsOwnedBy(b.id)).length],
    rotations: await env.store.rotations(),
    routing: await ok(call(env, manager, 'GET', '/routing')),
    recent: await env.store.recentLeadsForRouting(1000),
  });

  it('with no rule set saved and no draft it asks for one', async () => {
    const res = await dryRun({ leads: [routedLead()] });
    expect(res.statusCode).toBe(400);
    expect(fieldsOf(res)).toEqual(['ruleSet']);
    await putRouting(env, manager, saved());
    const [real] = await ingest(env, manager, [{ score: 90 }]); // the rotation now stands at a
    expect(await owners(env, [real!])).toEqual([a.id]);
  });

  it('runs sample leads through a draft rule set and returns each decision with its trace', async () => {
    const res = await ok(
      dryRun({
        ruleSet: draft(),
        leads: [routedLead({ companySize: '5000+', score: 95 }), routedLead({ score: 85 }), routedLead({ score: 99 }), routedLead({ score: 20 })],
      }),
    );
    const decisions = res.decisions as DecisionTrace[];
    expect(decisions).toHaveLength(4);
    expect(decisions[0]).toMatchObject({ matchedRuleId: 'big', action: 'pool', outcome: { kind: 'pool', poolId: enterprise, priority: 3 } });
    expect(decisions[0]!.rules).toMatchObject([{ id: 'big', name: 'Enterprise', matched: true, why: 'company size 5000+ in [1001-5000, 5000+]' }]);
    // the draft pushes on from the stored rotation (a had the last real lead), and within the run it rotates
    expect(decisions[1]).toMatchObject({ matchedRuleId: 'hot', strategy: 'round_robin', team: 'Dry', outcome: { kind: 'pushed', userId: b.id, name: b.name } });
    expect(decisions[1]!.rules.map((r) => [r.id, r.matched, r.why])).toEqual([
      ['big', false, 'company size 11-50 not in [1001-5000, 5000+]'],
      ['hot', true, 'score 85 >= 80'],
    ]);
    expect(decisions[2]!.outcome).toEqual({ kind: 'pushed', userId: a.id, name: a.name });
    expect(decisions[3]).toMatchObject({ matchedRuleId: null, action: 'default_pool', outcome: { kind: 'pool', poolId: general, priority: 0 } });
  });

  it('changes nothing: no lead, no event, no rotation step, no new rule set version', async () => {
    const before = await snapshot();
    await ok(dryRun({ ruleSet: draft(), leads: Array.from({ length: 5 }, () => routedLead({ score: 90 })) }));
    await ok(dryRun({ leads: [routedLead({ score: 90 })] }));
    await ok(dryRun({ ruleSet: draft(), lastN: 10 }));
    expect(await snapshot()).toEqual(before);
    // the next real hot lead still goes to the rep the stored rotation says
    const [real] = await ingest(env, manager, [{ score: 90 }]);
    expect(await owners(env, [real!])).toEqual([b.id]);
  });

  it('without a draft it uses the rule set in force', async () => {
    const res = await ok(dryRun({ leads: [routedLead({ score: 81, companySize: '5000+' })] }));
    expect(res.decisions).toHaveLength(1);
    expect(res.decisions[0]).toMatchObject({ matchedRuleId: 'hot', outcome: { kind: 'pushed', userId: a.id } });
  });

  it('lastN runs the most recent real leads through the draft', async () => {
    await ingest(env, manager, [{ score: 11 }, { score: 12 }, { score: 13 }]);
    const threshold = { defaultPoolId: general, rules: [{ id: 'low', name: 'Twelve or less', when: { scoreMax: 12 }, then: { type: 'pool', poolId: enterprise } }] };
    const res = await ok(dryRun({ ruleSet: threshold, lastN: 2 }));
    const whys = (res.decisions as DecisionTrace[]).map((d) => d.rules[0]!.why).sort();
    expect(whys).toEqual(['score 12 <= 12', 'score 13 > 12']);
    expect((res.decisions as DecisionTrace[]).map((d) => d.outcome.kind === 'pool' && d.outcome.poolId).sort()).toEqual([enterprise, general].sort());
    // each decision names the real lead it is about, newest first
    const recent = await env.store.recentLeadsForRouting(2);
    expect((res.decisions as { leadId: number }[]).map((d) => d.leadId)).toEqual(recent.map((l) => l.id));
    // without leads or lastN: the last 20 real ones (there are fewer here)
    const all = await ok(dryRun({ ruleSet: threshold }));
    expect(all.decisions).toHaveLength((await env.store.recentLeadsForRouting(1000)).length);
  });

  it('a bad sample lead gets 400 naming leads[i].field, and a bad draft names ruleSet.rules[i]', async () => {
    const before = await snapshot();
    const badLead = await dryRun({ ruleSet: draft(), leads: [routedLead(), { ...routedLead(), score: 150 }, { ...routedLead(), company: undefined }, { ...routedLead(), companySize: 'huge' }] });
    expect(badLead.statusCode).toBe(400);
    expect(fieldsOf(badLead)).toEqual(['leads[1].score', 'leads[2].company', 'leads[3].companySize']);
    const badDraft = await dryRun({ ruleSet: { defaultPoolId: general, rules: [{ id: 'x', name: 'X', when: {}, then: { type: 'pool', poolId: 4242 } }] }, leads: [routedLead()] });
    expect(badDraft.statusCode).toBe(400);
    expect(badDraft.json().details.fields).toEqual([{ field: 'ruleSet.rules[0].then.poolId', problem: 'pool 4242 does not exist' }]);
    const tooMany = await dryRun({ lastN: 501 });
    expect(fieldsOf(tooMany)).toEqual(['lastN']);
    expect(await snapshot()).toEqual(before);
  });

  it('reps may not dry-run', async () => {
    expect((await dryRun({ leads: [routedLead()] }, a.token)).statusCode).toBe(403);
  });
});
