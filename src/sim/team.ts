import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { DAY, MINUTE } from '../core/clock.js';
import { Random } from '../core/random.js';
import { localTime, withinHours, type WorkingHours } from '../core/routing/reps.js';
import { schemaProblems } from '../core/schema-problems.js';
import type { FieldProblem } from '../core/errors.js';

/**
 * The simulated team: who works when, how fast, how selective, how good at what.
 *
 * Team file format (JSON, `--team FILE`; also documented in docs/simulator.md):
 *
 * ```json
 * {
 *   "name": "Inbound SDRs",
 *   "defaults": { "hours": { "timeZone": "Europe/Berlin", "days": [1,2,3,4,5], "start": "09:00", "end": "17:30" } },
 *   "reps": [
 *     {
 *       "name": "Anna",                 // required
 *       "tier": "top",                  // top | standard | new (default standard)
 *       "team": "sdr",                  // push_team rules push to a team by this name (default "sdr")
 *       "hours": { "timeZone": "Europe/Berlin", "days": [1,2,3,4,5], "start": "08:30", "end": "17:00" },
 *       "meetings": [ { "days": [1,2,3,4,5], "start": "09:30", "end": "09:45" } ],  // same shape as hours, same zone when left out
 *       "daysOff": ["2026-02-16"],     // local dates
 *       "absenceRate": 0.04,           // chance a working day is lost (sick, vacation); default 0.04
 *       "skills": { "Software": 1.3, "Retail": 0.8 },   // industry → fit multiplier (default 1)
 *       "selectiveness": 0.7,          // 0 takes the first lead, 1 always hunts the best fit (default 0.4)
 *       "noticeMinutes": { "median": 2, "sigma": 0.8 },   // log-normal: time to notice new work when free
 *       "contactMinutes": { "median": 6, "sigma": 0.6 },  // log-normal: time from taking a lead to the first logged contact
 *       "contactChance": 0.65,         // chance a first contact reaches a fresh, average lead (default 0.6)
 *       "conversionChance": 0.12,      // chance a reached lead of score 50 and fit 1 converts (default 0.08)
 *       "claimAhead": 10,              // most uncontacted leads the rep takes at once when pulling (default 2)
 *       "capacity": 50,                // most open leads before pushes skip the rep (default 50; null = none)
 *       "weight": 3,                   // share in weighted push (default: top 3, standard 2, new 1)
 *       "pushCaps": { "hourly": 6 }    // caps on pushed leads: hourly, daily, weekly (default none)
 *     }
 *   ]
 * }
 * ```
 * Anything a rep leaves out comes from `defaults`, then from the built-in defaults above.
 */

export const REP_TIERS = ['top', 'standard', 'new'] as const;
export type RepTier = (typeof REP_TIERS)[number];

const Hhmm = Type.String({ pattern: '^(?:[01]\\d|2[0-3]):[0-5]\\d$|^24:00$' });
const HoursSchema = Type.Object(
  { timeZone: Type.String({ minLength: 1 }), days: Type.Array(Type.Integer({ minimum: 0, maximum: 6 })), start: Hhmm, end: Hhmm },
  { additionalProperties: false },
);
const MeetingSchema = Type.Object(
  { timeZone: Type.Optional(Type.String({ minLength: 1 })), days: Type.Array(Type.Integer({ minimum: 0, maximum: 6 })), start: Hhmm, end: Hhmm },
  { additionalProperties: false },
);
const LogNormal = Type.Object({ median: Type.Number({ exclusiveMinimum: 0 }), sigma: Type.Number({ minimum: 0, maximum: 3 }) }, { additionalProperties: false });
const Chance = Type.Number({ minimum: 0, maximum: 1 });

const RepFields = {
  tier: Type.Optional(Type.Enum([...REP_TIERS])),
  team: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  hours: Type.Optional(HoursSchema),
  meetings: Type.Optional(Type.Array(MeetingSchema, { maxItems: 50 })),
  daysOff: Type.Optional(Type.Array(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }), { maxItems: 400 })),
  absenceRate: Type.Optional(Chance),
  skills: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.Number({ minimum: 0, maximum: 5 }))),
  selectiveness: Type.Optional(Chance),
  noticeMinutes: Type.Optional(LogNormal),
  contactMinutes: Type.Optional(LogNormal),
  contactChance: Type.Optional(Chance),
  conversionChance: Type.Optional(Chance),
  claimAhead: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  capacity: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  weight: Type.Optional(Type.Number({ minimum: 0 })),
  pushCaps: Type.Optional(
    Type.Object(
      { hourly: Type.Optional(Type.Integer({ minimum: 0 })), daily: Type.Optional(Type.Integer({ minimum: 0 })), weekly: Type.Optional(Type.Integer({ minimum: 0 })) },
      { additionalProperties: false },
    ),
  ),
};

