import { runModel, type ModelResult, type SimOptions } from './engine.js';
import { buildModel, currentModel, MODEL_IDS, type CurrentConfig, type ModelDef, type ModelId } from './models.js';
import { buildReport, type SimulationReport, type StreamFacts } from './report.js';
import type { LeadStream } from './stream.js';
import type { Team } from './team.js';

export { runModel, FINAL_STATES, type ModelResult, type SimOptions, type FinalState, type TraceEntry } from './engine.js';
export { buildModel, currentModel, parseCurrentConfig, MODEL_IDS, type ModelDef, type ModelId, type CurrentConfig } from './models.js';
export { buildReport, formatTable, compareResults, type SimulationReport } from './report.js';
export { renderHtml } from './html.js';
export { syntheticStream, csvStream, listStream, historyStream, type LeadStream, type StreamLead, type StreamAccount } from './stream.js';
export { sdrTeam, parseTeamFile, teamAvailability, teamFromSettings, type Team, type RepSpec, type RepSettingsForSim } from './team.js';

export type RulesChoice = 'on' | 'off' | 'both';

/** The models a run compares: named ones (or all), each with fair play on, off or both; `current` needs a config. */
export function selectModels(names: readonly string[] | 'all', rules: RulesChoice, current: CurrentConfig | null): ModelDef[] {
  const ids = names === 'all' ? [...MODEL_IDS, ...(current ? ['current'] : [])] : [...names];
  const variants: ('on' | 'off')[] = rules === 'both' ? ['off', 'on'] : [rules];
  const out: ModelDef[] = [];
  for (const id of ids) {
    if (id === 'current') {
      if (!current) throw new Error('model "current" needs --config FILE (the export of a running Leadpool)');
      for (const v of variants) out.push(currentModel(current, v));
      continue;
    }
    if (!(MODEL_IDS as readonly string[]).includes(id)) throw new Error(`unknown model "${id}" (models: ${[...MODEL_IDS, 'current'].join(', ')})`);
    for (const v of variants) out.push(buildModel(id as ModelId, v));
  }
  return out;
}

export interface SimulationInput {
  team: Team;
  stream: LeadStream;
  models: ModelDef[];
  seed: number;
  options?: Omit<SimOptions, 'seed' | 'onProgress' | 'trace'>;
  /** Model `index` of `total` (from 0) is `fraction` done, with `leads` of its stream arrived. */
  onProgress?: (p: { index: number; total: number; label: string; fraction: number; leads: number }) => void;
}

/** Runs every model over the same stream and team and compares them. Deterministic for its inputs. */
export function runSimulation(input: SimulationInput): SimulationReport {
  const results: ModelResult[] = [];
  input.models.forEach((model, index) => {
    const r = runModel(model, input.team, input.stream, {
      ...input.options,
      seed: input.seed,
      onProgress: (fraction, leads) => input.onProgress?.({ index, total: input.models.length, label: model.label, fraction, leads }),
    });
    results.push(r);
  });
  return buildReport(input.seed, input.team, input.stream, streamFacts(input.stream), results);
}

export function streamFacts(stream: LeadStream): StreamFacts {
  const f: StreamFacts = { leads: 0, scoreSum: 0, scoreSqSum: 0, hot: 0 };
  for (const l of stream.leads()) {
    f.leads++;
    f.scoreSum += l.input.score;
    f.scoreSqSum += l.input.score * l.input.score;
    if (l.input.score >= 80) f.hot++;
  }
  return f;
}

/** The report as JSON: the same inputs and seed give the same bytes. */
export function reportJson(report: SimulationReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}
