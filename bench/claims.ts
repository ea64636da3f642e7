/**
 * Claims: the raw statements through better-sqlite3 (the baseline), the store's claim() in
 * process, and POST /api/v1/leads/{id}/claim through HTTP against the server child, 50
 * connections. Every claim takes a distinct available lead, so all should win (200).
 */
import Database from 'better-sqlite3';
import { performance } from 'node:perf_hooks';
import { openSqlite, closeSqlite } from '../src/store/sqlite/connection.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { runLoad, type LoadResult } from './http-load.js';
import { Samples, stats, progress, progressDone, fmt, fmtInt, type Stats, type ServerChild } from './lib.js';

export interface InProcessResult {
  claims: number;
  seconds: number;
  perSecond: number;
  latency: Stats;
}

/** Takes ids from a shuffled list in turn. */
export class IdFeed {
  #i = 0;
  constructor(
    readonly ids: Int32Array,
    readonly from: number,
    readonly to: number,
  ) {
    this.#i = from;
  }
  next(): number | null {
    return this.#i < this.to ? this.ids[this.#i++]! : null;
  }
  get used(): number {
    return this.#i - this.from;
  }
}

function repIds(file: string): number[] {
  const db = new Database(file, { readonly: true });
  const ids = db.prepare(`SELECT id FROM users WHERE role = 'rep' ORDER BY id`).pluck().all() as number[];
  db.close();
  return ids;
}

function timed(label: string, seconds: number, feed: IdFeed, op: (id: number, i: number) => boolean): InProcessResult {
  const lat = new Samples();
  const start = performance.now();
  const end = start + seconds * 1000;
  let n = 0;
  let lost = 0;
  for (;;) {
    const t = performance.now();
    if (t >= end) break;
    const id = feed.next();
    if (id === null) break;
    if (!op(id, n)) lost++;
    lat.push(performance.now() - t);
    n++;
    if ((n & 1023) === 0) progress(`${label}: ${fmtInt(n)} claims, ${((t - start) / 1000).toFixed(1)} s`);
  }
  const secs = (performance.now() - start) / 1000;
  if (lost) throw new Error(`${label}: ${lost} claims found their lead taken; the id feed is wrong`);
  const r = { claims: n, seconds: secs, perSecond: n / secs, latency: stats(lat.view()) };
  progressDone(`  ${label.padEnd(38)} ${fmtInt(r.perSecond).padStart(7)} claims/s  p50 ${fmt(r.latency.p50, 3)} ms  p99 ${fmt(r.latency.p99, 3)} ms  max ${fmt(r.latency.max, 1)} ms  (${fmtInt(n)} in ${secs.toFixed(1)} s)`);
  return r;
}

