import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE } from '../../src/core/clock.js';
import { makeEnv, SYSTEM, type TestEnv } from '../helpers.js';
import { call, expectCleanError, snapshot } from './support.js';

type Who = { id: number; token: string; email: string };

let env: TestEnv;
let manager: Who;
let admin: Who;
let pool: number; // pool mode, 10-minute locks

beforeAll(async () => {
  env = await makeEnv();
  manager = await env.user('manager');
  admin = await env.user('admin');
  pool = (await env.store.createPool({ name: 'Work pool', mode: 'pool', lockTtlSeconds: 600 }, SYSTEM, env.clock.now())).pool.id;
});
afterAll(async () => env.cleanup());

const iso = (ms: number) => new Date(ms).toISOString();
const post = (url: string, token: string, payload?: unknown) => call(env, 'POST', `/api/v1${url}`, { token, ...(payload !== undefined ? { payload } : {}) });
const get = (url: string, token: string) => call(env, 'GET', `/api/v1${url}`, { token });

async function newLead(): Promise<number> {
  const [id] = await env.addLeads(pool, 1);
  return id!;
}

async function claimed(rep: Who): Promise<number> {
  const id = await newLead();
  const res = await post(`/leads/${id}/claim`, rep.token);
  expect(res.statusCode, res.body).toBe(200);
  return id;
}

async function typesOf(leadId: number): Promise<string[]> {
  return (await env.store.leadEvents(leadId)).map((e) => e.type);
}

describe('logging activities', () => {
  it('the first activity makes a claimed lead contacted, records when, stops the lock timer and writes an event with the note', async () => {
    const rep = await env.user('rep');
    const id = await claimed(rep);
    env.clock.tick(2 * MINUTE);
    const res = await post(`/leads/${id}/activities`, rep.token, { type: 'call', note: 'Spoke to the CFO' });
    expect(res.statusCode).toBe(200);
    expect(res.json().lead).toMatchObject({ id, status: 'contacted', ownerId: rep.id, contactedAt: iso(env.clock.now()), lockExpiresAt: null });
    const last = (await env.store.leadEvents(id)).at(-1)!;
    expect(last).toMatchObject({
      type: 'lead.activity',
      actorKind: 'user',
      actorId: rep.id,
      reason: 'Spoke to the CFO',
      at: env.clock.now(),
      data: { activity: 'call', from: 'claimed', to: 'contacted', firstContact: true },
    });
    env.clock.tick(60 * MINUTE);
    await env.timers.runDue();
    expect(await env.store.getLead(id)).toMatchObject({ status: 'contacted', ownerId: rep.id });
    expect(await typesOf(id)).not.toContain('lead.expired');
  });

  it('a later activity keeps the lead contacted and keeps the time of first contact', async () => {
    const rep = await env.user('rep');
    const id = await claimed(rep);
    await post(`/leads/${id}/activities`, rep.token, { type: 'email' });
    const first = (await env.store.getLead(id))!.contactedAt;
    env.clock.tick(5 * MINUTE);
    const res = await post(`/leads/${id}/activities`, rep.token, { type: 'meeting', note: 'Demo booked' });
    expect(res.statusCode).toBe(200);
    expect(res.json().lead).toMatchObject({ status: 'contacted', contactedAt: iso(first!) });
    expect((await env.store.leadEvents(id)).at(-1)!.data).toMatchObject({ activity: 'meeting', from: 'contacted', to: 'contacted', firstContact: false });
  });

  it.each(['call', 'email', 'meeting', 'note'])('an activity of type %s is accepted', async (type) => {
    const rep = await env.user('rep');
    const id = await claimed(rep);
    const res = await post(`/leads/${id}/activities`, rep.token, { type });
    expect(res.statusCode).toBe(200);
    expect(res.json().lead.status).toBe('contacted');
  });

  it('work on a qualified lead keeps it qualified', async () => {
    const rep = await env.user('rep');
    const id = await claimed(rep);
    await post(`/leads/${id}/status`, rep.token, { status: 'qualified' });
    const res = await post(`/leads/${id}/activities`, rep.token, { type: 'note', note: 'Budget confirmed' });
    expect(res.statusCode).toBe(200);
    expect(res.json().lead.status).toBe('qualified');
  });

  it('a manager may log work on a rep’s lead; the lead stays the rep’s', async () => {
    const rep = await env.user('rep');
    const id = await claimed(rep);
    const res = await post(`/leads/${id}/activities`, manager.token, { type: 'call' });
    expect(res.statusCode).toBe(200);
    expect(res.json().lead).toMatchObject({ status: 'contacted', ownerId: rep.id });
    expect((await env.store.leadEvents(id)).at(-1)).toMatchObject({ actorId: manager.id, type: 'lead.activity' });
  });

  it('no activity can be logged on a lead nobody holds or on a closed lead: 409 INVALID_TRANSITION, nothing written', async () => {
    const free = await newLead();
    const rep = await env.user('rep');
    const closed = await claimed(rep);
    await post(`/leads/${closed}/status`, rep.token, { status: 'disqualified' });
    const before = await snapshot(env);
    expectCleanError(await post(`/leads/${free}/activities`, manager.token, { type: 'call' }), 409, 'INVALID_TRANSITION');
    expectCleanError(await post(`/leads/${closed}/activities`, rep.token, { type: 'call' }), 409, 'INVALID_TRANSITION');
    expect(await snapshot(env)).toEqual(before);
  });
});

