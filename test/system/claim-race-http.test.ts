/**
 * Claims racing over real HTTP: a listening server, 50 signed-in reps on 50 separate
 * keep-alive connections, all clicking "claim" on the same lead at once. Then the same
 * against two server processes sharing one database file (many server instances).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { rmSync } from 'node:fs';
import { serve, type Running } from '../../src/server/serve.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { buildLead, SYSTEM, tempDir } from '../helpers.js';
import { dbFile, eventsByLead, killAllChildren, openReadOnly, request, seedUsers, startServer, type HttpResult, type SeededUser, type ServerProc } from './sys-helpers.js';

const REPS = 50;
const LEADS = 20;

interface Rep extends SeededUser {
  agent: http.Agent;
  base: string;
}

/** Every rep's own keep-alive connection, opened before the race so the claims start together. */
async function connect(reps: SeededUser[], baseOf: (i: number) => string): Promise<Rep[]> {
  const out = reps.map((r, i) => ({ ...r, agent: new http.Agent({ keepAlive: true, maxSockets: 1 }), base: baseOf(i) }));
  const me = await Promise.all(out.map((r) => request(`${r.base}/api/v1/me`, { token: r.token, agent: r.agent })));
  expect(me.map((m) => m.status)).toEqual(out.map(() => 200));
  expect(new Set(me.map((m, i) => socketOf(out[i]!.base, m))).size).toBe(out.length);
  return out;
}

/**
 * A connection is its server and local port: the kernel may give connections to two different
 * servers the same local port (the 4-tuples still differ), which once made 50 sockets look like 45.
 */
const socketOf = (base: string, res: HttpResult) => `${base}|${res.localPort}`;

type Outcome = { rep: Rep; res: HttpResult };

/** All reps claim the lead in the same tick, each on its own socket, in a fresh random order each round. */
async function raceFor(leadId: number, reps: Rep[]): Promise<Outcome[]> {
  const order = [...reps].sort(() => Math.random() - 0.5);
  return Promise.all(order.map(async (rep) => ({ rep, res: await request(`${rep.base}/api/v1/leads/${leadId}/claim`, { method: 'POST', token: rep.token, agent: rep.agent }) })));
}

/** Exactly one 200 per lead, every other answer 409 LEAD_ALREADY_CLAIMED, and the database agrees. */
function checkRaces(dataDir: string, rounds: Map<number, Outcome[]>, reps: Rep[]): { distinctWinners: number; ports: number } {
  const problems: string[] = [];
  const winners = new Set<number>();
  const ports = new Set<string>();
  const db = openReadOnly(dataDir);
  try {
    const leadIds = [...rounds.keys()];
    const events = eventsByLead(db, leadIds);
    for (const [leadId, outcomes] of rounds) {
      const ok = outcomes.filter((o) => o.res.status === 200);
      const rest = outcomes.filter((o) => o.res.status !== 200);
      outcomes.forEach((o) => ports.add(socketOf(o.rep.base, o.res)));
      if (new Set(outcomes.map((o) => socketOf(o.rep.base, o.res))).size !== reps.length) problems.push(`lead ${leadId}: claims did not use ${reps.length} separate connections`);
      if (ok.length !== 1) problems.push(`lead ${leadId}: ${ok.length} claims answered 200 (${ok.map((o) => o.rep.id).join(', ')})`);
      for (const o of rest) {
        if (o.res.status !== 409 || o.res.body?.error !== 'LEAD_ALREADY_CLAIMED' || o.res.body?.details?.leadId !== leadId)
          problems.push(`lead ${leadId}: rep ${o.rep.id} got ${o.res.status} ${JSON.stringify(o.res.body).slice(0, 200)}`);
      }
      const w = ok[0];
      if (!w) continue;
      winners.add(w.rep.id);
      const lead = w.res.body?.lead;
      if (lead?.id !== leadId || lead?.status !== 'claimed' || lead?.ownerId !== w.rep.id) problems.push(`lead ${leadId}: winner's body ${JSON.stringify(lead).slice(0, 200)}`);
      const row = db.prepare('SELECT status, owner_id FROM leads WHERE id = ?').get(leadId) as { status: string; owner_id: number | null };
      if (row.status !== 'claimed' || row.owner_id !== w.rep.id) problems.push(`lead ${leadId}: DB has ${row.status}/${row.owner_id}, the 200 went to ${w.rep.id}`);
      const claimed = events.get(leadId)!.filter((e) => e.type === 'lead.claimed');
      if (claimed.length !== 1 || claimed[0]!.actor_id !== w.rep.id) problems.push(`lead ${leadId}: lead.claimed events ${JSON.stringify(claimed)}`);
    }
  } finally {
    db.close();
  }
  expect(problems, problems.slice(0, 20).join('\n')).toEqual([]);
  return { distinctWinners: winners.size, ports: ports.size };
}

