/**
 * `node --import tsx bench/sim.ts [--model hybrid-hot-push|all] [--days 365] [--reps 50] [--leads-per-day 500]`
 *
 * The simulator's speed target (issue 7): a year of a 50-rep team at 500 leads a day (about
 * 180,000 leads) through one model in under 10 seconds. Reports leads simulated per second,
 * wall and CPU time (the machine is shared: CPU seconds move less with other load), and a
 * baseline measured the same way: generating and reading the same stream with no model, the
 * floor every model pays. The clock here is the wall clock of the benchmark, never the simulation's.
 */
import { pathToFileURL } from 'node:url';
import { runModel } from '../src/sim/engine.js';
import { buildModel, MODEL_IDS, type ModelId } from '../src/sim/models.js';
import { syntheticStream } from '../src/sim/stream.js';
import { sdrTeam } from '../src/sim/team.js';

export interface SimBenchOptions {
  model?: ModelId;
  days?: number;
  reps?: number;
  leadsPerDay?: number;
  seed?: number;
}

export interface SimBenchResult {
  model: string;
  leads: number;
  events: number;
  seconds: number;
  cpuSeconds: number;
  leadsPerSecond: number;
  eventsPerSecond: number;
  targetSeconds: number;
  pass: boolean;
}

export const SIM_TARGET_SECONDS = 10;

/** One model over a year of a 50-rep team at 500 leads a day (defaults), fair play on. */
export async function runSimBench(o: SimBenchOptions = {}): Promise<SimBenchResult> {
  const model = o.model ?? 'hybrid-hot-push';
  const team = sdrTeam(o.reps ?? 50);
  const stream = syntheticStream({ days: o.days ?? 365, leadsPerDay: o.leadsPerDay ?? 500, seed: o.seed ?? 1 });
  const cpu = process.cpuUsage();
  const started = performance.now();
  const r = runModel(buildModel(model, 'on'), team, stream, { seed: o.seed ?? 1 });
  return figures(model, r.leads, r.events, started, cpu);
}

/** The baseline: the same stream generated and read through, with no model and no team. */
export async function runStreamBaseline(o: SimBenchOptions = {}): Promise<SimBenchResult> {
  const stream = syntheticStream({ days: o.days ?? 365, leadsPerDay: o.leadsPerDay ?? 500, seed: o.seed ?? 1 });
  const cpu = process.cpuUsage();
  const started = performance.now();
  let leads = 0;
  let check = 0;
  for (const l of stream.leads()) {
    leads++;
    check += l.input.score;
  }
  if (check < 0) throw new Error('unreachable');
  return figures('stream only (baseline)', leads, leads, started, cpu);
}

function figures(model: string, leads: number, events: number, started: number, cpu: NodeJS.CpuUsage): SimBenchResult {
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    model,
    leads,
    events,
    seconds: Math.round(seconds * 100) / 100,
    cpuSeconds: Math.round((used.user + used.system) / 1e4) / 100,
    leadsPerSecond: Math.round(leads / seconds),
    eventsPerSecond: Math.round(events / seconds),
    targetSeconds: SIM_TARGET_SECONDS,
    pass: seconds < SIM_TARGET_SECONDS,
  };
}

export function simBenchLine(r: SimBenchResult): string {
  return (
    `sim ${r.model}: ${r.leads.toLocaleString('en')} leads, ${r.events.toLocaleString('en')} events in ${r.seconds} s (CPU ${r.cpuSeconds} s) = ` +
    `${r.leadsPerSecond.toLocaleString('en')} leads/s (target: under ${r.targetSeconds} s: ${r.pass ? 'pass' : 'FAIL'})`
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const get = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const which = get('--model') ?? 'hybrid-hot-push';
  const models = (which === 'all' ? [...MODEL_IDS] : which.split(',')) as ModelId[];
  for (const m of models) if (!MODEL_IDS.includes(m)) throw new Error(`--model: all, or one of ${MODEL_IDS.join(', ')}`);
  const num = (name: string) => (get(name) === undefined ? undefined : Number(get(name)));
  const o = { days: num('--days'), reps: num('--reps'), leadsPerDay: num('--leads-per-day'), seed: num('--seed') };
  const base = await runStreamBaseline(o);
  console.log(`${simBenchLine(base).replace(/ \(target.*$/, '')}`);
  for (const model of models) console.log(simBenchLine(await runSimBench({ model, ...o })));
}