describe('status transitions', () => {
  type From = 'claimed' | 'assigned' | 'contacted' | 'qualified' | 'contacted+qualified' | 'disqualified' | 'converted';

  /** A lead held by `rep` in the given state, reached through the API. */
  async function leadIn(from: From, rep: Who): Promise<number> {
    if (from === 'assigned') {
      const id = await newLead();
      expect((await post(`/leads/${id}/reassign`, manager.token, { userId: rep.id })).statusCode).toBe(200);
      return id;
    }
    const id = await claimed(rep);
    const step = async (url: string, body: unknown) => expect((await post(`/leads/${id}${url}`, rep.token, body)).statusCode).toBe(200);
    if (from === 'contacted' || from === 'contacted+qualified' || from === 'converted') await step('/activities', { type: 'call' });
    if (from === 'qualified' || from === 'contacted+qualified') await step('/status', { status: 'qualified' });
    if (from === 'disqualified') await step('/status', { status: 'disqualified' });
    if (from === 'converted') await step('/status', { status: 'converted' });
    return id;
  }

  const table: [From, 'qualified' | 'disqualified' | 'converted', 200 | 409][] = [
    ['claimed', 'qualified', 200],
    ['claimed', 'disqualified', 200],
    ['claimed', 'converted', 409], // converting needs contact first
    ['assigned', 'qualified', 200],
    ['assigned', 'disqualified', 200],
    ['assigned', 'converted', 409],
    ['contacted', 'qualified', 200],
    ['contacted', 'disqualified', 200],
    ['contacted', 'converted', 200],
    ['contacted+qualified', 'qualified', 409],
    ['contacted+qualified', 'disqualified', 200],
    ['contacted+qualified', 'converted', 200],
    ['qualified', 'converted', 409], // qualified without any contact: still nobody spoke to them
    ['disqualified', 'qualified', 409],
    ['disqualified', 'disqualified', 409],
    ['disqualified', 'converted', 409],
    ['converted', 'qualified', 409],
    ['converted', 'disqualified', 409],
    ['converted', 'converted', 409],
  ];

  it.each(table)('a lead that is %s, moved to %s, answers %i', async (from, to, status) => {
    const rep = await env.user('rep');
    const id = await leadIn(from, rep);
    const before = await env.store.getLead(id);
    const lastEvent = await env.store.lastEventId();
    env.clock.tick(1000);
    const res = await post(`/leads/${id}/status`, rep.token, { status: to, reason: `moving to ${to}` });
    if (status === 200) {
      expect(res.statusCode, res.body).toBe(200);
      const closed = to !== 'qualified';
      expect(res.json().lead).toMatchObject({ status: to, ownerId: rep.id, lockExpiresAt: null, closedAt: closed ? iso(env.clock.now()) : null });
      const events = await env.store.eventsAfter(lastEvent, 10);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ type: 'lead.status_changed', leadId: id, actorId: rep.id, reason: `moving to ${to}`, data: { from: before!.status, to } });
    } else {
      const body = expectCleanError(res, 409, 'INVALID_TRANSITION');
      expect(body.details).toMatchObject({ from: before!.status, to });
      expect(await env.store.getLead(id)).toEqual(before);
      expect(await env.store.lastEventId()).toBe(lastEvent);
    }
  });

  it('a manager may move a rep’s lead; another rep may not', async () => {
    const rep = await env.user('rep');
    const other = await env.user('rep');
    const id = await claimed(rep);
    expectCleanError(await post(`/leads/${id}/status`, other.token, { status: 'qualified' }), 403, 'NOT_YOUR_LEAD');
    const res = await post(`/leads/${id}/status`, manager.token, { status: 'qualified', reason: 'checked by manager' });
    expect(res.statusCode).toBe(200);
    expect(res.json().lead).toMatchObject({ status: 'qualified', ownerId: rep.id });
  });

  it('moving the status stops the lock timer', async () => {
    const rep = await env.user('rep');
    const id = await claimed(rep);
    await post(`/leads/${id}/status`, rep.token, { status: 'qualified' });
    env.clock.tick(11 * MINUTE);
    await env.timers.runDue();
    expect(await env.store.getLead(id)).toMatchObject({ status: 'qualified', ownerId: rep.id });
  });
});

