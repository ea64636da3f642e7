import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { bearer, makeEnv, type TestEnv } from '../helpers.js';

describe('fair-play rules at the claim', () => {
  let env: TestEnv;
  beforeEach(async () => {
    env = await makeEnv();
  });
  afterEach(async () => env.cleanup());

  const claim = (token: string, id: number) => env.app.inject({ method: 'POST', url: `/api/v1/leads/${id}/claim`, headers: bearer(token) });
  const patchRules = (token: string, pool: number, rules: unknown) =>
    env.app.inject({ method: 'PATCH', url: `/api/v1/pools/${pool}`, headers: bearer(token), payload: { rules } });

  it('a manager sets a pool rule set with PATCH; bad values get 400 naming the field and leave the old rules', async () => {
    const manager = await env.user('manager');
    const pool = await env.pool('P', 'pool');
    const good = { hoardingLimit: 10, diversity: { mode: 'percent', threshold: 60, minPercent: 30, window: 20 }, detailViewLimit: 15, skipLimit: 3, dailyCap: 40, minClaimsPerDay: 5 };
    const ok = await patchRules(manager.token, pool, good);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ rules: good, effectiveRules: good });
    const bad = await patchRules(manager.token, pool, { hoardingLimit: 0, diversity: { mode: 'percent', threshold: 60 } });
    expect(bad.statusCode).toBe(400);
    const fields = bad.json().details.fields.map((f: { field: string }) => f.field);
    expect(fields).toContain('rules.hoardingLimit');
    expect((await env.store.getPool(pool))?.rules).toEqual(good);
  });

  it('a pool without its own rules follows the team default, which a manager sets', async () => {
    const manager = await env.user('manager');
    const rep = await env.user('rep');
    const pool = await env.pool('P', 'pool');
    const put = await env.app.inject({ method: 'PUT', url: '/api/v1/settings/rules', headers: bearer(manager.token), payload: { hoardingLimit: 1 } });
    expect(put.statusCode, put.body).toBe(200);
    const [a, b] = await env.addLeads(pool, 2);
    expect((await claim(rep.token, a!)).statusCode).toBe(200);
    const refused = await claim(rep.token, b!);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: 'RULE_HOARDING_LIMIT', details: { current: 1, limit: 1 } });
    const repPut = await env.app.inject({ method: 'PUT', url: '/api/v1/settings/rules', headers: bearer(rep.token), payload: {} });
    expect(repPut.statusCode).toBe(403);
  });

  it('at the hoarding limit a claim is refused with the numbers, recorded, and logging contact unblocks the rep', async () => {
    const manager = await env.user('manager');
    const rep = await env.user('rep');
    const pool = await env.pool('P', 'pool');
    await patchRules(manager.token, pool, { hoardingLimit: 3 });
    const ids = await env.addLeads(pool, 5);
    for (const id of ids.slice(0, 3)) expect((await claim(rep.token, id)).statusCode).toBe(200);
    const before = await env.store.lastEventId();
    const refused = await claim(rep.token, ids[3]!);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({
      error: 'RULE_HOARDING_LIMIT',
      message: 'You hold 3 leads without contact; the limit is 3.',
      details: { current: 3, limit: 3, unblock: 'Log contact on one of your 3 open leads, or release one.' },
    });
    expect((await env.store.getLead(ids[3]!))?.status).toBe('available');
    const audit = (await env.store.eventsAfter(before, 10)).map((e) => [e.type, e.leadId, e.data.rule]);
    expect(audit).toEqual([['lead.claim_refused', ids[3], 'RULE_HOARDING_LIMIT']]);
    await env.app.inject({ method: 'POST', url: `/api/v1/leads/${ids[0]}/activities`, headers: bearer(rep.token), payload: { type: 'call' } });
    expect((await claim(rep.token, ids[3]!)).statusCode).toBe(200);
  });

  it('ratio mode: a high claim needs a low claim first, and each low claim earns one', async () => {
    const manager = await env.user('manager');
    const rep = await env.user('rep');
    const pool = await env.pool('P', 'cherry_pick');
    await patchRules(manager.token, pool, { diversity: { mode: 'ratio', threshold: 80 } });
    const [hot1, hot2, cold] = await env.addLeads(pool, [{ score: 90 }, { score: 85 }, { score: 40 }]);
    const r = await claim(rep.token, hot1!);
    expect(r.json()).toMatchObject({ error: 'RULE_DIVERSITY', details: { unblock: 'Claim a lead under score 80 first.' } });
    expect((await claim(rep.token, cold!)).statusCode).toBe(200);
    expect((await claim(rep.token, hot1!)).statusCode).toBe(200);
    expect((await claim(rep.token, hot2!)).json().error).toBe('RULE_DIVERSITY');
  });

  it('percent mode counts the rep’s last claims in the pool', async () => {
    const manager = await env.user('manager');
    const rep = await env.user('rep');
    const pool = await env.pool('P', 'pool');
    await patchRules(manager.token, pool, { diversity: { mode: 'percent', threshold: 60, minPercent: 50, window: 4 } });
    const [low1, high1, high2] = await env.addLeads(pool, [{ score: 10 }, { score: 70 }, { score: 75 }]);
    expect((await claim(rep.token, low1!)).statusCode).toBe(200);
    expect((await claim(rep.token, high1!)).statusCode).toBe(200); // 1 of 2 low: 50%
    expect((await claim(rep.token, high2!)).json()).toMatchObject({ error: 'RULE_DIVERSITY', details: { current: 33, limit: 50 } });
  });

  it('the daily cap counts claims since midnight and resets the next day', async () => {
    const manager = await env.user('manager');
    const rep = await env.user('rep');
    const pool = await env.pool('P', 'pool');
    await patchRules(manager.token, pool, { dailyCap: 2 });
    const ids = await env.addLeads(pool, 3);
    expect((await claim(rep.token, ids[0]!)).statusCode).toBe(200);
    expect((await claim(rep.token, ids[1]!)).statusCode).toBe(200);
    expect((await claim(rep.token, ids[2]!)).json().error).toBe('RULE_DAILY_CAP');
    env.clock.tick(24 * 3600_000);
    // A day later the session has ended too (12 hours): sign in again.
    const again = await env.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: rep.email, password: 'password1' } });
    expect((await claim(again.json().token, ids[2]!)).statusCode).toBe(200);
  });

  it('a rep may open N lead details before claiming; a claim resets the count; the list shows only the preview', async () => {
    const manager = await env.user('manager');
    const rep = await env.user('rep');
    const pool = await env.pool('P', 'cherry_pick');
    await patchRules(manager.token, pool, { detailViewLimit: 2 });
    const ids = await env.addLeads(pool, 4);
    const list = await env.app.inject({ method: 'GET', url: `/api/v1/pools/${pool}/leads`, headers: bearer(rep.token) });
    expect(list.json().items[0]).not.toHaveProperty('contact');
    const open = (id: number) => env.app.inject({ method: 'GET', url: `/api/v1/leads/${id}`, headers: bearer(rep.token) });
    expect((await open(ids[0]!)).json().lead.contact).toBeTruthy();
    expect((await open(ids[1]!)).statusCode).toBe(200);
    const third = await open(ids[2]!);
    expect(third.statusCode).toBe(403);
    expect(third.json()).toMatchObject({ error: 'RULE_DETAIL_VIEW_LIMIT', details: { current: 2, limit: 2, unblock: 'Claim one of the leads you looked at.' } });
    expect((await claim(rep.token, ids[0]!)).statusCode).toBe(200);
    expect((await open(ids[2]!)).statusCode).toBe(200);
  });

  it('a queue lead can be skipped with a reason, is not served to that rep again, and skips in a row are limited', async () => {
    const manager = await env.user('manager');
    const rep = await env.user('rep');
    const other = await env.user('rep');
    const queue = await env.pool('Q', 'queue');
    await patchRules(manager.token, queue, { skipLimit: 2 });
    const ids = await env.addLeads(queue, 4);
    const next = async (token: string) => (await env.app.inject({ method: 'POST', url: `/api/v1/pools/${queue}/next`, headers: bearer(token) })).json().lead.id as number;
    const skip = (token: string, id: number, reason = 'not_my_segment') =>
      env.app.inject({ method: 'POST', url: `/api/v1/leads/${id}/skip`, headers: bearer(token), payload: { reason, note: 'retail is not mine' } });
    const first = await next(rep.token);
    expect(first).toBe(ids[0]);
    const s1 = await skip(rep.token, first);
    expect(s1.statusCode, s1.body).toBe(200);
    expect(s1.json().lead.status).toBe('available');
    const second = await next(rep.token);
    expect(second).toBe(ids[1]); // the skipped lead is passed over for this rep
    expect((await skip(rep.token, second)).statusCode).toBe(200);
    const third = await next(rep.token);
    const refused = await skip(rep.token, third);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toBe('RULE_SKIP_LIMIT');
    expect(await next(other.token)).toBe(ids[0]); // another rep gets the skipped lead, first in line
    const events = (await env.store.leadEvents(ids[0]!)).map((e) => [e.type, e.reason, e.data.skipReason]);
    expect(events).toContainEqual(['lead.skipped', 'retail is not mine', 'not_my_segment']);
    const bad = await skip(rep.token, third, 'because');
    expect(bad.statusCode).toBe(400);
    // logging work ends the run of skips
    await env.app.inject({ method: 'POST', url: `/api/v1/leads/${third}/activities`, headers: bearer(rep.token), payload: { type: 'call' } });
    const fourth = await next(rep.token);
    expect((await skip(rep.token, fourth)).statusCode).toBe(200);
  });

  it('simultaneous claims by one rep at the hoarding limit, from separate processes, never exceed it', async () => {
    const manager = await env.user('manager');
    const rep = await env.user('rep');
    const pool = await env.pool('P', 'pool');
    await patchRules(manager.token, pool, { hoardingLimit: 5 });
    const ids = await env.addLeads(pool, 24);
    const startAt = Date.now() + 1500;
    const file = join(env.dir, 'leadpool.db');
    const workers = [0, 1, 2, 3].map((w) =>
      new Promise<string[]>((resolve, reject) => {
        const child = fork(join(import.meta.dirname, 'claim-worker.ts'), [file, String(rep.id), ids.filter((_, i) => i % 4 === w).join(','), String(startAt)], {
          execArgv: ['--import', 'tsx'],
        });
        child.once('message', (m) => resolve(m as string[]));
        child.once('error', reject);
        child.once('exit', (code) => code !== 0 && reject(new Error(`worker exited ${code}`)));
      }),
    );
    const results = (await Promise.all(workers)).flat();
    expect(results.filter((r) => r === 'ok')).toHaveLength(5);
    expect(results.filter((r) => r === 'RULE_HOARDING_LIMIT')).toHaveLength(19);
    const held = (await env.store.leadsOwnedBy(rep.id)).filter((l) => l.status === 'claimed');
    expect(held).toHaveLength(5);
  });
});
