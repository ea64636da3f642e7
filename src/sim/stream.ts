import { DAY, HOUR, MINUTE } from '../core/clock.js';
import { Random } from '../core/random.js';
import type { LeadInput } from '../core/lead-input.js';
import type { NamedAccount } from '../core/routing/accounts.js';
import { generateDemoLeadsIter } from '../demo/demo-leads.js';
import { scanCsv, type CsvMapping } from '../cli/csv-import.js';
import { zoneOffsetMinutes } from './team.js';

/** One lead of the stream, when it arrives, and how reachable its contact really is. */
export interface StreamLead {
  input: LeadInput;
  arrivedAt: number;
  /**
   * How reachable the contact is, around 1 (0.3–2): a multiplier on the chance that a first
   * contact gets through. Hidden in a preview; full details (cherry-pick) show it, as a real
   * rep reads a phone number, a job title and a company's site before claiming.
   */
  reach: number;
}

/** A named account before the team is known: `ownerSlot` picks its owner among the reps who may own accounts. */
export interface StreamAccount extends Omit<NamedAccount, 'ownerId'> {
  ownerSlot: number;
}

export interface LeadStream {
  /** First arrival window start (a UTC midnight) and its end: arrivals lie in [start, end). */
  start: number;
  end: number;
  /** Leads in arrival order; a fresh iterator each call, the same leads every time. */
  leads: () => Iterable<StreamLead>;
  /** Exact when known up front (CSV), else the expected count. */
  expectedLeads: number;
  accounts: StreamAccount[];
  describe: string;
}

export interface SyntheticOptions {
  days: number;
  leadsPerDay: number;
  seed: number;
  /** A UTC midnight; default Monday 2026-01-05. */
  start?: number;
  /** The zone whose clock the arrival profile follows. Default Europe/Berlin. */
  timeZone?: string;
  /** Share of leads from named accounts (for the strategic hybrid). Default 0.06. */
  strategicShare?: number;
  /** How many named accounts. Default 300. */
  accounts?: number;
}

/**
 * Inbound B2B arrivals by local hour (forms and trade-fair scans peak mid-morning and early
 * afternoon; a trickle at night from other time zones and scheduled imports).
 */
export const HOUR_PROFILE = [0.5, 0.3, 0.2, 0.2, 0.3, 0.5, 1, 2.5, 5, 7.5, 8.5, 8, 6.5, 7, 7.5, 7, 6, 4.5, 3, 2.5, 2, 1.5, 1, 0.7];
/** Sunday … Saturday: weekdays carry the volume, Friday a little less, weekends little. */
export const WEEKDAY_PROFILE = [0.2, 1.15, 1.15, 1.1, 1.05, 0.95, 0.25];

export const DEFAULT_START = Date.parse('2026-01-05T00:00:00Z');

/**
 * Synthetic leads: the demo generator's realistic mix (industries, sizes, sources, regions,
 * scores) arriving by weekday and hour of day. `leadsPerDay` is the average over a week, so
 * 30 days at 400 a day is about 12,000 leads. Deterministic for a seed.
 */
export function syntheticStream(o: SyntheticOptions): LeadStream {
  if (!(o.days > 0) || !Number.isInteger(o.days)) throw new RangeError(`days must be a positive whole number, got ${o.days}`);
  if (!(o.leadsPerDay > 0)) throw new RangeError(`leads per day must be positive, got ${o.leadsPerDay}`);
  const start = o.start ?? DEFAULT_START;
  const zone = o.timeZone ?? 'Europe/Berlin';
  const share = o.strategicShare ?? 0.06;
  const accounts = makeAccounts(o.accounts ?? 300, o.seed);
  const weekMean = WEEKDAY_PROFILE.reduce((a, b) => a + b, 0) / 7;
  const hourCum: number[] = [];
  let acc = 0;
  for (const w of HOUR_PROFILE) hourCum.push((acc += w));
  const leads = function* (): Generator<StreamLead> {
    const rng = new Random(o.seed);
    const demo = generateDemoLeadsIter(Number.MAX_SAFE_INTEGER, o.seed ^ 0x2f6b);
    for (let d = 0; d < o.days; d++) {
      const dayStart = start + d * DAY;
      const weekday = new Date(dayStart).getUTCDay();
      const mean = (o.leadsPerDay * WEEKDAY_PROFILE[weekday]!) / weekMean;
      // Poisson by its normal approximation (the means are tens to thousands).
      const count = Math.max(0, Math.round(rng.normal(mean, Math.sqrt(mean))));
      const offset = zoneOffsetMinutes(zone, dayStart + 12 * HOUR) * MINUTE;
      const times: number[] = [];
      for (let i = 0; i < count; i++) {
        const r = rng.next() * acc;
        let h = 0;
        while (hourCum[h]! <= r) h++;
        // Local hour h of this calendar day, as UTC; kept inside the day's window.
        const t = dayStart - offset + h * HOUR + Math.floor(rng.next() * HOUR);
        times.push(Math.min(dayStart + DAY - 1, Math.max(dayStart, t)));
      }
      times.sort((a, b) => a - b);
      for (const t of times) {
        let input = demo.next().value as LeadInput;
        if (accounts.length && rng.next() < share) input = fromAccount(input, rng.pick(accounts));
        yield { input, arrivedAt: t, reach: reachOf(rng, input) };
      }
    }
  };
  return {
    start,
    end: start + o.days * DAY,
    leads,
    expectedLeads: Math.round(o.days * o.leadsPerDay),
    accounts,
    describe: `synthetic: ${o.days} days, ${o.leadsPerDay} leads a day on average (seed ${o.seed})`,
  };
}

