import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, fieldsOf, history, ingest, lead, makeEnv, makePool, makeTeam, ok, person, putRouting, trace, type TestEnv } from './support.js';

// One app for the file (building one costs most of a second); every test saves its own rule
// set and, where it pushes, uses its own team, so the tests do not lean on each other.
describe('the routing rule set through the API', () => {
  let env: TestEnv;
  let manager: string;
  let general: number;
  let hot: number;
  let software: number;
  beforeAll(async () => {
    env = await makeEnv();
    manager = (await person(env, 'manager')).token;
    general = await makePool(env, manager, { name: 'General', mode: 'pool', isDefault: true });
    hot = await makePool(env, manager, { name: 'Hot', mode: 'queue' });
    software = await makePool(env, manager, { name: 'Software', mode: 'pool' });
  });
  afterAll(async () => env.cleanup());
  const version = async (): Promise<number | null> => (await ok(call(env, manager, 'GET', '/routing'))).version?.version ?? null;

  const threeRules = () => ({
    defaultPoolId: general,
    rules: [
      { id: 'hot', name: 'Hot leads', when: { scoreMin: 80 }, then: { type: 'pool', poolId: hot, priority: 5 } },
      { id: 'soft', name: 'Software', when: { industry: ['software'] }, then: { type: 'pool', poolId: software } },
      { id: 'dach', name: 'DACH only', when: { region: ['DACH-Süd'] }, then: { type: 'pool', poolId: software } },
    ],
  });

  it('GET /routing answers null before any rule set is saved, and the saved set with its version after', async () => {
    // the file's first test: nothing saved yet
    expect(await ok(call(env, manager, 'GET', '/routing'))).toEqual({ version: null });
    const saved = await putRouting(env, manager, threeRules(), 'first cut');
    expect(saved.version).toMatchObject({ version: 1, note: 'first cut', ruleSet: threeRules() });
    const got = await ok(call(env, manager, 'GET', '/routing'));
    expect(got.version).toMatchObject({ version: 1, note: 'first cut', ruleSet: threeRules() });
    expect(typeof got.version.createdBy).toBe('string');
    expect(got.version.createdAt).toBe(new Date(env.clock.now()).toISOString());
  });

  it('a rule pointing at an unknown pool or team gets 400 naming the rule and field, and the old set stays in force', async () => {
    const before = (await putRouting(env, manager, threeRules())).version.version as number;
    const bad = await call(env, manager, 'PUT', '/routing', {
      ruleSet: {
        defaultPoolId: general,
        rules: [
          { id: 'ok', name: 'Fine', when: {}, then: { type: 'pool', poolId: general } },
          { id: 'gone', name: 'Gone pool', when: {}, then: { type: 'pool', poolId: 9999 } },
          { id: 'ghost', name: 'Ghost team', when: {}, then: { type: 'push_team', team: 'Ghosts', strategy: 'round_robin', fallbackPoolId: general } },
        ],
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe('VALIDATION_FAILED');
    expect(bad.json().details.fields).toEqual([
      { field: 'ruleSet.rules[1].then.poolId', problem: 'pool 9999 does not exist' },
      { field: 'ruleSet.rules[2].then.team', problem: 'team "Ghosts" is not known' },
    ]);
    const current = await ok(call(env, manager, 'GET', '/routing'));
    expect(current.version.version).toBe(before);
    expect(current.version.ruleSet).toEqual(threeRules());
    // and routing still follows the old set
    const [id] = await ingest(env, manager, [{ score: 90 }]);
    expect((await lead(env, manager, id!)).poolId).toBe(hot);
  });

  it('shape errors name the rule and field: an impossible score range, an unknown condition, a duplicate rule id', async () => {
    const before = await version();
    const put = (rules: unknown[]) => call(env, manager, 'PUT', '/routing', { ruleSet: { defaultPoolId: general, rules } });
    const range = await put([
      { id: 'a', name: 'A', when: {}, then: { type: 'pool', poolId: general } },
      { id: 'b', name: 'B', when: { scoreMin: 90, scoreMax: 10 }, then: { type: 'pool', poolId: general } },
    ]);
    expect(range.statusCode).toBe(400);
    expect(fieldsOf(range)).toEqual(['ruleSet.rules[1].when.scoreMin']);
    const unknown = await put([{ id: 'a', name: 'A', when: { colour: 'red' }, then: { type: 'pool', poolId: general } }]);
    expect(fieldsOf(unknown)).toEqual(['ruleSet.rules[0].when.colour']);
    const tooHigh = await put([{ id: 'a', name: 'A', when: { scoreMin: 150 }, then: { type: 'pool', poolId: general } }]);
    expect(fieldsOf(tooHigh)).toEqual(['ruleSet.rules[0].when.scoreMin']);
    const dup = await put([
      { id: 'same', name: 'A', when: {}, then: { type: 'pool', poolId: general } },
      { id: 'same', name: 'B', when: {}, then: { type: 'pool', poolId: general } },
    ]);
    expect(dup.json().details.fields).toEqual([{ field: 'ruleSet.rules[1].id', problem: '"same" is already the id of rules[0]' }]);
    const noDefault = await call(env, manager, 'PUT', '/routing', { ruleSet: { defaultPoolId: 4242, rules: [] } });
    expect(fieldsOf(noDefault)).toEqual(['ruleSet.defaultPoolId']);
    expect(await version()).toBe(before);
  });

  it('a push_team rule without its strategy is named by that one field, not by every other action type', async () => {
    await makeTeam(env, manager, 'NoStrategy', 1);
    const res = await call(env, manager, 'PUT', '/routing', {
      ruleSet: { defaultPoolId: general, rules: [{ id: 'p', name: 'Push', when: {}, then: { type: 'push_team', team: 'NoStrategy', fallbackPoolId: general } }] },
    });
    expect(res.statusCode).toBe(400);
    // The core checks an action against the one branch its `type` names (rules.ts shapeProblems),
    // so the answer is the missing field alone; "then.team is not a known field" would be wrong.
    expect(fieldsOf(res)).toEqual(['ruleSet.rules[0].then.strategy']);
  });

  it('reps may not read or change the rule set', async () => {
    const rep = await person(env, 'rep');
    expect((await call(env, rep.token, 'GET', '/routing')).statusCode).toBe(403);
    expect((await call(env, rep.token, 'PUT', '/routing', { ruleSet: threeRules() })).statusCode).toBe(403);
    expect((await call(env, rep.token, 'GET', '/routing/versions')).statusCode).toBe(403);
  });

  it('every saved version is kept and listed newest first, with its note and a routing.updated event', async () => {
    const first = (await putRouting(env, manager, threeRules(), 'v1')).version.version as number;
    env.clock.tick(60_000);
    await putRouting(env, manager, { ...threeRules(), rules: threeRules().rules.slice(0, 1) }, 'only hot');
    env.clock.tick(60_000);
    await putRouting(env, manager, { defaultPoolId: software, rules: [] });
    const { items } = await ok(call(env, manager, 'GET', '/routing/versions'));
    const versions = items.map((v: { version: number }) => v.version);
    expect(versions).toEqual([...versions].sort((a, b) => b - a)); // newest first, all of them
    expect(versions).toEqual(Array.from({ length: first + 2 }, (_, i) => first + 2 - i));
    expect(items.slice(0, 3).map((v: { version: number; note: string | null }) => [v.version, v.note])).toEqual([
      [first + 2, null],
      [first + 1, 'only hot'],
      [first, 'v1'],
    ]);
    expect(items[1].ruleSet.rules).toHaveLength(1);
    expect(items[0].ruleSet).toEqual({ defaultPoolId: software, rules: [] });
    expect(Date.parse(items[0].createdAt) - Date.parse(items[2].createdAt)).toBe(120_000);
    const updates = (await env.store.eventsAfter(0, 10_000)).filter((e) => e.type === 'routing.updated');
    expect(updates.slice(-3).map((e) => [e.data.version, e.reason])).toEqual([
      [first, 'v1'],
      [first + 1, 'only hot'],
      [first + 2, null],
    ]);
    // the newest is the one in force
    expect(await version()).toBe(first + 2);
  });

  it('the first matching rule wins, later matches are not looked at, and no match goes to the default pool', async () => {
    await putRouting(env, manager, threeRules());
    const [both, soft, none] = await ingest(env, manager, [
      { score: 92, industry: 'Software', region: 'DACH-Süd' }, // matches all three rules
      { score: 40, industry: 'Software', region: 'DACH-Süd' }, // matches the second and third
      { score: 40, industry: 'Retail', region: 'Benelux' }, // matches none
    ]);
    const a = await lead(env, manager, both!);
    expect(a).toMatchObject({ poolId: hot, status: 'available', priority: 5 });
    expect(a.routing.matchedRuleId).toBe('hot');
    expect(a.routing.rules.map((r: { id: string }) => r.id)).toEqual(['hot']); // nothing after the match
    const b = await lead(env, manager, soft!);
    expect(b.poolId).toBe(software);
    expect(b.routing.matchedRuleId).toBe('soft');
    expect(b.routing.rules.map((r: { id: string; matched: boolean }) => [r.id, r.matched])).toEqual([
      ['hot', false],
      ['soft', true],
    ]);
    const c = await lead(env, manager, none!);
    expect(c.poolId).toBe(general);
    expect(c.routing).toMatchObject({ matchedRuleId: null, action: 'default_pool', outcome: { kind: 'pool', poolId: general, priority: 0 } });
    expect(c.routing.rules).toHaveLength(3);
  });

  it('a lead that comes with a poolId is not routed: it keeps its pool and has no trace', async () => {
    await putRouting(env, manager, threeRules());
    const body = await ok(call(env, manager, 'POST', '/leads', { ...routedLeadBody(), score: 95, poolId: software }), 201);
    expect(body.lead).toMatchObject({ poolId: software, routing: null });
    expect((await history(env, manager, body.lead.id)).map((e) => e.type)).toEqual(['lead.created']);
  });

  it('the trace on GET /leads/{id} names the matched rule, each rule that did not match and why, and a disabled rule', async () => {
    const set = threeRules();
    set.rules.unshift({ id: 'off', name: 'Switched off', enabled: false, when: {}, then: { type: 'pool', poolId: general } } as never);
    await putRouting(env, manager, set);
    const [id] = await ingest(env, manager, [{ score: 55, industry: 'Retail', region: 'DACH-Süd' }]);
    const t = await trace(env, manager, id!);
    expect(t.rules).toMatchObject([
      { id: 'off', name: 'Switched off', matched: false, why: 'rule is disabled' },
      { id: 'hot', name: 'Hot leads', matched: false, why: 'score 55 < 80' },
      { id: 'soft', name: 'Software', matched: false, why: 'industry "Retail" not in [software]' },
      { id: 'dach', name: 'DACH only', matched: true, why: 'region "DACH-Süd" in [DACH-Süd]' },
    ]);
    expect(t).toMatchObject({ matchedRuleId: 'dach', action: 'pool', account: null, skipped: [], outcome: { kind: 'pool', poolId: software, priority: 0 } });
  });

  it('the lead history carries lead.created then lead.routed with the same trace and the matched rule as reason', async () => {
    await putRouting(env, manager, threeRules());
    const [matched, unmatched] = await ingest(env, manager, [{ score: 81 }, { score: 10, industry: 'Retail', region: 'Nord' }]);
    const events = await history(env, manager, matched!);
    expect(events.map((e) => e.type)).toEqual(['lead.created', 'lead.routed']);
    expect(events[0]!.data).toEqual({ poolId: hot, via: 'routing' });
    const routed = events[1]!;
    expect(routed).toMatchObject({ actorKind: 'system', actorName: 'routing', reason: 'rule "Hot leads"', poolId: hot });
    expect(routed.data.trace).toEqual(await trace(env, manager, matched!));
    const other = (await history(env, manager, unmatched!))[1]!;
    expect(other.reason).toBe('no rule matched');
    expect((other.data.trace as { matchedRuleId: unknown }).matchedRuleId).toBeNull();
  });

  it('the trace of a push names the reps it skipped and why, and the rep it went to', async () => {
    const [away, paused, taker] = await makeTeam(env, manager, 'Trace', 3, [{ availability: 'away' }, { paused: true }, {}]);
    await putRouting(env, manager, {
      defaultPoolId: general,
      rules: [{ id: 'push', name: 'Push hot', when: { scoreMin: 80 }, then: { type: 'push_team', team: 'Trace', strategy: 'round_robin', fallbackPoolId: general } }],
    });
    const [id] = await ingest(env, manager, [{ score: 88 }]);
    const t = await trace(env, manager, id!);
    expect(t).toMatchObject({ matchedRuleId: 'push', action: 'push_team', strategy: 'round_robin', team: 'Trace', outcome: { kind: 'pushed', userId: taker!.id, name: taker!.name } });
    expect(t.skipped).toMatchObject([
      { userId: away!.id, name: away!.name, reason: 'away', detail: `${away!.name} is away` },
      { userId: paused!.id, name: paused!.name, reason: 'paused', detail: `${paused!.name} is paused by a manager` },
    ]);
    const routed = (await history(env, manager, id!)).find((e) => e.type === 'lead.routed')!;
    expect((routed.data.trace as typeof t).skipped.map((s) => s.reason)).toEqual(['away', 'paused']);
  });

  it('a new rule set applies to the next lead at once', async () => {
    await putRouting(env, manager, threeRules());
    const [before] = await ingest(env, manager, [{ score: 90 }]);
    await putRouting(env, manager, { defaultPoolId: general, rules: [{ id: 'all', name: 'Everything to Software', when: {}, then: { type: 'pool', poolId: software } }] });
    const [after] = await ingest(env, manager, [{ score: 90 }]);
    expect((await lead(env, manager, before!)).poolId).toBe(hot);
    expect((await lead(env, manager, after!)).poolId).toBe(software);
  });
});

function routedLeadBody(): Record<string, unknown> {
  return {
    company: 'Direkt GmbH',
    industry: 'Software',
    companySize: '11-50',
    source: 'Website form',
    score: 50,
    region: 'DACH-Nord',
    contact: { name: 'D', email: 'd@direkt.de' },
  };
}
