import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE } from '../../src/core/clock.js';
import { buildLead, makeEnv, type TestEnv } from '../helpers.js';
import { call, expectCleanError, parseSetCookie, setCookies, snapshot } from './support.js';

/**
 * One app for the whole file: every test makes its own users, and rate-limit tests use their
 * own accounts and client addresses, so the tests do not see each other's failures.
 */
let env: TestEnv;
beforeAll(async () => {
  env = await makeEnv();
});
afterAll(async () => env.cleanup());

let addr = 0;
/** A client address nobody else in this file uses. */
const freshAddress = () => `10.${Math.floor(++addr / 250)}.${addr % 250}.7`;

const login = (email: string, password: string, remoteAddress = freshAddress()) =>
  call(env, 'POST', '/api/v1/auth/login', { payload: { email, password }, remoteAddress });

describe('signing in', () => {
  it('the right email and password return a bearer token, the user without any password hash, and when the session ends', async () => {
    const rep = await env.user('rep');
    const res = await login(rep.email, 'password1');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.token).toMatch(/^lps_/);
    expect(body.user).toEqual({ id: rep.id, email: rep.email, name: expect.any(String), role: 'rep', createdAt: expect.any(String), locale: null, timeZone: null });
    expect(JSON.stringify(body)).not.toMatch(/argon|hash/i);
    expect(Date.parse(body.expiresAt)).toBe(env.clock.now() + 12 * 3600_000);
  });

  it('the email is matched case-insensitively and with surrounding spaces trimmed', async () => {
    const rep = await env.user('rep');
    const res = await login(`  ${rep.email.toUpperCase()} `, 'password1');
    expect(res.statusCode).toBe(200);
    expect(res.json().user.id).toBe(rep.id);
  });

  it('the session cookie is HttpOnly, SameSite=Lax, Path=/ and carries the same token', async () => {
    const rep = await env.user('rep');
    const res = await login(rep.email, 'password1');
    const cookies = setCookies(res).map(parseSetCookie);
    const session = cookies.find((c) => c.name === 'leadpool_session');
    expect(session).toBeDefined();
    expect(session!.value).toBe(res.json().token);
    expect(session!.attrs.get('httponly')).toBe(true);
    expect(String(session!.attrs.get('samesite')).toLowerCase()).toBe('lax');
    expect(session!.attrs.get('path')).toBe('/');
    expect(Number(session!.attrs.get('max-age'))).toBe(12 * 3600);
  });

  it('the session cookie alone authenticates a request', async () => {
    const rep = await env.user('rep');
    const res = await login(rep.email, 'password1');
    const cookie = setCookies(res).map(parseSetCookie).find((c) => c.name === 'leadpool_session')!;
    const me = await call(env, 'GET', '/api/v1/me', { cookies: { leadpool_session: cookie.value } });
    expect(me.statusCode).toBe(200);
    expect(me.json().user).toMatchObject({ id: rep.id, role: 'rep' });
  });

  it('the bearer token authenticates a request', async () => {
    const rep = await env.user('rep');
    const me = await call(env, 'GET', '/api/v1/me', { token: rep.token });
    expect(me.statusCode).toBe(200);
    expect(me.json().user.id).toBe(rep.id);
  });

  it('a request without credentials, with an unknown token or with a non-Bearer header is refused with 401 UNAUTHENTICATED', async () => {
    expectCleanError(await call(env, 'GET', '/api/v1/pools'), 401, 'UNAUTHENTICATED');
    expectCleanError(await call(env, 'GET', '/api/v1/pools', { token: 'lps_not-a-real-session' }), 401, 'UNAUTHENTICATED');
    expectCleanError(await call(env, 'GET', '/api/v1/pools', { token: 'lpk_not-a-real-key' }), 401, 'UNAUTHENTICATED');
    expectCleanError(await call(env, 'GET', '/api/v1/pools', { headers: { authorization: 'Basic dXNlcjpwYXNz' } }), 401, 'UNAUTHENTICATED');
    expectCleanError(await call(env, 'GET', '/api/v1/me', { cookies: { leadpool_session: 'lps_forged' } }), 401, 'UNAUTHENTICATED');
  });

  it('a wrong password is refused with 401 INVALID_CREDENTIALS, and an unknown email gets the very same answer', async () => {
    const rep = await env.user('rep');
    const wrong = expectCleanError(await login(rep.email, 'password2'), 401, 'INVALID_CREDENTIALS');
    const unknown = expectCleanError(await login('nobody-here@test.example', 'password1'), 401, 'INVALID_CREDENTIALS');
    expect(unknown).toEqual(wrong);
  });

  it('a session stops working once its twelve hours have passed', async () => {
    const rep = await env.user('rep');
    expect((await call(env, 'GET', '/api/v1/me', { token: rep.token })).statusCode).toBe(200);
    env.clock.tick(12 * 3600_000);
    expectCleanError(await call(env, 'GET', '/api/v1/me', { token: rep.token }), 401, 'UNAUTHENTICATED');
  });
});

