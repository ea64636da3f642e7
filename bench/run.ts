/**
 * `npm run bench [-- --only claims,browse,ingest,memory,routing,fairplay,metrics,ui,sim,pg] [--leads N] [--ui-loads N] [--paced-rate N]
 *   [--claim-seconds S] [--ingest N] [--fair-seconds S] [--metrics-samples N] [--decisions N] [--sim-days N]`
 *
 * The speed targets of issues 2, 3, 4, 5 (`pg`: PostgreSQL, needs the server running) and 7, each
 * with its baseline measured in the same run.
 * Prints the figures as it goes, a summary table at the end, and writes bench/results.json.
 * `--leads 50000` is the quick mode (every part, smaller databases).
 */
import Database from 'better-sqlite3';
import { readFileSync, writeFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchDb, copyDb, repEmail, REPS, PASSWORD, MANAGER } from './load-db.js';
import { IdFeed, rawClaims, storeClaims, httpClaims, harnessCeiling } from './claims.js';
import { runBrowse, printBrowse, type BrowseRow } from './browse.js';
import { batchIngest, csvImport, ingestBreakdown } from './ingest.js';
import { serverMemory, type MemoryResult } from './memory.js';
import { routingCore, routedIngest, routingIngestBreakdown } from './routing.js';
import { runFairplay } from './fairplay.js';
import { runMetricsEndpoints, runExport, metricsDiagnosis } from './metrics.js';
import { historyDb } from './load-db.js';
import { runPgBench } from './pg/run.js';
import { runSimBench, runStreamBaseline, simBenchLine, SIM_TARGET_SECONDS } from './sim.js';
import { MODEL_IDS } from '../src/sim/models.js';
import { FIRST_ROWS_TARGET_MS, printUi, runUi } from './ui.js';
import { CACHE, ROOT, deviceBytesWritten, fmt, fmtInt, leadpoolCommand, login, shuffledIds, startServer, type ServerChild } from './lib.js';

const ALL = ['claims', 'browse', 'ingest', 'memory', 'routing', 'fairplay', 'metrics', 'ui', 'sim', 'pg'] as const;
type Part = (typeof ALL)[number];

function parseArgs(argv: string[]) {
  const o = {
    only: new Set<Part>(ALL),
    leads: 1_000_000,
    claimSeconds: 15,
    rawSeconds: 8,
    ingest: 100_000,
    connections: 50,
    /** Claims per second of the paced claims run; 0: half the closed-loop rate measured just before. */
    pacedRate: 0,
    fairSeconds: 5,
    metricsSamples: 30,
    decisions: 100_000,
    simDays: 365,
    uiLoads: 10,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${a} needs a value`);
      return x;
    };
    const num = (x: string) => {
      const n = Number(x.replace(/[_,]/g, ''));
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${a}: not a positive number: ${x}`);
      return n;
    };
    if (a === '--only') {
      const parts = v().split(',').map((s) => s.trim()).filter(Boolean);
      for (const p of parts) if (!(ALL as readonly string[]).includes(p)) throw new Error(`--only: unknown part "${p}" (parts: ${ALL.join(', ')})`);
      o.only = new Set(parts as Part[]);
    } else if (a === '--leads') o.leads = Math.floor(num(v()));
    else if (a === '--claim-seconds') o.claimSeconds = num(v());
    else if (a === '--raw-seconds') o.rawSeconds = num(v());
    else if (a === '--ingest') o.ingest = Math.floor(num(v()));
    else if (a === '--connections') o.connections = Math.floor(num(v()));
    else if (a === '--paced-rate') o.pacedRate = Math.floor(num(v()));
    else if (a === '--fair-seconds') o.fairSeconds = num(v());
    else if (a === '--metrics-samples') o.metricsSamples = Math.floor(num(v()));
    else if (a === '--decisions') o.decisions = Math.floor(num(v()));
    else if (a === '--sim-days') o.simDays = Math.floor(num(v()));
    else if (a === '--ui-loads') o.uiLoads = Math.floor(num(v()));
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

