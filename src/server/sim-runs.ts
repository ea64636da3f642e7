import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { AppError } from '../core/errors.js';
import type { SimulationReport } from '../sim/index.js';
import type { SimJob, SimProgress } from './sim-job.js';
import type { WorkerMessage } from './sim-worker.js';
import { startModuleWorker } from './module-worker.js';

export const SIM_RUN_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type SimRunStatus = (typeof SIM_RUN_STATUSES)[number];

/** What the caller asked for, as shown back in the run's status (the job itself may hold 100,000 leads). */
export interface SimRunInputs {
  stream: 'synthetic' | 'history';
  days: number;
  leadsPerDay: number | null;
  leads: number | null;
  team: 'preset' | 'current';
  reps: number;
  models: string[];
  fairPlay: 'on' | 'off' | 'both';
  seed: number;
}

export interface SimRun {
  id: string;
  status: SimRunStatus;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  createdBy: string;
  inputs: SimRunInputs;
  progress: SimProgress;
  report: SimulationReport | null;
  error: string | null;
}

export interface SimulationRunsOptions {
  now: () => number;
  /** Runs at once in worker threads. Default 1: the server keeps the other core. */
  concurrency?: number;
  /** Runs running or waiting; one more is refused. Default 2. */
  maxActive?: number;
  /** Finished runs kept for the list. Default 20. */
  keep?: number;
}

/**
 * The "what if" runs of this server process, in memory: a restart forgets them (a run is
 * cheap to repeat from its inputs and seed). Each run is one worker thread, so a year of
 * simulation never blocks claims or the UI; runs beyond `concurrency` wait their turn.
 */
export class SimulationRuns {
  readonly #runs = new Map<string, SimRun>();
  readonly #jobs = new Map<string, SimJob>();
  readonly #workers = new Map<string, Worker>();
  readonly #now: () => number;
  readonly #concurrency: number;
  readonly #maxActive: number;
  readonly #keep: number;

  constructor(o: SimulationRunsOptions) {
    this.#now = o.now;
    this.#concurrency = o.concurrency ?? 1;
    this.#maxActive = o.maxActive ?? 2;
    this.#keep = o.keep ?? 20;
  }

  get limits(): { concurrency: number; maxActive: number } {
    return { concurrency: this.#concurrency, maxActive: this.#maxActive };
  }

  start(job: SimJob, inputs: SimRunInputs, createdBy: string): SimRun {
    const active = [...this.#runs.values()].filter((r) => r.status === 'queued' || r.status === 'running').length;
    if (active >= this.#maxActive) {
      throw new AppError(
        'SIMULATIONS_BUSY',
        `${active} simulation runs are running or waiting already (at most ${this.#maxActive} at a time): wait for one to finish, or cancel one.`,
        { active, limit: this.#maxActive },
      );
    }
    const run: SimRun = {
      id: randomUUID(),
      status: 'queued',
      createdAt: this.#now(),
      startedAt: null,
      finishedAt: null,
      createdBy,
      inputs,
      progress: { fraction: 0, leadsSimulated: 0, model: null, modelIndex: 0, models: job.models.length },
      report: null,
      error: null,
    };
    this.#runs.set(run.id, run);
    this.#jobs.set(run.id, job);
    this.#prune();
    this.#next();
    return run;
  }

  get(id: string): SimRun | null {
    return this.#runs.get(id) ?? null;
  }

  /** Newest first. */
  list(): SimRun[] {
    return [...this.#runs.values()].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));
  }

  cancel(id: string): SimRun {
    const run = this.#runs.get(id);
    if (!run) throw new AppError('NOT_FOUND', `No simulation run ${id}.`);
    if (run.status !== 'queued' && run.status !== 'running') {
      throw new AppError('INVALID_TRANSITION', `The run is ${run.status} already; only a queued or running run can be cancelled.`, { status: run.status });
    }
    this.#finish(run, 'cancelled', null);
    return run;
  }

  /** Ends every run (the server is closing). */
  async close(): Promise<void> {
    for (const run of this.#runs.values()) if (run.status === 'queued' || run.status === 'running') this.#finish(run, 'cancelled', 'the server stopped');
  }

  #next(): void {
    const running = [...this.#runs.values()].filter((r) => r.status === 'running').length;
    if (running >= this.#concurrency) return;
    const waiting = [...this.#runs.values()].filter((r) => r.status === 'queued').sort((a, b) => a.createdAt - b.createdAt)[0];
    if (!waiting) return;
    const job = this.#jobs.get(waiting.id)!;
    waiting.status = 'running';
    waiting.startedAt = this.#now();
    let worker: Worker;
    try {
      worker = startWorker(job);
    } catch (err) {
      this.#finish(waiting, 'failed', `could not start the simulation: ${(err as Error).message}`);
      return;
    }
    this.#workers.set(waiting.id, worker);
    worker.on('message', (m: WorkerMessage) => {
      if (waiting.status !== 'running') return;
      if (m.type === 'progress') waiting.progress = m.progress;
      else if (m.type === 'done') {
        waiting.report = m.report as SimulationReport;
        waiting.progress = { ...waiting.progress, fraction: 1, model: null };
        this.#finish(waiting, 'done', null);
      } else this.#finish(waiting, 'failed', m.message);
    });
    worker.on('error', (err) => {
      if (waiting.status === 'running') this.#finish(waiting, 'failed', err.message);
    });
    worker.on('exit', (code) => {
      if (waiting.status === 'running') this.#finish(waiting, 'failed', `the simulation stopped unexpectedly (exit code ${code})`);
    });
  }

  #finish(run: SimRun, status: SimRunStatus, error: string | null): void {
    run.status = status;
    run.error = error;
    run.finishedAt = this.#now();
    this.#jobs.delete(run.id); // the leads of a history run are not kept past the run
    const worker = this.#workers.get(run.id);
    if (worker) {
      this.#workers.delete(run.id);
      void worker.terminate();
    }
    this.#next();
  }

  #prune(): void {
    const finished = this.list().filter((r) => r.status !== 'queued' && r.status !== 'running');
    for (const r of finished.slice(this.#keep)) this.#runs.delete(r.id);
  }
}

function startWorker(job: SimJob): Worker {
  return startModuleWorker(import.meta.url, 'sim-worker', { job });
}
