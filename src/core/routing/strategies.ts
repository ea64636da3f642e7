import type { PushStrategy } from './rules.js';
import { eligibility, type RepProfile, type SkipReason } from './reps.js';

/**
 * Push strategies: which rep of a team gets the next pushed lead. Pure and deterministic:
 * the same team, state and time give the same choice, with no random tie-breaks anywhere.
 * The store keeps one RotationState per team and writes `next` back in the same
 * transaction as the push, so concurrent routing stays one rotation.
 */

export interface RotationState {
  /** The rep this rotation last pushed to; null before the first push. */
  lastUserId: number | null;
  /** The `weighted` strategy's credit of each rep, by userId (see pickRep). A rep not listed starts at 0. */
  current: Record<string, number>;
  /** Paused by a manager: nobody of the team is pushed to until resumed. */
  paused: boolean;
}

export const EMPTY_ROTATION: RotationState = Object.freeze({ lastUserId: null, current: Object.freeze({}) as Record<string, number>, paused: false });

export interface Skip {
  userId: number;
  reason: SkipReason;
  detail: string;
}

export interface Pick {
  chosen: RepProfile | null;
  /** Reps passed over and why (see each strategy for which reps it looks at). */
  skipped: Skip[];
  /** The state to store; the same object as the input when nothing changed. */
  next: RotationState;
}

/**
 * - `round_robin`: the team in userId order, as a circle. Starts at the first rep after
 *   `lastUserId` and takes the first eligible one. Ineligible reps met on the way are skipped
 *   and keep their place: they are not owed anything, so a rep back from away is simply
 *   chosen when the circle reaches them. `skipped` lists only the reps passed over before the
 *   chosen one. Over any run with everyone eligible, two reps' counts differ by at most one.
 * - `weighted`: smooth weighted round robin's bookkeeping with an earliest-deadline choice.
 *   Each pick, every eligible rep with a positive weight adds its weight to its credit
 *   (`current`); W is the sum of those weights. Among the reps whose credit is above 0, the
 *   one whose credit would reach W soonest, (W - credit) / weight, is chosen (ties: lowest
 *   userId), and W is taken off its credit. Credit / W is how many leads the rep is owed, so
 *   from a fresh rotation, over any run with the same eligible reps, each rep's count stays
 *   within one lead of weight / W x leads (the earliest-deadline rule is the uniprocessor
 *   "pfair" schedule, whose lag stays strictly between -1 and 1). Plain nginx, which takes the highest credit, does
 *   not keep that bound: weights 5,1,82,5,5,1,1,89 drift 1.16 leads (see the tests).
 *   Ineligible reps neither gain nor lose credit while ineligible, so coming back they resume
 *   where they stood instead of collecting a backlog (a rep away while owed a lead is owed it
 *   still, less an equal share: the credits of the reps taking part are shifted equally so they
 *   sum to zero before each pick). A new rep starts at 0. `skipped` lists every ineligible rep.
 *   Integer weights keep the arithmetic exact while the team is steady.
 * - `least_loaded`: the eligible rep with the fewest open leads; ties go to the first of them
 *   in round-robin order after `lastUserId` (so equally loaded reps take turns).
 *   `skipped` lists every ineligible rep.
 *
 * A paused rotation chooses nobody and lists every rep as skipped with reason `paused`.
 */
export function pickRep(strategy: PushStrategy, team: readonly RepProfile[], state: RotationState, now: number): Pick {
  if (state.paused) {
    return {
      chosen: null,
      skipped: byUserId(team).map((r) => ({ userId: r.userId, reason: 'paused', detail: 'the rotation is paused by a manager' })),
      next: state,
    };
  }
  switch (strategy) {
    case 'round_robin':
      return roundRobin(team, state, now);
    case 'weighted':
      return weighted(team, state, now);
    case 'least_loaded':
      return leastLoaded(team, state, now);
  }
}

/** The team in userId order; a team already in order (the stores list reps so) is used as it is, not copied. */
function byUserId(team: readonly RepProfile[]): readonly RepProfile[] {
  for (let i = 1; i < team.length; i++) if (team[i - 1]!.userId > team[i]!.userId) return [...team].sort((a, b) => a.userId - b.userId);
  return team;
}

