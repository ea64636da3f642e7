/**
 * Issue 3's speed targets:
 * (a) one routing decision in the pure core over a 50-rule set (bench/routing-core.ts), < 50 µs;
 * (b) ingest WITH routing through POST /api/v1/leads/batch on a fresh SQLite database (leads
 *     without poolId, a realistic rule set of 10 rules set via PUT /api/v1/routing as a manager,
 *     incl. named accounts pushed to their owners and a push_team round robin over a 10-rep team
 *     set via PATCH /api/v1/reps/:id), ≥ 5,000 leads/s; next to the same route without routing
 *     (every lead carries poolId) in the same run, on its own fresh database.
 */
import Database from 'better-sqlite3';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { newToken, tokenHash } from '../src/server/tokens.js';
import { hashPassword } from '../src/server/passwords.js';
import { generateDemoLeadsIter } from '../src/demo/demo-leads.js';
import type { LeadInput } from '../src/core/lead-input.js';
import type { Actor } from '../src/core/types.js';
import type { RuleSet } from '../src/core/routing/rules.js';
import { runRoutingCoreBench } from './routing-core.js';
import { Conn } from './http-load.js';
import { Samples, stats, progress, progressDone, startServer, httpJson, login, fmt, fmtInt, type Stats } from './lib.js';

const BENCH: Actor = { kind: 'system', name: 'bench routing' };
const PASSWORD = 'bench-password';
const MANAGER = 'manager@routing.bench';
const TEAM = 'inbound';
const TEAM_SIZE = 10;
const ACCOUNT_REPS = 3;

export interface CoreResult {
  usPerDecision: number;
  pushedShare: number;
  decisions: number;
}

export interface RoutedIngestResult {
  leads: number;
  seconds: number;
  perSecond: number;
  requestLatency: Stats;
  stored: number;
  /** How the routed leads ended up: by status, by the event's `via`, pushes per rep of the team. */
  outcome?: { byStatus: Record<string, number>; byPool: Record<string, number>; pushedPerTeamRep: number[]; pushedToAccountOwners: number; routedEvents: number; claimsRows: number };
}

export async function routingCore(decisions: number): Promise<CoreResult> {
  const r = await runRoutingCoreBench({ decisions });
  progressDone(
    `  routing core: ${fmt(r.usPerDecision, 2)} µs per decision over ${fmtInt(r.decisions)} decisions (50 rules, 50 reps, 1,000 accounts; ${fmt(r.pushedShare * 100, 0)}% pushed)`,
  );
  return r;
}

interface Fresh {
  apiKey: string;
  poolIds: { inbound: number; enterprise: number; nurture: number };
  teamIds: number[];
  accountOwnerIds: number[];
}

/** A fresh database: three pools, a manager, a 10-rep team plus 3 account owners, an ingest key, named accounts. */
async function freshDb(dir: string, accountCompanies: string[]): Promise<Fresh> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const store = new SqliteStore(join(dir, 'leadpool.db'));
  await store.migrate();
  const now = Date.now();
  const inbound = (await store.createPool({ name: 'Inbound', mode: 'pool', isDefault: true }, BENCH, now)).pool.id;
  const enterprise = (await store.createPool({ name: 'Enterprise', mode: 'cherry_pick' }, BENCH, now)).pool.id;
  const nurture = (await store.createPool({ name: 'Nurture', mode: 'queue' }, BENCH, now)).pool.id;
  const hash = await hashPassword(PASSWORD);
  await store.createUser({ email: MANAGER, name: 'Routing Manager', role: 'manager', passwordHash: hash }, BENCH, now);
  const teamIds: number[] = [];
  for (let i = 0; i < TEAM_SIZE; i++) teamIds.push((await store.createUser({ email: `team${i + 1}@routing.bench`, name: `Team Rep ${i + 1}`, role: 'rep', passwordHash: hash }, BENCH, now)).id);
  const accountOwnerIds: number[] = [];
  for (let i = 0; i < ACCOUNT_REPS; i++) accountOwnerIds.push((await store.createUser({ email: `ka${i + 1}@routing.bench`, name: `Key Account Rep ${i + 1}`, role: 'rep', passwordHash: hash }, BENCH, now)).id);
  await store.importAccounts(
    accountCompanies.map((name, i) => ({ name, domains: [], ownerId: accountOwnerIds[i % ACCOUNT_REPS]!, customer: i % 3 === 0 })),
    BENCH,
    now,
  );
  const apiKey = newToken('lpk');
  await store.createApiKey({ name: 'bench', scope: 'ingest', keyHash: tokenHash(apiKey), prefix: apiKey.slice(0, 10) }, BENCH, now);
  await store.close();
  return { apiKey, poolIds: { inbound, enterprise, nurture }, teamIds, accountOwnerIds };
}

