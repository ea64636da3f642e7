/**
 * Issue 4's measurement target: every measurement endpoint answers in under 200 ms p95 with
 * 1,000,000 leads and 5,000,000 events stored (the history database of load-db.ts: ~500k claims
 * over 30 days by 50 reps). Sequential requests through HTTP against the server child, ~30
 * samples each after a short warm-up. Then the streamed CSV export of every event: rows/s and
 * the server's RSS sampled during the export.
 */
import Database from 'better-sqlite3';
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Conn } from './http-load.js';
import { stats, progress, progressDone, login, fmt, fmtInt, type Stats, type ServerChild } from './lib.js';
import { MANAGER, PASSWORD } from './load-db.js';

export interface EndpointResult {
  name: string;
  path: string;
  as: string;
  latency: Stats & { p95: number };
  bytes: number;
  /** What the answer held, to show it read the data (claims counted, reps, items). */
  saw: string;
  pass: boolean;
  /** The server's RSS right after this endpoint's samples. */
  rssAfterMb: number;
}

export interface ExportResult {
  rows: number;
  bytes: number;
  seconds: number;
  rowsPerSecond: number;
  rssBeforeMb: number;
  rssPeakDuringMb: number;
  hwmAfterMb: number;
  status: number;
}

const p95 = (xs: number[]) => {
  const a = [...xs].sort((x, y) => x - y);
  return a[Math.min(a.length - 1, Math.max(0, Math.ceil(0.95 * a.length) - 1))]!;
};

function describe(name: string, body: any): string {
  if (name.startsWith('overview')) {
    const claims = (body.reps as { claims: number }[]).reduce((a, r) => a + r.claims, 0);
    return `${fmtInt(claims)} claims by ${body.reps.length} reps; arrival→claim n=${fmtInt(body.arrivalToClaim.count)}; reviewWaiting ${body.reviewWaiting}`;
  }
  if (name === 'team-board') return `${body.reps.length} reps; ${fmtInt((body.reps as { claimsWeek: number }[]).reduce((a, r) => a + r.claimsWeek, 0))} claims this week`;
  if (name === 'me/stats') return `claimsToday ${body.claimsToday}, openUncontacted ${body.openUncontacted}`;
  if (name === 'review') return `${body.items.length} leads waiting`;
  return '';
}

/** The rep who owns the most leads: /me/stats loads what a rep owns, so the busiest rep is its worst case. */
export function busiestRep(file: string): { email: string; owned: number } {
  const db = new Database(file, { readonly: true });
  const r = db
    .prepare(`SELECT u.email, COUNT(*) AS n FROM leads l JOIN users u ON u.id = l.owner_id WHERE l.owner_id IS NOT NULL GROUP BY l.owner_id ORDER BY n DESC LIMIT 1`)
    .get() as { email: string; n: number } | undefined;
  db.close();
  return r ? { email: r.email, owned: r.n } : { email: 'rep1@bench.test', owned: 0 };
}

