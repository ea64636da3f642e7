import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { call, fieldsOf, history, HOUR, lead, makeEnv, makePool, makeTeam, MIN, ok, person, restart, type Rep, type TestEnv } from './support.js';

const LADDER = {
  steps: [
    { afterMinutes: 30, action: { type: 'assign', team: 'Ladder', strategy: 'round_robin' } },
    { afterMinutes: 60, action: { type: 'review' } },
  ],
  backstopHours: 8,
};

// A fresh database per test: the timers sweep every lead, and `team: null` steps look at every rep.
describe('escalation ladders on a TestClock', () => {
  let env: TestEnv;
  let manager: string;
  let a: Rep;
  let b: Rep;
  let pool: number;
  beforeEach(async () => {
    env = await makeEnv();
    manager = (await person(env, 'manager')).token;
    [a, b] = (await makeTeam(env, manager, 'Ladder', 2)) as [Rep, Rep];
    pool = await makePool(env, manager, { name: 'Inbound', mode: 'pool', lockTtlSeconds: 600, escalation: LADDER });
  });
  afterEach(async () => env.cleanup());

  /** Moves the clock to `minutes` after the start and runs the timers. */
  const start = () => env.clock.now();
  let t0 = 0;
  const at = async (minutes: number) => {
    env.clock.set(t0 + minutes * MIN);
    return env.timers.runDue();
  };
  const escalations = async (id: number) => (await history(env, manager, id)).filter((e) => e.type === 'lead.escalated');

  it('a ladder is validated when the pool is saved: steps in order, known teams, the backstop after the last step', async () => {
    const patch = (escalation: unknown) => call(env, manager, 'PATCH', `/pools/${pool}`, { escalation });
    const order = await patch({ steps: [{ afterMinutes: 60, action: { type: 'review' } }, { afterMinutes: 30, action: { type: 'review' } }] });
    expect(order.statusCode).toBe(400);
    expect(order.json().details.fields).toEqual([{ field: 'escalation.steps[1].afterMinutes', problem: 'must be after steps[0] (60 minutes)' }]);
    const team = await patch({ steps: [{ afterMinutes: 30, action: { type: 'assign', team: 'Nobody', strategy: 'round_robin' } }] });
    expect(fieldsOf(team)).toEqual(['escalation.steps[0].action.team']);
    const backstop = await patch({ steps: [{ afterMinutes: 120, action: { type: 'review' } }], backstopHours: 1 });
    expect(fieldsOf(backstop)).toEqual(['escalation.backstopHours']);
    expect((await ok(call(env, manager, 'GET', '/pools'))).items.find((p: { id: number }) => p.id === pool).escalation).toEqual(LADDER);
  });

  it('a lead unclaimed for 30 minutes is assigned to the next eligible rep: status assigned, claim source escalated, a lock timer', async () => {
    t0 = start();
    const [first, second] = await env.addLeads(pool, 2);
    expect(await at(29)).toBe(0);
    expect((await lead(env, manager, first!)).status).toBe('available');
    expect(await at(30)).toBe(2);
    expect(await lead(env, manager, first!)).toMatchObject({
      status: 'assigned',
      ownerId: a.id,
      claimSource: 'escalated',
      lockExpiresAt: new Date(t0 + 40 * MIN).toISOString(),
    });
    expect((await lead(env, manager, second!)).ownerId).toBe(b.id); // the rotation goes on
    const [ev] = await escalations(first!);
    expect(ev).toMatchObject({
      actorKind: 'system',
      actorName: 'escalation',
      reason: `step 1: after 30 min unclaimed: assigned to ${a.name}`,
      data: { step: 1, action: 'assign', outcome: 'assigned', ownerId: a.id, team: 'Ladder', strategy: 'round_robin', source: 'escalated', skipped: [] },
    });
    expect((await ok(call(env, a.token, 'GET', '/me/leads'))).items.map((l: { id: number }) => l.id)).toEqual([first]);
    expect(await env.timers.runDue()).toBe(0); // fired once
  });

  it('if that rep lets the lock run out the lead goes back, and at 60 minutes it goes to manager review', async () => {
    t0 = start();
    const [id] = await env.addLeads(pool, 1);
    await at(30);
    await at(40); // a's lock runs out
    expect(await lead(env, manager, id!)).toMatchObject({ status: 'available', ownerId: null, claimSource: null });
    expect(await at(59)).toBe(0);
    expect(await at(60)).toBe(1);
    expect(await lead(env, manager, id!)).toMatchObject({ status: 'review', ownerId: null });
    const review = (await escalations(id!))[1]!;
    expect(review).toMatchObject({ reason: 'step 2: after 60 min unclaimed: manager review', data: { step: 2, action: 'review' } });
    const list = await ok(call(env, manager, 'GET', '/review'));
    expect(list.items.map((l: { id: number; status: string }) => [l.id, l.status])).toEqual([[id, 'review']]);
    expect((await ok(call(env, manager, 'GET', `/review?poolId=${pool}`))).items).toHaveLength(1);
    const elsewhere = await makePool(env, manager, { name: 'Elsewhere', mode: 'pool' });
    expect((await ok(call(env, manager, 'GET', `/review?poolId=${elsewhere}`))).items).toEqual([]);
    expect((await call(env, a.token, 'GET', '/review')).statusCode).toBe(403);
    // a rep cannot claim a lead that waits for review
    expect((await call(env, b.token, 'POST', `/leads/${id}/claim`)).statusCode).toBe(409);
    // the ladder is done: a lead in review waits for the manager, the backstop included
    expect(await at(9 * 60)).toBe(0);
    expect((await lead(env, manager, id!)).status).toBe('review');
  });

  it('each step fires exactly once, however often the timers run', async () => {
    t0 = start();
    const [id] = await env.addLeads(pool, 1);
    for (let m = 0; m <= 9 * 60; m += m < 70 ? 1 : 30) {
      await at(m);
      expect(await env.timers.runDue()).toBe(0);
    }
    const types = (await history(env, manager, id!)).map((e) => e.type);
    expect(types).toEqual(['lead.created', 'lead.escalated', 'lead.expired', 'lead.escalated']);
    expect((await escalations(id!)).map((e) => e.data.step)).toEqual([1, 2]);
    expect(await env.store.nextEscalationDue()).toBeNull();
  });

  it('a manager assigns a review lead, puts one back in the pool, or disqualifies one; the back one meets the backstop', async () => {
    // Nobody of the team can take them at 30 minutes: the assign step says so and the leads wait.
    await ok(call(env, manager, 'PATCH', `/reps/${a.id}`, { availability: 'away' }));
    await ok(call(env, manager, 'PATCH', `/reps/${b.id}`, { availability: 'away' }));
    t0 = start();
    const [assignMe, putBack, drop] = await env.addLeads(pool, 3);
    expect(await at(30)).toBe(3);
    const nobody = (await escalations(assignMe!))[0]!;
    expect(nobody).toMatchObject({ reason: 'step 1: after 30 min unclaimed: nobody eligible to assign, the lead stays in the pool', data: { outcome: 'nobody_eligible' } });
    expect((nobody.data.skipped as { reason: string }[]).map((s) => s.reason)).toEqual(['away', 'away']);
    expect((await lead(env, manager, assignMe!)).status).toBe('available');
    expect(await at(60)).toBe(3);
    expect((await ok(call(env, manager, 'GET', '/review'))).items.map((l: { id: number }) => l.id)).toEqual([assignMe, putBack, drop]);
    await ok(call(env, manager, 'PATCH', `/reps/${a.id}`, { availability: 'available' }));

    const assigned = await ok(call(env, manager, 'POST', `/leads/${assignMe}/reassign`, { userId: b.id, reason: 'b knows them' }));
    expect(assigned.lead).toMatchObject({ status: 'assigned', ownerId: b.id, claimSource: 'manager' });
    const released = await ok(call(env, manager, 'POST', `/leads/${putBack}/release`, { reason: 'let the pool have it' }));
    expect(released.lead).toMatchObject({ status: 'available', ownerId: null });
    const dropped = await ok(call(env, manager, 'POST', `/leads/${drop}/status`, { status: 'disqualified', reason: 'duplicate of an existing deal' }));
    expect(dropped.lead).toMatchObject({ status: 'disqualified' });
    expect((await ok(call(env, manager, 'GET', '/review'))).items).toEqual([]);

    // b works the assigned lead; the one put back waits until the 8-hour backstop
    await ok(call(env, b.token, 'POST', `/leads/${assignMe}/activities`, { type: 'call' }));
    expect(await at(8 * 60 - 1)).toBe(0);
    expect(await at(8 * 60)).toBe(1);
    expect(await lead(env, manager, putBack!)).toMatchObject({ status: 'assigned', claimSource: 'backstop', ownerId: a.id });
    expect((await escalations(putBack!)).at(-1)).toMatchObject({ reason: `backstop after 8 h unclaimed: assigned to ${a.name}`, data: { source: 'backstop' } });
    expect((await lead(env, manager, drop!)).status).toBe('disqualified');
    expect(await env.timers.runDue()).toBe(0);
  });

  it('a claimed and worked lead stops its ladder; a lead released after a step was due meets it at the next sweep, away from the releaser', async () => {
    t0 = start();
    const [worked, released] = await env.addLeads(pool, 2);
    await at(10);
    await ok(call(env, a.token, 'POST', `/leads/${worked}/claim`));
    await ok(call(env, a.token, 'POST', `/leads/${worked}/activities`, { type: 'call' }));
    await ok(call(env, a.token, 'POST', `/leads/${released}/claim`));
    await at(12);
    await ok(call(env, a.token, 'POST', `/leads/${released}/activities`, { type: 'email' }));
    await at(45);
    expect(await escalations(worked!)).toEqual([]);
    expect(await escalations(released!)).toEqual([]);
    // a gives the second back: its 30-minute step is overdue, and a is passed over
    await ok(call(env, a.token, 'POST', `/leads/${released}/release`, { reason: 'not mine' }));
    expect(await env.timers.runDue()).toBe(1);
    expect(await lead(env, manager, released!)).toMatchObject({ status: 'assigned', ownerId: b.id, claimSource: 'escalated' });
    for (const m of [60, 120, 8 * 60, 10 * 60]) await at(m);
    expect(await escalations(worked!)).toEqual([]);
    expect(await lead(env, manager, worked!)).toMatchObject({ status: 'contacted', ownerId: a.id });
  });

  it('a backstop without steps assigns a lead unclaimed for 2 hours to the least loaded rep, with claim source backstop', async () => {
    const c = (await makeTeam(env, manager, 'Other', 1))[0]!;
    const plain = await makePool(env, manager, { name: 'Plain', mode: 'pool' });
    const backstop = await makePool(env, manager, { name: 'Backstop', mode: 'pool', lockTtlSeconds: 900, escalation: { steps: [], backstopHours: 2 } });
    t0 = start();
    // a holds two worked leads, c one, b none... then b takes one: b and c hold one each, a two
    const held = await env.addLeads(plain, 4);
    const work = async (rep: Rep, id: number) => {
      await ok(call(env, rep.token, 'POST', `/leads/${id}/claim`));
      await ok(call(env, rep.token, 'POST', `/leads/${id}/activities`, { type: 'call' }));
    };
    await work(a, held[0]!);
    await work(a, held[1]!);
    await work(c, held[2]!);
    await work(b, held[3]!);
    const [first, second] = await env.addLeads(backstop, 2);
    expect(await at(119)).toBe(0);
    expect(await at(120)).toBe(2);
    const got = [await lead(env, manager, first!), await lead(env, manager, second!)];
    expect(got.map((l) => [l.status, l.claimSource])).toEqual([
      ['assigned', 'backstop'],
      ['assigned', 'backstop'],
    ]);
    // the two least loaded (one open lead each) get one each, never a with two
    expect(got.map((l) => l.ownerId).sort()).toEqual([b.id, c.id].sort());
    expect((await escalations(first!))[0]).toMatchObject({ data: { step: 1, strategy: 'least_loaded', team: null, source: 'backstop' } });
    expect(await env.timers.runDue()).toBe(0);
  });

  it('after a restart an overdue step fires once, even with two stores on the same file sweeping at the same moment', async () => {
    t0 = start();
    const [id] = await env.addLeads(pool, 1);
    await at(10);
    await restart(env);
    env.clock.set(t0 + 45 * MIN);
    const second = new SqliteStore(join(env.dir, 'leadpool.db'));
    try {
      const fired = (await Promise.all([env.store.runDueEscalations(env.clock.now(), 100), second.runDueEscalations(env.clock.now(), 100)])).flat();
      expect(fired.map((e) => [e.type, e.leadId, e.data.outcome])).toEqual([['lead.escalated', id, 'assigned']]);
    } finally {
      await second.close();
    }
    expect(await env.timers.runDue()).toBe(0);
    expect(await lead(env, manager, id!)).toMatchObject({ status: 'assigned', ownerId: a.id, claimSource: 'escalated', lockExpiresAt: new Date(t0 + 55 * MIN).toISOString() });
    expect(await escalations(id!)).toHaveLength(1);
  });

  it('steps that came due while the server was down run one at a time, in order, each once', async () => {
    t0 = start();
    const [id] = await env.addLeads(pool, 1);
    await restart(env);
    // down for two hours: step 1 (assign) and step 2 (review) are both overdue
    env.clock.set(t0 + 2 * HOUR);
    await env.timers.runDue();
    // step 1 assigned it with a fresh lock; only when that lock runs out does step 2 follow
    expect(await lead(env, manager, id!)).toMatchObject({ status: 'assigned', claimSource: 'escalated', ownerId: a.id });
    expect(await at(130)).toBe(2); // the lock runs out and the overdue review step follows in the same round
    expect((await lead(env, manager, id!)).status).toBe('review');
    expect((await escalations(id!)).map((e) => e.data.step)).toEqual([1, 2]);
  });
});