afterAll(async () => {
  await killAllChildren();
});

describe('claims racing over HTTP against one listening server', () => {
  let dir: string;
  let running: Running | null = null;
  let reps: Rep[] = [];

  beforeAll(async () => {
    dir = tempDir('leadpool-http-race-');
    running = await serve({ port: 0, host: '127.0.0.1', dataDir: dir, demo: false, logLevel: 'warn' });
  });

  afterAll(async () => {
    reps.forEach((r) => r.agent.destroy());
    await running?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`${REPS} signed-in reps, ${REPS} simultaneous claims on one lead, ${LEADS} times: exactly one 200 per lead, the rest 409 LEAD_ALREADY_CLAIMED`, async () => {
    const store = running!.store as SqliteStore;
    const url = running!.url;
    const { pool } = await store.createPool({ name: 'HTTP race', mode: 'pool', lockTtlSeconds: 3600 }, SYSTEM, Date.now());
    const leadIds = (await store.insertLeads(Array.from({ length: LEADS }, () => buildLead({ poolId: pool.id })), pool.id, SYSTEM, Date.now())).created.map((l) => l.id);
    const users = await seedUsers(store, 'rep', REPS, { prefix: 'httprep' });
    // Real sign-ins through the API.
    const t0 = Date.now();
    const logins = await Promise.all(users.map((u) => request(`${url}/api/v1/auth/login`, { method: 'POST', body: { email: u.email, password: 'password1' } })));
    expect(logins.map((l) => l.status)).toEqual(users.map(() => 200));
    users.forEach((u, i) => (u.token = logins[i]!.body.token));
    reps = await connect(users, () => url);
    const t1 = Date.now();

    const rounds = new Map<number, Outcome[]>();
    for (const leadId of leadIds) rounds.set(leadId, await raceFor(leadId, reps));
    const t2 = Date.now();
    const stats = checkRaces(dir, rounds, reps);
    // Keep-alive: the same 50 sockets served every round.
    expect(stats.ports).toBe(REPS);
    console.log(`[http] ${REPS} logins+connections in ${t1 - t0} ms; ${REPS * LEADS} claims in ${t2 - t1} ms`, stats);
  }, 90_000);
});

describe('claims racing over HTTP against two server processes on one database file', () => {
  let dir: string;
  const servers: ServerProc[] = [];
  let reps: Rep[] = [];

  afterAll(async () => {
    reps.forEach((r) => r.agent.destroy());
    await Promise.all(servers.map((s) => s.kill()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`${REPS} reps split over two \`leadpool serve\` processes, ${LEADS} leads: still exactly one winner per lead`, async () => {
    dir = tempDir('leadpool-http-race2-');
    const store = new SqliteStore(dbFile(dir));
    await store.migrate();
    const { pool } = await store.createPool({ name: 'Shared', mode: 'pool', lockTtlSeconds: 3600, isDefault: true }, SYSTEM, Date.now());
    const leadIds = (await store.insertLeads(Array.from({ length: LEADS }, () => buildLead({ poolId: pool.id })), pool.id, SYSTEM, Date.now())).created.map((l) => l.id);
    const users = await seedUsers(store, 'rep', REPS, { session: true });
    await store.close();

    const t0 = Date.now();
    servers.push(...(await Promise.all([startServer(dir), startServer(dir)])));
    const [a, b] = servers;
    expect(a!.pid).not.toBe(b!.pid);
    reps = await connect(users, (i) => (i % 2 === 0 ? a!.url : b!.url));
    const t1 = Date.now();

    const rounds = new Map<number, Outcome[]>();
    for (const leadId of leadIds) rounds.set(leadId, await raceFor(leadId, reps));
    const t2 = Date.now();
    const stats = checkRaces(dir, rounds, reps);
    const winnersOn = (s: ServerProc) => [...rounds.values()].filter((os) => os.some((o) => o.res.status === 200 && o.rep.base === s.url)).length;
    console.log(`[http, 2 servers] started in ${t1 - t0} ms; ${REPS * LEADS} claims in ${t2 - t1} ms; leads won via A: ${winnersOn(a!)}, via B: ${winnersOn(b!)}`, stats);
  }, 90_000);
});