interface SummaryRow {
  target: string;
  measured: string;
  ratio: string;
  pass: boolean | null;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const results: Record<string, unknown> = {
    at: new Date().toISOString(),
    loadAverageAtStart: loadavg(),
    cpuPressureAtStart: cpuPressure(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memGb: Math.round(totalmem() / 2 ** 30), node: process.version },
    args: { ...args, only: [...args.only] },
  };
  const summary: SummaryRow[] = [];
  console.log(
    `Leadpool bench: ${[...args.only].join(', ')}; ${fmtInt(args.leads)} leads; ${cpus().length} CPUs, Node ${process.version}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}; ${cpuPressure()}\n`,
  );

  const needsDb = args.only.has('claims') || args.only.has('browse') || args.only.has('memory');
  const runDir = join(CACHE, 'run');
  rmSync(runDir, { recursive: true, force: true });

  if (needsDb) {
    const db = await benchDb(args.leads);
    results.database = { leads: db.leads, schemaKey: db.schemaKey, buildSeconds: db.buildSeconds, probes: db.probes };
    const ids = shuffledIds(db.leads, 42);
    const cut = (f: number) => Math.floor(db.leads * f);
    const feeds = {
      rawTx: new IdFeed(ids, 0, cut(0.2)),
      rawBare: new IdFeed(ids, cut(0.2), cut(0.35)),
      rawGroup: new IdFeed(ids, cut(0.35), cut(0.45)),
      store: new IdFeed(ids, cut(0.45), cut(0.55)),
      http: new IdFeed(ids, cut(0.55), db.leads),
    };

    let raw: ReturnType<typeof rawClaims> | null = null;
    if (args.only.has('claims')) {
      // Baselines on an identical copy, so the server's copy keeps a pool of all N leads for browse.
      console.log('\nClaims, in process (a copy of the same database):');
      const file = copyDb(db, join(runDir, 'baseline'));
      raw = rawClaims(file, feeds.rawTx, feeds.rawBare, feeds.rawGroup, args.rawSeconds);
      const st = await storeClaims(file, feeds.store, args.rawSeconds);
      results.claimsInProcess = { rawTx: raw.tx, rawBare: raw.bare, rawGroup16: raw.group, storeClaim: st };
      rmSync(join(runDir, 'baseline'), { recursive: true, force: true });
    }

    const dataDir = join(runDir, 'main');
    copyDb(db, dataDir);
    const server: ServerChild = await startServer(dataDir);
    const memory: MemoryResult[] = [];
    try {
      console.log(`\nserver child pid ${server.pid} on ${server.url} (${leadpoolCommand().label}); RSS at start ${fmt(server.memory().rssMb, 0)} MB`);
      const tokens: string[] = [];
      for (let i = 0; i < REPS; i += 10) {
        tokens.push(...(await Promise.all(Array.from({ length: Math.min(10, REPS - i) }, (_, k) => login(server.url, repEmail(i + k), PASSWORD)))));
      }
      await login(server.url, MANAGER, PASSWORD);

      if (args.only.has('browse') || (args.only.has('memory') && !args.only.has('claims'))) {
        console.log(`\nBrowse (sequential requests, as a rep; first page and page 20):`);
        const rows: BrowseRow[] = await runBrowse(server, tokens[0]!, db.poolId, db.probes, {
          maxSamples: 100,
          minSamples: 20,
          maxSecondsPerQuery: 1.5,
          targetP99Ms: 20,
        });
        printBrowse(rows, 20);
        results.browse = rows;
        const timed = rows.filter((r) => r.latency);
        const fails = timed.filter((r) => r.pass === false);
        const worst = timed.reduce((w, r) => (r.latency!.p99 > w.latency!.p99 ? r : w), timed[0]!);
        summary.push({
          target: 'browse p99 < 20 ms, every filter/sort/search, page 1 and 20',
          measured: `${timed.length - fails.length}/${timed.length} pass; worst p99 ${fmt(worst.latency!.p99, 1)} ms (${worst.filter}, ${worst.sort}, page ${worst.pageNo})`,
          ratio: `${fmt(worst.latency!.p99 / 20, 2)}× of limit`,
          pass: fails.length === 0,
        });
        memory.push(serverMemory(server, 'browse'));
      }

      if (args.only.has('claims') || args.only.has('memory')) {
        console.log(`\nClaims through HTTP (server child, ${args.connections} connections, ${args.claimSeconds} s after 2 s warm-up):`);
        const ceiling = await harnessCeiling(server, args.connections, 3);
        const before = countClaimed(join(dataDir, 'leadpool.db'));
        const cpuBefore = server.cpuSeconds();
        const diskBefore = deviceBytesWritten(dataDir);
        const http = await httpClaims(server, tokens, feeds.http, { connections: args.connections, seconds: args.claimSeconds, warmup: 2 });
        const cpuAfter = server.cpuSeconds();
        const diskAfter = deviceBytesWritten(dataDir);
        const after = countClaimed(join(dataDir, 'leadpool.db'));
        const ok = http.statuses['200'] ?? 0;
        const walMb = walSize(join(dataDir, 'leadpool.db'));
        console.log(`  integrity: ${fmtInt(after.claimed - before.claimed)} leads became claimed, ${fmtInt(after.claimEvents - before.claimEvents)} lead.claimed events (incl. warm-up); ${fmtInt(ok)} measured 200s; WAL file now ${fmt(walMb, 1)} MB`);
        // What one claim costs, warm-up included (the counters cover both): the server's CPU,
        // all its threads; and what the data's disk wrote (the WAL, the checkpoint's copies,
        // the file system's own), which the fsyncs of the checkpoints make it write at once.
        const claimedNow = after.claimed - before.claimed;
        const cost = {
          cpuUsPerClaim: ((cpuAfter - cpuBefore) * 1e6) / claimedNow,
          diskKbPerClaim: (diskAfter - diskBefore) / 1024 / claimedNow,
          diskMbPerSecond: ((diskAfter - diskBefore) / 2 ** 20) * (http.perSecond / claimedNow),
        };
        console.log(
          `  cost per claim: ${fmt(cost.cpuUsPerClaim, 0)} µs of the server's CPU (all threads); the disk wrote ${Number.isNaN(cost.diskKbPerClaim) ? '(unknown here)' : `${fmt(cost.diskKbPerClaim, 1)} KB (${fmt(cost.diskMbPerSecond, 0)} MB/s at the measured rate)`}`,
        );
        results.claimsHttp = { http, ceiling, walMbAfter: walMb, integrity: { before, after }, cost };
        if (args.only.has('claims') && raw) {
          const ratio = http.perSecond / raw.tx.perSecond;
          summary.push({
            target: 'HTTP claims p99 < 10 ms (50 conns)',
            measured: `p99 ${fmt(http.latency.p99, 2)} ms (p50 ${fmt(http.latency.p50, 2)})`,
            ratio: `${fmt(http.latency.p99 / 10, 2)}× of limit`,
            pass: http.latency.p99 < 10 && http.errors === 0 && ok === http.requests,
          });
          // With every connection always waiting on an answer, Little's law fixes the mean
          // latency at connections / rate, whatever the server does; a p99 under 10 ms needs a
          // mean below that.
          summary.push({
            target: `(information) closed loop: mean latency = ${args.connections} ÷ rate`,
            measured: `${fmt((1000 * args.connections) / http.perSecond, 1)} ms at ${fmtInt(http.perSecond)}/s; a mean under 10 ms needs > ${fmtInt((1000 * args.connections) / 10)} claims/s`,
            ratio: `${fmt((1000 * args.connections) / 10 / http.perSecond, 2)}× this rate`,
            pass: null,
          });
          summary.push({
            target: 'HTTP claims/s ≥ 0.7 × raw claim tx',
            measured: `${fmtInt(http.perSecond)}/s vs raw tx ${fmtInt(raw.tx.perSecond)}/s (bare UPDATE ${fmtInt(raw.bare.perSecond)}/s)`,
            ratio: `${fmt(ratio, 2)}×`,
            pass: ratio >= 0.7,
          });
        }
        // The closed loop above keeps 50 claims in flight at every moment, so its latency is
        // mostly the queue the load generator itself builds (50 / rate). Paced at half that
        // rate, the same 50 connections show what a claim waits for when the server keeps up.
        const pacedRate = args.pacedRate || Math.max(100, Math.round(http.perSecond / 2 / 100) * 100);
        const paced = await httpClaims(server, tokens, feeds.http, { connections: args.connections, seconds: args.claimSeconds, warmup: 2, ratePerSecond: pacedRate });
        results.claimsHttpPaced = paced;
        if (args.only.has('claims')) {
          summary.push({
            target: `(information) HTTP claims paced at ${fmtInt(pacedRate)}/s, ${args.connections} conns`,
            measured: `p99 ${fmt(paced.latency.p99, 2)} ms (p50 ${fmt(paced.latency.p50, 2)}, max ${fmt(paced.latency.max, 1)}), from each request's scheduled time`,
            ratio: `${fmt(paced.latency.p99 / 10, 2)}× of 10 ms`,
            pass: null,
          });
        }
        memory.push(serverMemory(server, 'claims'));
      }
      results.memory = memory;
      const last = memory[memory.length - 1];
      if (last && args.only.has('memory')) {
        summary.push({
          target: `server RSS < 300 MB with ${fmtInt(args.leads)} leads`,
          measured: `${fmt(last.rssMb, 0)} MB after ${memory.map((m) => m.after).join('+')} (peak ${fmt(last.peakRssMb, 0)} MB)`,
          ratio: `${fmt(last.rssMb / 300, 2)}× of limit`,
          pass: last.rssMb < 300,
        });
      }
    } catch (err) {
      console.error(`server stderr tail:\n${server.stderrTail()}`);
      throw err;
    } finally {
      await server.stop();
    }
  }