describe('releasing a lead', () => {
  it('the holder releases with a reason: the lead is available again, unowned, and the event names who and why', async () => {
    const rep = await env.user('rep');
    const id = await claimed(rep);
    await post(`/leads/${id}/activities`, rep.token, { type: 'call' });
    env.clock.tick(MINUTE);
    const res = await post(`/leads/${id}/release`, rep.token, { reason: 'wrong territory' });
    expect(res.statusCode).toBe(200);
    expect(res.json().lead).toMatchObject({
      id,
      status: 'available',
      ownerId: null,
      claimedAt: null,
      claimSource: null,
      lockExpiresAt: null,
      contactedAt: null,
      availableSince: iso(env.clock.now()),
    });
    expect((await env.store.leadEvents(id)).at(-1)).toMatchObject({
      type: 'lead.released',
      actorKind: 'user',
      actorId: rep.id,
      reason: 'wrong territory',
      at: env.clock.now(),
      data: { previousOwnerId: rep.id, previousStatus: 'contacted' },
    });
    const browse = await get(`/pools/${pool}/leads?limit=200`, rep.token);
    expect(browse.json().items.map((l: { id: number }) => l.id)).toContain(id);
  });

  it('a release needs no body', async () => {
    const rep = await env.user('rep');
    const id = await claimed(rep);
    const res = await call(env, 'POST', `/api/v1/leads/${id}/release`, { token: rep.token });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().lead.status).toBe('available');
  });

  it('a released lead’s timer never fires afterwards', async () => {
    const rep = await env.user('rep');
    const id = await claimed(rep);
    await post(`/leads/${id}/release`, rep.token, {});
    env.clock.tick(30 * MINUTE);
    await env.timers.runDue();
    expect(await typesOf(id)).toEqual(['lead.created', 'lead.claimed', 'lead.released']);
  });

  it('in a queue, the rep who released a lead is passed over for it by /next, and another rep gets it', async () => {
    const queue = await env.pool('Release queue', 'queue');
    const [front] = await env.addLeads(queue, 1);
    env.clock.tick(1000);
    const [second] = await env.addLeads(queue, 1);
    const releaser = await env.user('rep');
    const other = await env.user('rep');
    const first = await post(`/pools/${queue}/next`, releaser.token);
    expect(first.json().lead.id).toBe(front);
    expect((await post(`/leads/${front}/release`, releaser.token, { reason: 'not for me' })).statusCode).toBe(200);
    const again = await post(`/pools/${queue}/next`, releaser.token);
    expect(again.statusCode).toBe(200);
    expect(again.json().lead.id).toBe(second);
    const theirs = await post(`/pools/${queue}/next`, other.token);
    expect(theirs.json().lead).toMatchObject({ id: front, ownerId: other.id, claimSource: 'queue' });
  });

  it('when the only lead left is one they released, /next answers 204 for that rep', async () => {
    const queue = await env.pool('Lonely queue', 'queue');
    const [only] = await env.addLeads(queue, 1);
    const rep = await env.user('rep');
    expect((await post(`/pools/${queue}/next`, rep.token)).json().lead.id).toBe(only);
    await post(`/leads/${only}/release`, rep.token, {});
    expect((await post(`/pools/${queue}/next`, rep.token)).statusCode).toBe(204);
    expect((await env.store.getLead(only!))?.status).toBe('available');
  });

  it('a manager may release a rep’s lead; the event names the manager and the previous owner', async () => {
    const rep = await env.user('rep');
    const id = await claimed(rep);
    const res = await post(`/leads/${id}/release`, manager.token, { reason: 'rebalancing' });
    expect(res.statusCode).toBe(200);
    expect((await env.store.leadEvents(id)).at(-1)).toMatchObject({ type: 'lead.released', actorId: manager.id, reason: 'rebalancing', data: { previousOwnerId: rep.id } });
  });

  it('a lead nobody holds, or a closed one, cannot be released: 409 INVALID_TRANSITION, nothing written', async () => {
    const rep = await env.user('rep');
    const free = await newLead();
    const won = await claimed(rep);
    await post(`/leads/${won}/activities`, rep.token, { type: 'call' });
    await post(`/leads/${won}/status`, rep.token, { status: 'converted' });
    const before = await snapshot(env);
    expectCleanError(await post(`/leads/${free}/release`, manager.token, {}), 409, 'INVALID_TRANSITION');
    expectCleanError(await post(`/leads/${won}/release`, rep.token, {}), 409, 'INVALID_TRANSITION');
    expect(await snapshot(env)).toEqual(before);
  });
});

