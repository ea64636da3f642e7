/**
 * Who may be pushed a lead right now. The store fetches each rep's profile (availability,
 * load, counts of recent pushes); `eligibility` decides, with the reason a person reads in
 * the decision trace.
 */

export interface WorkingHours {
  /** IANA zone, e.g. `Europe/Berlin`. */
  timeZone: string;
  /** Local weekdays the shift starts on, 0 = Sunday … 6 = Saturday. */
  days: number[];
  /** Local start, `HH:MM`, inclusive. */
  start: string;
  /**
   * Local end, `HH:MM`, exclusive; `24:00` is the end of the day. An end before the start is a
   * night shift that runs past midnight into the next day (it belongs to the day it starts on);
   * an end equal to the start is an empty shift.
   */
  end: string;
}

export interface RepProfile {
  userId: number;
  name: string;
  team: string | null;
  tier: string | null;
  /** Set by the rep (or a manager). */
  availability: 'available' | 'away';
  /** Paused by a manager: no pushes until resumed. */
  paused: boolean;
  /** Most open leads (held, not closed) the rep may have; null = no limit. */
  capacity: number | null;
  openLeads: number;
  /** Share in the `weighted` strategy; default 1. A weight of 0 (or less) is never chosen by `weighted`. */
  weight: number;
  /** null = always working. */
  hours: WorkingHours | null;
  /** Caps on pushed leads; a cap left out is no cap. */
  caps: { hourly?: number; daily?: number; weekly?: number };
  /**
   * Leads pushed to the rep in each window, counted by the caller (the core compares only).
   * The store counts `lastHour` as the rolling 60 minutes, `today` and `thisWeek` from the
   * start of the rep's local day and ISO week.
   */
  pushed: { lastHour: number; today: number; thisWeek: number };
  /** This rep let this lead expire, released or skipped it: it is never pushed back to them. Default false. */
  excluded?: boolean;
}

export const SKIP_REASONS = [
  'away',
  'paused',
  'at_capacity',
  'outside_hours',
  'hourly_cap',
  'daily_cap',
  'weekly_cap',
  'handed_back',
  // The core never gives this one: it is for callers that list reps they filtered out by team.
  'not_in_team',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export type Eligibility = { eligible: true } | { eligible: false; reason: SkipReason; detail: string };

const ELIGIBLE: Eligibility = { eligible: true };

/**
 * Whether a rep may be pushed a lead at `now`. Checks run in this order and the first that
 * fails is the reason: handed back, paused, away, outside hours, at capacity, hourly, daily,
 * weekly cap. (The order puts what the rep cannot change by working first.)
 */
export function eligibility(rep: RepProfile, now: number): Eligibility {
  if (rep.excluded) return { eligible: false, reason: 'handed_back', detail: `${rep.name} already let this lead go (expired, released or skipped it)` };
  if (rep.paused) return { eligible: false, reason: 'paused', detail: `${rep.name} is paused by a manager` };
  if (rep.availability === 'away') return { eligible: false, reason: 'away', detail: `${rep.name} is away` };
  if (rep.hours && !withinHours(rep.hours, now)) {
    const local = localTime(rep.hours.timeZone, now);
    return {
      eligible: false,
      reason: 'outside_hours',
      detail: `outside working hours (${describeHours(rep.hours)}; it is ${DAY_NAMES[local.day]} ${hhmm(local.minute)} there)`,
    };
  }
  if (rep.capacity !== null && rep.openLeads >= rep.capacity) {
    return { eligible: false, reason: 'at_capacity', detail: `holds ${leads(rep.openLeads, 'open lead')}, capacity ${rep.capacity}` };
  }
  const { hourly, daily, weekly } = rep.caps;
  if (hourly !== undefined && rep.pushed.lastHour >= hourly) {
    return { eligible: false, reason: 'hourly_cap', detail: `pushed ${leads(rep.pushed.lastHour)} in the last hour, hourly cap ${hourly}` };
  }
  if (daily !== undefined && rep.pushed.today >= daily) {
    return { eligible: false, reason: 'daily_cap', detail: `pushed ${leads(rep.pushed.today)} today, daily cap ${daily}` };
  }
  if (weekly !== undefined && rep.pushed.thisWeek >= weekly) {
    return { eligible: false, reason: 'weekly_cap', detail: `pushed ${leads(rep.pushed.thisWeek)} this week, weekly cap ${weekly}` };
  }
  return ELIGIBLE;
}

/**
 * The numbers behind a skip reason, language-free, for the decision trace (a UI words them;
 * `detail` stays the English sentence). Read from the same profile eligibility looked at.
 */
export function skipParams(rep: RepProfile, reason: SkipReason, now: number): Record<string, string | number> {
  switch (reason) {
    case 'outside_hours': {
      if (!rep.hours) return {};
      const local = localTime(rep.hours.timeZone, now);
      const days = [...rep.hours.days].sort((a, b) => a - b).join(',');
      return { days, start: rep.hours.start, end: rep.hours.end, timeZone: rep.hours.timeZone, day: local.day, time: hhmm(local.minute) };
    }
    case 'at_capacity':
      return { open: rep.openLeads, capacity: rep.capacity ?? 0 };
    case 'hourly_cap':
      return { pushed: rep.pushed.lastHour, cap: rep.caps.hourly ?? 0 };
    case 'daily_cap':
      return { pushed: rep.pushed.today, cap: rep.caps.daily ?? 0 };
    case 'weekly_cap':
      return { pushed: rep.pushed.thisWeek, cap: rep.caps.weekly ?? 0 };
    default:
      return {};
  }
}

/**
 * Whether `now` falls in the working hours, in the rep's own time zone. The local weekday and
 * time come from Intl, so daylight-saving changes are the zone's real ones: 09:00 in Berlin is
 * 08:00 UTC in winter and 07:00 UTC in summer.
 */
export function withinHours(hours: WorkingHours, now: number): boolean {
  const start = parseHhmm(hours.start);
  const end = parseHhmm(hours.end);
  if (start === end) return false;
  const { day, minute } = localTime(hours.timeZone, now);
  if (start < end) return minute >= start && minute < end && hours.days.includes(day);
  // Night shift: the evening part belongs to today, the part after midnight to yesterday's shift.
  if (minute >= start) return hours.days.includes(day);
  if (minute < end) return hours.days.includes((day + 6) % 7);
  return false;
}

/** Problems with a WorkingHours value (for the API), or an empty list. */
export function workingHoursProblems(hours: WorkingHours, field = 'hours'): { field: string; problem: string }[] {
  const out: { field: string; problem: string }[] = [];
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: hours.timeZone });
  } catch {
    out.push({ field: `${field}.timeZone`, problem: `"${hours.timeZone}" is not a known time zone` });
  }
  if (!hours.days.every((d) => Number.isInteger(d) && d >= 0 && d <= 6)) out.push({ field: `${field}.days`, problem: 'days are 0 (Sunday) to 6 (Saturday)' });
  if (!HHMM.test(hours.start) || hours.start === '24:00') out.push({ field: `${field}.start`, problem: 'must be HH:MM from 00:00 to 23:59' });
  if (!HHMM.test(hours.end)) out.push({ field: `${field}.end`, problem: 'must be HH:MM from 00:00 to 24:00' });
  else if (hours.end === hours.start) out.push({ field: `${field}.end`, problem: 'equals start, so the rep would never be working' });
  return out;
}