  if (args.only.has('ingest')) {
    const n = Math.min(args.ingest, Math.max(args.leads, 10_000));
    console.log(`\nBulk ingest on fresh databases (${fmtInt(n)} leads each):`);
    const batch = await batchIngest(join(runDir, 'ingest-batch'), n);
    const csv = await csvImport(join(runDir, 'ingest-csv'), n);
    const breakdown = await ingestBreakdown(join(runDir, 'ingest-breakdown'), Math.min(n, 20_000));
    results.ingest = { batch, csv, breakdown };
    summary.push({
      target: 'batch route ≥ 10,000 leads/s',
      measured: `${fmtInt(batch.perSecond)} leads/s`,
      ratio: `${fmt(batch.perSecond / 10_000, 2)}×`,
      pass: batch.perSecond >= 10_000 && batch.stored === n,
    });
    summary.push({
      target: 'leadpool import CSV ≥ 10,000 leads/s',
      measured: `${fmtInt(csv.perSecond)} leads/s whole command (insert pass alone ${csv.insertPhaseSeconds ? fmtInt(n / csv.insertPhaseSeconds) : '?'}/s)`,
      ratio: `${fmt(csv.perSecond / 10_000, 2)}×`,
      pass: csv.perSecond >= 10_000 && csv.stored === n,
    });
  }

