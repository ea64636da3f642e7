import { Command, InvalidArgumentError, Option } from 'commander';
import { readFile, writeFile } from 'node:fs/promises';
import { parseMapping } from './csv-import.js';
import { progressClear, progressLine } from './progress.js';
import {
  csvStream,
  formatTable,
  parseCurrentConfig,
  parseTeamFile,
  renderHtml,
  reportJson,
  runSimulation,
  sdrTeam,
  selectModels,
  syntheticStream,
  type CurrentConfig,
  type LeadStream,
  type RulesChoice,
  type Team,
} from '../sim/index.js';

const FORMATS = ['table', 'json', 'html'] as const;
type Format = (typeof FORMATS)[number];

interface SimulateOptions {
  days: number;
  reps: number;
  leadsPerDay: number;
  team: string;
  stream?: string;
  map?: string;
  models: string;
  rules: RulesChoice;
  seed: number;
  format: Format;
  out?: string;
  config?: string;
  ageOutHours: number;
}

const positive = (name: string, integer = true) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new InvalidArgumentError(`${name} must be a positive ${integer ? 'whole ' : ''}number`);
  return n;
};
const integer = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`${name} must be a whole number`);
  return n;
};

/**
 * `leadpool simulate`: replays a lead stream (synthetic, or a CSV of the team's history)
 * against every distribution model on virtual time and compares them. See docs/simulator.md.
 */
export function registerSimulateCommand(program: Command): Command {
  return program
    .command('simulate')
    .description('replay a lead stream against every distribution model and compare them side by side')
    .addOption(new Option('--days <n>', 'days of synthetic leads').default(30).argParser(positive('--days')))
    .addOption(new Option('--reps <n>', 'reps in the sdr-team preset').default(12).argParser(positive('--reps')))
    .addOption(new Option('--leads-per-day <n>', 'synthetic leads per day, averaged over the week').default(400).argParser(positive('--leads-per-day', false)))
    .addOption(new Option('--team <preset|file>', 'sdr-team, or a team JSON file (see docs/simulator.md)').default('sdr-team'))
    .option('--stream <file.csv>', 'a CSV of your own leads: the import format plus an arrivedAt column (ISO 8601)')
    .option('--map <spec>', 'header mapping for --stream, as for import: "Firma=company,Eingang=arrivedAt"')
    .addOption(new Option('--models <list>', 'all, or a comma list of: push-round-robin, push-weighted, queue-pull, pool-pull, cherry-pick, hybrid-hot-push, hybrid-strategic, hybrid-escalation, hybrid-tiers, current').default('all'))
    .addOption(new Option('--rules <on|off|both>', 'fair-play rules (the seed defaults: hoarding 10, diversity 30% under 80)').choices(['on', 'off', 'both']).default('both'))
    .option('--config <file>', 'the configuration of a running Leadpool: {"pools": GET /api/v1/pools, "ruleSet": GET /api/v1/routing, "rules": GET /api/v1/settings/rules}; adds model "current"')
    .addOption(new Option('--age-out-hours <n>', 'a lead unclaimed this long is lost').default(72).argParser(positive('--age-out-hours', false)))
    .addOption(new Option('--seed <n>', 'the same seed and inputs give byte-identical JSON').default(1).argParser(integer('--seed')))
    .addOption(new Option('--format <format>', 'output format').choices([...FORMATS]).default('table'))
    .option('--out <file>', 'write the report to a file instead of stdout')
    .action(async (o: SimulateOptions) => {
      const team = await loadTeam(o);
      const config = o.config ? await loadConfig(o.config) : null;
      const stream = await loadStream(o);
      const models = selectModels(o.models === 'all' ? 'all' : o.models.split(',').map((s) => s.trim()).filter(Boolean), o.rules, config);
      const started = Date.now();
      let lastDraw = 0;
      const report = runSimulation({
        team,
        stream,
        models,
        seed: o.seed,
        options: { ageOutHours: o.ageOutHours },
        onProgress: ({ index, total, label, fraction }) => {
          const now = Date.now();
          if (fraction < 1 && now - lastDraw < 200) return;
          lastDraw = now;
          const text = `[${index + 1}/${total}] ${label}: ${Math.round(fraction * 100)}%`;
          if (process.stderr.isTTY) progressLine(text);
          else if (fraction >= 1) process.stderr.write(`${text}\n`);
        },
      });
      progressClear();
      process.stderr.write(`simulated ${models.length} model run(s) of ${report.inputs.leads.toLocaleString('en')} leads in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      const text = o.format === 'json' ? reportJson(report) : o.format === 'html' ? renderHtml(report) : formatTable(report);
      if (o.out) {
        await writeFile(o.out, text);
        process.stderr.write(`report written to ${o.out}\n`);
      } else process.stdout.write(text);
    });
}

async function loadTeam(o: SimulateOptions): Promise<Team> {
  if (o.team === 'sdr-team') return sdrTeam(o.reps);
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(o.team, 'utf8'));
  } catch (err) {
    throw new Error(`--team: "${o.team}" is neither sdr-team nor a readable JSON team file (${(err as Error).message})`);
  }
  const parsed = parseTeamFile(doc);
  if (!parsed.ok) throw new Error(`--team ${o.team}: ${parsed.problems.map((p) => `${p.field} ${p.problem}`).join('; ')}`);
  return parsed.team;
}

async function loadConfig(file: string): Promise<CurrentConfig> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`--config: ${file} is not readable JSON (${(err as Error).message})`);
  }
  return parseCurrentConfig(doc);
}

async function loadStream(o: SimulateOptions): Promise<LeadStream> {
  if (!o.stream) return syntheticStream({ days: o.days, leadsPerDay: o.leadsPerDay, seed: o.seed });
  return csvStream(o.stream, {
    seed: o.seed,
    ...(o.map ? { mapping: parseMapping(o.map) } : {}),
    onProgress: (n) => progressLine(`read ${n.toLocaleString('en')} rows…`),
  });
}
