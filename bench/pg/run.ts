/**
 * PostgreSQL measurements of issue 5, each with its baseline from the same run:
 *
 * - ingest: 1,000-lead batches through PostgresStore.insertLeads (target ≥ 25,000 leads/s);
 * - browse p50/p99 on the full queue (target p99 < 20 ms);
 * - claim-next through three real `leadpool serve` instances over HTTP, against the bare
 *   claim statement issued with `pg` from as many connections as the instances hold
 *   (target ratio ≥ 0.7); for information also the batched statement the instances issue
 *   under load, bare;
 * - sustained: ten back-to-back claim-next runs (PostgresStore.claimNext) on the queue, the
 *   decay from the first to the last (target ≤ 20%);
 * - the peer: graphile-worker 0.16 working through a backlog as large as the queue the first
 *   sustained run starts from, timed over as many jobs as that run claims, with as many
 *   connections (Leadpool should be the faster).
 *
 * `runPgBench(opts)` prints as it goes and returns the figures; bench/run.ts calls it, and
 * `node --import tsx bench/pg/run.ts [--leads N] [--quick]` runs it alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PostgresStore, CLAIM_NEXT_SQL, CLAIM_NEXT_BATCH_SQL } from '../../src/store/postgres/pg-store.js';
import { graphileWorkerDrain } from './peer-graphile.js';
import { Conn } from '../http-load.js';
import { leadpoolCommand } from '../lib.js';
import { newToken, tokenHash } from '../../src/server/tokens.js';
import type { LeadInput } from '../../src/core/lead-input.js';
import type { Actor } from '../../src/core/types.js';
import type { BrowseQuery } from '../../src/core/browse.js';
import { cursorValue } from '../../src/store/browse-query.js';
import type { UserActor } from '../../src/store/store.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SYSTEM: Actor = { kind: 'system', name: 'pg bench' };

export interface PgBenchOptions {
  /** Server to create the scratch database on. Default: LEADPOOL_TEST_PG, else postgres://postgres@127.0.0.1:5432/test. */
  adminUrl?: string;
  /** Leads in the queue. Default 1,000,000. */
  leads?: number;
  /** Seconds of each side of the claim-next comparison. Default 8. */
  claimSeconds?: number;
  /** Uncounted seconds of claims before each side of the comparison is measured. Default 3. */
  warmSeconds?: number;
  /** Claims in each of the ten sustained runs. Default 50,000. */
  claimsPerRun?: number;
  /** Sustained runs. Default 10. */
  runs?: number;
  /** Database connections in all: the three instances share them, the bare statement uses as many. Default 15. */
  connections?: number;
  /** HTTP clients against the three instances in all. Default 48. */
  httpClients?: number;
  /** Keep the scratch database afterwards. Default false. */
  keep?: boolean;
  log?: (line: string) => void;
}