/** The baseline: the claim UPDATE … RETURNING plus the event INSERT in one transaction; and the bare UPDATE. */
export function rawClaims(
  file: string,
  feedTx: IdFeed,
  feedBare: IdFeed,
  feedGroup: IdFeed,
  seconds: number,
): { tx: InProcessResult; bare: InProcessResult; group: InProcessResult & { perTx: number } } {
  const reps = repIds(file);
  const db = openSqlite(file); // the server's pragmas (WAL, synchronous=NORMAL, its page cache); checkpoints run inline
  const update = db.prepare(
    `UPDATE leads SET status = 'claimed', owner_id = ?, claimed_at = ?, claim_source = ?, lock_expires_at = ?, updated_at = ?
      WHERE id = ? AND status = 'available' RETURNING *`,
  );
  const event = db.prepare(
    `INSERT INTO events (type, at, lead_id, pool_id, actor_kind, actor_id, actor_name, reason, data)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
  );
  const claimTx = db.transaction((id: number, rep: number, now: number) => {
    const row = update.get(rep, now, 'pool', now + 900_000, now, id) as { pool_id: number } | undefined;
    if (!row) return false;
    event.get('lead.claimed', now, id, row.pool_id, 'user', rep, `Bench Rep`, null, JSON.stringify({ ownerId: rep, source: 'pool', lockExpiresAt: now + 900_000 }));
    return true;
  });
  const tx = timed('raw: UPDATE+event INSERT, one tx', seconds, feedTx, (id, i) => claimTx.immediate(id, reps[i % reps.length]!, Date.now()));
  const bareUpdate = db.prepare(
    `UPDATE leads SET status = 'claimed', owner_id = ?, claimed_at = ?, claim_source = 'pool', lock_expires_at = ?, updated_at = ?
      WHERE id = ? AND status = 'available'`,
  );
  const bare = timed('raw: bare UPDATE (autocommit)', seconds, feedBare, (id, i) => {
    const now = Date.now();
    return bareUpdate.run(reps[i % reps.length]!, now, now + 900_000, now, id).changes === 1;
  });
  // A probe for a proposed fix: the same claim, GROUP claims per transaction (one commit for
  // the claims that arrive together). Latency here is per claim (the group's time / GROUP).
  const GROUP = 16;
  const groupTx = db.transaction((ids: number[], now: number) => {
    let won = 0;
    for (const [k, id] of ids.entries()) {
      const rep = reps[k % reps.length]!;
      const row = update.get(rep, now, 'pool', now + 900_000, now, id) as { pool_id: number } | undefined;
      if (!row) continue;
      event.get('lead.claimed', now, id, row.pool_id, 'user', rep, `Bench Rep`, null, JSON.stringify({ ownerId: rep, source: 'pool', lockExpiresAt: now + 900_000 }));
      won++;
    }
    return won;
  });
  const lat = new Samples();
  const start = performance.now();
  let n = 0;
  for (;;) {
    const t = performance.now();
    if (t - start >= seconds * 1000) break;
    const ids: number[] = [];
    for (let k = 0; k < GROUP; k++) {
      const id = feedGroup.next();
      if (id !== null) ids.push(id);
    }
    if (!ids.length) break;
    if (groupTx.immediate(ids, Date.now()) !== ids.length) throw new Error('group claim lost a lead');
    const per = (performance.now() - t) / ids.length;
    for (let k = 0; k < ids.length; k++) lat.push(per);
    n += ids.length;
  }
  const secs = (performance.now() - start) / 1000;
  const group = { claims: n, seconds: secs, perSecond: n / secs, latency: stats(lat.view()), perTx: GROUP };
  progressDone(`  ${`raw: ${GROUP} claims per tx (group-commit probe)`.padEnd(38)} ${fmtInt(group.perSecond).padStart(7)} claims/s  (${fmtInt(n)} in ${secs.toFixed(1)} s)`);
  db.close();
  return { tx, bare, group };
}

/** The store's claim() in this process, no HTTP: what the route costs without Fastify. */
export async function storeClaims(file: string, feed: IdFeed, seconds: number): Promise<InProcessResult> {
  const reps = repIds(file);
  const store = new SqliteStore(file, { checkpointInBackground: true });
  const lat = new Samples();
  const start = performance.now();
  const end = start + seconds * 1000;
  let n = 0;
  for (;;) {
    const t = performance.now();
    if (t >= end) break;
    const id = feed.next();
    if (id === null) break;
    const rep = reps[n % reps.length]!;
    await store.claim(id, { kind: 'user', userId: rep, role: 'rep', name: 'Bench Rep' }, Date.now());
    lat.push(performance.now() - t);
    n++;
    if ((n & 1023) === 0) progress(`store.claim(): ${fmtInt(n)} claims`);
  }
  const secs = (performance.now() - start) / 1000;
  await store.close();
  const r = { claims: n, seconds: secs, perSecond: n / secs, latency: stats(lat.view()) };
  progressDone(`  ${'store.claim() in process (bg checkpoint)'.padEnd(38)} ${fmtInt(r.perSecond).padStart(7)} claims/s  p50 ${fmt(r.latency.p50, 3)} ms  p99 ${fmt(r.latency.p99, 3)} ms  max ${fmt(r.latency.max, 1)} ms  (${fmtInt(n)} in ${secs.toFixed(1)} s)`);
  return r;
}

export async function httpClaims(
  server: ServerChild,
  tokens: string[],
  feed: IdFeed,
  opts: { connections: number; seconds: number; warmup: number; ratePerSecond?: number },
): Promise<LoadResult> {
  const r = await runLoad({
    url: server.url,
    connections: opts.connections,
    seconds: opts.seconds,
    ratePerSecond: opts.ratePerSecond,
    warmupSeconds: opts.warmup,
    next: (w) => {
      const id = feed.next();
      return id === null ? null : { method: 'POST', path: `/api/v1/leads/${id}/claim`, token: tokens[w % tokens.length]! };
    },
    onTick: (n, el) => progress(`HTTP claims, ${opts.connections} connections: ${fmtInt(n)} measured, ${el.toFixed(1)} s`),
  });
  progressDone(
    `  ${`HTTP POST /leads/{id}/claim, ${opts.connections} conns${opts.ratePerSecond ? `, paced at ${fmtInt(opts.ratePerSecond)}/s` : ''}`.padEnd(38)} ${fmtInt(r.perSecond).padStart(7)} claims/s  p50 ${fmt(r.latency.p50, 3)} ms  p99 ${fmt(r.latency.p99, 3)} ms  max ${fmt(r.latency.max, 1)} ms  (${fmtInt(r.requests)} in ${r.seconds.toFixed(1)} s; statuses ${JSON.stringify(r.statuses)}${r.errors ? `, ${r.errors} errors` : ''})`,
  );
  for (const f of r.failures) console.log(`    ! ${f}`);
  return r;
}

/** The ceiling of this load generator + Fastify on this machine: GET /api/health. */
export async function harnessCeiling(server: ServerChild, connections: number, seconds: number): Promise<LoadResult> {
  const r = await runLoad({ url: server.url, connections, seconds, warmupSeconds: 1, next: () => ({ method: 'GET', path: '/api/health' }) });
  progressDone(`  ${`HTTP GET /api/health, ${connections} conns (ceiling)`.padEnd(38)} ${fmtInt(r.perSecond).padStart(7)} req/s     p50 ${fmt(r.latency.p50, 3)} ms  p99 ${fmt(r.latency.p99, 3)} ms`);
  return r;
}

export { closeSqlite };