describe('reassigning a lead (managers)', () => {
  it('a waiting lead handed to a rep is assigned to them with a fresh lock timer and an event', async () => {
    const rep = await env.user('rep');
    const id = await newLead();
    const res = await post(`/leads/${id}/reassign`, manager.token, { userId: rep.id, reason: 'named account' });
    expect(res.statusCode).toBe(200);
    expect(res.json().lead).toMatchObject({
      status: 'assigned',
      ownerId: rep.id,
      claimSource: 'manager',
      claimedAt: iso(env.clock.now()),
      lockExpiresAt: iso(env.clock.now() + 600_000),
    });
    expect((await env.store.leadEvents(id)).at(-1)).toMatchObject({
      type: 'lead.reassigned',
      actorId: manager.id,
      reason: 'named account',
      data: { previousOwnerId: null, ownerId: rep.id },
    });
    const mine = (await get('/me/leads', rep.token)).json().items.map((l: { id: number }) => l.id);
    expect(mine).toContain(id);
  });

  it('a held lead moves from one rep to another; the first rep can no longer work it', async () => {
    const from = await env.user('rep');
    const to = await env.user('rep');
    const id = await claimed(from);
    await post(`/leads/${id}/activities`, from.token, { type: 'call' });
    const res = await post(`/leads/${id}/reassign`, admin.token, { userId: to.id });
    expect(res.statusCode).toBe(200);
    expect(res.json().lead).toMatchObject({ status: 'assigned', ownerId: to.id, contactedAt: null });
    expect((await env.store.leadEvents(id)).at(-1)!.data).toMatchObject({ previousOwnerId: from.id, previousStatus: 'contacted', ownerId: to.id });
    expectCleanError(await post(`/leads/${id}/activities`, from.token, { type: 'call' }), 403, 'NOT_YOUR_LEAD');
    expect((await get('/me/leads', from.token)).json().items).toEqual([]);
    expect((await post(`/leads/${id}/activities`, to.token, { type: 'call' })).statusCode).toBe(200);
  });

  it('an assigned lead nobody contacts goes back to its pool when the lock runs out', async () => {
    const rep = await env.user('rep');
    const id = await newLead();
    await post(`/leads/${id}/reassign`, manager.token, { userId: rep.id });
    env.clock.tick(600_000);
    expect(await env.timers.runDue()).toBeGreaterThanOrEqual(1);
    expect(await env.store.getLead(id)).toMatchObject({ status: 'available', ownerId: null });
    expect((await env.store.leadEvents(id)).at(-1)).toMatchObject({ type: 'lead.expired', actorKind: 'system', actorId: null, data: { previousOwnerId: rep.id } });
  });

  it('a closed lead cannot be reassigned (409), nor a lead to an unknown user (400 naming userId), nor an unknown lead (404)', async () => {
    const rep = await env.user('rep');
    const closed = await claimed(rep);
    await post(`/leads/${closed}/status`, rep.token, { status: 'disqualified' });
    const free = await newLead();
    const before = await snapshot(env);
    expectCleanError(await post(`/leads/${closed}/reassign`, manager.token, { userId: rep.id }), 409, 'INVALID_TRANSITION');
    expectCleanError(await post(`/leads/${free}/reassign`, manager.token, { userId: 999_999 }), 400, 'VALIDATION_FAILED', 'userId');
    expectCleanError(await post(`/leads/999999/reassign`, manager.token, { userId: rep.id }), 404, 'LEAD_NOT_FOUND');
    expect(await snapshot(env)).toEqual(before);
  });
});