  if (args.only.has('routing')) {
    console.log('\nRouting (issue 3):');
    const core = await routingCore(args.decisions);
    summary.push({
      target: 'routing decision < 50 µs (50-rule set, core)',
      measured: `${fmt(core.usPerDecision, 2)} µs per decision (${fmtInt(core.decisions)} decisions, ${fmt(core.pushedShare * 100, 0)}% pushed)`,
      ratio: `${fmt(core.usPerDecision / 50, 2)}× of limit`,
      pass: core.usPerDecision < 50,
    });
    const n = Math.min(args.ingest, Math.max(args.leads, 10_000));
    console.log(`  batch route on fresh databases (${fmtInt(n)} leads each, 1,000 a request, 2 connections; the same leads with poolId, then without under 10 rules):`);
    const ri = await routedIngest(join(runDir, 'routing'), n);
    console.log('  where routed ingest spends its time:');
    const breakdown = await routingIngestBreakdown(join(runDir, 'routing-breakdown'), Math.min(n, 20_000));
    results.routing = { core, ingest: ri, breakdown };
    summary.push({
      target: 'batch ingest WITH routing ≥ 5,000 leads/s',
      measured: `${fmtInt(ri.routed.perSecond)} leads/s vs ${fmtInt(ri.baseline.perSecond)}/s with poolId (no routing)`,
      ratio: `${fmt(ri.routed.perSecond / 5000, 2)}× target; ${fmt(ri.routed.perSecond / ri.baseline.perSecond, 2)}× no-routing`,
      pass: ri.routed.perSecond >= 5000 && ri.routed.stored === n,
    });
  }