/** Where the circle starts: the first rep (in userId order) after `lastUserId`, or the first. */
function rotationStart(sorted: readonly RepProfile[], lastUserId: number | null): number {
  if (lastUserId === null) return 0;
  const start = sorted.findIndex((r) => r.userId > lastUserId);
  return start < 0 ? 0 : start;
}

function roundRobin(team: readonly RepProfile[], state: RotationState, now: number): Pick {
  const skipped: Skip[] = [];
  const sorted = byUserId(team);
  const start = rotationStart(sorted, state.lastUserId);
  for (let k = 0; k < sorted.length; k++) {
    const rep = sorted[(start + k) % sorted.length]!;
    const e = eligibility(rep, now);
    if (e.eligible) return { chosen: rep, skipped, next: { ...state, lastUserId: rep.userId } };
    skipped.push({ userId: rep.userId, reason: e.reason, detail: e.detail });
  }
  return { chosen: null, skipped, next: state };
}

function weighted(team: readonly RepProfile[], state: RotationState, now: number): Pick {
  const skipped: Skip[] = [];
  const sorted = byUserId(team);
  // The reps taking part, with their weight and credit side by side: the credits are written
  // into a new `current` only when someone is chosen (a push that finds nobody keeps the state).
  const taking: RepProfile[] = [];
  const weights: number[] = [];
  const credits: number[] = [];
  let total = 0;
  for (const rep of sorted) {
    const e = eligibility(rep, now);
    if (!e.eligible) {
      skipped.push({ userId: rep.userId, reason: e.reason, detail: e.detail });
      continue;
    }
    const w = weightOf(rep);
    if (w === 0) continue;
    credits.push((state.current[rep.userId] ?? 0) + w); // a number key is the same property as its string
    weights.push(w);
    total += w;
    taking.push(rep);
  }
  if (taking.length === 0) return { chosen: null, skipped, next: state };
  // Credits of the reps taking part should sum to W after adding (0 before): then some credit
  // is above 0 and the lag bound holds. Reps coming back with the credit they left with, joining
  // or leaving break that; the difference is shared out equally (an equal shift keeps every
  // rep's standing relative to the others). With a steady team the sum is already 0 and nothing moves.
  let sum = 0;
  for (let i = 0; i < taking.length; i++) sum += credits[i]! - weights[i]!;
  if (sum !== 0) {
    const shift = sum / taking.length;
    for (let i = 0; i < taking.length; i++) credits[i]! -= shift;
  }
  let best = -1;
  let bestDeadline = Infinity;
  for (let i = 0; i < taking.length; i++) {
    const credit = credits[i]!;
    if (!(credit > 0)) continue;
    const deadline = (total - credit) / weights[i]!;
    if (deadline < bestDeadline) {
      best = i;
      bestDeadline = deadline;
    }
  }
  // After the shift credits sum to W, so one is above 0; should rounding leave none, the
  // highest credit (nginx's choice) is taken.
  if (best < 0) {
    best = 0;
    for (let i = 1; i < taking.length; i++) if (credits[i]! > credits[best]!) best = i;
  }
  credits[best]! -= total;
  // Every rep of the team keeps an entry (reps who left the team drop out of the state).
  const current: Record<string, number> = {};
  for (const rep of sorted) current[rep.userId] = state.current[rep.userId] ?? 0;
  for (let i = 0; i < taking.length; i++) current[taking[i]!.userId] = credits[i]!;
  const chosen = taking[best]!;
  return { chosen, skipped, next: { ...state, lastUserId: chosen.userId, current } };
}

function weightOf(rep: RepProfile): number {
  return Number.isFinite(rep.weight) && rep.weight > 0 ? rep.weight : 0;
}

function leastLoaded(team: readonly RepProfile[], state: RotationState, now: number): Pick {
  const skipped: Skip[] = [];
  let best: RepProfile | null = null;
  const sorted = byUserId(team);
  const start = rotationStart(sorted, state.lastUserId);
  for (let k = 0; k < sorted.length; k++) {
    const rep = sorted[(start + k) % sorted.length]!;
    const e = eligibility(rep, now);
    if (!e.eligible) {
      skipped.push({ userId: rep.userId, reason: e.reason, detail: e.detail });
      continue;
    }
    if (!best || rep.openLeads < best.openLeads) best = rep;
  }
  if (!best) return { chosen: null, skipped, next: state };
  return { chosen: best, skipped, next: { ...state, lastUserId: best.userId } };
}