export interface PgBenchResult {
  database: string;
  leads: number;
  /** rowsPerSec: two clients at once; oneClient: one sending batch after batch. */
  ingest: { rowsPerSec: number; oneClient: number };
  browse: { name: string; p50: number; p99: number; n: number }[];
  /** bareBatchRate: the batched statement the instances issue under load, bare (information). */
  claimNext: { bareRate: number; bareBatchRate: number; instancesRate: number; ratio: number; connections: number; httpClients: number };
  sustained: { rates: number[]; lossPct: number; claimsPerRun: number };
  peer: { graphileWorker: { backlog: number; jobs: number; perSecond: number; leadpoolPerSecond: number; ratio: number } };
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
const f0 = (n: number) => Math.round(n).toLocaleString('en');
const f2 = (n: number) => n.toFixed(2);

const INDUSTRIES = ['Software', 'Retail', 'Banking', 'Logistics', 'Health', 'Energy', 'Media', 'Construction', 'Insurance', 'Telecom'];
const WORDS = ['Nord', 'Süd', 'Alpha', 'Berg', 'Werk', 'Tech', 'Bau', 'Logistik', 'Handel', 'Systeme', 'Data', 'Grün', 'Blau', 'Stahl', 'Holz', 'Quokka'];
const SIZES = ['1-10', '11-50', '51-200', '201-1000', '1001-5000', '5000+'] as const;

/** A deterministic lead like the demo's (~400 bytes a row). */
export function benchLead(i: number): LeadInput {
  const r = (k: number) => ((i * 2654435761 + k * 40503) >>> 0) % 1_000_003;
  const w = (k: number) => WORDS[r(k) % WORDS.length]!;
  return {
    company: `${w(1)}${w(2).toLowerCase()} ${w(3)} ${r(4) % 997} GmbH`,
    industry: INDUSTRIES[r(5) % INDUSTRIES.length]!,
    companySize: SIZES[r(6) % SIZES.length]!,
    source: ['Website form', 'Trade fair', 'Referral', 'Cold list'][r(7) % 4]!,
    score: r(8) % 101,
    region: ['DACH-Nord', 'DACH-Süd', 'Benelux', 'Nordics'][r(9) % 4]!,
    contact: { name: `Kontakt ${i}`, email: `kontakt${i}@firma${i}.example`, phone: `+49 30 ${100000 + (r(10) % 899999)}` },
    externalId: `bench-${i}`,
    priority: r(11) % 50 === 0 ? 5 : 0,
    attributes: { crmId: `C-${i}`, campaign: `Q${(r(12) % 4) + 1}` },
  };
}

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

interface Instance {
  proc: ChildProcess;
  url: string;
}

async function startInstance(database: string, dataDir: string, poolSize: number): Promise<Instance> {
  const env: NodeJS.ProcessEnv = { ...process.env, LEADPOOL_PG_POOL_SIZE: String(poolSize) };
  for (const k of ['PORT', 'HOST', 'LEADPOOL_DATA', 'LOG_LEVEL', 'DATABASE_URL']) delete env[k];
  const proc = spawn(
    process.execPath,
    [...leadpoolCommand().args, 'serve', '--port', '0', '--host', '127.0.0.1', '--data', dataDir, '--database', database, '--no-demo', '--log-level', 'error'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env },
  );
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`instance did not start:\n${out}`)), 30_000);
    proc.stdout!.on('data', () => {
      const m = /Leadpool is running at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    });
    proc.once('exit', (code) => rej(new Error(`instance exited (${code}):\n${out}`)));
  });
  return { proc, url };
}

/**
 * `clients` closed loops of `step` (true: one claim; a number: that many): first `warm`
 * seconds uncounted (JIT, connections, prepared statements and caches settle, as in a server
 * that has been up a while), then the claims per second over `seconds`.
 */
async function warmThenMeasure(warm: number, seconds: number, clients: number, step: (client: number) => Promise<boolean | number>): Promise<number> {
  let n = 0;
  let counting = false;
  const start = performance.now();
  const measureFrom = start + warm * 1000;
  const until = measureFrom + seconds * 1000;
  setTimeout(() => (counting = true), warm * 1000);
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      while (performance.now() < until) {
        const claimed = Number(await step(i));
        if (counting) n += claimed;
      }
    }),
  );
  return n / ((performance.now() - measureFrom) / 1000);
}

async function vacuum(url: string): Promise<void> {
  await admin(url, (c) => c.query('VACUUM (ANALYZE) leads'));
}