describe('my leads', () => {
  it('lists every lead the rep holds or has worked, newest claim first, and none of anyone else’s', async () => {
    const rep = await env.user('rep');
    const other = await env.user('rep');
    const a = await claimed(rep);
    env.clock.tick(1000);
    const b = await claimed(rep);
    await post(`/leads/${b}/activities`, rep.token, { type: 'call' });
    env.clock.tick(1000);
    const c = await claimed(rep);
    await post(`/leads/${c}/activities`, rep.token, { type: 'call' });
    await post(`/leads/${c}/status`, rep.token, { status: 'converted' });
    env.clock.tick(1000);
    const released = await claimed(rep);
    await post(`/leads/${released}/release`, rep.token, {});
    await claimed(other);
    const res = await get('/me/leads', rep.token);
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { id: number; status: string; ownerId: number; contact: { email: string } }[];
    expect(items.map((l) => l.id)).toEqual([c, b, a]);
    expect(items.map((l) => l.status)).toEqual(['converted', 'contacted', 'claimed']);
    for (const l of items) {
      expect(l.ownerId).toBe(rep.id);
      expect(l.contact.email).toContain('@');
    }
  });

  it('is empty for a rep who holds nothing', async () => {
    const rep = await env.user('rep');
    const res = await get('/me/leads', rep.token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ items: [] });
  });
});

