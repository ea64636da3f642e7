import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecisionTrace } from '../../src/core/routing/index.js';
import { call, history, ingest, lead, makeEnv, makePool, makeTeam, ok, owners, person, putRouting, restart, trace, type Rep, type TestEnv } from './support.js';

// One app for the file; every test has its own team (rotations are per team) and saves its own rule set.
describe('push routing through the API', () => {
  let env: TestEnv;
  let manager: string;
  let fallback: number;
  beforeAll(async () => {
    env = await makeEnv();
    manager = (await person(env, 'manager')).token;
    fallback = await makePool(env, manager, { name: 'Fallback', mode: 'pool', lockTtlSeconds: 600, isDefault: true });
  });
  afterAll(async () => env.cleanup());

  /** Score 80 and above is pushed to the team by the strategy; the rest waits in the fallback pool. */
  const pushHot = (team: string, strategy = 'round_robin', fallbackPoolId = fallback) =>
    putRouting(env, manager, {
      defaultPoolId: fallback,
      rules: [{ id: 'hot', name: 'Hot to the team', when: { scoreMin: 80 }, then: { type: 'push_team', team, strategy, fallbackPoolId } }],
    });
  const hot = (n = 1) => Array.from({ length: n }, () => ({ score: 85 }));
  const oneByOne = async (n: number) => {
    const ids: number[] = [];
    for (let i = 0; i < n; i++) ids.push(...(await ingest(env, manager, hot())));
    return ids;
  };
  const idsOf = (reps: Rep[]) => reps.map((r) => r.id);

  it('a hot lead is pushed: assigned to the rep, claim source pushed, a lock timer, and created, routed, pushed events', async () => {
    const [a] = await makeTeam(env, manager, 'Solo', 1);
    await pushHot('Solo');
    const [id] = await ingest(env, manager, hot());
    const l = await lead(env, manager, id!);
    const now = env.clock.now();
    expect(l).toMatchObject({ status: 'assigned', ownerId: a!.id, claimSource: 'pushed', poolId: fallback, claimedAt: new Date(now).toISOString(), lockExpiresAt: new Date(now + 600_000).toISOString() });
    const events = await history(env, manager, id!);
    expect(events.map((e) => e.type)).toEqual(['lead.created', 'lead.routed', 'lead.pushed']);
    expect(events[2]).toMatchObject({ actorKind: 'system', data: { ownerId: a!.id, source: 'pushed', lockExpiresAt: now + 600_000 } });
    // a cold lead is not pushed
    const [cold] = await ingest(env, manager, [{ score: 79 }]);
    expect(await lead(env, manager, cold!)).toMatchObject({ status: 'available', ownerId: null, poolId: fallback });
  });

  it('round robin is a strict rotation over the team in turn, whether leads come one by one or in a batch', async () => {
    const team = await makeTeam(env, manager, 'Rotation', 3);
    await pushHot('Rotation');
    const single = await oneByOne(4);
    const batch = await ingest(env, manager, [...hot(2), { score: 20 }, ...hot(3)]);
    const order = await owners(env, [...single, ...batch.filter((_, i) => i !== 2)]);
    const [a, b, c] = idsOf(team);
    expect(order).toEqual([a, b, c, a, b, c, a, b, c]);
    expect((await owners(env, [batch[2]!]))[0]).toBeNull();
    expect((await env.store.rotations()).find((r) => r.team === 'Rotation')?.state.lastUserId).toBe(c);
  });

  it('a push skips reps who are away, paused, at capacity, outside their hours or at a cap, and the trace says why', async () => {
    const nowHour = new Date(env.clock.now()).getUTCHours();
    const hh = (h: number) => `${String(h % 24).padStart(2, '0')}:00`;
    const [capped, away, paused, full, offShift, taker] = await makeTeam(env, manager, 'Skips', 6, [
      { caps: { hourly: 1 } },
      {},
      { paused: true },
      { capacity: 1 },
      { hours: { timeZone: 'UTC', days: [0, 1, 2, 3, 4, 5, 6], start: hh(nowHour + 2), end: hh(nowHour + 3) } },
      {},
    ]);
    // a rep sets their own availability
    await ok(call(env, away!.token, 'PATCH', `/reps/${away!.id}`, { availability: 'away' }));
    // the rep at capacity already holds a lead a manager gave them
    const [held] = await env.addLeads(fallback, 1);
    await ok(call(env, manager, 'POST', `/leads/${held}/reassign`, { userId: full!.id }));
    await pushHot('Skips');
    const [first, second, third] = await oneByOne(3);
    expect(await owners(env, [first!, second!, third!])).toEqual([capped!.id, taker!.id, taker!.id]);
    expect((await trace(env, manager, first!)).skipped).toEqual([]);
    const skipped = (await trace(env, manager, third!)).skipped;
    expect(skipped.map((s) => [s.userId, s.reason])).toEqual([
      [capped!.id, 'hourly_cap'],
      [away!.id, 'away'],
      [paused!.id, 'paused'],
      [full!.id, 'at_capacity'],
      [offShift!.id, 'outside_hours'],
    ]);
    const detail = new Map(skipped.map((s) => [s.reason, s.detail]));
    expect(detail.get('hourly_cap')).toBe('pushed 1 lead in the last hour, hourly cap 1');
    expect(detail.get('at_capacity')).toBe('holds 1 open lead, capacity 1');
    expect(detail.get('outside_hours')).toMatch(/^outside working hours \(Sun,Mon,Tue,Wed,Thu,Fri,Sat \d\d:00-\d\d:00 UTC; it is \w{3} \d\d:\d\d there\)$/);
    expect(skipped.every((s) => s.name.length > 0)).toBe(true);
    // an hour later the hourly cap is spent no more
    env.clock.tick(3_600_001);
    const [later] = await ingest(env, manager, hot());
    expect((await owners(env, [later!]))[0]).toBe(capped!.id);
  });

  it('a daily cap counts the leads pushed to the rep today', async () => {
    const [a, b] = await makeTeam(env, manager, 'Daily', 2, [{ caps: { daily: 2 } }, {}]);
    await pushHot('Daily');
    const ids = await oneByOne(6);
    expect(await owners(env, ids)).toEqual([a, b, a, b, b, b].map((r) => r!.id));
    const t = await trace(env, manager, ids[5]!);
    expect(t.skipped).toMatchObject([{ userId: a!.id, name: a!.name, reason: 'daily_cap', detail: 'pushed 2 leads today, daily cap 2' }]);
  });

  it('when nobody in the team can take it the lead falls back to the pool, and the trace says why', async () => {
    const [a, b, c] = await makeTeam(env, manager, 'Gone', 3, [{ availability: 'away' }, { availability: 'away' }, { capacity: 0 }]);
    const own = await makePool(env, manager, { name: 'Gone fallback', mode: 'queue' });
    await pushHot('Gone', 'round_robin', own);
    const [id] = await ingest(env, manager, hot());
    const l = await lead(env, manager, id!);
    expect(l).toMatchObject({ status: 'available', ownerId: null, claimSource: null, poolId: own });
    expect(l.routing.outcome).toMatchObject({ kind: 'pool', poolId: own, priority: 0, fellBack: 'nobody in team "Gone" can take it: 2 away, 1 at capacity' });
    expect(l.routing.skipped.map((s: { userId: number; reason: string }) => [s.userId, s.reason])).toEqual([
      [a!.id, 'away'],
      [b!.id, 'away'],
      [c!.id, 'at_capacity'],
    ]);
    expect((await history(env, manager, id!)).map((e) => e.type)).toEqual(['lead.created', 'lead.routed']);
  });

  it('a manager pauses and resumes a whole rotation: paused, leads fall back; resumed, the rotation goes on where it stood', async () => {
    const [a, b, c] = await makeTeam(env, manager, 'Pausable', 3);
    await pushHot('Pausable');
    const [first] = await oneByOne(1);
    const rep = await person(env, 'rep');
    expect((await call(env, rep.token, 'PUT', '/rotations/Pausable', { paused: true })).statusCode).toBe(403);
    expect(await ok(call(env, manager, 'PUT', '/rotations/Pausable', { paused: true }))).toEqual({ team: 'Pausable', paused: true });
    const [whilePaused] = await oneByOne(1);
    const t = await trace(env, manager, whilePaused!);
    expect(t.outcome).toMatchObject({ kind: 'pool', poolId: fallback, priority: 0, fellBack: 'the rotation of team "Pausable" is paused' });
    expect(t.skipped.map((s) => s.reason)).toEqual(['paused', 'paused', 'paused']);
    await ok(call(env, manager, 'PUT', '/rotations/Pausable', { paused: false }));
    const after = await oneByOne(3);
    expect(await owners(env, [first!, whilePaused!, ...after])).toEqual([a!.id, null, b!.id, c!.id, a!.id]);
  });

  it('a rep back from away takes up the rotation where it stands: no flood of catch-up leads', async () => {
    const [a, b, c] = await makeTeam(env, manager, 'Reentry', 3);
    await ok(call(env, b!.token, 'PATCH', `/reps/${b!.id}`, { availability: 'away' }));
    await pushHot('Reentry');
    const whileAway = await oneByOne(4);
    expect(await owners(env, whileAway)).toEqual([a, c, a, c].map((r) => r!.id));
    await ok(call(env, b!.token, 'PATCH', `/reps/${b!.id}`, { availability: 'available' }));
    const back = await oneByOne(6);
    expect(await owners(env, back)).toEqual([a, b, c, a, b, c].map((r) => r!.id));
  });

  it('a rep may set only their own availability; everything else about reps is the manager’s', async () => {
    const [a, b] = await makeTeam(env, manager, 'Rights', 2);
    expect((await call(env, a!.token, 'PATCH', `/reps/${b!.id}`, { availability: 'away' })).statusCode).toBe(403);
    expect((await call(env, a!.token, 'PATCH', `/reps/${a!.id}`, { weight: 5 })).statusCode).toBe(403);
    expect((await call(env, a!.token, 'PATCH', `/reps/${a!.id}`, { team: 'Elsewhere' })).statusCode).toBe(403);
    expect((await call(env, a!.token, 'GET', '/reps')).statusCode).toBe(403);
    const me = await ok(call(env, a!.token, 'PATCH', `/reps/${a!.id}`, { availability: 'away' }));
    expect(me).toMatchObject({ userId: a!.id, team: 'Rights', availability: 'away' });
    const { items } = await ok(call(env, manager, 'GET', '/reps'));
    expect(items.find((r: { userId: number }) => r.userId === a!.id)).toMatchObject({ availability: 'away', team: 'Rights', weight: 1, paused: false, capacity: null });
    const badHours = await call(env, manager, 'PATCH', `/reps/${a!.id}`, { hours: { timeZone: 'Mars/Olympus', days: [1], start: '09:00', end: '09:00' } });
    expect(badHours.statusCode).toBe(400);
    expect(badHours.json().details.fields.map((f: { field: string }) => f.field)).toEqual(['hours.timeZone', 'hours.end']);
  });

  it('a pushed lead whose lock runs out goes back, and is never pushed to that rep again', async () => {
    const [a, b] = await makeTeam(env, manager, 'Expiry', 2);
    const pool = await makePool(env, manager, {
      name: 'Expiry pool',
      mode: 'pool',
      lockTtlSeconds: 30,
      escalation: { steps: [{ afterMinutes: 1, action: { type: 'assign', team: 'Expiry', strategy: 'round_robin' } }] },
    });
    await pushHot('Expiry', 'round_robin', pool);
    const [first, second] = await oneByOne(2);
    expect(await owners(env, [first!, second!])).toEqual([a!.id, b!.id]);
    await ok(call(env, b!.token, 'POST', `/leads/${second}/activities`, { type: 'call' })); // b works theirs: no lock any more
    env.clock.tick(31_000);
    await env.timers.runDue();
    expect(await lead(env, manager, first!)).toMatchObject({ status: 'available', ownerId: null, poolId: pool });
    const expired = (await history(env, manager, first!)).find((e) => e.type === 'lead.expired');
    expect(expired?.data).toMatchObject({ previousOwnerId: a!.id, previousStatus: 'assigned' });
    expect((await ok(call(env, a!.token, 'GET', '/me/leads'))).items.map((l: { id: number }) => l.id)).not.toContain(first);
    // The ladder's assign step comes round to a (the rotation stands after b), who let it go: it goes to b.
    env.clock.tick(30_000);
    await env.timers.runDue();
    expect(await lead(env, manager, first!)).toMatchObject({ status: 'assigned', ownerId: b!.id, claimSource: 'escalated' });
    const escalated = (await history(env, manager, first!)).find((e) => e.type === 'lead.escalated')!;
    expect(escalated.data.skipped).toEqual([{ userId: a!.id, name: a!.name, reason: 'handed_back', detail: `${a!.name} already let this lead go (expired, released or skipped it)` }]);
    // b lets it expire too: nobody is left to give it to, and it waits in the pool
    env.clock.tick(31_000);
    await env.timers.runDue();
    expect(await lead(env, manager, first!)).toMatchObject({ status: 'available', ownerId: null });
    expect((await history(env, manager, first!)).filter((e) => e.type === 'lead.pushed' || e.type === 'lead.escalated').map((e) => e.data.ownerId)).toEqual([a!.id, b!.id]);
  });

  it('a rep sees a lead pushed to them at once in GET /me/leads, with its contact details; others do not', async () => {
    const [a, b] = await makeTeam(env, manager, 'Mine', 2);
    await pushHot('Mine');
    const [id] = await ingest(env, manager, [{ score: 90, contact: { name: 'Erika Muster', email: 'erika@muster.de', phone: '+49 30 999' } }]);
    const mine = (await ok(call(env, a!.token, 'GET', '/me/leads'))).items;
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ id, status: 'assigned', claimSource: 'pushed', ownerId: a!.id, contact: { name: 'Erika Muster', email: 'erika@muster.de', phone: '+49 30 999' } });
    expect((await ok(call(env, a!.token, 'GET', `/leads/${id}`))).lead.contact.email).toBe('erika@muster.de');
    expect((await ok(call(env, b!.token, 'GET', '/me/leads'))).items).toEqual([]);
    expect((await call(env, b!.token, 'GET', `/leads/${id}`)).statusCode).toBe(403);
    // the rep works it like a claimed lead
    const worked = await ok(call(env, a!.token, 'POST', `/leads/${id}/activities`, { type: 'call' }));
    expect(worked.lead).toMatchObject({ status: 'contacted', lockExpiresAt: null });
  });

  it('weighted shares over 100 leads follow the weights within one lead at every point', async () => {
    const weights = [5, 3, 2];
    const team = await makeTeam(env, manager, 'Weighted', 3, weights.map((weight) => ({ weight })));
    await pushHot('Weighted', 'weighted');
    const ids: number[] = [];
    for (let batch = 0; batch < 10; batch++) ids.push(...(await ingest(env, manager, hot(10))));
    const order = await owners(env, ids.sort((x, y) => x - y));
    const counts = new Map(team.map((r) => [r.id, 0]));
    order.forEach((owner, i) => {
      counts.set(owner!, counts.get(owner!)! + 1);
      team.forEach((r, k) => {
        const expected = ((weights[k]! / 10) * (i + 1));
        expect(Math.abs(counts.get(r.id)! - expected), `after ${i + 1} leads, ${r.name}`).toBeLessThan(1);
      });
    });
    expect(team.map((r) => counts.get(r.id))).toEqual([50, 30, 20]);
  });

  it('least loaded pushes to the rep holding the fewest open leads', async () => {
    const [a, b] = await makeTeam(env, manager, 'Load', 2);
    const given = await env.addLeads(fallback, 2);
    for (const id of given) await ok(call(env, manager, 'POST', `/leads/${id}/reassign`, { userId: a!.id }));
    await pushHot('Load', 'least_loaded');
    const ids = await oneByOne(3);
    expect(await owners(env, ids)).toEqual([b!.id, b!.id, a!.id]); // 0 vs 2, 1 vs 2, then 2 vs 2 takes turns after b
  });

  it('twenty batches of ten hot leads routed at once keep one rotation over a 4-rep team', async () => {
    const team = await makeTeam(env, manager, 'Crowd', 4);
    await pushHot('Crowd');
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => call(env, manager, 'POST', '/leads/batch', { leads: Array.from({ length: 10 }, () => ({ ...leadBody(), score: 95 })) })),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
    const ids = responses.flatMap((r) => (r.json().leads as { id: number }[]).map((l) => l.id)).sort((x, y) => x - y);
    expect(ids).toHaveLength(200);
    const order = await owners(env, ids);
    const counts = team.map((r) => order.filter((o) => o === r.id).length);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    expect(counts.reduce((s, n) => s + n, 0)).toBe(200);
    // in lead order it is one rotation: a, b, c, d, a, b, …
    expect(order).toEqual(ids.map((_, i) => team[i % 4]!.id));
  });

  it('the rotation position survives a restart: after reopening the same file the next rep is the right one', async () => {
    const [a, b, c] = await makeTeam(env, manager, 'Durable', 3);
    await pushHot('Durable');
    const before = await oneByOne(2);
    expect(await owners(env, before)).toEqual([a!.id, b!.id]);
    await restart(env);
    expect((await env.store.rotations()).find((r) => r.team === 'Durable')?.state.lastUserId).toBe(b!.id);
    const after = await oneByOne(4);
    expect(await owners(env, after)).toEqual([c, a, b, c].map((r) => r!.id));
    const t: DecisionTrace = await trace(env, manager, after[0]!);
    expect(t.outcome).toEqual({ kind: 'pushed', userId: c!.id, name: c!.name });
  });
});

function leadBody(): Record<string, unknown> {
  const n = Math.random().toString(36).slice(2, 8);
  return { company: `Crowd ${n} GmbH`, industry: 'Software', companySize: '11-50', source: 'Website form', score: 50, region: 'DACH-Nord', contact: { name: `K ${n}`, email: `k@${n}.de` } };
}
