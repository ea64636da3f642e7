import {
  historyStream,
  runSimulation,
  selectModels,
  syntheticStream,
  type CurrentConfig,
  type LeadStream,
  type RulesChoice,
  type SimulationReport,
  type StreamAccount,
  type Team,
} from '../sim/index.js';
import type { LeadInput } from '../core/lead-input.js';

/**
 * One "what if" run as plain data: everything the simulator needs, read from the request and
 * the store beforehand, so the run itself (in a worker thread) touches neither.
 */
export interface SimJob {
  team: Team;
  stream:
    | { kind: 'synthetic'; days: number; leadsPerDay: number }
    | { kind: 'history'; leads: { input: LeadInput; arrivedAt: number }[]; accounts: StreamAccount[] };
  models: string[];
  rules: RulesChoice;
  current: CurrentConfig | null;
  seed: number;
}

export interface SimProgress {
  /** Share of the whole run done, 0 to 1. */
  fraction: number;
  /** Leads simulated so far, over every model. */
  leadsSimulated: number;
  /** The model being run, as the report labels it. */
  model: string | null;
  modelIndex: number;
  models: number;
}

export function jobStream(job: SimJob): LeadStream {
  return job.stream.kind === 'synthetic'
    ? syntheticStream({ days: job.stream.days, leadsPerDay: job.stream.leadsPerDay, seed: job.seed })
    : historyStream(job.stream.leads, job.seed, job.stream.accounts);
}

/** Runs the job: the same report the CLI's `--format json` prints for the same inputs. */
export function runJob(job: SimJob, onProgress?: (p: SimProgress) => void): SimulationReport {
  const models = selectModels(job.models, job.rules, job.current);
  // Every model replays the same stream: the models before this one simulated as many leads as the first did.
  let perModel = 0;
  return runSimulation({
    team: job.team,
    stream: jobStream(job),
    models,
    seed: job.seed,
    onProgress: ({ index, total, label, fraction, leads }) => {
      if (index === 0) perModel = leads;
      onProgress?.({
        fraction: Math.min(1, (index + fraction) / total),
        leadsSimulated: index * perModel + leads,
        model: label,
        modelIndex: index,
        models: total,
      });
    },
  });
}