describe('the history of a lead', () => {
  it('records every step with who, when, what and why, in order', async () => {
    const admin2 = await env.user('admin');
    const key = (await post('/api-keys', admin2.token, { name: 'CRM sync', scope: 'ingest' })).json();
    const t0 = env.clock.now();
    const created = await post('/leads', key.key, { company: 'History AG', industry: 'Software', companySize: '51-200', source: 'CRM', score: 61, region: 'Nord', contact: { name: 'H' }, poolId: pool });
    const id = created.json().lead.id as number;
    const rep = await env.user('rep');
    const next = await env.user('rep');
    env.clock.tick(MINUTE);
    const t1 = env.clock.now();
    await post(`/leads/${id}/claim`, rep.token);
    env.clock.tick(MINUTE);
    const t2 = env.clock.now();
    await post(`/leads/${id}/activities`, rep.token, { type: 'call', note: 'left a voicemail' });
    env.clock.tick(MINUTE);
    const t3 = env.clock.now();
    await post(`/leads/${id}/release`, rep.token, { reason: 'out of office for a month' });
    env.clock.tick(MINUTE);
    const t4 = env.clock.now();
    await post(`/leads/${id}/claim`, next.token);
    env.clock.tick(10 * MINUTE);
    const t5 = env.clock.now();
    await env.timers.runDue();
    env.clock.tick(MINUTE);
    const t6 = env.clock.now();
    await post(`/leads/${id}/reassign`, manager.token, { userId: next.id, reason: 'give it another go' });
    await post(`/leads/${id}/activities`, next.token, { type: 'meeting' });
    await post(`/leads/${id}/status`, next.token, { status: 'qualified', reason: 'budget and need confirmed' });
    await post(`/leads/${id}/status`, next.token, { status: 'converted', reason: 'signed' });

    const res = await get(`/leads/${id}/events`, manager.token);
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { id: number; type: string; at: string; actorKind: string; actorId: number | null; actorName: string; reason: string | null; leadId: number; poolId: number }[];
    expect(items.map((e) => e.type)).toEqual([
      'lead.created',
      'lead.claimed',
      'lead.activity',
      'lead.released',
      'lead.claimed',
      'lead.expired',
      'lead.reassigned',
      'lead.activity',
      'lead.status_changed',
      'lead.status_changed',
    ]);
    const ids = items.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    for (const e of items) {
      expect(e).toMatchObject({ leadId: id, poolId: pool });
      expect(e.actorName).toEqual(expect.any(String));
      expect(e.actorName.length).toBeGreaterThan(0);
      expect(Number.isNaN(Date.parse(e.at))).toBe(false);
    }
    expect(items[0]).toMatchObject({ actorKind: 'api_key', actorId: key.apiKey.id, at: iso(t0) });
    expect(items[0]!.actorName).toContain('CRM sync');
    expect(items[1]).toMatchObject({ actorKind: 'user', actorId: rep.id, at: iso(t1) });
    expect(items[2]).toMatchObject({ actorId: rep.id, at: iso(t2), reason: 'left a voicemail' });
    expect(items[3]).toMatchObject({ actorId: rep.id, at: iso(t3), reason: 'out of office for a month' });
    expect(items[4]).toMatchObject({ actorId: next.id, at: iso(t4) });
    expect(items[5]).toMatchObject({ actorKind: 'system', actorId: null, at: iso(t5), reason: expect.stringContaining('lock') });
    expect(items[6]).toMatchObject({ actorKind: 'user', actorId: manager.id, at: iso(t6), reason: 'give it another go' });
    expect(items[8]).toMatchObject({ actorId: next.id, reason: 'budget and need confirmed' });
    expect(items[9]).toMatchObject({ actorId: next.id, reason: 'signed' });
    const users = (await get('/users', manager.token)).json().items as { id: number; name: string }[];
    expect(items[1]!.actorName).toBe(users.find((u) => u.id === rep.id)!.name);
  });

  it('is append-only: the database refuses to change or delete an event, and the API has no route to', async () => {
    const rep = await env.user('rep');
    const id = await claimed(rep);
    const before = await env.store.leadEvents(id);
    expect(() => env.store.db.prepare('UPDATE events SET reason = ? WHERE lead_id = ?').run('rewritten', id)).toThrow(/append-only/);
    expect(() => env.store.db.prepare('DELETE FROM events WHERE lead_id = ?').run(id)).toThrow(/append-only/);
    expectCleanError(await call(env, 'DELETE', `/api/v1/leads/${id}/events`, { token: admin.token }), 404, 'NOT_FOUND');
    expectCleanError(await call(env, 'PATCH', `/api/v1/leads/${id}/events`, { token: admin.token, payload: { reason: 'x' } }), 404, 'NOT_FOUND');
    expect(await env.store.leadEvents(id)).toEqual(before);
  });

  it('a rep reads the history of leads they hold or held, not of leads someone else holds', async () => {
    const holder = await env.user('rep');
    const stranger = await env.user('rep');
    const id = await claimed(holder);
    expect((await get(`/leads/${id}/events`, holder.token)).statusCode).toBe(200);
    expectCleanError(await get(`/leads/${id}/events`, stranger.token), 403, 'FORBIDDEN');
    expect((await get(`/leads/${id}/events`, manager.token)).statusCode).toBe(200);
    await post(`/leads/${id}/release`, holder.token, {});
    expect((await get(`/leads/${id}/events`, holder.token)).statusCode).toBe(200);
  });

  it('an unknown lead has no history: 404 LEAD_NOT_FOUND', async () => {
    expectCleanError(await get('/leads/999999/events', manager.token), 404, 'LEAD_NOT_FOUND');
  });
});