  if (args.only.has('fairplay')) {
    const db = await benchDb(args.leads);
    console.log(`\nFair play (issue 4): claims with all rules on vs none, on a copy of the ${fmtInt(db.leads)}-lead database:`);
    const dir = join(runDir, 'fairplay');
    const file = copyDb(db, dir);
    const fp = await runFairplay(file, db.poolId, shuffledIds(db.leads, 4242), () => startServer(dir), {
      seconds: args.fairSeconds,
      connections: args.connections,
      leads: db.leads,
    });
    results.fairplay = fp;
    rmSync(dir, { recursive: true, force: true });
    const ran = fp.checks.filter((c) => c.perClaimOn >= 0.99).length >= 3;
    for (const [label, t] of [
      ['in process store.claim()', fp.inProcess.totals],
      [`HTTP, ${args.connections} conns`, fp.http.totals],
    ] as const) {
      summary.push({
        target: `claim all rules ≥ 0.8 × no rules (${label})`,
        measured: `${fmtInt(t.on.perSecond)}/s on vs ${fmtInt(t.off.perSecond)}/s off; p99 ${fmt(t.on.p99, 2)} vs ${fmt(t.off.p99, 2)} ms; CPU/claim ${fmtInt(t.on.cpuUsPerClaim)} vs ${fmtInt(t.off.cpuUsPerClaim)} µs; refused ${t.refused}`,
        ratio: `${fmt(t.ratio, 2)}× (CPU ${fmt(t.cpuRatio, 2)}×)`,
        pass: t.ratio >= 0.8 && t.refused === 0 && ran,
      });
    }
  }

