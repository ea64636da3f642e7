import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, makeEnv, type TestEnv } from '../helpers.js';

describe('claims through the API', () => {
  let env: TestEnv;
  beforeEach(async () => {
    env = await makeEnv();
  });
  afterEach(async () => env.cleanup());

  it('a claim returns the full lead with its lock expiry, and a second claim is refused with LEAD_ALREADY_CLAIMED', async () => {
    const pool = await env.pool('Pool', 'pool', 600);
    const [leadId] = await env.addLeads(pool, 1);
    const a = await env.user('rep');
    const b = await env.user('rep');
    const first = await env.app.inject({ method: 'POST', url: `/api/v1/leads/${leadId}/claim`, headers: bearer(a.token) });
    expect(first.statusCode).toBe(200);
    expect(first.json().lead).toMatchObject({ id: leadId, status: 'claimed', ownerId: a.id, claimSource: 'pool' });
    expect(first.json().lead.contact.name).toBeTruthy();
    expect(Date.parse(first.json().lead.lockExpiresAt)).toBe(env.clock.now() + 600_000);
    const second = await env.app.inject({ method: 'POST', url: `/api/v1/leads/${leadId}/claim`, headers: bearer(b.token) });
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ error: 'LEAD_ALREADY_CLAIMED', details: { leadId } });
  });

  it('a lead whose lock runs out without contact goes back to its pool, with an event, exactly once', async () => {
    const pool = await env.pool('Pool', 'pool', 900);
    const [leadId] = await env.addLeads(pool, 1);
    const rep = await env.user('rep');
    await env.app.inject({ method: 'POST', url: `/api/v1/leads/${leadId}/claim`, headers: bearer(rep.token) });
    env.clock.tick(899_000);
    expect(await env.timers.runDue()).toBe(0);
    env.clock.tick(1_000);
    expect(await env.timers.runDue()).toBe(1);
    expect(await env.timers.runDue()).toBe(0);
    const lead = await env.store.getLead(leadId!);
    expect(lead).toMatchObject({ status: 'available', ownerId: null, lockExpiresAt: null });
    const events = (await env.app.inject({ method: 'GET', url: `/api/v1/leads/${leadId}/events`, headers: bearer(rep.token) })).json().items;
    expect(events.map((e: { type: string }) => e.type)).toEqual(['lead.created', 'lead.claimed', 'lead.expired']);
    expect(events[2]).toMatchObject({ actorKind: 'system', reason: 'lock timer ran out without contact', data: { previousOwnerId: rep.id } });
  });

  it('logging an activity makes the lead contacted and stops its timer', async () => {
    const pool = await env.pool('Pool', 'pool', 900);
    const [leadId] = await env.addLeads(pool, 1);
    const rep = await env.user('rep');
    await env.app.inject({ method: 'POST', url: `/api/v1/leads/${leadId}/claim`, headers: bearer(rep.token) });
    const act = await env.app.inject({ method: 'POST', url: `/api/v1/leads/${leadId}/activities`, headers: bearer(rep.token), payload: { type: 'call', note: 'spoke to the CTO' } });
    expect(act.statusCode).toBe(200);
    expect(act.json().lead).toMatchObject({ status: 'contacted', lockExpiresAt: null });
    env.clock.tick(3_600_000);
    expect(await env.timers.runDue()).toBe(0);
    expect((await env.store.getLead(leadId!))?.ownerId).toBe(rep.id);
  });

  it('a queue hands out its front lead by priority then arrival, refuses claims by id, and answers 204 when empty', async () => {
    const queue = await env.pool('Queue', 'queue');
    const [older] = await env.addLeads(queue, 1);
    env.clock.tick(1000);
    const [newer, urgent] = await env.addLeads(queue, [{}, { priority: 5 }]);
    const rep = await env.user('rep');
    const byId = await env.app.inject({ method: 'POST', url: `/api/v1/leads/${older}/claim`, headers: bearer(rep.token) });
    expect(byId.statusCode).toBe(403);
    expect(byId.json().error).toBe('CLAIM_BY_ID_IN_QUEUE');
    const order: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await env.app.inject({ method: 'POST', url: `/api/v1/pools/${queue}/next`, headers: bearer(rep.token) });
      expect(r.statusCode).toBe(200);
      order.push(r.json().lead.id);
    }
    expect(order).toEqual([urgent, older, newer]);
    const empty = await env.app.inject({ method: 'POST', url: `/api/v1/pools/${queue}/next`, headers: bearer(rep.token) });
    expect(empty.statusCode).toBe(204);
  });
});