/** Ten rules in the order a real set would test them; most leads pass several before one matches. */
export function realisticRuleSet(p: Fresh['poolIds']): RuleSet {
  return {
    defaultPoolId: p.inbound,
    rules: [
      { id: 'accounts', name: 'Named accounts to their owners', when: { namedAccount: true }, then: { type: 'push_owner', fallbackPoolId: p.enterprise, fallbackPriority: 5 } },
      { id: 'junk', name: 'Very low scores to review', when: { scoreMax: 3 }, then: { type: 'review', poolId: p.nurture } },
      { id: 'paused-region', name: 'Iberia and CEE to nurture', when: { region: ['Iberia', 'CEE'], scoreMax: 60 }, then: { type: 'pool', poolId: p.nurture } },
      {
        id: 'hot-inbound',
        name: 'Hot inbound pushed round robin',
        when: { scoreMin: 70, source: ['Website form', 'Referral', 'Trade fair', 'Webinar'] },
        then: { type: 'push_team', team: TEAM, strategy: 'round_robin', fallbackPoolId: p.inbound, fallbackPriority: 10 },
      },
      { id: 'enterprise', name: 'Enterprise sizes', when: { companySize: ['1001-5000', '5000+'] }, then: { type: 'pool', poolId: p.enterprise, priority: 5 } },
      {
        id: 'fin-mid',
        name: 'Mid-size financial services',
        when: { industry: ['Financial Services'], companySize: ['201-1000'] },
        then: { type: 'pool', poolId: p.enterprise, priority: 2 },
      },
      { id: 'uk', name: 'UK & Ireland by country', when: { attributes: { country: { in: ['GB', 'IE', 'UK'] } } }, then: { type: 'pool', poolId: p.inbound, priority: 2 } },
      { id: 'cold', name: 'Cold lists to the queue', when: { source: ['Cold list'] }, then: { type: 'pool', poolId: p.nurture } },
      { id: 'small-low', name: 'Small and low to nurture', when: { companySize: ['1-10'], scoreMax: 25 }, then: { type: 'pool', poolId: p.nurture } },
      { id: 'employees', name: 'Big by employee count', when: { attributes: { employees: { gte: 2000 } } }, then: { type: 'pool', poolId: p.enterprise, priority: 3 } },
    ],
  };
}

function bodiesOf(leads: LeadInput[], poolId: number | null): string[] {
  const bodies: string[] = [];
  for (let i = 0; i < leads.length; i += 1000) {
    const batch = leads.slice(i, i + 1000).map((l) => (poolId === null ? l : { ...l, poolId }));
    bodies.push(JSON.stringify({ leads: batch }));
  }
  return bodies;
}

async function sendAll(url: string, apiKey: string, bodies: string[], total: number, connections: number, label: string): Promise<{ seconds: number; lat: Stats }> {
  const base = new URL(url);
  const lat = new Samples();
  let next = 0;
  let sent = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const conn = new Conn(base);
      for (;;) {
        const i = next++;
        if (i >= bodies.length) break;
        const r = await conn.request({ method: 'POST', path: '/api/v1/leads/batch', token: apiKey, body: bodies[i]! }, true);
        if (r.status !== 200) throw new Error(`${label} batch ${i}: ${r.status} ${r.body.slice(0, 500)}`);
        lat.push(r.ms);
        sent += (JSON.parse(r.body) as { created: number }).created;
        progress(`${label}: ${fmtInt(sent)} / ${fmtInt(total)} (${((sent / total) * 100).toFixed(0)}%)`);
      }
      conn.close();
    }),
  );
  return { seconds: (performance.now() - start) / 1000, lat: stats(lat.view()) };
}

