/**
 * Builds (once) a database with N realistic leads in one `pool`-mode pool, 50 reps and a
 * manager, cached under bench/.cache/ and keyed by the schema (the migrations' SQL) so a second
 * run reuses it. The schema comes from the real store (migrate()); the rows are written directly
 * with prepared statements in big transactions, the way the store writes them: the lead, its
 * row in the trigram index `lead_company_fts`, and a `lead.created` event.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { SQLITE_MIGRATIONS, SQLITE_ROLLUP_BACKFILL } from '../src/store/sqlite/migrations.js';
import { SQLITE_INTEGRATION_MIGRATIONS } from '../src/store/sqlite/integration-migrations.js';
import { companyKey } from '../src/core/browse.js';
import { generateDemoLeadsIter } from '../src/demo/demo-leads.js';
import { hashPassword } from '../src/server/passwords.js';
import type { Actor } from '../src/core/types.js';
import { CACHE, progress, progressDone, rng } from './lib.js';

/** Bump when the loader itself changes what it writes. */
const LOADER_VERSION = 2;
export const SEED = 20261127;
export const REPS = 50;
export const PASSWORD = 'bench-password';
export const MANAGER = 'manager@bench.test';
export const repEmail = (i: number) => `rep${i + 1}@bench.test`;
/** Leads arrive over the last 90 days, in id order. */
const SPAN_MS = 90 * 24 * 3600_000;

export interface Probes {
  industry: { common: string; rare: string };
  companySize: string;
  source: string;
  region: string;
  prefix2: { common: string; commonCount: number; rare: string; rareCount: number };
  sub3: { common: string; commonCount: number; rare: string; rareCount: number };
}

export interface BenchDb {
  file: string;
  leads: number;
  poolId: number;
  builtAt: number;
  schemaKey: string;
  probes: Probes;
  buildSeconds: number | null;
}

export function schemaKey(): string {
  return createHash('sha256')
    .update(JSON.stringify([...SQLITE_MIGRATIONS, ...SQLITE_INTEGRATION_MIGRATIONS].map((m) => [m.version, m.sql])) + `|loader${LOADER_VERSION}`)
    .digest('hex')
    .slice(0, 12);
}

const BENCH: Actor = { kind: 'system', name: 'bench loader' };

/** A build goes into a folder of this process's own: two benches building at once never write into one file. */
const buildDir = (dir: string) => `${dir}.building-${process.pid}`;

/** Moves a finished build into place. False when another process got there first: its build is used and ours dropped. */
function publish(tmpDir: string, dir: string): boolean {
  try {
    renameSync(tmpDir, dir);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
    rmSync(tmpDir, { recursive: true, force: true });
    console.log(`${dir}: another process finished building it first; using that one`);
    return false;
  }
}