export const TeamFileSchema = Type.Object(
  {
    name: Type.Optional(Type.String()),
    defaults: Type.Optional(Type.Object(RepFields, { additionalProperties: false })),
    reps: Type.Array(Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), ...RepFields }, { additionalProperties: false }), {
      minItems: 1,
      maxItems: 2000,
    }),
  },
  { additionalProperties: false },
);
export type TeamFile = Static<typeof TeamFileSchema>;
const checkTeamFile = Compile(TeamFileSchema);

export interface Meeting {
  timeZone?: string;
  days: number[];
  start: string;
  end: string;
}

/** One rep as the simulator runs them; every field filled in. */
export interface RepSpec {
  name: string;
  tier: RepTier;
  team: string;
  hours: WorkingHours;
  meetings: Meeting[];
  daysOff: string[];
  absenceRate: number;
  skills: Record<string, number>;
  selectiveness: number;
  noticeMinutes: { median: number; sigma: number };
  contactMinutes: { median: number; sigma: number };
  contactChance: number;
  conversionChance: number;
  claimAhead: number;
  capacity: number | null;
  weight: number;
  /** The product's caps on pushed leads (RepProfile.caps); a cap left out is none. */
  pushCaps: { hourly?: number; daily?: number; weekly?: number };
}

export interface Team {
  name: string;
  reps: RepSpec[];
}

const BASE: Omit<RepSpec, 'name' | 'weight'> = {
  tier: 'standard',
  team: 'sdr',
  hours: { timeZone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:30' },
  meetings: [],
  daysOff: [],
  absenceRate: 0.04,
  skills: {},
  selectiveness: 0.4,
  noticeMinutes: { median: 4, sigma: 0.8 },
  contactMinutes: { median: 6, sigma: 0.6 },
  contactChance: 0.6,
  conversionChance: 0.08,
  claimAhead: 2,
  capacity: 50,
  pushCaps: {},
};

const TIER_WEIGHT: Record<RepTier, number> = { top: 3, standard: 2, new: 1 };

/** Validates a parsed team file and fills in every default. */
export function parseTeamFile(input: unknown): { ok: true; team: Team } | { ok: false; problems: FieldProblem[] } {
  if (!checkTeamFile.Check(input)) return { ok: false, problems: schemaProblems([...checkTeamFile.Errors(input)]) };
  const file = input as TeamFile;
  const problems: FieldProblem[] = [];
  const reps = file.reps.map((r, i): RepSpec => {
    const merged = { ...BASE, ...(file.defaults ?? {}), ...r } as Omit<RepSpec, 'weight'> & { weight?: number };
    for (const [field, h] of [['hours', merged.hours] as const, ...merged.meetings.map((m, j) => [`meetings[${j}]`, m] as const)]) {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: h.timeZone ?? merged.hours.timeZone });
      } catch {
        problems.push({ field: `reps[${i}].${field}.timeZone`, problem: `"${h.timeZone}" is not a known time zone` });
      }
      if (h.start === h.end) problems.push({ field: `reps[${i}].${field}.end`, problem: 'equals start: an empty block' });
    }
    return { ...merged, weight: merged.weight ?? TIER_WEIGHT[merged.tier] };
  });
  const names = new Set<string>();
  reps.forEach((r, i) => {
    if (names.has(r.name)) problems.push({ field: `reps[${i}].name`, problem: `"${r.name}" appears twice` });
    names.add(r.name);
  });
  if (problems.length) return { ok: false, problems };
  return { ok: true, team: { name: file.name ?? 'team', reps } };
}

/** What the server knows of a rep (its rep settings), for a simulation of the team as it is. */
export interface RepSettingsForSim {
  name: string;
  team: string | null;
  tier: string | null;
  capacity: number | null;
  weight: number;
  hours: WorkingHours | null;
  caps: { hourly?: number; daily?: number; weekly?: number };
}

/**
 * The team as configured on the server: names, teams, tiers, capacity, weights, hours and push
 * caps as set; how each person behaves (speed, selectiveness, skill) the server does not know,
 * so it comes from the sdr-team preset's tier of the same name (standard for other tiers).
 */