  if (args.only.has('metrics')) {
    const h = await historyDb(args.leads);
    console.log(
      `\nMeasurements (issue 4): ${fmtInt(h.leads)} leads, ${fmtInt(h.events)} events, ${fmtInt(h.claims)} claims over 30 days (${fmtInt(h.claimsLast7d)} in the last 7 at build time), ${h.reviewLeads} leads in review; sequential requests:`,
    );
    const dir = join(runDir, 'metrics');
    const file = copyDb(h, dir);
    const server = await startServer(dir);
    let endpoints;
    let exp;
    try {
      console.log(`  server child pid ${server.pid}; RSS at start ${fmt(server.memory().rssMb, 0)} MB`);
      endpoints = await runMetricsEndpoints(server, file, h.poolId, args.metricsSamples, 200);
      exp = await runExport(server, h.events);
    } catch (err) {
      console.error(`server stderr tail:\n${server.stderrTail()}`);
      throw err;
    } finally {
      await server.stop();
    }
    let diagnosis;
    if (endpoints.some((e) => !e.pass)) {
      console.log('  where the time goes (store calls in process, every statement timed; plans of those over 5 ms):');
      diagnosis = await metricsDiagnosis(file, h.poolId);
    }
    results.metrics = { history: { leads: h.leads, events: h.events, claims: h.claims, claimsLast7dAtBuild: h.claimsLast7d, builtAt: h.builtAt }, endpoints, export: exp, diagnosis };
    rmSync(dir, { recursive: true, force: true });
    for (const e of endpoints) {
      summary.push({
        target: `GET ${e.name} p95 < 200 ms`,
        measured: `p95 ${fmt(e.latency.p95, 1)} ms (p50 ${fmt(e.latency.p50, 1)}, n ${e.latency.n})`,
        ratio: `${fmt(e.latency.p95 / 200, 2)}× of limit`,
        pass: e.pass,
      });
    }
    summary.push({
      target: `events.csv export, ${fmtInt(h.events)} events, bounded memory (RSS < 300 MB)`,
      measured: `${fmtInt(exp.rowsPerSecond)} rows/s (${fmtInt(exp.rows)} rows, ${fmt(exp.seconds, 1)} s); RSS peak ${fmt(exp.rssPeakDuringMb, 0)} MB (from ${fmt(exp.rssBeforeMb, 0)})`,
      ratio: `${fmt(exp.rssPeakDuringMb / 300, 2)}× of 300 MB`,
      pass: exp.status === 200 && exp.rows >= h.events && exp.rssPeakDuringMb < 300,
    });
  }
  if (args.only.has('ui')) {
    // The same cached database as browse: one pool holding every lead.
    const db = await benchDb(args.leads);
    const dir = join(runDir, 'ui');
    copyDb(db, dir);
    const server = await startServer(dir);
    let ui;
    try {
      console.log(`\nWeb UI in Chromium (server child pid ${server.pid}; ${args.uiLoads} loads each):`);
      ui = await runUi(server, db.poolId, db.probes, args.uiLoads);
    } catch (err) {
      console.error(`server stderr tail:\n${server.stderrTail()}`);
      throw err;
    } finally {
      await server.stop();
    }
    printUi(ui, db.leads);
    results.ui = ui;
    rmSync(dir, { recursive: true, force: true });
    const rows: [string, { p50: number; p95: number }][] = [
      ['first pool page, cold: navigation → rows', ui.coldFirstRows],
      ['first pool page, warm: navigation → rows', ui.warmFirstRows],
      ['filter change → new rows', ui.filterChange],
      ['search as you type: last key → rows', ui.searchAsYouType],
    ];
    for (const [name, s] of rows) {
      summary.push({
        target: `${name} p95 < ${FIRST_ROWS_TARGET_MS} ms (${fmtInt(db.leads)} leads)`,
        measured: `p95 ${fmt(s.p95, 0)} ms (p50 ${fmt(s.p50, 0)})`,
        ratio: `${fmt(s.p95 / FIRST_ROWS_TARGET_MS, 2)}× of limit`,
        pass: s.p95 < FIRST_ROWS_TARGET_MS,
      });
    }
    summary.push({ target: 'web UI bundle gzipped (first page / all chunks)', measured: `${fmt(ui.bundle.entryGzipKb, 1)} KB / ${fmt(ui.bundle.totalGzipKb, 1)} KB`, ratio: '—', pass: null });
  }
  if (args.only.has('sim')) {
    // Issue 7: a year of a 50-rep team at 500 leads a day through each model in under 10 s.
    console.log(`\nSimulator (issue 7): ${args.simDays} days, 50 reps, 500 leads a day, each model with fair play on; wall and CPU seconds:`);
    const base = await runStreamBaseline({ days: args.simDays });
    console.log(`  ${simBenchLine(base).replace(/ \(target.*$/, '')}`);
    const rows = [];
    for (const model of MODEL_IDS) {
      const r = await runSimBench({ model, days: args.simDays });
      console.log(`  ${simBenchLine(r)}`);
      rows.push(r);
    }
    results.sim = { baseline: base, models: rows };
    const slowest = rows.reduce((a, b) => (b.seconds > a.seconds ? b : a));
    const fastest = rows.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    summary.push({
      target: `simulator: ${args.simDays} days, 50 reps, 500 leads/day, each model < ${SIM_TARGET_SECONDS} s`,
      measured: `${rows.filter((r) => r.pass).length}/${rows.length} pass; slowest ${slowest.model} ${fmt(slowest.seconds, 1)} s (CPU ${fmt(slowest.cpuSeconds, 1)} s, ${fmtInt(slowest.leadsPerSecond)} leads/s), fastest ${fastest.model} ${fmt(fastest.seconds, 1)} s; stream alone ${fmt(base.seconds, 1)} s (${fmtInt(base.leadsPerSecond)} leads/s)`,
      ratio: `${fmt(slowest.seconds / SIM_TARGET_SECONDS, 2)}× of limit`,
      pass: rows.every((r) => r.pass),
    });
    // On a shared machine the wall clock counts other people's work too; CPU seconds are what this code costs.
    const hungriest = rows.reduce((a, b) => (b.cpuSeconds > a.cpuSeconds ? b : a));
    summary.push({
      target: `simulator, the same runs in CPU seconds < ${SIM_TARGET_SECONDS} s`,
      measured: `${rows.filter((r) => r.cpuSeconds < SIM_TARGET_SECONDS).length}/${rows.length} pass; most ${hungriest.model} CPU ${fmt(hungriest.cpuSeconds, 1)} s (wall ${fmt(hungriest.seconds, 1)} s); stream alone CPU ${fmt(base.cpuSeconds, 1)} s`,
      ratio: `${fmt(hungriest.cpuSeconds / SIM_TARGET_SECONDS, 2)}× of limit`,
      pass: rows.every((r) => r.cpuSeconds < SIM_TARGET_SECONDS),
    });
  }
  if (args.only.has('pg')) {
    console.log(`\nPostgreSQL and three instances (issue 5), on a scratch database of ${fmtInt(args.leads)} leads:`);
    const r = await runPgBench({ leads: args.leads, claimsPerRun: Math.min(50_000, Math.floor(args.leads / 20)), log: (l) => console.log(`  ${l}`) });
    results.pg = r;
    const worst = r.browse.reduce((a, b) => (b.p99 > a.p99 ? b : a));
    summary.push(
      {
        target: 'pg claim-next, 3 instances ≥ 0.7 × bare statement',
        measured: `${fmtInt(r.claimNext.instancesRate)}/s vs bare ${fmtInt(r.claimNext.bareRate)}/s (${r.claimNext.connections} conns; bare batched ${fmtInt(r.claimNext.bareBatchRate)}/s)`,
        ratio: `${fmt(r.claimNext.ratio, 2)}×`,
        pass: r.claimNext.ratio >= 0.7,
      },
      {
        target: 'pg sustained claim-next, 10 runs lose ≤ 20%',
        measured: `${fmtInt(r.sustained.rates[0]!)} → ${fmtInt(r.sustained.rates[r.sustained.rates.length - 1]!)}/s`,
        ratio: `${fmt(r.sustained.lossPct, 1)}% lost`,
        pass: r.sustained.lossPct <= 20,
      },
      {
        target: 'pg claim-next faster than graphile-worker 0.16',
        measured: `${fmtInt(r.peer.graphileWorker.leadpoolPerSecond)}/s vs ${fmtInt(r.peer.graphileWorker.perSecond)} jobs/s (${fmtInt(r.peer.graphileWorker.jobs)} of a ${fmtInt(r.peer.graphileWorker.backlog)} backlog)`,
        ratio: `${fmt(r.peer.graphileWorker.ratio, 2)}×`,
        pass: r.peer.graphileWorker.ratio > 1,
      },
      {
        target: 'pg browse p99 < 20 ms',
        measured: `worst p99 ${fmt(worst.p99, 1)} ms (${worst.name})`,
        ratio: `${fmt(worst.p99 / 20, 2)}× of limit`,
        pass: worst.p99 < 20,
      },
      {
        target: 'pg ingest ≥ 25,000 leads/s',
        measured: `${fmtInt(r.ingest.rowsPerSec)} leads/s from two clients (${fmtInt(r.ingest.oneClient)}/s from one)`,
        ratio: `${fmt(r.ingest.rowsPerSec / 25_000, 2)}×`,
        pass: r.ingest.rowsPerSec >= 25_000,
      },
    );
  }
  rmSync(runDir, { recursive: true, force: true });