describe('signing out', () => {
  it('logging out with the bearer token ends the session and clears the cookie', async () => {
    const rep = await env.user('rep');
    expect((await call(env, 'GET', '/api/v1/me', { token: rep.token })).statusCode).toBe(200);
    const out = await call(env, 'POST', '/api/v1/auth/logout', { token: rep.token });
    expect(out.statusCode).toBe(204);
    const cleared = setCookies(out).map(parseSetCookie).find((c) => c.name === 'leadpool_session');
    expect(cleared).toBeDefined();
    expect(cleared!.value).toBe('');
    expect(cleared!.attrs.get('max-age')).toBe('0');
    expect(cleared!.attrs.get('path')).toBe('/');
    expectCleanError(await call(env, 'GET', '/api/v1/me', { token: rep.token }), 401, 'UNAUTHENTICATED');
  });

  it('logging out with the cookie ends that session, and other sessions of the same person keep working', async () => {
    const rep = await env.user('rep');
    const res = await login(rep.email, 'password1');
    const cookie = setCookies(res).map(parseSetCookie).find((c) => c.name === 'leadpool_session')!;
    expect((await call(env, 'GET', '/api/v1/me', { cookies: { leadpool_session: cookie.value } })).statusCode).toBe(200);
    expect((await call(env, 'POST', '/api/v1/auth/logout', { cookies: { leadpool_session: cookie.value } })).statusCode).toBe(204);
    expectCleanError(await call(env, 'GET', '/api/v1/me', { cookies: { leadpool_session: cookie.value } }), 401, 'UNAUTHENTICATED');
    expect((await call(env, 'GET', '/api/v1/me', { token: rep.token })).statusCode).toBe(200);
  });

  it('logging out without a session still answers 204', async () => {
    expect((await call(env, 'POST', '/api/v1/auth/logout')).statusCode).toBe(204);
  });
});

