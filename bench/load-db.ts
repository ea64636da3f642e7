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
import { SQLITE_MIGRATIONS } from '../src/store/sqlite/migrations.js';
import { generateDemoLeadsIter } from '../src/demo/demo-leads.js';
import { hashPassword } from '../src/server/passwords.js';
import type { Actor } from '../src/core/types.js';
import { CACHE, progress, progressDone } from './lib.js';

/** Bump when the loader itself changes what it writes. */
const LOADER_VERSION = 1;
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
    .update(JSON.stringify(SQLITE_MIGRATIONS.map((m) => [m.version, m.sql])) + `|loader${LOADER_VERSION}`)
    .digest('hex')
    .slice(0, 12);
}

const BENCH: Actor = { kind: 'system', name: 'bench loader' };

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
  const tmpDir = `${dir}.building`;
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
    `INSERT INTO leads (id, pool_id, status, company, industry, company_size, source, score, region, contact_name, contact_email, contact_phone,
                        external_id, attributes, priority, created_at, available_since, updated_at)
     VALUES (?, ?, 'available', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`,
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
      insLead.run(
        id,
        pool.id,
        l.company,
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
      insFts.run(id, l.company);
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
  renameSync(tmpDir, dir);
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
    .prepare(`SELECT lower(substr(company, 1, 2)) AS p, COUNT(*) AS c FROM leads GROUP BY 1 ORDER BY 2 DESC`)
    .all() as { p: string; c: number }[];
  const ascii = prefixes.filter((r) => /^[a-z]{2}$/.test(r.p));
  const common2 = ascii[0]!;
  const total = prefixes.reduce((s, r) => s + r.c, 0);
  // Rare: a few dozen matches per million (fewer than a page), at least one.
  const want = Math.max(1, Math.round((30 * total) / 1_000_000));
  const rare2 = [...ascii].sort((a, b) => Math.abs(a.c - want) - Math.abs(b.c - want))[0]!;

  const sample = db.prepare(`SELECT company FROM leads WHERE id % 20 = 0`).pluck().all() as string[];
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
  const count3 = db.prepare(`SELECT COUNT(*) FROM leads WHERE company LIKE ?`).pluck();
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