function reachOf(rng: Random, input: LeadInput): number {
  let r = Math.exp(rng.normal(0, 0.3));
  if (!input.contact.phone) r *= 0.6; // no number to call
  return Math.min(2, Math.max(0.3, r));
}

/** Named accounts: companies of a separate demo stream; two in five are customers. */
function makeAccounts(n: number, seed: number): StreamAccount[] {
  const out: StreamAccount[] = [];
  let id = 1;
  for (const lead of generateDemoLeadsIter(n, seed ^ 0x5eed)) {
    const domain = lead.contact.email?.split('@')[1];
    out.push({ id, name: lead.company, domains: domain ? [domain] : [], customer: id % 5 < 2, ownerSlot: id - 1 });
    id++;
  }
  return out;
}

function fromAccount(input: LeadInput, a: StreamAccount): LeadInput {
  const local = input.contact.email?.split('@')[0] ?? 'info';
  return { ...input, company: a.name, contact: { ...input.contact, email: a.domains[0] ? `${local}@${a.domains[0]}` : input.contact.email ?? null } };
}

/** Header names (compared like the importer compares them) that carry the arrival time. */
const ARRIVAL_HEADERS = ['arrivedat', 'arrivaltime', 'arrival', 'createdat', 'receivedat', 'timestamp'];
const norm = (h: string) => h.toLowerCase().replace(/[\s_\-.]/g, '');

export class StreamError extends Error {}

/**
 * A CSV of the team's own history: the `leadpool import` format (same headers, same
 * validation, same `--map`) plus an arrival-time column (`arrivedAt`, or `createdAt`,
 * `receivedAt`, `timestamp`) as ISO 8601. Rows may come in any order; they are replayed by
 * arrival. Reach is drawn per lead from the seed (a history file does not record it).
 */
export async function csvStream(file: string, o: { seed: number; mapping?: CsvMapping; onProgress?: (rows: number) => void }): Promise<LeadStream> {
  const rows: StreamLead[] = [];
  const bad: string[] = [];
  const rng = new Random(o.seed ^ 0x3c5);
  const scan = await scanCsv(file, {
    ...(o.mapping ? { mapping: o.mapping } : {}),
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    onRow: (lead, line) => {
      const attrs = { ...(lead.attributes ?? {}) };
      const key = Object.keys(attrs).find((k) => ARRIVAL_HEADERS.includes(norm(k)));
      const raw = key === undefined ? undefined : attrs[key];
      const at = typeof raw === 'string' ? Date.parse(raw) : NaN;
      if (Number.isNaN(at)) {
        if (bad.length < 20) bad.push(`line ${line}: ${key === undefined ? 'no arrival-time column (arrivedAt)' : `"${String(raw)}" is not an ISO date-time`}`);
        return;
      }
      delete attrs[key!];
      const input: LeadInput = { ...lead, attributes: attrs };
      rows.push({ input, arrivedAt: at, reach: reachOf(rng, input) });
    },
  });
  if (scan.errors.length) {
    const lines = scan.errors.slice(0, 20).map((e) => `line ${e.line}: ${e.problems.map((p) => `${p.field} ${p.problem}`).join('; ')}`);
    throw new StreamError(`${file}: ${scan.errors.length} bad row(s) of ${scan.rows}\n  ${lines.join('\n  ')}`);
  }
  if (bad.length) throw new StreamError(`${file}: rows without a usable arrival time\n  ${bad.join('\n  ')}`);
  if (rows.length === 0) throw new StreamError(`${file}: no leads`);
  // Stable: rows at the same instant keep their file order.
  rows.sort((a, b) => a.arrivedAt - b.arrivedAt);
  const start = Math.floor(rows[0]!.arrivedAt / DAY) * DAY;
  const end = Math.floor(rows[rows.length - 1]!.arrivedAt / DAY) * DAY + DAY;
  return {
    start,
    end,
    leads: () => rows,
    expectedLeads: rows.length,
    accounts: [],
    describe: `${file}: ${rows.length} leads from ${new Date(start).toISOString().slice(0, 10)} to ${new Date(end - 1).toISOString().slice(0, 10)}`,
  };
}

/** A stream from leads held in memory (tests, the server's "what if"). */
export function listStream(leads: StreamLead[], accounts: StreamAccount[] = []): LeadStream {
  const sorted = [...leads].sort((a, b) => a.arrivedAt - b.arrivedAt);
  const first = sorted[0]?.arrivedAt ?? DEFAULT_START;
  const last = sorted.at(-1)?.arrivedAt ?? first;
  const start = Math.floor(first / DAY) * DAY;
  return { start, end: Math.floor(last / DAY) * DAY + DAY, leads: () => sorted, expectedLeads: sorted.length, accounts, describe: `${sorted.length} leads` };
}

/**
 * A team's own recent leads (the server's "what if" reads them from the store): replayed at
 * the times they arrived, reach drawn per lead from the seed as for a CSV history.
 */
export function historyStream(leads: { input: LeadInput; arrivedAt: number }[], seed: number, accounts: StreamAccount[] = []): LeadStream {
  const rng = new Random(seed ^ 0x3c5);
  const s = listStream(
    leads.map((l) => ({ input: l.input, arrivedAt: l.arrivedAt, reach: reachOf(rng, l.input) })),
    accounts,
  );
  return { ...s, describe: `the team's own ${s.expectedLeads} leads from ${new Date(s.start).toISOString().slice(0, 10)} to ${new Date(s.end - 1).toISOString().slice(0, 10)}` };
}
