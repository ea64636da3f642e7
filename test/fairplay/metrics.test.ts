import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, makeEnv, type TestEnv } from '../helpers.js';
import { MINUTE } from '../../src/core/clock.js';

describe('the manager’s measurements, against a hand-computed team', () => {
  let env: TestEnv;
  beforeEach(async () => {
    env = await makeEnv();
  });
  afterEach(async () => env.cleanup());

  it('time to claim, cherry-pick index, expiries, contact speed, conversion by source, fairness and waiting ages', async () => {
    const manager = await env.user('manager');
    const a = await env.user('rep');
    const b = await env.user('rep');
    const c = await env.user('rep');
    const pool = await env.pool('P', 'pool', 600);
    const start = env.clock.now();
    // One lead in each score band: 5, 15, …, 95.
    const ids = await env.addLeads(pool, Array.from({ length: 10 }, (_, i) => ({ score: i * 10 + 5, industry: i < 5 ? 'Retail' : 'Software' })));
    await env.store.snapshotPoolMix(pool, env.clock.now());
    const claim = (token: string, id: number) => env.app.inject({ method: 'POST', url: `/api/v1/leads/${id}/claim`, headers: bearer(token) });

    env.clock.tick(5 * MINUTE);
    for (const id of ids.slice(5).reverse()) expect((await claim(a.token, id)).statusCode).toBe(200); // 95, 85, 75, 65, 55
    env.clock.tick(5 * MINUTE);
    expect((await claim(b.token, ids[0]!)).statusCode).toBe(200); // 5
    expect((await claim(b.token, ids[1]!)).statusCode).toBe(200); // 15
    env.clock.tick(2 * MINUTE);
    await env.app.inject({ method: 'POST', url: `/api/v1/leads/${ids[9]}/activities`, headers: bearer(a.token), payload: { type: 'call' } });
    await env.app.inject({ method: 'POST', url: `/api/v1/leads/${ids[9]}/status`, headers: bearer(a.token), payload: { status: 'converted' } });
    await env.app.inject({ method: 'POST', url: `/api/v1/leads/${ids[0]}/activities`, headers: bearer(b.token), payload: { type: 'email' } });
    // B's other lead runs out of lock (10 min after the claim); A's four unworked ones too.
    env.clock.tick(10 * MINUTE);
    await env.timers.runDue();

    const res = await env.app.inject({
      method: 'GET',
      url: `/api/v1/metrics/overview?from=${new Date(start).toISOString()}&to=${new Date(env.clock.now() + 1).toISOString()}`,
      headers: bearer(manager.token),
    });
    expect(res.statusCode, res.body).toBe(200);
    const o = res.json();
    // 5 claims at 5 min and 2 at 10 min after arrival.
    expect(o.arrivalToClaim).toEqual({ count: 7, meanMs: ((5 * 5 + 2 * 10) / 7) * MINUTE, p50Ms: 5 * MINUTE, p90Ms: 10 * MINUTE });
    // A contacted 7 min after the claim, B 2 min after.
    expect(o.claimToContact).toMatchObject({ count: 2, p50Ms: 2 * MINUTE, p90Ms: 7 * MINUTE });
    const repA = o.reps.find((r: { userId: number }) => r.userId === a.id);
    const repB = o.reps.find((r: { userId: number }) => r.userId === b.id);
    const repC = o.reps.find((r: { userId: number }) => r.userId === c.id);
    // A took the top five bands of a pool with one lead per band: mid-ranks .95 … .55, mean .75.
    expect(repA).toMatchObject({ claims: 5, cherryPickIndex: 75, expired: 4, converted: 1, contacted: 1, averageScore: 75, scoreBands: [0, 0, 0, 0, 0, 1, 1, 1, 1, 1] });
    // All of A's claims were Software, which was half of what waited: a tilt of 50.
    expect(repA.industryTilt).toBe(50);
    // B has too few claims for an index to mean anything.
    expect(repB).toMatchObject({ claims: 2, cherryPickIndex: null, expired: 1, contacted: 1 });
    expect(repC).toMatchObject({ claims: 0, cherryPickIndex: null });
    expect(o.conversionBySource).toEqual([{ source: 'pool', claims: 7, contacted: 2, converted: 1, conversionRate: 14.3 }]);
    // Claims 5, 2, 0: G = 2(1·0 + 2·2 + 3·5)/(3·7) − 4/3.
    expect(o.fairness.giniClaims).toBeCloseTo(2 * 19 / 21 - 4 / 3, 3);
    // Waiting now: 25, 35, 45 (22 min old) and the 5 expired leads, back since 0 min.
    const w = o.waiting.find((x: { poolId: number }) => x.poolId === pool);
    expect(w.total).toBe(8);
    expect(Object.fromEntries(w.buckets.map((bk: { label: string; count: number }) => [bk.label, bk.count]))).toMatchObject({ '15–30m': 8 });
    expect(Date.parse(new Date(w.oldestAt).toISOString())).toBe(start);
  });

  it('reps under the daily minimum are flagged; the team board shows reps the claim patterns unless a manager turns it off', async () => {
    const manager = await env.user('manager');
    const a = await env.user('rep');
    const b = await env.user('rep');
    const pool = await env.pool('P', 'pool');
    await env.app.inject({ method: 'PATCH', url: `/api/v1/pools/${pool}`, headers: bearer(manager.token), payload: { rules: { minClaimsPerDay: 2 } } });
    const ids = await env.addLeads(pool, 3);
    for (const id of ids.slice(0, 2)) await env.app.inject({ method: 'POST', url: `/api/v1/leads/${id}/claim`, headers: bearer(a.token) });
    const o = (await env.app.inject({ method: 'GET', url: '/api/v1/metrics/overview', headers: bearer(manager.token) })).json();
    expect(o.repsUnderMinimum).toEqual([{ userId: b.id, name: expect.any(String), claimsToday: 0, minimum: 2 }]);
    const mine = (await env.app.inject({ method: 'GET', url: '/api/v1/me/stats', headers: bearer(b.token) })).json();
    expect(mine).toMatchObject({ claimsToday: 0, minClaimsPerDay: 2, teamBoard: true });
    const board = await env.app.inject({ method: 'GET', url: '/api/v1/team-board', headers: bearer(b.token) });
    expect(board.json().reps.map((r: { userId: number; claimsToday: number }) => [r.userId, r.claimsToday])).toEqual([
      [a.id, 2],
      [b.id, 0],
    ]);
    await env.app.inject({ method: 'PUT', url: '/api/v1/settings/team-board', headers: bearer(manager.token), payload: { enabled: false } });
    expect((await env.app.inject({ method: 'GET', url: '/api/v1/team-board', headers: bearer(b.token) })).statusCode).toBe(403);
    expect((await env.app.inject({ method: 'GET', url: '/api/v1/team-board', headers: bearer(manager.token) })).json().enabled).toBe(false);
    const reps = await env.app.inject({ method: 'GET', url: '/api/v1/metrics/overview', headers: bearer(a.token) });
    expect(reps.statusCode).toBe(403);
  });

  it('exports the per-rep table and the event history as CSV', async () => {
    const manager = await env.user('manager');
    const a = await env.user('rep');
    const pool = await env.pool('P', 'pool');
    const [id] = await env.addLeads(pool, [{ company: '=HYPERLINK("x"), "Quoted" GmbH' }]);
    await env.app.inject({ method: 'POST', url: `/api/v1/leads/${id}/claim`, headers: bearer(a.token) });
    const reps = await env.app.inject({ method: 'GET', url: '/api/v1/metrics/reps.csv', headers: bearer(manager.token) });
    expect(reps.headers['content-type']).toMatch(/text\/csv/);
    const lines = reps.body.trim().split('\n');
    expect(lines[0]).toMatch(/^user_id,name,claims,/);
    expect(lines[1]).toMatch(new RegExp(`^${a.id},`));
    const events = await env.app.inject({ method: 'GET', url: '/api/v1/exports/events.csv', headers: bearer(manager.token) });
    const rows = events.body.trim().split('\n');
    expect(rows[0]).toBe('id,type,at,lead_id,pool_id,actor_kind,actor_id,actor_name,reason,data');
    expect(rows.map((r) => r.split(",")[1])).toContain("lead.claimed");
  });
});