export async function runMetricsEndpoints(server: ServerChild, file: string, poolId: number, samples: number, targetMs: number): Promise<EndpointResult[]> {
  const mgr = await login(server.url, MANAGER, PASSWORD);
  const busiest = busiestRep(file);
  const rep = await login(server.url, busiest.email, PASSWORD);
  const now = Date.now();
  const since = (days: number) => encodeURIComponent(new Date(now - days * 86_400_000).toISOString());
  const endpoints: { name: string; path: string; token: string; as: string }[] = [
    { name: 'overview (1 d)', path: `/api/v1/metrics/overview?from=${since(1)}`, token: mgr, as: 'manager' },
    { name: 'overview (7 d default)', path: '/api/v1/metrics/overview', token: mgr, as: 'manager' },
    { name: 'overview (30 d)', path: `/api/v1/metrics/overview?from=${since(30)}`, token: mgr, as: 'manager' },
    { name: 'overview (90 d)', path: `/api/v1/metrics/overview?from=${since(90)}`, token: mgr, as: 'manager' },
    { name: 'overview ?poolId', path: `/api/v1/metrics/overview?poolId=${poolId}`, token: mgr, as: 'manager' },
    { name: 'overview (30 d) ?poolId', path: `/api/v1/metrics/overview?from=${since(30)}&poolId=${poolId}`, token: mgr, as: 'manager' },
    { name: 'team-board', path: '/api/v1/team-board', token: rep, as: `rep ${busiest.email}` },
    { name: 'me/stats', path: '/api/v1/me/stats', token: rep, as: `rep ${busiest.email} (owns ${fmtInt(busiest.owned)} leads)` },
    { name: 'review', path: '/api/v1/review', token: mgr, as: 'manager' },
    { name: 'reps.csv (30 d)', path: `/api/v1/metrics/reps.csv?from=${since(30)}`, token: mgr, as: 'manager' },
  ];
  const conn = new Conn(new URL(server.url));
  const out: EndpointResult[] = [];
  try {
    for (const e of endpoints) {
      const first = await conn.request({ method: 'GET', path: e.path, token: e.token }, true);
      if (first.status !== 200) throw new Error(`GET ${e.path}: ${first.status} ${first.body.slice(0, 400)}`);
      const saw = e.name.startsWith('reps.csv') ? `${first.body.trim().split('\n').length - 1} rows` : describe(e.name, JSON.parse(first.body));
      for (let i = 0; i < 2; i++) await conn.request({ method: 'GET', path: e.path, token: e.token });
      const lat: number[] = [];
      let bytes = 0;
      const t0 = performance.now();
      // ~30 samples; at least 10 for an endpoint slow enough to take over 20 s for them.
      for (let i = 0; i < samples && (i < 10 || performance.now() - t0 < 20_000); i++) {
        const r = await conn.request({ method: 'GET', path: e.path, token: e.token }, true);
        if (r.status !== 200) throw new Error(`GET ${e.path}: ${r.status} ${r.body.slice(0, 400)}`);
        lat.push(r.ms);
        bytes = Buffer.byteLength(r.body);
        progress(`metrics: ${e.name} ${i + 1}/${samples}`);
      }
      const s = { ...stats(lat), p95: p95(lat) };
      const res: EndpointResult = { name: e.name, path: e.path, as: e.as, latency: s, bytes, saw, pass: s.p95 < targetMs, rssAfterMb: server.memory().rssMb };
      out.push(res);
      progressDone(
        `  GET ${e.path.padEnd(40).slice(0, 60)} p50 ${fmt(s.p50, 1).padStart(7)} ms  p95 ${fmt(s.p95, 1).padStart(7)} ms  max ${fmt(s.max, 1).padStart(7)} ms  ${fmtInt(bytes / 1024).padStart(5)} KB  ${res.pass ? 'PASS' : 'FAIL'}  RSS ${fmt(res.rssAfterMb, 0)} MB  (${e.as}; ${saw})`,
      );
    }
  } finally {
    conn.close();
  }
  return out;
}

/** Streams GET /exports/events.csv, counting rows, and samples the server's RSS every 50 ms. */
export async function runExport(server: ServerChild, expectRows: number): Promise<ExportResult> {
  const mgr = await login(server.url, MANAGER, PASSWORD);
  const rssBeforeMb = server.memory().rssMb;
  let peak = rssBeforeMb;
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, server.memory().rssMb);
    } catch {
      /* exited */
    }
  }, 50);
  const u = new URL('/api/v1/exports/events.csv', server.url);
  const start = performance.now();
  let lines = 0;
  let bytes = 0;
  const status = await new Promise<number>((resolve, reject) => {
    const req = request({ hostname: u.hostname, port: u.port, path: u.pathname, method: 'GET', headers: { authorization: `Bearer ${mgr}` } }, (res) => {
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        for (let i = c.indexOf(10); i >= 0; i = c.indexOf(10, i + 1)) lines++;
        progress(`export: ${fmtInt(lines)} rows (${((lines / expectRows) * 100).toFixed(0)}%), ${fmt(bytes / 2 ** 20, 0)} MB, server RSS now ${fmt(server.memory().rssMb, 0)} MB`);
      });
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
  const seconds = (performance.now() - start) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, server.memory().rssMb);
  const rows = Math.max(0, lines - 1); // the header
  const r: ExportResult = { rows, bytes, seconds, rowsPerSecond: rows / seconds, rssBeforeMb, rssPeakDuringMb: peak, hwmAfterMb: server.memory().hwmMb, status };
  progressDone(
    `  GET /api/v1/exports/events.csv: ${status}, ${fmtInt(rows)} rows (${fmt(bytes / 2 ** 20, 0)} MB) in ${seconds.toFixed(1)} s = ${fmtInt(r.rowsPerSecond)} rows/s; server RSS ${fmt(rssBeforeMb, 0)} MB before, peak ${fmt(peak, 0)} MB during (sampled every 50 ms; VmHWM now ${fmt(r.hwmAfterMb, 0)} MB)`,
  );
  return r;
}

