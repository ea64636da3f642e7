/**
 * Bulk ingest on fresh databases: POST /api/v1/leads/batch (1,000 leads a request, with an
 * ingest-scoped API key) against the server child, and `leadpool import FILE.csv` as a child
 * process, timed from start to exit.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { newToken, tokenHash } from '../src/server/tokens.js';
import { generateDemoLeadsIter } from '../src/demo/demo-leads.js';
import type { LeadInput } from '../src/core/lead-input.js';
import type { Actor } from '../src/core/types.js';
import { Conn } from './http-load.js';
import { ROOT, leadpoolCommand, Samples, stats, progress, progressDone, startServer, fmt, fmtInt, type Stats } from './lib.js';

const BENCH: Actor = { kind: 'system', name: 'bench ingest' };

export interface IngestResult {
  leads: number;
  seconds: number;
  perSecond: number;
  requestLatency?: Stats;
  insertPhaseSeconds?: number;
  stored: number;
}

async function freshDb(dir: string): Promise<{ apiKey: string }> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const store = new SqliteStore(join(dir, 'leadpool.db'));
  await store.migrate();
  await store.createPool({ name: 'Ingest', mode: 'pool', isDefault: true }, BENCH, Date.now());
  const apiKey = newToken('lpk');
  await store.createApiKey({ name: 'bench', scope: 'ingest', keyHash: tokenHash(apiKey), prefix: apiKey.slice(0, 10) }, BENCH, Date.now());
  await store.close();
  return { apiKey };
}

function countLeads(dir: string): number {
  const db = new Database(join(dir, 'leadpool.db'), { readonly: true });
  const n = db.prepare('SELECT COUNT(*) FROM leads').pluck().get() as number;
  db.close();
  return n;
}

export async function batchIngest(dir: string, leads: number, connections = 2): Promise<IngestResult> {
  const { apiKey } = await freshDb(dir);
  // Bodies are serialised before the clock starts: the client's JSON work is not the server's.
  const bodies: string[] = [];
  let batch: LeadInput[] = [];
  for (const l of generateDemoLeadsIter(leads, 777)) {
    batch.push(l);
    if (batch.length === 1000) {
      bodies.push(JSON.stringify({ leads: batch }));
      batch = [];
    }
  }
  if (batch.length) bodies.push(JSON.stringify({ leads: batch }));
  const server = await startServer(dir);
  try {
    const base = new URL(server.url);
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
          if (r.status !== 200) throw new Error(`batch ${i}: ${r.status} ${r.body.slice(0, 500)}`);
          lat.push(r.ms);
          sent += (JSON.parse(r.body) as { created: number }).created;
          progress(`batch ingest: ${fmtInt(sent)} / ${fmtInt(leads)} (${((sent / leads) * 100).toFixed(0)}%)`);
        }
        conn.close();
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    const l = stats(lat.view());
    await server.stop();
    const stored = countLeads(dir);
    const r = { leads, seconds, perSecond: leads / seconds, requestLatency: l, stored };
    progressDone(
      `  POST /leads/batch ×1000, ${connections} conns: ${fmtInt(r.perSecond)} leads/s (${fmtInt(leads)} in ${seconds.toFixed(1)} s; a request p50 ${fmt(l.p50, 0)} ms, p99 ${fmt(l.p99, 0)} ms; stored ${fmtInt(stored)})`,
    );
    return r;
  } finally {
    await server.stop();
  }
}

function csvField(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export async function writeCsv(file: string, leads: number): Promise<void> {
  const out = createWriteStream(file);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write('company,industry,companySize,source,score,region,contactName,contactEmail,contactPhone,externalId,employees,city,country,website,jobTitle\n');
  let lines: string[] = [];
  for (const l of generateDemoLeadsIter(leads, 778)) {
    const a = (l.attributes ?? {}) as Record<string, unknown>;
    lines.push(
      [l.company, l.industry, l.companySize, l.source, l.score, l.region, l.contact.name, l.contact.email, l.contact.phone, l.externalId, a.employees, a.city, a.country, a.website, a.jobTitle]
        .map(csvField)
        .join(','),
    );
    if (lines.length === 5000) {
      await write(lines.join('\n') + '\n');
      lines = [];
    }
  }
  if (lines.length) await write(lines.join('\n') + '\n');
  await new Promise<void>((r) => out.end(() => r()));
}

export async function csvImport(dir: string, leads: number): Promise<IngestResult> {
  await freshDb(dir);
  const file = join(dir, 'leads.csv');
  await writeCsv(file, leads);
  const cli = leadpoolCommand();
  const start = performance.now();
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const p = spawn(process.execPath, [...cli.args, 'import', file, '--pool', 'Ingest', '--data', dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let o = '';
    let e = '';
    p.stdout.on('data', (d: Buffer) => (o += d.toString()));
    p.stderr.on('data', (d: Buffer) => {
      e += d.toString();
      if (e.length > 50_000) e = e.slice(-10_000);
    });
    // Piped, the command draws no progress of its own: show the time it has been running.
    const ticker = setInterval(() => progress(`leadpool import: ${((performance.now() - start) / 1000).toFixed(0)} s`), 500);
    p.on('exit', (c) => {
      clearInterval(ticker);
      resolve({ code: c, stdout: o, stderr: e });
    });
  });
  const seconds = (performance.now() - start) / 1000;
  if (code !== 0) throw new Error(`leadpool import exited ${code}:\n${stdout}\n${stderr.slice(-2000)}`);
  const m = /in ([\d.]+) s\./.exec(stdout);
  const insertPhaseSeconds = m ? Number(m[1]) : undefined;
  const stored = countLeads(dir);
  const r = { leads, seconds, perSecond: leads / seconds, insertPhaseSeconds, stored };
  progressDone(
    `  leadpool import (CSV, whole command, ${cli.label}): ${fmtInt(r.perSecond)} leads/s (${fmtInt(leads)} in ${seconds.toFixed(1)} s; its insert pass ${insertPhaseSeconds ?? '?'} s = ${insertPhaseSeconds ? fmtInt(leads / insertPhaseSeconds) : '?'} leads/s; stored ${fmtInt(stored)})`,
  );
  return r;
}

export interface IngestBreakdown {
  leads: number;
  /** leads/s for each variant, in process, 1,000 per transaction, fresh database each. */
  rates: Record<string, number>;
}

