/**
 * The peer of issue 5: graphile-worker 0.16 (the last release for Node 20) working through a
 * backlog of no-op jobs as large as Leadpool's queue, on the same database, with as many
 * connections as Leadpool's claim-next gets, timed over as many jobs as one of Leadpool's
 * sustained runs claims. A job fetch is a row claim with less policy than a lead claim (no
 * pool, no rules, no lock timer, no event), so it is a fair floor for "a PostgreSQL queue".
 * The backlog size matters: a queue's fetch slows as its table and index grow (ANCHORS:
 * 2,770 jobs/s from a 10k backlog, 2,460 from 100k), so a small backlog would flatter it.
 */
import pg from 'pg';
import { Logger, run, runMigrations } from 'graphile-worker';

export interface PeerResult {
  /** Jobs queued before the clock started. */
  backlog: number;
  /** Jobs done while timed. */
  jobs: number;
  seconds: number;
  perSecond: number;
}

export async function graphileWorkerDrain(url: string, backlog: number, jobs: number, connections: number, log: (l: string) => void): Promise<PeerResult> {
  if (jobs > backlog) throw new Error(`graphile peer: cannot time ${jobs} jobs from a backlog of ${backlog}`);
  const quiet = new Logger(() => () => {});
  await runMigrations({ connectionString: url, logger: quiet });
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    // The backlog, added with graphile's bulk add_jobs, 10,000 a call (what a producer's bulk add does).
    const started = performance.now();
    for (let i = 0; i < backlog; i += 10_000) {
      await c.query(
        `SELECT count(*) FROM graphile_worker.add_jobs((
           SELECT array_agg(ROW('noop', json_build_object('n', g), NULL, NULL, NULL, NULL, NULL, NULL)::graphile_worker.job_spec)
             FROM generate_series($1::int, $2::int) g))`,
        [i, Math.min(backlog, i + 10_000) - 1],
      );
      if ((i / 10_000) % 10 === 9) log(`  graphile-worker: ${(i + 10_000).toLocaleString('en')} / ${backlog.toLocaleString('en')} jobs queued (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    }
    await c.query('VACUUM ANALYZE graphile_worker._private_jobs');
  } finally {
    await c.end();
  }
  log(`  graphile-worker: ${backlog.toLocaleString('en')} jobs queued; timing ${jobs.toLocaleString('en')} of them with concurrency ${connections}…`);
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
  return { backlog, jobs, seconds, perSecond: jobs / seconds };
}