export function teamFromSettings(name: string, reps: readonly RepSettingsForSim[]): Team {
  const preset = sdrTeam(Math.max(5, reps.length)).reps;
  const byTier = (t: RepTier) => preset.find((r) => r.tier === t)!;
  return {
    name,
    reps: reps.map((r, i): RepSpec => {
      const tier: RepTier = (REP_TIERS as readonly string[]).includes(r.tier ?? '') ? (r.tier as RepTier) : 'standard';
      const like = preset[i]?.tier === tier ? preset[i]! : byTier(tier);
      return {
        ...like,
        name: r.name,
        tier,
        team: r.team ?? BASE.team,
        hours: r.hours ?? BASE.hours,
        capacity: r.capacity,
        weight: r.weight,
        pushCaps: { ...r.caps },
      };
    }),
  };
}

export const TEAM_PRESETS = ['sdr-team'] as const;
export type TeamPreset = (typeof TEAM_PRESETS)[number];

const FIRST_NAMES = ['Anna', 'Ben', 'Clara', 'David', 'Elif', 'Felix', 'Greta', 'Hannes', 'Ida', 'Jonas', 'Kira', 'Luca', 'Mara', 'Nils', 'Olga', 'Paul', 'Rosa', 'Sven', 'Tara', 'Umut'];
const INDUSTRIES = ['Software', 'Manufacturing', 'Professional Services', 'Financial Services', 'Retail', 'Logistics', 'Healthcare', 'Construction', 'Automotive', 'Energy', 'Telecommunications', 'Education'];

/**
 * A typical inbound SDR team of `size` reps: a fifth top performers (fast, selective,
 * hoard when they can), three fifths standard, a fifth new (slow, take what comes). Most
 * work from Berlin, every sixth from London; a daily stand-up, lunch, a weekly team meeting
 * and one weekly training or customer block each. The same `size` always gives the same team.
 */
export function sdrTeam(size: number): Team {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`team size must be a positive integer, got ${size}`);
  const rng = new Random(7_001 + size);
  const reps: RepSpec[] = [];
  for (let i = 0; i < size; i++) {
    // Tiers spread evenly through the list: with 12 reps, 0/5/10 are top, 4/9 are new.
    const tier: RepTier = i % 5 === 0 ? 'top' : i % 5 === 4 ? 'new' : 'standard';
    const london = i % 6 === 5;
    const timeZone = london ? 'Europe/London' : 'Europe/Berlin';
    const startH = rng.pick(['08:00', '08:30', '09:00']);
    const end = { '08:00': '16:30', '08:30': '17:00', '09:00': '17:30' }[startH]!;
    const strong = rng.shuffle([...INDUSTRIES]).slice(0, 3);
    const skills: Record<string, number> = {};
    skills[strong[0]!] = 1.35;
    skills[strong[1]!] = 1.2;
    skills[strong[2]!] = 0.8;
    const jitter = () => 0.85 + rng.next() * 0.3;
    const blockStart = rng.pick(['10:00', '11:00', '15:00'] as const);
    const block = { day: rng.int(1, 5), start: blockStart, end: { '10:00': '10:45', '11:00': '11:45', '15:00': '15:45' }[blockStart] };
    const byTier = <T>(top: T, standard: T, fresh: T): T => (tier === 'top' ? top : tier === 'standard' ? standard : fresh);
    reps.push({
      name: `${FIRST_NAMES[i % FIRST_NAMES.length]}${i >= FIRST_NAMES.length ? ` ${Math.floor(i / FIRST_NAMES.length) + 1}` : ''}`,
      tier,
      team: 'sdr',
      hours: { timeZone, days: [1, 2, 3, 4, 5], start: startH, end },
      meetings: [
        { days: [1, 2, 3, 4, 5], start: '09:30', end: '09:45' },
        { days: [1, 2, 3, 4, 5], start: '12:30', end: '13:15' },
        { days: [2], start: '14:00', end: '15:00' },
        { days: [block.day], start: block.start, end: block.end },
      ],
      daysOff: [],
      absenceRate: 0.05,
      skills,
      selectiveness: byTier(0.75, 0.3 + rng.next() * 0.3, 0.1),
      noticeMinutes: { median: byTier(2, 4, 8) * jitter(), sigma: 0.8 },
      contactMinutes: { median: byTier(5, 7, 10) * jitter(), sigma: 0.6 },
      contactChance: byTier(0.7, 0.6, 0.5),
      conversionChance: byTier(0.12, 0.08, 0.05) * jitter(),
      claimAhead: byTier(12, 3, 1),
      // Open leads include those waiting a day or two for their outcome, so a capacity would
      // stop pushes long before the rep is busy; the hourly cap is what spreads the load.
      capacity: null,
      // A manager running push caps the hour, or the morning's backlog lands on whoever starts first.
      pushCaps: { hourly: byTier(8, 7, 5) },
      weight: TIER_WEIGHT[tier],
    });
  }
  return { name: `sdr-team (${size} reps)`, reps };
}