export interface StatementCost {
  call: string;
  sql: string;
  calls: number;
  ms: number;
  rows: number;
  plan: string[];
}

/**
 * Where an endpoint's time goes, in process: the store calls the measurement routes make, on a
 * fresh store over the same database with every statement timed (bench/sql-profile.ts), and the
 * plan of each statement that took over 5 ms.
 */
export async function metricsDiagnosis(file: string, poolId: number): Promise<StatementCost[]> {
  const { SqliteStore } = await import('../src/store/sqlite/sqlite-store.js');
  const { SqlProfile, oneLine } = await import('./sql-profile.js');
  const { startOfUtcDay } = await import('../src/store/store-common.js');
  const store = new SqliteStore(file);
  const prof = new SqlProfile(store.db);
  const ro = new Database(file, { readonly: true });
  const busiest = ro.prepare(`SELECT owner_id FROM leads WHERE owner_id IS NOT NULL GROUP BY owner_id ORDER BY COUNT(*) DESC LIMIT 1`).pluck().get() as number;
  const now = Date.now();
  const calls: [string, () => Promise<unknown>][] = [
    ['metricsFacts(7 d)', () => store.metricsFacts({ from: now - 7 * 86_400_000, to: now + 1 }, now)],
    ['metricsFacts(30 d)', () => store.metricsFacts({ from: now - 30 * 86_400_000, to: now + 1 }, now)],
    ['metricsFacts(7 d, pool)', () => store.metricsFacts({ from: now - 7 * 86_400_000, to: now + 1, poolId }, now)],
    ['claimCountsSince(today)', () => store.claimCountsSince(startOfUtcDay(now))],
    [`leadsOwnedBy(busiest rep ${busiest})`, () => store.leadsOwnedBy(busiest)],
    ['reviewQueue()', () => store.reviewQueue()],
  ];
  const out: StatementCost[] = [];
  for (const [name, fn] of calls) {
    await fn(); // prepare + warm the cache
    prof.reset();
    const t = performance.now();
    await fn();
    const total = performance.now() - t;
    const stmts = prof.snapshot().sort((a, b) => b.ms - a.ms);
    console.log(`    ${name}: ${fmt(total, 1)} ms in process`);
    for (const s of stmts.filter((x) => x.ms >= 1).slice(0, 6)) {
      let plan: string[] = [];
      if (s.ms >= 5) {
        try {
          const n = (s.sql.match(/\?/g) ?? []).length;
          // Plans barely depend on the values; typical ones keep the shape.
          const args = Array.from({ length: n }, (_, i) => (s.sql.includes('claimed_at >= ?') && i === 0 ? now - 7 * 86_400_000 : i === 1 ? now : null));
          plan = (ro.prepare(`EXPLAIN QUERY PLAN ${s.sql}`).all(...args) as { detail: string }[]).map((x) => x.detail);
        } catch (err) {
          plan = [`(no plan: ${(err as Error).message})`];
        }
      }
      out.push({ call: name, sql: oneLine(s.sql), calls: s.calls, ms: s.ms, rows: s.rows, plan });
      console.log(`      ${fmt(s.ms, 1).padStart(7)} ms  ${String(s.calls).padStart(3)}×  ${fmtInt(s.rows).padStart(8)} rows  ${oneLine(s.sql).slice(0, 150)}`);
      for (const p of plan) console.log(`                plan: ${p}`);
    }
  }
  ro.close();
  await store.close();
  return out;
}