  const secs = (Date.now() - started) / 1000;
  results.summary = summary;
  results.loadAverageAtEnd = loadavg();
  results.cpuPressureAtEnd = cpuPressure();
  results.seconds = secs;
  writeFileSync(join(ROOT, 'bench', 'results.json'), JSON.stringify(results, null, 2));
  const w1 = Math.max(6, ...summary.map((s) => s.target.length));
  const w2 = Math.max(8, ...summary.map((s) => s.measured.length));
  console.log(`\nSummary (${secs.toFixed(0)} s; bench/results.json; load average now ${loadavg().map((x) => x.toFixed(1)).join(' ')}; ${cpuPressure()})\n`);
  console.log(`${'target'.padEnd(w1)}  ${'measured'.padEnd(w2)}  ${'ratio'.padEnd(16)}  result`);
  for (const s of summary) console.log(`${s.target.padEnd(w1)}  ${s.measured.padEnd(w2)}  ${s.ratio.padEnd(16)}  ${s.pass === null ? '—' : s.pass ? 'PASS' : 'FAIL'}`);
}

/** CPU pressure (PSI): the share of time something runnable waited for a CPU. Other work on the machine shows here. */
function cpuPressure(): string {
  try {
    const m = /some avg10=([\d.]+) avg60=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return m ? `cpu pressure avg10 ${m[1]}% avg60 ${m[2]}%` : '';
  } catch {
    return '';
  }
}

function walSize(file: string): number {
  try {
    return statSync(`${file}-wal`).size / 2 ** 20;
  } catch {
    return 0;
  }
}

function countClaimed(file: string): { claimed: number; claimEvents: number } {
  const db = new Database(file, { readonly: true });
  const claimed = db.prepare(`SELECT COUNT(*) FROM leads WHERE status = 'claimed'`).pluck().get() as number;
  const claimEvents = db.prepare(`SELECT COUNT(*) FROM events WHERE type = 'lead.claimed'`).pluck().get() as number;
  db.close();
  return { claimed, claimEvents };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
