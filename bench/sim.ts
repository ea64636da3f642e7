/**
 * `node --import tsx bench/sim.ts [--model hybrid-hot-push] [--days 365] [--reps 50] [--leads-per-day 500]`
 *
 * The simulator's speed target (issue 7): a year of a 50-rep team at 500 leads a day (about
 * 180,000 leads) through one model in under 10 seconds. Reports leads simulated per second.
 * The clock here is the wall clock of the benchmark, never the simulation's.
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
  leadsPerSecond: number;
  eventsPerSecond: number;
  targetSeconds: number;
  pass: boolean;
}

/** One model over a year of a 50-rep team at 500 leads a day (defaults), fair play on. */
export async function runSimBench(o: SimBenchOptions = {}): Promise<SimBenchResult> {
  const model = o.model ?? 'hybrid-hot-push';
  const team = sdrTeam(o.reps ?? 50);
  const stream = syntheticStream({ days: o.days ?? 365, leadsPerDay: o.leadsPerDay ?? 500, seed: o.seed ?? 1 });
  const started = performance.now();
  const r = runModel(buildModel(model, 'on'), team, stream, { seed: o.seed ?? 1 });
  const seconds = (performance.now() - started) / 1000;
  return {
    model,
    leads: r.leads,
    events: r.events,
    seconds: Math.round(seconds * 100) / 100,
    leadsPerSecond: Math.round(r.leads / seconds),
    eventsPerSecond: Math.round(r.events / seconds),
    targetSeconds: 10,
    pass: seconds < 10,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const get = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const model = (get('--model') ?? 'hybrid-hot-push') as ModelId;
  if (!MODEL_IDS.includes(model)) throw new Error(`--model: one of ${MODEL_IDS.join(', ')}`);
  const num = (name: string) => (get(name) === undefined ? undefined : Number(get(name)));
  const r = await runSimBench({ model, days: num('--days'), reps: num('--reps'), leadsPerDay: num('--leads-per-day'), seed: num('--seed') });
  console.log(
    `sim ${r.model}: ${r.leads.toLocaleString('en')} leads, ${r.events.toLocaleString('en')} events in ${r.seconds} s = ` +
      `${r.leadsPerSecond.toLocaleString('en')} leads/s (target: under ${r.targetSeconds} s: ${r.pass ? 'pass' : 'FAIL'})`,
  );
}