function leads(n: number, noun = 'lead'): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

const HHMM = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

const parsedHhmm = new Map<string, number>();

/** Minutes of the day; cached, as there are only 1,441 valid answers and withinHours asks for two at every check. */
function parseHhmm(s: string): number {
  const hit = parsedHhmm.get(s);
  if (hit !== undefined) return hit;
  const m = /^(\d{1,2}):(\d{2})$/.exec(s);
  if (!m) throw new RangeError(`working hours: "${s}" is not HH:MM`);
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  if (parsedHhmm.size < 4096) parsedHhmm.set(s, minutes);
  return minutes;
}

function hhmm(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

function describeHours(h: WorkingHours): string {
  const days = [...h.days].sort((a, b) => a - b).map((d) => DAY_NAMES[d] ?? String(d));
  return `${days.join(',')} ${h.start}-${h.end} ${h.timeZone}`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const localCache = new Map<string, { day: number; minute: number }>();
const WEEKDAY: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/**
 * Local weekday and minute of the day in a zone. Working hours have minute resolution, so the
 * answer is cached per zone and UTC minute: formatToParts costs about a microsecond, and one
 * routing decision may look at 50 reps in a handful of zones.
 */
export function localTime(timeZone: string, now: number): { day: number; minute: number } {
  const key = `${timeZone}|${Math.floor(now / 60_000)}`;
  let hit = localCache.get(key);
  if (hit) return hit;
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  let day = 0;
  let hour = 0;
  let minute = 0;
  for (const p of f.formatToParts(now)) {
    if (p.type === 'weekday') day = WEEKDAY[p.value] ?? 0;
    else if (p.type === 'hour') hour = Number(p.value);
    else if (p.type === 'minute') minute = Number(p.value);
  }
  hit = { day, minute: hour * 60 + minute };
  if (localCache.size >= 4096) localCache.clear(); // bounded: a long-running server moves through minutes
  localCache.set(key, hit);
  return hit;
}