// ---------------------------------------------------------------------------------------
// Availability

/**
 * When a rep can work: their working hours (the core's `withinHours`) minus meetings, days
 * off and random absences, as sorted, disjoint [start, end) pairs over the run.
 *
 * The state only changes at the local times named in the hours and meetings, or at local
 * midnight, so only those instants are evaluated (about 10 a day per rep instead of 288
 * five-minute probes: 50 reps over a year in about 50 ms). Each local day's offset is read at
 * noon, so on the two days a year clocks change, a block between midnight and 03:00 may sit
 * an hour off.
 */
export function availabilityIntervals(rep: RepSpec, from: number, to: number, rng: Random): Float64Array {
  return teamAvailability([rep], from, to, [rng])[0]!;
}

interface RepScan {
  rep: RepSpec;
  marks: number[];
  meetings: WorkingHours[];
  off: Set<string>;
  rng: Random;
  out: number[];
  openAt: number;
}

/**
 * availabilityIntervals for a whole team at once, day by day across the team rather than rep by
 * rep across the year: reps share zones and most of their marks, so the core's per-minute cache
 * of local times answers nearly every probe (50 reps over a year: 4 s rep by rep, 0.2 s this way).
 */
export function teamAvailability(reps: readonly RepSpec[], from: number, to: number, rngs: readonly Random[]): Float64Array[] {
  const scans: RepScan[] = reps.map((rep, i) => {
    const marks = new Set<number>([0, minutesOf(rep.hours.start), minutesOf(rep.hours.end) % 1440]);
    for (const m of rep.meetings) {
      marks.add(minutesOf(m.start));
      marks.add(minutesOf(m.end) % 1440);
    }
    return {
      rep,
      marks: [...marks].sort((a, b) => a - b),
      meetings: rep.meetings.map((m) => ({ timeZone: m.timeZone ?? rep.hours.timeZone, days: m.days, start: m.start, end: m.end })),
      off: new Set(rep.daysOff),
      rng: rngs[i]!,
      out: [],
      openAt: -1,
    };
  });
  const firstDay = Math.floor(from / DAY) - 1;
  const lastDay = Math.ceil(to / DAY) + 1;
  const offsets = new Map<string, number>();
  for (let d = firstDay; d <= lastDay; d++) {
    const utcMidnight = d * DAY;
    const date = isoDate(utcMidnight);
    offsets.clear();
    for (const sc of scans) {
      const zone = sc.rep.hours.timeZone;
      let offsetMin = offsets.get(zone);
      if (offsetMin === undefined) offsets.set(zone, (offsetMin = zoneOffsetMinutes(zone, utcMidnight + 12 * 3600_000)));
      const localMidnight = utcMidnight - offsetMin * MINUTE;
      // Drawn for every day, worked or not, so a rep's absences do not shift with their schedule.
      const absent = sc.rng.next() < sc.rep.absenceRate || sc.off.has(date);
      for (const mark of sc.marks) {
        const t = localMidnight + mark * MINUTE;
        const on = !absent && withinHours(sc.rep.hours, t) && !sc.meetings.some((m) => withinHours(m, t));
        if (on && sc.openAt < 0) sc.openAt = t;
        else if (!on && sc.openAt >= 0) {
          pushInterval(sc.out, sc.openAt, t, from, to);
          sc.openAt = -1;
        }
      }
    }
  }
  return scans.map((sc) => {
    if (sc.openAt >= 0) pushInterval(sc.out, sc.openAt, lastDay * DAY + DAY, from, to);
    return Float64Array.from(sc.out);
  });
}

function pushInterval(out: number[], a: number, b: number, from: number, to: number): void {
  const s = Math.max(a, from);
  const e = Math.min(b, to);
  if (e > s) out.push(s, e);
}

/** Local minus UTC, in minutes, at `t`. */
export function zoneOffsetMinutes(zone: string, t: number): number {
  const local = localTime(zone, t).minute;
  const utc = Math.floor((t % DAY) / MINUTE);
  let off = local - utc;
  if (off > 840) off -= 1440;
  if (off < -720) off += 1440;
  return off;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

function isoDate(utcMidnight: number): string {
  return new Date(utcMidnight).toISOString().slice(0, 10);
}