/** Returns the cached database for `leads`, building it first if needed. */
export async function benchDb(leads: number): Promise<BenchDb> {
  const key = schemaKey();
  const dir = join(CACHE, `db-${key}-${leads}`);
  const file = join(dir, 'leadpool.db');
  const metaFile = join(dir, 'meta.json');
  if (existsSync(metaFile) && existsSync(file)) {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as BenchDb;
    console.log(`database: cached ${file} (${leads.toLocaleString('en')} leads, schema ${key})`);
    return { ...meta, file, buildSeconds: null };
  }
  rmSync(dir, { recursive: true, force: true });
  const tmpDir = buildDir(dir);
  rmSync(tmpDir, { recursive: true, force: true });
  mkdirSync(tmpDir, { recursive: true });
  const tmpFile = join(tmpDir, 'leadpool.db');
  const started = Date.now();
  const builtAt = Date.now();

  // Schema, pool and people through the real store.
  const store = new SqliteStore(tmpFile);
  await store.migrate();
  const { pool } = await store.createPool({ name: 'Bench', mode: 'pool', isDefault: true }, BENCH, builtAt);
  const hash = await hashPassword(PASSWORD);
  await store.createUser({ email: MANAGER, name: 'Bench Manager', role: 'manager', passwordHash: hash }, BENCH, builtAt);
  for (let i = 0; i < REPS; i++) await store.createUser({ email: repEmail(i), name: `Bench Rep ${i + 1}`, role: 'rep', passwordHash: hash }, BENCH, builtAt);
  await store.close();

  // Rows, directly.
  const db = new Database(tmpFile);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -524288');
  db.pragma('temp_store = MEMORY');
  const indexes = db
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('leads', 'events') AND sql IS NOT NULL`)
    .all() as { name: string; sql: string }[];
  for (const ix of indexes) db.exec(`DROP INDEX ${ix.name}`);

  const insLead = db.prepare(
    `INSERT INTO leads (id, pool_id, status, company, company_key, industry, company_size, source, score, region, contact_name, contact_email, contact_phone,
                        external_id, attributes, priority, created_at, available_since, updated_at, listed)
     VALUES (?, ?, 'available', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, 1)`,
  );
  const insFts = db.prepare('INSERT INTO lead_company_fts (rowid, company) VALUES (?, ?)');
  const insEvent = db.prepare(
    `INSERT INTO events (type, at, lead_id, pool_id, actor_kind, actor_id, actor_name, reason, data)
     VALUES ('lead.created', ?, ?, ?, 'system', NULL, 'bench loader', NULL, ?)`,
  );
  const evData = JSON.stringify({ poolId: pool.id, via: 'poolId' });
  const t0 = builtAt - SPAN_MS;
  const step = SPAN_MS / leads;
  const BATCH = 50_000;
  const gen = generateDemoLeadsIter(leads, SEED);
  const writeBatch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const r = gen.next();
      if (r.done) throw new Error('generator ran out');
      const l = r.value;
      const id = i + 1;
      const at = Math.floor(t0 + i * step);
      // As the store writes it (insertLeads): the lower-cased key is what search and the
      // company sort compare, and what the trigram index holds.
      const key = companyKey(l.company);
      insLead.run(
        id,
        pool.id,
        l.company,
        key,
        l.industry,
        l.companySize,
        l.source,
        l.score,
        l.region,
        l.contact.name,
        l.contact.email ?? null,
        l.contact.phone ?? null,
        l.externalId ?? null,
        JSON.stringify(l.attributes ?? {}),
        at,
        at,
        at,
      );
      insFts.run(id, key);
      insEvent.run(at, id, pool.id, evData);
    }
  });
  for (let from = 0; from < leads; from += BATCH) {
    writeBatch(from, Math.min(leads, from + BATCH));
    const done = Math.min(leads, from + BATCH);
    const secs = (Date.now() - started) / 1000;
    progress(`loading leads: ${((done / leads) * 100).toFixed(0)}% (${done.toLocaleString('en')} / ${leads.toLocaleString('en')}, ${secs.toFixed(0)} s)`, true);
  }
  for (const [i, ix] of indexes.entries()) {
    progress(`building indexes: ${i + 1} / ${indexes.length} (${ix.name})`, true);
    db.exec(ix.sql);
  }
  progress('ANALYZE…', true);
  db.exec('ANALYZE');
  progress('choosing probe values…', true);
  const probes = chooseProbes(db, pool.id);
  db.pragma('journal_mode = WAL');
  db.close();
  const buildSeconds = (Date.now() - started) / 1000;
  const meta: BenchDb = { file, leads, poolId: pool.id, builtAt, schemaKey: key, probes, buildSeconds };
  writeFileSync(join(tmpDir, 'meta.json'), JSON.stringify(meta, null, 2));
  if (!publish(tmpDir, dir)) return { ...(JSON.parse(readFileSync(metaFile, 'utf8')) as BenchDb), file, buildSeconds: null };
  progressDone(`database: built ${file} in ${buildSeconds.toFixed(1)} s (${leads.toLocaleString('en')} leads, schema ${key})`);
  return meta;
}

/** Copies the cached database into `dir` (as leadpool.db) for a run that changes it. */
export function copyDb(src: BenchDb, dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const dst = join(dir, 'leadpool.db');
  copyFileSync(src.file, dst);
  // Flush the copy now: otherwise the first fsync SQLite issues (a checkpoint) writes back the
  // whole file and stalls whichever measurement happens to come first.
  const fd = openSync(dst, 'r+');
  fsyncSync(fd);
  closeSync(fd);
  return dst;
}

/** Filter values and search terms with known frequencies: a common and a rare one of each. */
function chooseProbes(db: Database.Database, poolId: number): Probes {
  const mode = (col: string, dir: 'DESC' | 'ASC') =>
    (db.prepare(`SELECT ${col} AS v FROM leads WHERE pool_id = ? GROUP BY 1 ORDER BY COUNT(*) ${dir} LIMIT 1`).get(poolId) as { v: string }).v;
  const prefixes = db
    .prepare(`SELECT substr(company_key, 1, 2) AS p, COUNT(*) AS c FROM leads GROUP BY 1 ORDER BY 2 DESC`)
    .all() as { p: string; c: number }[];
  const ascii = prefixes.filter((r) => /^[a-z]{2}$/.test(r.p));
  const common2 = ascii[0]!;
  const total = prefixes.reduce((s, r) => s + r.c, 0);
  // Rare: a few dozen matches per million (fewer than a page), at least one.
  const want = Math.max(1, Math.round((30 * total) / 1_000_000));
  const rare2 = [...ascii].sort((a, b) => Math.abs(a.c - want) - Math.abs(b.c - want))[0]!;

  const sample = db.prepare(`SELECT company_key FROM leads WHERE id % 20 = 0`).pluck().all() as string[];
  const tri = new Map<string, number>();
  for (const name of sample) {
    const s = name.toLowerCase();
    const seen = new Set<string>();
    for (let i = 0; i + 3 <= s.length; i++) {
      const t = s.slice(i, i + 3);
      if (!/^[a-z]{3}$/.test(t) || seen.has(t)) continue;
      seen.add(t);
      tri.set(t, (tri.get(t) ?? 0) + 1);
    }
  }
  const byCount = [...tri.entries()].sort((a, b) => b[1] - a[1]);
  const count3 = db.prepare(`SELECT COUNT(*) FROM leads WHERE company_key LIKE ?`).pluck();
  const common3 = byCount[0]![0];
  let rare3 = byCount[byCount.length - 1]![0];
  let rare3Count = -1;
  for (const [t] of byCount.filter(([, c]) => c === 1 || c === 2).slice(0, 40)) {
    const c = count3.get(`%${t}%`) as number;
    if (c >= 5 && c <= 100) {
      rare3 = t;
      rare3Count = c;
      break;
    }
  }
  if (rare3Count < 0) rare3Count = count3.get(`%${rare3}%`) as number;
  return {
    industry: { common: mode('industry', 'DESC'), rare: mode('industry', 'ASC') },
    companySize: mode('company_size', 'DESC'),
    source: mode('source', 'DESC'),
    region: mode('region', 'DESC'),
    prefix2: { common: common2.p, commonCount: common2.c, rare: rare2.p, rareCount: rare2.c },
    sub3: { common: common3, commonCount: count3.get(`%${common3}%`) as number, rare: rare3, rareCount: rare3Count },
  };
}

// ------------------------------------------------------------------ history (issue 4's metrics)

/** Bump when the history writer changes what it writes. */
const HISTORY_VERSION = 1;
/** The history's windows (last 7 / 30 days) are relative to now: an older cache is rebuilt. */
const HISTORY_MAX_AGE_MS = 20 * 3600_000;
const DAY_MS = 86_400_000;

export interface HistoryDb extends BenchDb {
  claims: number;
  events: number;
  reviewLeads: number;
  /** Claims whose claimed_at is in the last 7 / 30 days at build time. */
  claimsLast7d: number;
  claimsLast30d: number;
  historySeconds: number | null;
}

/**
 * The bench database plus a history: `claims` claims (default half the leads) over the last
 * 30 days by the 50 reps, with realistic sources, outcomes and first-contact times, the leads'
 * state to match, a few hundred leads waiting for review, and events (created, viewed, claimed /
 * pushed / reassigned, activity, status changes, releases, expiries, refusals) up to
 * `events` (default 5 × the leads), all in time order. Built on a copy of benchDb(leads) and
 * cached next to it.
 */
export async function historyDb(leads: number, opts: { claims?: number; events?: number } = {}): Promise<HistoryDb> {
  const base = await benchDb(leads);
  const nClaims = opts.claims ?? Math.round(leads / 2);
  const nEvents = opts.events ?? leads * 5;
  const key = `${base.schemaKey}-h${HISTORY_VERSION}`;
  const dir = join(CACHE, `history-${key}-${leads}-${nClaims}-${nEvents}`);
  const file = join(dir, 'leadpool.db');
  const metaFile = join(dir, 'meta.json');
  if (existsSync(metaFile) && existsSync(file)) {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as HistoryDb;
    if (Date.now() - meta.builtAt < HISTORY_MAX_AGE_MS) {
      console.log(`history database: cached ${file} (${leads.toLocaleString('en')} leads, ${meta.claims.toLocaleString('en')} claims, ${meta.events.toLocaleString('en')} events)`);
      return { ...meta, file, historySeconds: null };
    }
    console.log(`history database: cached copy is ${((Date.now() - meta.builtAt) / 3600_000).toFixed(0)} h old (windows are relative to now): rebuilding`);
  }
  rmSync(dir, { recursive: true, force: true });
  const tmpDir = buildDir(dir);
  rmSync(tmpDir, { recursive: true, force: true });
  mkdirSync(tmpDir, { recursive: true });
  const tmpFile = join(tmpDir, 'leadpool.db');
  copyFileSync(base.file, tmpFile);
  const started = Date.now();
  const now = Date.now();
  const r = rngF(SEED + 7);

  const db = new Database(tmpFile);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -524288');
  db.pragma('temp_store = MEMORY');

  // The leads as they stand: arrival times (ascending with id), scores, industries.
  const pool = db.prepare('SELECT id, lock_ttl_seconds FROM pools ORDER BY id LIMIT 1').get() as { id: number; lock_ttl_seconds: number };
  const ttl = pool.lock_ttl_seconds * 1000;
  const reps = db.prepare(`SELECT id, name FROM users WHERE role = 'rep' ORDER BY id`).all() as { id: number; name: string }[];
  const manager = db.prepare(`SELECT id, name FROM users WHERE role = 'manager' ORDER BY id LIMIT 1`).get() as { id: number; name: string };
  const createdAt = new Float64Array(leads + 1);
  const score = new Uint8Array(leads + 1);
  const industryOf = new Uint8Array(leads + 1);
  const industries: string[] = [];
  const industryIdx = new Map<string, number>();
  const scoreHist = new Float64Array(101);
  for (const row of db.prepare('SELECT id, created_at, score, industry FROM leads ORDER BY id').raw().iterate() as IterableIterator<[number, number, number, string]>) {
    const [id, at, sc, ind] = row;
    createdAt[id] = at;
    score[id] = sc;
    let k = industryIdx.get(ind);
    if (k === undefined) industryIdx.set(ind, (k = industries.push(ind) - 1));
    industryOf[id] = k;
    scoreHist[sc]!++;
  }
  const below = new Float64Array(101); // share of leads scoring under s
  for (let s = 1; s <= 100; s++) below[s] = below[s - 1]! + scoreHist[s - 1]! / leads;
  const indCount = new Float64Array(industries.length);
  for (let id = 1; id <= leads; id++) indCount[industryOf[id]!]!++;
  // Time → the newest lead that had arrived by then (leads arrive in id order).
  const leadAt = (t: number) => {
    let lo = 1;
    let hi = leads;
    if (createdAt[1]! > t) return 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (createdAt[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };

  // ---- claims
  progress('history: drawing claims…', true);
  const repWeight = reps.map((_, i) => 0.4 + 1.2 * ((i * 37) % 50) / 49); // some reps claim 4x as much as others
  const repPicky = reps.map((_, i) => ((i * 53) % 50) / 49); // how strongly a rep cherry-picks
  const wSum = repWeight.reduce((a, b) => a + b, 0);
  const drawRep = () => {
    let x = r() * wSum;
    for (let i = 0; i < reps.length; i++) if ((x -= repWeight[i]!) < 0) return i;
    return reps.length - 1;
  };
  const taken = new Uint8Array(leads + 1);
  const c = {
    lead: new Int32Array(nClaims),
    rep: new Int16Array(nClaims),
    source: new Uint8Array(nClaims),
    at: new Float64Array(nClaims),
    contact: new Float64Array(nClaims), // 0 = none
    ended: new Float64Array(nClaims),
    endReason: new Uint8Array(nClaims), // 0 none, 1 released, 2 expired
    outcome: new Uint8Array(nClaims), // 0 none, 1 qualified, 2 disqualified, 3 converted
    outcomeAt: new Float64Array(nClaims),
    activities: new Uint8Array(nClaims),
  };
  const SOURCES = ['pool', 'cherry_pick', 'pushed', 'escalated', 'manager'] as const;
  const END = [null, 'released', 'expired'] as const;
  const OUTCOME = [null, 'qualified', 'disqualified', 'converted'] as const;
  const from = now - 30 * DAY_MS;
  const logn = (median: number, sigma: number) => median * Math.exp(sigma * gauss(r));
  let made = 0;
  while (made < nClaims) {
    // Claimed mostly in working hours (07–18 UTC), on any day of the window.
    let at = from + r() * (now - 60_000 - from);
    const h = new Date(at).getUTCHours();
    if ((h < 7 || h >= 18) && r() < 0.85) continue;
    at = Math.floor(at);
    const sRoll = r();
    const src = sRoll < 0.62 ? 0 : sRoll < 0.8 ? 1 : sRoll < 0.92 ? 2 : sRoll < 0.97 ? 3 : 4;
    // Arrival to claim: minutes for pushed leads, hours to days for browsed ones.
    const delay = src === 2 ? logn(30_000, 1) : src === 3 ? logn(1_800_000, 0.5) : logn(4 * 3600_000, 1.8);
    let id = leadAt(at - delay);
    if (id === 0) continue;
    // A browsing rep looks at a few neighbours and picks the best score (how hard depends on the rep).
    const rep = drawRep();
    const look = src === 0 || src === 1 ? 1 + Math.floor(repPicky[rep]! * 12 * r()) : 1;
    let best = 0;
    for (let k = 0, seen = 0; id > 0 && seen < look && k < 200; k++, id--) {
      if (taken[id]) continue;
      seen++;
      if (best === 0 || score[id]! > score[best]!) best = id;
    }
    if (best === 0) continue;
    taken[best] = 1;
    const i = made++;
    c.lead[i] = best;
    c.rep[i] = rep;
    c.source[i] = src;
    c.at[i] = at;
    const fate = r();
    const contactAt = at + Math.max(30_000, logn(src === 2 ? 8 * 60_000 : 25 * 60_000, 1.2));
    if (fate < 0.07 || contactAt > now) {
      // Never worked: the lock expired (or is still running).
      if (at + ttl <= now) {
        c.ended[i] = at + ttl;
        c.endReason[i] = 2;
      }
    } else if (fate < 0.12) {
      // Released, half of them after a first try.
      const end = at + Math.max(60_000, logn(40 * 60_000, 1));
      if (end <= now) {
        if (r() < 0.5 && contactAt < end) {
          c.contact[i] = contactAt;
          c.activities[i] = 1;
        }
        c.ended[i] = end;
        c.endReason[i] = 1;
      } else {
        c.contact[i] = contactAt;
        c.activities[i] = 1;
      }
    } else {
      c.contact[i] = contactAt;
      c.activities[i] = 1 + Math.floor(r() * 3);
      const oAt = contactAt + logn(2 * DAY_MS, 1);
      if (oAt < now) {
        const o = r();
        // Better leads convert more often.
        const conv = 0.04 + (score[best]! / 100) * 0.12;
        c.outcome[i] = o < conv ? 3 : o < 0.4 ? 1 : o < 0.75 ? 2 : 0;
        if (c.outcome[i]) c.outcomeAt[i] = oAt;
      }
    }
  }

  // ---- review queue: a few hundred unclaimed leads routed to manager review
  const reviewLeads: number[] = [];
  for (let k = 0; reviewLeads.length < Math.min(300, Math.floor(leads / 200)) && k < leads * 2; k++) {
    const id = 1 + Math.floor(r() * leads);
    if (!taken[id]) {
      taken[id] = 2;
      reviewLeads.push(id);
    }
  }

  // ---- the events: everything a claim causes, views, refusals; lead.created from the leads
  const perClaim = (i: number) => 1 + c.activities[i]! + (c.outcome[i] ? 1 : 0) + (c.endReason[i] ? 1 : 0);
  let claimEvents = 0;
  for (let i = 0; i < nClaims; i++) claimEvents += perClaim(i);
  const refusals = Math.round(nClaims * 0.03);
  const views = Math.max(0, nEvents - leads - claimEvents - refusals);
  const nOther = claimEvents + refusals + views;
  if (nOther >= 2 ** 24) throw new Error('history: too many events for the sort key');
  // Kind: 0 claimed/pushed/reassigned, 1 activity, 2 status, 3 end, 4 refusal, 5 view.
  const evKind = new Uint8Array(nOther);
  const evRef = new Int32Array(nOther); // claim index, or lead id for views
  const evRep = new Int16Array(nOther);
  const evAt = new Float64Array(nOther);
  const evN = new Uint8Array(nOther); // which activity
  let e = 0;
  for (let i = 0; i < nClaims; i++) {
    const push = (kind: number, at: number, n = 0) => {
      evKind[e] = kind;
      evRef[e] = i;
      evRep[e] = c.rep[i]!;
      evAt[e] = at;
      evN[e++] = n;
    };
    push(0, c.at[i]!);
    const stop = c.outcome[i] ? c.outcomeAt[i]! : c.endReason[i] ? c.ended[i]! : now;
    for (let a = 0; a < c.activities[i]!; a++) push(1, a === 0 ? c.contact[i]! : Math.floor(c.contact[i]! + (stop - c.contact[i]!) * r()), a);
    if (c.outcome[i]) push(2, c.outcomeAt[i]!);
    if (c.endReason[i]) push(3, c.ended[i]!);
  }
  for (let k = 0; k < refusals; k++) {
    const at = Math.floor(from + r() * (now - from));
    evKind[e] = 4;
    evRef[e] = Math.max(1, leadAt(at));
    evRep[e] = drawRep();
    evAt[e] = at;
    evN[e++] = Math.floor(r() * 3);
  }
  for (let k = 0; k < views; k++) {
    const at = Math.floor(from + r() * (now - from));
    const newest = leadAt(at);
    evKind[e] = 5;
    evRef[e] = Math.max(1, newest - Math.floor(r() * Math.min(newest, leads / 10)));
    evRep[e] = drawRep();
    evAt[e] = at;
    evN[e++] = 1 + Math.floor(r() * 8);
  }
  progress(`history: sorting ${nOther.toLocaleString('en')} events by time…`, true);
  const T0 = createdAt[1]! - 1000;
  const order = new Float64Array(nOther);
  for (let k = 0; k < nOther; k++) order[k] = Math.floor((evAt[k]! - T0) / 1000) * 2 ** 24 + k;
  order.sort();

  // ---- write: drop what indexes and guards the tables, rewrite events, update leads, insert claims
  progress('history: writing…', true);
  const schema = db
    .prepare(`SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ('leads', 'events', 'claims') AND type IN ('index', 'trigger') AND sql IS NOT NULL`)
    .all() as { type: string; name: string; sql: string }[];
  for (const s of schema) db.exec(`DROP ${s.type.toUpperCase()} ${s.name}`);
  const eventsSql = (db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'events'`).get() as { sql: string }).sql;
  db.exec('DROP TABLE events');
  db.exec(eventsSql);

  const insEvent = db.prepare(
    `INSERT INTO events (type, at, lead_id, pool_id, actor_kind, actor_id, actor_name, reason, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const createdData = JSON.stringify({ poolId: pool.id, via: 'poolId' });
  const ACT = ['call', 'email', 'meeting', 'note'];
  const RULES = ['RULE_HOARDING_LIMIT', 'RULE_DIVERSITY', 'RULE_DAILY_CAP'];
  let written = 0;
  const writeOther = (k: number) => {
    const kind = evKind[k]!;
    const at = evAt[k]!;
    const rep = reps[evRep[k]!]!;
    if (kind === 5) {
      insEvent.run('lead.viewed', at, evRef[k]!, pool.id, 'user', rep.id, rep.name, null, `{"viewsSinceClaim":${evN[k]},"limit":null}`);
      return;
    }
    if (kind === 4) {
      const rule = RULES[evN[k]!]!;
      insEvent.run('lead.claim_refused', at, evRef[k]!, pool.id, 'user', rep.id, rep.name, `Refused by ${rule}`, JSON.stringify({ rule, current: 10, limit: 10, unblock: 'Log contact on one of your open leads.' }));
      return;
    }
    const i = evRef[k]!;
    const lead = c.lead[i]!;
    const src = SOURCES[c.source[i]!];
    if (kind === 0) {
      const lock = at + ttl;
      if (src === 'pushed' || src === 'escalated') {
        insEvent.run('lead.pushed', at, lead, pool.id, 'system', null, 'router', null, JSON.stringify({ ownerId: rep.id, lockExpiresAt: lock, source: src }));
      } else if (src === 'manager') {
        insEvent.run('lead.reassigned', at, lead, pool.id, 'user', manager.id, manager.name, 'bench', JSON.stringify({ previousOwnerId: null, previousStatus: 'available', ownerId: rep.id, lockExpiresAt: lock }));
      } else {
        insEvent.run('lead.claimed', at, lead, pool.id, 'user', rep.id, rep.name, null, JSON.stringify({ ownerId: rep.id, source: src, lockExpiresAt: lock }));
      }
    } else if (kind === 1) {
      const first = evN[k] === 0;
      insEvent.run('lead.activity', at, lead, pool.id, 'user', rep.id, rep.name, first ? 'First call' : null, JSON.stringify({ activity: ACT[(i + evN[k]!) % 4], from: first ? 'claimed' : 'contacted', to: 'contacted', firstContact: first }));
    } else if (kind === 2) {
      insEvent.run('lead.status_changed', at, lead, pool.id, 'user', rep.id, rep.name, null, JSON.stringify({ from: 'contacted', to: OUTCOME[c.outcome[i]!] }));
    } else {
      const why = END[c.endReason[i]!]!;
      const prev = c.contact[i] ? 'contacted' : 'claimed';
      if (why === 'expired') insEvent.run('lead.expired', at, lead, pool.id, 'system', null, 'lock timer', null, JSON.stringify({ previousOwnerId: rep.id, previousStatus: prev }));
      else insEvent.run('lead.released', at, lead, pool.id, 'user', rep.id, rep.name, null, JSON.stringify({ previousOwnerId: rep.id, previousStatus: prev }));
    }
  };
  const CHUNK = 200_000;
  let nextLead = 1;
  let o = 0;
  const writeChunk = db.transaction(() => {
    const stopAt = written + CHUNK;
    while (written < stopAt && (nextLead <= leads || o < nOther)) {
      const k = o < nOther ? order[o]! % 2 ** 24 : -1;
      if (nextLead <= leads && (k < 0 || createdAt[nextLead]! <= evAt[k]!)) {
        insEvent.run('lead.created', createdAt[nextLead]!, nextLead, pool.id, 'system', null, 'bench loader', null, createdData);
        nextLead++;
      } else {
        writeOther(k);
        o++;
      }
      written++;
    }
  });
  while (nextLead <= leads || o < nOther) {
    writeChunk();
    progress(`history: events ${((written / (leads + nOther)) * 100).toFixed(0)}% (${written.toLocaleString('en')}, ${((Date.now() - started) / 1000).toFixed(0)} s)`, true);
  }

  const insClaim = db.prepare(
    `INSERT INTO claims (lead_id, user_id, pool_id, source, claimed_at, lead_created_at, score, industry, score_percentile, industry_share,
                         first_contact_at, ended_at, end_reason, outcome, outcome_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const setLead = db.prepare(
    `UPDATE leads SET status = ?, owner_id = ?, claimed_at = ?, claim_source = ?, lock_expires_at = ?, contacted_at = ?, closed_at = ?, available_since = ?, updated_at = ? WHERE id = ?`,
  );
  const setReview = db.prepare(`UPDATE leads SET status = 'review', updated_at = ? WHERE id = ?`);
  // Claims in time order, as they would have been inserted.
  const byTime = Array.from({ length: nClaims }, (_, i) => i).sort((a, b) => c.at[a]! - c.at[b]!);
  let claims7 = 0;
  db.transaction(() => {
    for (const i of byTime) {
      const lead = c.lead[i]!;
      const at = c.at[i]!;
      if (at >= now - 7 * DAY_MS) claims7++;
      const ind = industryOf[lead]!;
      const contact = c.contact[i] || null;
      const ended = c.ended[i] || null;
      const outcome = OUTCOME[c.outcome[i]!];
      insClaim.run(lead, reps[c.rep[i]!]!.id, pool.id, SOURCES[c.source[i]!], at, createdAt[lead]!, score[lead]!, industries[ind]!,
        below[score[lead]!]!, indCount[ind]! / leads, contact, ended, END[c.endReason[i]!], outcome, outcome ? c.outcomeAt[i]! : null);
      const rep = reps[c.rep[i]!]!.id;
      const src = SOURCES[c.source[i]!];
      if (ended !== null) setLead.run('available', null, null, null, null, null, null, ended, ended, lead);
      else if (outcome) setLead.run(outcome, rep, at, src, null, contact, outcome === 'qualified' ? null : c.outcomeAt[i]!, createdAt[lead]!, c.outcomeAt[i]!, lead);
      else if (contact !== null) setLead.run('contacted', rep, at, src, null, contact, null, createdAt[lead]!, contact, lead);
      else setLead.run(src === 'pushed' || src === 'escalated' || src === 'manager' ? 'assigned' : 'claimed', rep, at, src, at + ttl, null, null, createdAt[lead]!, at, lead);
    }
    for (const id of reviewLeads) setReview.run(now - Math.floor(r() * DAY_MS), id);
  })();
  // The measurement rollup from the claims just written (its triggers were off while writing).
  progress('history: measurement rollup…', true);
  db.exec(SQLITE_ROLLUP_BACKFILL);
  for (const [k, s] of schema.entries()) {
    progress(`history: indexes and triggers ${k + 1} / ${schema.length} (${s.name})`, true);
    db.exec(s.sql);
  }
  progress('history: ANALYZE…', true);
  db.exec('ANALYZE');
  db.pragma('journal_mode = WAL');
  const total = (db.prepare('SELECT COUNT(*) FROM events').pluck().get() as number);
  db.close();
  const historySeconds = (Date.now() - started) / 1000;
  const meta: HistoryDb = {
    ...base,
    file,
    builtAt: now,
    buildSeconds: null,
    claims: nClaims,
    events: total,
    reviewLeads: reviewLeads.length,
    claimsLast7d: claims7,
    claimsLast30d: nClaims,
    historySeconds,
  };
  writeFileSync(join(tmpDir, 'meta.json'), JSON.stringify(meta, null, 2));
  if (!publish(tmpDir, dir)) return { ...(JSON.parse(readFileSync(metaFile, 'utf8')) as HistoryDb), file, historySeconds: null };
  progressDone(`history database: built ${file} in ${historySeconds.toFixed(1)} s (${nClaims.toLocaleString('en')} claims, ${total.toLocaleString('en')} events)`);
  return meta;
}

/** xorshift-style uniform [0, 1) (lib.rng), and a standard normal by Box–Muller. */
function rngF(seed: number): () => number {
  return rng(seed);
}
function gauss(r: () => number): number {
  const u = Math.max(1e-12, r());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}