async function ingestOnce(dir: string, leads: LeadInput[], accountCompanies: string[], routed: boolean, connections: number): Promise<RoutedIngestResult> {
  const fresh = await freshDb(dir, accountCompanies);
  const bodies = bodiesOf(leads, routed ? null : fresh.poolIds.inbound);
  const server = await startServer(dir);
  try {
    if (routed) {
      const mgr = await login(server.url, MANAGER, PASSWORD);
      for (const id of fresh.teamIds) {
        const r = await httpJson(server.url, 'PATCH', `/api/v1/reps/${id}`, { team: TEAM }, mgr);
        if (r.status !== 200) throw new Error(`PATCH /reps/${id}: ${r.status} ${JSON.stringify(r.body)}`);
      }
      const put = await httpJson(server.url, 'PUT', '/api/v1/routing', { ruleSet: realisticRuleSet(fresh.poolIds), note: 'bench' }, mgr);
      if (put.status !== 200) throw new Error(`PUT /routing: ${put.status} ${JSON.stringify(put.body)}`);
    }
    const label = routed ? 'batch ingest WITH routing' : 'batch ingest, poolId given';
    const { seconds, lat } = await sendAll(server.url, fresh.apiKey, bodies, leads.length, connections, label);
    await server.stop();
    const db = new Database(join(dir, 'leadpool.db'), { readonly: true });
    const stored = db.prepare('SELECT COUNT(*) FROM leads').pluck().get() as number;
    let outcome: RoutedIngestResult['outcome'];
    if (routed) {
      const byStatus = Object.fromEntries((db.prepare('SELECT status, COUNT(*) FROM leads GROUP BY 1').raw().all() as [string, number][]).map(([k, v]) => [k, v]));
      const byPool = Object.fromEntries(
        (db.prepare('SELECT p.name, COUNT(*) FROM leads l JOIN pools p ON p.id = l.pool_id GROUP BY 1').raw().all() as [string, number][]).map(([k, v]) => [k, v]),
      );
      const per = new Map((db.prepare(`SELECT owner_id, COUNT(*) FROM leads WHERE claim_source = 'pushed' GROUP BY 1`).raw().all() as [number, number][]).map(([k, v]) => [k, v]));
      outcome = {
        byStatus,
        byPool,
        pushedPerTeamRep: fresh.teamIds.map((id) => per.get(id) ?? 0),
        pushedToAccountOwners: fresh.accountOwnerIds.reduce((a, id) => a + (per.get(id) ?? 0), 0),
        routedEvents: db.prepare(`SELECT COUNT(*) FROM events WHERE type = 'lead.routed'`).pluck().get() as number,
        claimsRows: db.prepare('SELECT COUNT(*) FROM claims').pluck().get() as number,
      };
    }
    db.close();
    const r: RoutedIngestResult = { leads: leads.length, seconds, perSecond: leads.length / seconds, requestLatency: lat, stored, ...(outcome ? { outcome } : {}) };
    progressDone(
      `  ${label.padEnd(28)} ${fmtInt(r.perSecond).padStart(7)} leads/s (${fmtInt(leads.length)} in ${seconds.toFixed(1)} s, ${connections} conns; a 1,000-lead request p50 ${fmt(lat.p50, 0)} ms, p99 ${fmt(lat.p99, 0)} ms; stored ${fmtInt(stored)})`,
    );
    if (outcome) {
      console.log(`    routed to: ${JSON.stringify(outcome.byPool)}; statuses ${JSON.stringify(outcome.byStatus)}`);
      console.log(
        `    round robin over the ${TEAM_SIZE}-rep team: ${outcome.pushedPerTeamRep.join(', ')} (spread ${Math.max(...outcome.pushedPerTeamRep) - Math.min(...outcome.pushedPerTeamRep)}); to account owners ${fmtInt(outcome.pushedToAccountOwners)}; lead.routed events ${fmtInt(outcome.routedEvents)}; claims rows ${fmtInt(outcome.claimsRows)}`,
      );
    }
    return r;
  } catch (err) {
    console.error(`server stderr tail:\n${server.stderrTail()}`);
    throw err;
  } finally {
    await server.stop();
  }
}