/** Runs the whole measurement on a scratch database; prints figures and ratios. */
export async function runPgBench(opts: PgBenchOptions = {}): Promise<PgBenchResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const adminUrl = opts.adminUrl ?? process.env.LEADPOOL_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
  const leads = opts.leads ?? 1_000_000;
  const claimSeconds = opts.claimSeconds ?? 8;
  const warmSeconds = opts.warmSeconds ?? 3;
  const claimsPerRun = opts.claimsPerRun ?? 50_000;
  const runs = opts.runs ?? 10;
  const connections = opts.connections ?? 15;
  const httpClients = opts.httpClients ?? 48;
  const name = `leadpool_bench_${randomBytes(4).toString('hex')}`;
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = withDatabase(adminUrl, name);
  const store = new PostgresStore({ connectionString: url, poolSize: connections });
  const instances: Instance[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'leadpool-pgbench-'));
  log(`pg bench: database ${name}, ${f0(leads)} leads, ${connections} connections; instances run the ${leadpoolCommand().label}`);
  try {
    await store.migrate();
    // The sustained runs depend on them: say so next to the figures.
    for (const w of await store.settingWarnings()) log(`  server setting: ${w}`);
    const queue = (await store.createPool({ name: 'Bench queue', mode: 'queue', lockTtlSeconds: 3600 }, SYSTEM, Date.now())).pool.id;

    // ---------------------------------------------------------------- ingest
    const at = Date.now() - 48 * 3600_000;
    // The first half as one client sending batch after batch, the second as two at once (as two
    // instances or two callers of the batch route would): both rates are printed.
    const ingestPart = async (from: number, to: number, streams: number): Promise<number> => {
      const t0 = performance.now();
      let next = from;
      await Promise.all(
        Array.from({ length: streams }, async () => {
          for (let i = (next += 1000) - 1000; i < to; i = (next += 1000) - 1000) {
            const batch = Array.from({ length: Math.min(1000, to - i) }, (_, k) => benchLead(i + k));
            // Arrival spread over two days, oldest first, so age filters and the queue order mean something.
            await store.insertLeads(batch, queue, SYSTEM, at + Math.floor((i / leads) * 47 * 3600_000));
            if (i % 100_000 === 0 && i > 0) log(`  ingested ${f0(i)}…`);
          }
        }),
      );
      return (to - from) / ((performance.now() - t0) / 1000);
    };
    const half = Math.floor(leads / 2000) * 1000;
    const ingestOne = await ingestPart(0, half, 1);
    const ingestTwo = await ingestPart(half, leads, 2);
    const ingestRate = ingestTwo;
    log(`ingest: ${f0(ingestOne)} leads/s from one client, ${f0(ingestTwo)} leads/s from two at once (1,000-lead batches through insertLeads; target ≥ 25,000)`);
    await vacuum(url);

    // ---------------------------------------------------------------- browse
    const now = Date.now();
    const base = { limit: 50 } as const;
    const queries: [string, BrowseQuery][] = [
      ['all, score desc', { ...base, sort: 'score', order: 'desc' }],
      ['oldest first', { ...base, sort: 'age', order: 'desc' }],
      ['industry + size + source + score range, newest', { ...base, sort: 'age', order: 'asc', industry: ['Retail'], companySize: ['11-50'], source: ['Referral'], minScore: 40, maxScore: 80 }],
      ['score ≥ 90, oldest first', { ...base, sort: 'age', order: 'desc', minScore: 90 }],
      ['company A→Z', { ...base, sort: 'company', order: 'asc' }],
      ['company prefix "be"', { ...base, sort: 'score', order: 'desc', q: 'be' }],
      ['company substring "logistik" (common)', { ...base, sort: 'score', order: 'desc', q: 'logistik' }],
      ['company substring "quokkasüd" (1 in 256)', { ...base, sort: 'score', order: 'desc', q: 'quokkasüd' }],
      ['company substring "quokkasüd bau 7" (rare)', { ...base, sort: 'score', order: 'desc', q: 'quokkasüd bau 7' }],
    ];
    const browse: PgBenchResult['browse'] = [];
    for (const [label, q] of queries) {
      const times: number[] = [];
      let page = await store.browse(queue, q, now); // warm
      for (let i = 0; i < 200; i++) {
        // Alternate first pages and a cursor page, as a person paging does.
        const cursorQ = i % 2 === 1 && page.items.length ? withCursor(q, page.items[page.items.length - 1]!) : q;
        const s = performance.now();
        page = await store.browse(queue, cursorQ, now);
        times.push(performance.now() - s);
        if (i % 2 === 1) page = await store.browse(queue, q, now);
      }
      times.sort((a, b) => a - b);
      browse.push({ name: label, p50: pct(times, 50), p99: pct(times, 99), n: times.length });
      log(`browse ${label}: p50 ${f2(pct(times, 50))} ms, p99 ${f2(pct(times, 99))} ms`);
    }
    const worstP99 = Math.max(...browse.map((b) => b.p99));
    log(`browse: worst p99 ${f2(worstP99)} ms (target < 20)`);

    // ---------------------------------------------------------------- reps
    const reps: UserActor[] = [];
    const tokens: string[] = [];
    for (let i = 0; i < Math.max(httpClients, connections); i++) {
      const u = await store.createUser({ email: `bench${i}@pg.bench`, name: `Bench ${i}`, role: 'rep', passwordHash: null }, SYSTEM, now);
      const token = newToken('lps');
      await store.createSession({ tokenHash: tokenHash(token), userId: u.id, expiresAt: now + 24 * 3600_000 }, now);
      reps.push({ kind: 'user', userId: u.id, role: 'rep', name: u.name });
      tokens.push(token);
    }

    // ---------------------------------------------------------------- bare statement
    await vacuum(url);
    const bareRate = await (async () => {
      const pool = new pg.Pool({ connectionString: url, max: connections });
      const rate = await warmThenMeasure(warmSeconds, claimSeconds, connections, async (i) => {
        const rep = reps[i]!;
        // The very statement (and, like the store, a named prepared statement) the store issues.
        const r = await pool.query({ name: 'leadpool_claim_next', text: CLAIM_NEXT_SQL, values: [queue, rep.userId, Date.now(), rep.name, true, false] });
        return r.rows[0]?.id != null;
      });
      await pool.end();
      return rate;
    })();
    log(`claim-next, bare statement with pg, ${connections} connections: ${f0(bareRate)} claims/s`);

    // Information: under load the instances batch take-next calls (two statements per instance
    // at a time, so six here, each for about 48 / 6 = 8 reps). The same batched statement, bare,
    // shows what the HTTP layer and the instances cost on top of it.
    await vacuum(url);
    const batchConns = 6;
    const perBatch = Math.max(1, Math.floor(httpClients / batchConns));
    const bareBatchRate = await (async () => {
      const pool = new pg.Pool({ connectionString: url, max: batchConns });
      const rate = await warmThenMeasure(warmSeconds, claimSeconds, batchConns, async (i) => {
        const group = reps.slice(i * perBatch, (i + 1) * perBatch);
        const r = await pool.query({
          name: 'leadpool_claim_next_batch',
          text: CLAIM_NEXT_BATCH_SQL,
          values: [queue, group.map((g) => g.userId), Date.now(), group.map((g) => g.name), true, false],
        });
        return r.rows.filter((x: { id: unknown }) => x.id != null).length;
      });
      await pool.end();
      return rate;
    })();
    log(`claim-next, the batched statement bare with pg (information), ${batchConns} connections × ${perBatch} reps: ${f0(bareBatchRate)} claims/s`);

    // ---------------------------------------------------------------- three instances over HTTP
    await vacuum(url);
    const per = Math.max(1, Math.round(connections / 3));
    instances.push(...(await Promise.all([0, 1, 2].map(() => startInstance(url, dataDir, per)))));
    const instancesRate = await (async () => {
      // The lean raw-socket client of the SQLite bench (bench/http-load.ts): node:http's client
      // took CPU from the servers and the database on this 2-core machine.
      const conns = Array.from({ length: httpClients }, (_, i) => new Conn(new URL(instances[i % 3]!.url)));
      const path = `/api/v1/pools/${queue}/next`;
      try {
        let errors = 0;
        const rate = await warmThenMeasure(warmSeconds, claimSeconds, conns.length, async (i) => {
          const { status } = await conns[i]!.request({ method: 'POST', path, token: tokens[i]! });
          if (status !== 200) errors++;
          return status === 200;
        });
        if (errors) log(`  (${errors} non-200 answers)`);
        return rate;
      } finally {
        for (const c of conns) c.close();
      }
    })();
    const ratio = instancesRate / bareRate;
    log(`claim-next, three instances over HTTP, ${httpClients} clients, ${per} connections each: ${f0(instancesRate)} claims/s`);
    log(`claim-next ratio instances / bare: ${f2(ratio)} (target ≥ 0.70)`);
    for (const s of instances) s.proc.kill('SIGTERM');

    // ---------------------------------------------------------------- sustained runs
    // The queue Leadpool's first run starts from is the backlog the peer gets (issue 5: "the same size of backlog").
    const backlog = await admin(url, async (c) => Number((await c.query(`SELECT count(*) AS n FROM leads WHERE pool_id = $1 AND status = 'available'`, [queue])).rows[0].n));
    const rates: number[] = [];
    const runner = new PostgresStore({ connectionString: url, poolSize: connections });
    try {
      for (let run = 0; run < runs; run++) {
        let n = 0;
        const started = performance.now();
        await Promise.all(
          Array.from({ length: connections }, async (_, i) => {
            const rep = reps[i]!;
            while (n < claimsPerRun) {
              n++;
              if ((await runner.claimNext(queue, rep, Date.now())) === null) return;
            }
          }),
        );
        const rate = n / ((performance.now() - started) / 1000);
        rates.push(rate);
        log(`sustained run ${run + 1}/${runs}: ${f0(rate)} claims/s (${f0(claimsPerRun)} claims, PostgresStore.claimNext, ${connections} connections)`);
      }
    } finally {
      await runner.close();
    }
    const lossPct = ((rates[0]! - rates[rates.length - 1]!) / rates[0]!) * 100;
    log(`sustained: first ${f0(rates[0]!)} → last ${f0(rates[rates.length - 1]!)} claims/s, loss ${f2(lossPct)}% (target ≤ 20%)`);

    // ---------------------------------------------------------------- the peer
    const g = await graphileWorkerDrain(url, backlog, Math.min(claimsPerRun, backlog), connections, log);
    const peer = { backlog: g.backlog, jobs: g.jobs, perSecond: g.perSecond, leadpoolPerSecond: rates[0]!, ratio: rates[0]! / g.perSecond };
    log(
      `peer: graphile-worker 0.16 did ${f0(g.jobs)} jobs of a ${f0(g.backlog)}-job backlog at ${f0(g.perSecond)} jobs/s with ${connections} connections; ` +
        `Leadpool claim-next ${f0(rates[0]!)} claims/s over the same count from a queue of that size (${f2(peer.ratio)}×, target > 1)`,
    );
    return {
      database: name,
      leads,
      ingest: { rowsPerSec: ingestRate, oneClient: ingestOne },
      browse,
      claimNext: { bareRate, bareBatchRate, instancesRate, ratio, connections, httpClients },
      sustained: { rates, lossPct, claimsPerRun },
      peer: { graphileWorker: peer },
    };
  } finally {
    for (const s of instances) if (s.proc.exitCode === null) s.proc.kill('SIGKILL');
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (!opts.keep) await admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

function withCursor(q: BrowseQuery, last: { id: number; score: number; createdAt: number; company: string }): BrowseQuery {
  const value = cursorValue(q, last);
  return { ...q, cursor: { sort: q.sort, order: q.order, value, id: last.id } };
}

// Run alone: node --import tsx bench/pg/run.ts [--leads N] [--quick] [--keep]
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const arg = (k: string) => {
    const i = argv.indexOf(k);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  runPgBench({
    leads: Number(arg('--leads') ?? (quick ? 100_000 : 1_000_000)),
    claimSeconds: quick ? 4 : 8,
    warmSeconds: quick ? 1 : 3,
    claimsPerRun: Number(arg('--claims-per-run') ?? (quick ? 5_000 : 50_000)),
    runs: Number(arg('--runs') ?? 10),
    keep: argv.includes('--keep'),
  }).then(
    (r) => {
      console.log(JSON.stringify(r, null, 2));
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
