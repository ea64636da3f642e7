import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import type { AddressInfo } from 'node:net';
import { leadRecord, LEAD_COLUMNS } from '../../src/integrations/export-format.js';
import { writeExport } from '../../src/cli/export-command.js';
import type { UserActor } from '../../src/store/store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { PostgresStore } from '../../src/store/postgres/pg-store.js';
import { bearer } from '../helpers.js';
import { STORES, makeIntegEnv, skipReason, usePg, type IntegEnv } from './env.js';
import { leadpoolCommand } from '../cli-command.js';

// A real full collection between samples, so the figure is what stays live, not garbage
// that happens not to be collected yet.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const BIG = 200_000;

const pg = usePg();
let env: IntegEnv;
let manager: { id: number; token: string; email: string };
let url: string;
let poolId: number;
let worked: number[];
let t0: number;

for (const kind of STORES)
  describe(`${kind} store`, () => {
  beforeEach((ctx) => {
    const why = skipReason(kind, pg);
    if (why) ctx.skip(why);
  });

  beforeAll(async () => {
    env = undefined as unknown as IntegEnv;
    if (skipReason(kind, pg)) return;
    env = await makeIntegEnv(kind, pg?.get() ?? null);
    manager = await env.user('manager');
    const rep = await env.user('rep', 'rita@team.example');
    poolId = await env.pool('Inbound', 'pool');
    t0 = env.clock.now();
    // A handful of leads with a whole story: claimed, contacted, converted or still held.
    worked = await env.addLeads(poolId, 3);
    const actor: UserActor = { kind: 'user', userId: rep.id, role: 'rep', name: 'Rita' };
    env.clock.tick(60_000);
    await env.store.claim(worked[0]!, actor, env.clock.now());
    await env.store.logActivity(worked[0]!, actor, { type: 'call', note: null }, env.clock.now());
    await env.store.setStatus(worked[0]!, actor, 'converted', 'signed', env.clock.now());
    await env.store.claim(worked[1]!, actor, env.clock.now());
    env.clock.tick(60_000);
    // The large table, inserted directly (the export reads rows; how they came is beside the point).
    const base = env.clock.now();
    if (env.store instanceof SqliteStore) {
      env.store.db
        .prepare(
          `INSERT INTO leads (pool_id, status, company, company_key, industry, company_size, source, score, region, contact_name, contact_email,
                              external_id, attributes, priority, created_at, available_since, updated_at)
           WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
           SELECT ?, 'available', 'Firma ' || i || ', "Quoted" GmbH', 'firma ' || i, 'Software', '11-50', 'Website', i % 101, 'DACH', 'Kontakt ' || i,
                  'k' || i || '@firma.example', 'ext-' || i, '{"campaign":"spring"}', 0, ? + i, ? + i, ? + i
             FROM n`,
        )
        .run(BIG, poolId, base, base, base);
    } else {
      await (env.store as PostgresStore).pool.query(
        `INSERT INTO leads (pool_id, status, company, company_key, industry, company_size, source, score, region, contact_name, contact_email,
                            external_id, attributes, priority, created_at, available_since, updated_at)
         SELECT $1, 'available', 'Firma ' || i || ', "Quoted" GmbH', 'firma ' || i, 'Software', '11-50', 'Website', i % 101, 'DACH', 'Kontakt ' || i,
                'k' || i || '@firma.example', 'ext-' || i, '{"campaign":"spring"}', 0, $2 + i, $2 + i, $2 + i
           FROM generate_series(1, $3::bigint) AS i`,
        [poolId, base, BIG],
      );
    }
    env.clock.tick(BIG + 1000); // they arrived one a millisecond, and all before now
    await env.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(env.app.server.address() as AddressInfo).port}`;
  }, 120_000);

  afterAll(async () => {
    await env?.cleanup();
  });

  /** Streams a response, counting lines and sampling the heap; never keeps the body. */
  async function streamed(path: string): Promise<{ status: number; lines: number; first: string[]; heapGrowthMb: number; rawPeakMb: number; ms: number; contentType: string }> {
    gc();
    const started = performance.now();
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    let rawPeak = baseline; // without forcing collections: what the heap reached, garbage included
    let lines = 0;
    let head = '';
    let sampledAt = performance.now();
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => http.get(url + path, { headers: bearer(manager.token) }, resolve).on('error', reject));
    for await (const chunk of res as AsyncIterable<Buffer>) {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
      if (head.length < 4096) head += chunk.toString('utf8', 0, Math.min(chunk.length, 4096));
      rawPeak = Math.max(rawPeak, process.memoryUsage().heapUsed);
      // A full collection once a second: what is still live then is what the export holds.
      if (performance.now() - sampledAt > 1000) {
        sampledAt = performance.now();
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }
    }
    gc();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    return {
      status: res.statusCode!,
      lines,
      first: head.split('\n').slice(0, 3),
      heapGrowthMb: (peak - baseline) / 2 ** 20,
      rawPeakMb: (rawPeak - baseline) / 2 ** 20,
      ms: performance.now() - started,
      contentType: String(res.headers['content-type']),
    };
  }

  describe('exports', () => {
    it(`streams ${BIG.toLocaleString('en')} leads as CSV over HTTP with the heap growing by less than 50 MB`, async () => {
      const r = await streamed('/api/v1/exports/leads.csv');
      expect(r.status).toBe(200);
      expect(r.contentType).toContain('text/csv');
      expect(r.lines).toBe(1 + 3 + BIG);
      expect(r.first[0]).toBe(LEAD_COLUMNS.join(','));
      console.log(`leads.csv: ${r.lines} lines in ${Math.round(r.ms)} ms, live heap growth ${r.heapGrowthMb.toFixed(1)} MB (peak before collection +${r.rawPeakMb.toFixed(1)} MB)`);
      expect(r.heapGrowthMb).toBeLessThan(50);
    }, 120_000);

    it('a time range selects leads by creation time (NDJSON)', async () => {
      const from = new Date(t0 + 120_000 + 1).toISOString(); // the first big lead
      const to = new Date(t0 + 120_000 + 1001).toISOString(); // the first 1,000 of them
      const some = await streamed(`/api/v1/exports/leads.json?from=${from}&to=${to}`);
      expect(some.lines).toBe(1000);
      expect(some.contentType).toContain('application/x-ndjson');
      expect(JSON.parse(some.first[0]!)).toMatchObject({ company: 'Firma 1, "Quoted" GmbH', contactEmail: 'k1@firma.example', attributes: { campaign: 'spring' } });
    }, 60_000);

    it('a lead row carries its claim source, times, rep and outcome', async () => {
      const to = new Date(t0 + 1).toISOString();
      const csv = await env.app.inject({ method: 'GET', url: `/api/v1/exports/leads.csv?to=${to}`, headers: bearer(manager.token) });
      const [header, ...rows] = csv.body.trim().split('\n');
      expect(header).toBe(LEAD_COLUMNS.join(','));
      expect(rows.length).toBe(3);
      const json = await env.app.inject({ method: 'GET', url: `/api/v1/exports/leads.json?to=${to}`, headers: bearer(manager.token) });
      const [converted, held, waiting] = json.body.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(converted).toMatchObject({ id: worked[0], pool: 'Inbound', status: 'converted', claimSource: 'pool', ownerEmail: 'rita@team.example', outcome: 'converted' });
      expect(converted!.claimedAt).toEqual(expect.any(String));
      expect(converted!.contactedAt).toEqual(expect.any(String));
      expect(converted!.closedAt).toEqual(expect.any(String));
      expect(held).toMatchObject({ status: 'claimed', outcome: null, ownerEmail: 'rita@team.example', contactedAt: null });
      expect(waiting).toMatchObject({ status: 'available', ownerId: null, ownerEmail: null, claimedAt: null });
      expect(Object.keys(converted!)).toEqual([...LEAD_COLUMNS]);
    });

    it('the event history comes as NDJSON beside the CSV, the same events', async () => {
      const csv = await env.app.inject({ method: 'GET', url: '/api/v1/exports/events.csv', headers: bearer(manager.token) });
      const json = await env.app.inject({ method: 'GET', url: '/api/v1/exports/events.json', headers: bearer(manager.token) });
      expect(json.statusCode).toBe(200);
      const events = json.body.trim().split('\n').map((l) => JSON.parse(l) as { id: number; type: string; at: string });
      expect(events.length).toBe(csv.body.trim().split('\n').length - 1);
      expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['lead.created', 'lead.claimed', 'lead.status_changed']));
      expect(events[0]!.at).toMatch(/^\d{4}-\d\d-\d\dT/);
    });

    it('refuses reps and a range that ends before it starts', async () => {
      const rep = await env.user('rep');
      expect((await env.app.inject({ method: 'GET', url: '/api/v1/exports/leads.csv', headers: bearer(rep.token) })).statusCode).toBe(403);
      const bad = await env.app.inject({ method: 'GET', url: '/api/v1/exports/leads.csv?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', headers: bearer(manager.token) });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().details.fields).toEqual([{ field: 'from', problem: 'must be before to' }]);
    });

    it('the command-line writer writes NDJSON for a range to a file, waiting for the file to drain', async () => {
      const file = join(env.dir, 'some-leads.ndjson');
      const out = createWriteStream(file, { highWaterMark: 1024 }); // a slow reader: the writer must wait for 'drain'
      const seen: number[] = [];
      const rows = await writeExport(env.store, out, { kind: 'leads', format: 'json', range: { from: t0 + 120_001, to: t0 + 120_001 + 5000 }, onProgress: (n) => seen.push(n) });
      out.end();
      await once(out, 'finish');
      expect(rows).toBe(5000);
      expect(seen).toEqual([2000, 4000, 5000]); // a page at a time
      let lines = 0;
      for await (const line of createInterface({ input: createReadStream(file) })) {
        if (lines++ === 0) expect(JSON.parse(line)).toMatchObject({ company: 'Firma 1, "Quoted" GmbH', pool: 'Inbound', outcome: null });
      }
      expect(lines).toBe(5000);
    });

    it(`the export command streams ${BIG.toLocaleString('en')} leads in a process whose heap is capped at 64 MB`, async () => {
      // Loading every lead at once would take several hundred MB: with the cap, only a
      // streaming export can finish.
      const file = join(env.dir, 'cli-leads.csv');
      const child = spawn(
        process.execPath,
        ['--max-old-space-size=64', ...leadpoolCommand(), 'export', 'leads', '--format', 'csv', '--out', file, ...whereData()],
        { cwd: join(import.meta.dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'], env: cliEnv() },
      );
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const [code] = (await once(child, 'exit')) as [number];
      expect(code, stderr).toBe(0);
      let lines = 0;
      for await (const _ of createInterface({ input: createReadStream(file) })) lines++;
      expect(lines).toBe(1 + 3 + BIG);
      // Piped, no progress line is drawn: stderr is the result line alone.
      expect(stderr).toMatch(/^200,003 leads exported to .*cli-leads\.csv in [\d.]+ s\.\n$/);
      console.log(`CLI: ${stderr.trim()}`);

      const bad = spawn(process.execPath, [...leadpoolCommand(), 'export', 'widgets', ...whereData()], {
        cwd: join(import.meta.dirname, '..', '..'),
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let badErr = '';
      bad.stderr.on('data', (d: Buffer) => (badErr += d.toString()));
      const [badCode] = (await once(bad, 'exit')) as [number];
      expect(badCode).not.toBe(0);
      expect(badErr).toMatch(/leads, events/);
    }, 120_000);

    it('leadRecord keeps the CSV column order', async () => {
      const lead = (await env.store.getLead(worked[2]!))!;
      const rec = leadRecord({ lead, poolName: 'P', ownerEmail: null, ownerName: null });
      expect(Object.keys(rec)).toEqual([...LEAD_COLUMNS]);
    });
  });
  });

/** The export command's database: the SQLite folder or the PostgreSQL URL. */
const whereData = () => (env.kind === 'sqlite' ? ['--data', env.dir] : ['--database', env.location]);
/** Without a DATABASE_URL of the caller's that would override --data. */
function cliEnv(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, LEADPOOL_PG_POOL_SIZE: '2' };
  delete e.DATABASE_URL;
  return e;
}