describe('failed sign-ins are rate-limited', () => {
  it('after 5 failures for one account within 15 minutes, even the right password is refused with 429 and Retry-After, from any address', async () => {
    const rep = await env.user('rep');
    for (let i = 0; i < 5; i++) expectCleanError(await login(rep.email, `wrong-${i}`), 401, 'INVALID_CREDENTIALS');
    const res = await login(rep.email, 'password1');
    const body = expectCleanError(res, 429, 'TOO_MANY_ATTEMPTS');
    const retryAfter = Number(res.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(body.details?.retryAfterSeconds).toBe(retryAfter);
    // The limit is per account: another account from the same address is not affected.
    const other = await env.user('rep');
    expect((await login(other.email, 'password1')).statusCode).toBe(200);
  });

  it('4 failures do not lock the account, and a successful sign-in starts the count again', async () => {
    const rep = await env.user('rep');
    for (let i = 0; i < 4; i++) await login(rep.email, 'wrong');
    expect((await login(rep.email, 'password1')).statusCode).toBe(200);
    for (let i = 0; i < 4; i++) await login(rep.email, 'wrong');
    expect((await login(rep.email, 'password1')).statusCode).toBe(200);
  });

  it('failures older than the 15-minute window no longer count', async () => {
    const rep = await env.user('rep');
    for (let i = 0; i < 5; i++) await login(rep.email, 'wrong');
    expect((await login(rep.email, 'password1')).statusCode).toBe(429);
    env.clock.tick(14 * MINUTE);
    expect((await login(rep.email, 'password1')).statusCode).toBe(429);
    env.clock.tick(MINUTE + 1);
    expect((await login(rep.email, 'password1')).statusCode).toBe(200);
  });

  it('a client that waits exactly the Retry-After time is let in', async () => {
    const rep = await env.user('rep');
    for (let i = 0; i < 5; i++) await login(rep.email, 'wrong');
    const refused = await login(rep.email, 'password1');
    expect(refused.statusCode).toBe(429);
    env.clock.tick(Number(refused.headers['retry-after']) * 1000);
    expect((await login(rep.email, 'password1')).statusCode).toBe(200);
  });

  it('30 failures from one address within 15 minutes lock that address for every account (29 do not); other addresses are not affected', async () => {
    const ip = freshAddress();
    for (let i = 0; i < 29; i++) expectCleanError(await login(`stranger${i}@addr.example`, 'wrong', ip), 401, 'INVALID_CREDENTIALS');
    const rep = await env.user('rep');
    expect((await login(rep.email, 'password1', ip)).statusCode).toBe(200);
    expectCleanError(await login('stranger29@addr.example', 'wrong', ip), 401, 'INVALID_CREDENTIALS');
    const res = await login(rep.email, 'password1', ip);
    expectCleanError(res, 429, 'TOO_MANY_ATTEMPTS');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect((await login(rep.email, 'password1', freshAddress())).statusCode).toBe(200);
    env.clock.tick(15 * MINUTE + 1);
    expect((await login(rep.email, 'password1', ip)).statusCode).toBe(200);
  });
});

describe('roles', () => {
  it('a rep may not list or add users, create or change pools, or see API keys', async () => {
    const rep = await env.user('rep');
    const { pool } = await env.store.createPool({ name: 'Roles pool', mode: 'pool' }, { kind: 'system', name: 't' }, env.clock.now());
    const before = await snapshot(env);
    expectCleanError(await call(env, 'GET', '/api/v1/users', { token: rep.token }), 403, 'FORBIDDEN');
    expectCleanError(
      await call(env, 'POST', '/api/v1/users', { token: rep.token, payload: { email: 'new-by-rep@test.example', name: 'N', role: 'rep', password: 'password1' } }),
      403,
      'FORBIDDEN',
    );
    expectCleanError(await call(env, 'POST', '/api/v1/pools', { token: rep.token, payload: { name: 'Rep pool', mode: 'pool' } }), 403, 'FORBIDDEN');
    expectCleanError(await call(env, 'PATCH', `/api/v1/pools/${pool.id}`, { token: rep.token, payload: { name: 'Renamed by rep' } }), 403, 'FORBIDDEN');
    expectCleanError(await call(env, 'GET', '/api/v1/api-keys', { token: rep.token }), 403, 'FORBIDDEN');
    expectCleanError(await call(env, 'POST', '/api/v1/api-keys', { token: rep.token, payload: { name: 'k', scope: 'ingest' } }), 403, 'FORBIDDEN');
    expect(await snapshot(env)).toEqual(before);
  });

  it('a manager lists users, adds reps and pools, but may not add managers or admins, nor touch API keys', async () => {
    const mgr = await env.user('manager');
    const users = await call(env, 'GET', '/api/v1/users', { token: mgr.token });
    expect(users.statusCode).toBe(200);
    expect(users.json().items.some((u: { id: number }) => u.id === mgr.id)).toBe(true);
    const rep = await call(env, 'POST', '/api/v1/users', { token: mgr.token, payload: { email: 'Added.Rep@Test.example', name: ' Added Rep ', role: 'rep', password: 'password1' } });
    expect(rep.statusCode).toBe(201);
    expect(rep.json()).toMatchObject({ email: 'added.rep@test.example', name: 'Added Rep', role: 'rep' });
    expect(rep.json()).not.toHaveProperty('password');
    expect((await login('added.rep@test.example', 'password1')).statusCode).toBe(200);
    const pool = await call(env, 'POST', '/api/v1/pools', { token: mgr.token, payload: { name: 'Managers pool', mode: 'queue' } });
    expect(pool.statusCode).toBe(201);
    for (const role of ['manager', 'admin']) {
      const res = await call(env, 'POST', '/api/v1/users', { token: mgr.token, payload: { email: `by-mgr-${role}@test.example`, name: 'X', role, password: 'password1' } });
      expectCleanError(res, 403, 'FORBIDDEN', 'role');
    }
    expectCleanError(await call(env, 'GET', '/api/v1/api-keys', { token: mgr.token }), 403, 'FORBIDDEN');
    expectCleanError(await call(env, 'POST', '/api/v1/api-keys', { token: mgr.token, payload: { name: 'k', scope: 'ingest' } }), 403, 'FORBIDDEN');
  });

  it('an admin adds managers and admins', async () => {
    const admin = await env.user('admin');
    for (const role of ['manager', 'admin']) {
      const res = await call(env, 'POST', '/api/v1/users', { token: admin.token, payload: { email: `by-admin-${role}@test.example`, name: 'X', role, password: 'password1' } });
      expect(res.statusCode).toBe(201);
      expect(res.json().role).toBe(role);
    }
  });
});

describe('API keys', () => {
  async function newKey(scope: 'ingest' | 'full') {
    const admin = await env.user('admin');
    const res = await call(env, 'POST', '/api/v1/api-keys', { token: admin.token, payload: { name: `${scope} feed`, scope } });
    expect(res.statusCode).toBe(201);
    return { admin, key: res.json().key as string, apiKey: res.json().apiKey as { id: number; prefix: string; scope: string; name: string } };
  }

  it('an admin creates a key; the key is shown once and the list shows only its prefix', async () => {
    const { admin, key, apiKey } = await newKey('ingest');
    expect(key).toMatch(/^lpk_/);
    expect(apiKey).toMatchObject({ name: 'ingest feed', scope: 'ingest', revokedAt: null });
    expect(key.startsWith(apiKey.prefix)).toBe(true);
    const list = await call(env, 'GET', '/api/v1/api-keys', { token: admin.token });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.find((k: { id: number }) => k.id === apiKey.id)).toMatchObject({ prefix: apiKey.prefix });
    expect(list.body).not.toContain(key);
  });

  it('an ingest key feeds leads in, single and batch, and the history names the key', async () => {
    await env.store.createPool({ name: 'Ingest pool', mode: 'pool' }, { kind: 'system', name: 't' }, env.clock.now());
    const { key, apiKey } = await newKey('ingest');
    const one = await call(env, 'POST', '/api/v1/leads', { token: key, payload: buildLead() });
    expect(one.statusCode).toBe(201);
    const batch = await call(env, 'POST', '/api/v1/leads/batch', { token: key, payload: { leads: [buildLead(), buildLead()] } });
    expect(batch.statusCode).toBe(200);
    expect(batch.json().created).toBe(2);
    const events = await env.store.leadEvents(one.json().lead.id);
    expect(events[0]).toMatchObject({ type: 'lead.created', actorKind: 'api_key', actorId: apiKey.id });
    expect(events[0]!.actorName).toContain('ingest feed');
  });

  it('an ingest key gets 403 on every route but feeding leads in', async () => {
    const { key } = await newKey('ingest');
    const { pool } = await env.store.createPool({ name: 'Ingest-only pool', mode: 'cherry_pick' }, { kind: 'system', name: 't' }, env.clock.now());
    const [leadId] = await env.addLeads(pool.id, 1);
    const before = await snapshot(env);
    const refused: [string, string, unknown?][] = [
      ['GET', '/api/v1/pools'],
      ['POST', '/api/v1/pools', { name: 'By key', mode: 'pool' }],
      ['PATCH', `/api/v1/pools/${pool.id}`, { name: 'By key' }],
      ['GET', `/api/v1/pools/${pool.id}/leads`],
      ['GET', `/api/v1/pools/${pool.id}/facets`],
      ['POST', `/api/v1/pools/${pool.id}/next`],
      ['GET', `/api/v1/leads/${leadId}`],
      ['GET', `/api/v1/leads/${leadId}/events`],
      ['POST', `/api/v1/leads/${leadId}/claim`],
      ['POST', `/api/v1/leads/${leadId}/release`],
      ['POST', `/api/v1/leads/${leadId}/activities`, { type: 'call' }],
      ['POST', `/api/v1/leads/${leadId}/status`, { status: 'qualified' }],
      ['POST', `/api/v1/leads/${leadId}/reassign`, { userId: 1 }],
      ['GET', '/api/v1/me'],
      ['GET', '/api/v1/me/leads'],
      ['GET', '/api/v1/users'],
      ['POST', '/api/v1/users', { email: 'by-key@test.example', name: 'K', role: 'rep', password: 'password1' }],
      ['GET', '/api/v1/api-keys'],
      ['POST', '/api/v1/api-keys', { name: 'k2', scope: 'full' }],
      ['GET', '/api/v1/stream'],
    ];
    for (const [method, url, payload] of refused) {
      const res = await call(env, method as 'GET', url, { token: key, ...(payload !== undefined ? { payload } : {}) });
      expect(`${method} ${url} -> ${res.statusCode}`).toBe(`${method} ${url} -> 403`);
      expectCleanError(res, 403, 'FORBIDDEN');
    }
    expect(await snapshot(env)).toEqual(before);
  });

  it('a full key may read, but only a signed-in person can claim or work a lead', async () => {
    const { key } = await newKey('full');
    const { pool } = await env.store.createPool({ name: 'Full-key pool', mode: 'pool' }, { kind: 'system', name: 't' }, env.clock.now());
    const [leadId] = await env.addLeads(pool.id, 1);
    expect((await call(env, 'GET', '/api/v1/pools', { token: key })).statusCode).toBe(200);
    expect((await call(env, 'GET', `/api/v1/leads/${leadId}`, { token: key })).statusCode).toBe(200);
    expectCleanError(await call(env, 'POST', `/api/v1/leads/${leadId}/claim`, { token: key }), 403, 'FORBIDDEN');
    expectCleanError(await call(env, 'POST', `/api/v1/pools/${pool.id}/next`, { token: key }), 403, 'FORBIDDEN');
    expect((await env.store.getLead(leadId!))?.status).toBe('available');
  });

  it('a revoked key is refused at once', async () => {
    await env.store.createPool({ name: 'Revoked-key pool', mode: 'pool' }, { kind: 'system', name: 't' }, env.clock.now());
    const { admin, key, apiKey } = await newKey('ingest');
    expect((await call(env, 'POST', '/api/v1/leads', { token: key, payload: buildLead() })).statusCode).toBe(201);
    const revoke = await call(env, 'DELETE', `/api/v1/api-keys/${apiKey.id}`, { token: admin.token });
    expect(revoke.statusCode).toBe(200);
    expect(revoke.json().revokedAt).not.toBeNull();
    expectCleanError(await call(env, 'POST', '/api/v1/leads', { token: key, payload: buildLead() }), 401, 'UNAUTHENTICATED');
  });
});