/**
 * Where ingest time goes, in process (no HTTP): the store's insertLeads, and the raw statements
 * it issues, added one at a time (lead row → + trigram index row → + event).
 */
export async function ingestBreakdown(dir: string, leads: number): Promise<IngestBreakdown> {
  const inputs = [...generateDemoLeadsIter(leads, 779)];
  const rates: Record<string, number> = {};
  const fresh = async (name: string) => {
    const d = join(dir, name);
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d, { recursive: true });
    const store = new SqliteStore(join(d, 'leadpool.db'), { checkpointInBackground: true });
    await store.migrate();
    const { pool } = await store.createPool({ name: 'Ingest', mode: 'pool', isDefault: true }, BENCH, Date.now());
    return { store, poolId: pool.id };
  };
  {
    const { store, poolId } = await fresh('store');
    const t = performance.now();
    for (let i = 0; i < inputs.length; i += 1000) await store.insertLeads(inputs.slice(i, i + 1000), poolId, BENCH, Date.now());
    rates['store.insertLeads()'] = leads / ((performance.now() - t) / 1000);
    await store.close();
  }
  for (const variant of ['lead row', 'lead row + fts', 'lead row + fts + event'] as const) {
    const { store, poolId } = await fresh(variant.replace(/\W+/g, '-'));
    const db = store.db;
    const ins = db.prepare(
      `INSERT INTO leads (pool_id, status, company, industry, company_size, source, score, region, contact_name, contact_email, contact_phone,
                          external_id, attributes, priority, created_at, available_since, updated_at, listed)
       VALUES (?, 'available', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, 1)`,
    );
    const byExt = db.prepare('SELECT * FROM leads WHERE external_id = ?');
    const fts = db.prepare('INSERT INTO lead_company_fts (rowid, company) VALUES (?, ?)');
    const ev = db.prepare(
      `INSERT INTO events (type, at, lead_id, pool_id, actor_kind, actor_id, actor_name, reason, data) VALUES ('lead.created', ?, ?, ?, 'system', NULL, 'bench', NULL, ?)`,
    );
    const tx = db.transaction((batch: LeadInput[], now: number) => {
      const search: [number | bigint, string][] = [];
      for (const l of batch) {
        byExt.get(l.externalId);
        const id = ins.run(poolId, l.company, l.industry, l.companySize, l.source, l.score, l.region, l.contact.name, l.contact.email ?? null, l.contact.phone ?? null, l.externalId ?? null, JSON.stringify(l.attributes ?? {}), now, now, now).lastInsertRowid;
        if (variant !== 'lead row') search.push([id, l.company]);
        if (variant === 'lead row + fts + event') ev.run(now, id, poolId, '{"poolId":1,"via":"poolId"}');
      }
      // After the events, as the store does: an event insert between two of them makes FTS5
      // write its pending terms out (it does at every savepoint), costing 25 us a lead.
      for (const [id, company] of search) fts.run(id, company);
    });
    const t = performance.now();
    for (let i = 0; i < inputs.length; i += 1000) tx.immediate(inputs.slice(i, i + 1000), Date.now());
    rates[`raw: ${variant}`] = leads / ((performance.now() - t) / 1000);
    await store.close();
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(`  in process, ${fmtInt(leads)} leads, 1,000 per transaction, fresh database each:`);
  for (const [k, v] of Object.entries(rates)) console.log(`    ${k.padEnd(28)} ${fmtInt(v).padStart(7)} leads/s`);
  return { leads, rates };
}
