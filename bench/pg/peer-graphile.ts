/**
 * The peer of issue 5: graphile-worker 0.16 (the last release for Node 20) draining a
 * backlog of no-op jobs on the same database with as many connections as Leadpool's
 * claim-next gets. A job fetch is a row claim with less policy than a lead claim (no pool,
 * no rules, no lock timer, no event), so it is a fair floor for "a PostgreSQL queue".
 */
import pg from 'pg';
import { Logger, run, runMigrations } from 'graphile-worker';

export interface PeerResult {
  jobs: number;
  seconds: number;
  perSecond: number;
}

export async function graphileWorkerDrain(url: string, jobs: number, connections: number, log: (l: string) => void): Promise<PeerResult> {
  const quiet = new Logger(() => () => {});
  await runMigrations({ connectionString: url, logger: quiet });
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    // The backlog, added in one statement per 10,000 (what a producer's bulk add does).
    for (let i = 0; i < jobs; i += 10_000) {
      await c.query(`SELECT graphile_worker.add_job('noop', json_build_object('n', g)) FROM generate_series($1::int, $2::int) g`, [i, Math.min(jobs, i + 10_000) - 1]);
    }
    await c.query('VACUUM ANALYZE graphile_worker._private_jobs');
  } finally {
    await c.end();
  }
  log(`  graphile-worker: ${jobs.toLocaleString('en')} jobs queued, draining with concurrency ${connections}…`);
  let done = 0;
  let finish: () => void = () => {};
  const drained = new Promise<void>((r) => (finish = r));
  const started = performance.now();
  const runner = await run({
    connectionString: url,
    concurrency: connections,
    maxPoolSize: connections,
    noHandleSignals: true,
    pollInterval: 1000,
    logger: quiet,
    taskList: {
      noop: async () => {
        if (++done >= jobs) finish();
      },
    },
  });
  await drained;
  const seconds = (performance.now() - started) / 1000;
  await runner.stop();
  return { jobs, seconds, perSecond: jobs / seconds };
}