describe('a rep acts only as themself', () => {
  async function heldLead() {
    const { pool } = await env.store.createPool({ name: `Own pool ${++addr}`, mode: 'pool' }, { kind: 'system', name: 't' }, env.clock.now());
    const [leadId] = await env.addLeads(pool.id, 1);
    const owner = await env.user('rep');
    const other = await env.user('rep');
    expect((await call(env, 'POST', `/api/v1/leads/${leadId}/claim`, { token: owner.token })).statusCode).toBe(200);
    return { leadId: leadId!, owner, other };
  }

  it("another rep cannot release, log work on or change the status of a rep's lead: 403 NOT_YOUR_LEAD, and nothing changes", async () => {
    const { leadId, owner, other } = await heldLead();
    const before = await snapshot(env);
    expectCleanError(await call(env, 'POST', `/api/v1/leads/${leadId}/release`, { token: other.token, payload: {} }), 403, 'NOT_YOUR_LEAD');
    expectCleanError(await call(env, 'POST', `/api/v1/leads/${leadId}/activities`, { token: other.token, payload: { type: 'call' } }), 403, 'NOT_YOUR_LEAD');
    expectCleanError(await call(env, 'POST', `/api/v1/leads/${leadId}/status`, { token: other.token, payload: { status: 'disqualified' } }), 403, 'NOT_YOUR_LEAD');
    expect(await snapshot(env)).toEqual(before);
    expect(await env.store.getLead(leadId)).toMatchObject({ status: 'claimed', ownerId: owner.id });
  });

  it('a rep cannot hand a lead to anyone, themself included', async () => {
    const { leadId, owner, other } = await heldLead();
    const before = await snapshot(env);
    expectCleanError(await call(env, 'POST', `/api/v1/leads/${leadId}/reassign`, { token: other.token, payload: { userId: other.id } }), 403, 'FORBIDDEN');
    expectCleanError(await call(env, 'POST', `/api/v1/leads/${leadId}/reassign`, { token: owner.token, payload: { userId: other.id } }), 403, 'FORBIDDEN');
    expect(await snapshot(env)).toEqual(before);
  });

  it('a rep cannot release a lead nobody holds', async () => {
    const { pool } = await env.store.createPool({ name: `Unheld pool ${++addr}`, mode: 'pool' }, { kind: 'system', name: 't' }, env.clock.now());
    const [leadId] = await env.addLeads(pool.id, 1);
    const rep = await env.user('rep');
    expectCleanError(await call(env, 'POST', `/api/v1/leads/${leadId}/release`, { token: rep.token, payload: {} }), 403, 'NOT_YOUR_LEAD');
    expect((await env.store.getLead(leadId!))?.status).toBe('available');
  });

  it('the owner can work their own lead', async () => {
    const { leadId, owner } = await heldLead();
    const res = await call(env, 'POST', `/api/v1/leads/${leadId}/activities`, { token: owner.token, payload: { type: 'email' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().lead).toMatchObject({ status: 'contacted', ownerId: owner.id });
  });
});