/** Both ingests on fresh databases with the same leads: baseline (poolId given), then routed. */
export async function routedIngest(dir: string, n: number, connections = 2): Promise<{ baseline: RoutedIngestResult; routed: RoutedIngestResult; accounts: number }> {
  const leads = [...generateDemoLeadsIter(n, 991)];
  // Named accounts: the companies of every 50th lead (so ~2% of leads match one), plus others that never match.
  const accountCompanies = [...new Set(leads.filter((_, i) => i % 50 === 0).map((l) => l.company))].slice(0, 2000);
  for (let i = accountCompanies.length; i < 1000; i++) accountCompanies.push(`Unmatched Account ${i} GmbH`);
  const baseline = await ingestOnce(join(dir, 'plain'), leads, accountCompanies, false, connections);
  const routed = await ingestOnce(join(dir, 'routed'), leads, accountCompanies, true, connections);
  rmSync(dir, { recursive: true, force: true });
  return { baseline, routed, accounts: accountCompanies.length };
}

export interface RoutingBreakdown {
  leads: number;
  /** leads/s, in process, 1,000 per insertLeads call, fresh database each. */
  rates: Record<string, number>;
  traceBytesPerLead: number;
  top: { sql: string; calls: number; ms: number }[];
  jsMsPerLead: number;
}

/**
 * Where routed ingest's time goes, in process (no HTTP): store.insertLeads with poolId given vs
 * routed, every statement timed (bench/sql-profile.ts); what is left is JavaScript (routing,
 * JSON, row building). Also the bytes of routing trace each lead carries (stored twice: the
 * lead's `routing` column and its lead.routed event).
 */
export async function routingIngestBreakdown(dir: string, n: number): Promise<RoutingBreakdown> {
  const { SqlProfile, oneLine } = await import('./sql-profile.js');
  const leads = [...generateDemoLeadsIter(n, 992)];
  const accountCompanies = [...new Set(leads.filter((_, i) => i % 50 === 0).map((l) => l.company))];
  const rates: Record<string, number> = {};
  let top: RoutingBreakdown['top'] = [];
  let traceBytesPerLead = 0;
  let jsMsPerLead = 0;
  for (const routed of [false, true]) {
    const d = join(dir, routed ? 'routed' : 'plain');
    const fresh = await freshDb(d, accountCompanies);
    const store = new SqliteStore(join(d, 'leadpool.db'), { checkpointInBackground: true });
    if (routed) {
      for (const id of fresh.teamIds) await store.updateRep(id, { team: TEAM }, BENCH, null, Date.now());
      await store.putRouting(realisticRuleSet(fresh.poolIds), 'bench', BENCH, Date.now());
    }
    const prof = new SqlProfile(store.db);
    const t = performance.now();
    for (let i = 0; i < leads.length; i += 1000) {
      const batch = leads.slice(i, i + 1000).map((l) => (routed ? l : { ...l, poolId: fresh.poolIds.inbound }));
      await store.insertLeads(batch, fresh.poolIds.inbound, BENCH, Date.now());
    }
    const ms = performance.now() - t;
    rates[routed ? 'insertLeads routed (10 rules)' : 'insertLeads with poolId'] = leads.length / (ms / 1000);
    if (routed) {
      const stats = prof.snapshot().sort((a, b) => b.ms - a.ms);
      const sqlMs = stats.reduce((a, s) => a + s.ms, 0);
      jsMsPerLead = (ms - sqlMs) / leads.length;
      top = stats.slice(0, 8).map((s) => ({ sql: oneLine(s.sql), calls: s.calls, ms: s.ms }));
      traceBytesPerLead = store.db.prepare('SELECT AVG(LENGTH(routing)) FROM leads').pluck().get() as number;
      console.log(`    in process, ${fmtInt(leads.length)} leads routed: ${fmt(ms, 0)} ms total, of which SQL ${fmt(sqlMs, 0)} ms; JavaScript ${fmt(jsMsPerLead * 1000, 1)} µs per lead`);
      for (const s of top) console.log(`      ${fmt(s.ms, 0).padStart(6)} ms ${String(s.calls).padStart(7)}×  ${s.sql.slice(0, 140)}`);
      console.log(`    routing trace per lead: ${fmtInt(traceBytesPerLead)} bytes of JSON, written twice (leads.routing and the lead.routed event's data)`);
    }
    await store.close();
  }
  rmSync(dir, { recursive: true, force: true });
  for (const [k, v] of Object.entries(rates)) console.log(`    ${k.padEnd(32)} ${fmtInt(v).padStart(7)} leads/s`);
  return { leads: leads.length, rates, traceBytesPerLead, top, jsMsPerLead };
}
