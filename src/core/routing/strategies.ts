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

function byUserId(team: readonly RepProfile[]): RepProfile[] {
  return [...team].sort((a, b) => a.userId - b.userId);
}

/** The team in userId order, rotated to start at the first rep after `lastUserId`. */
function rotationOrder(team: readonly RepProfile[], lastUserId: number | null): RepProfile[] {
  const sorted = byUserId(team);
  if (lastUserId === null) return sorted;
  let start = sorted.findIndex((r) => r.userId > lastUserId);
  if (start < 0) start = 0;
  return start === 0 ? sorted : [...sorted.slice(start), ...sorted.slice(0, start)];
}

function roundRobin(team: readonly RepProfile[], state: RotationState, now: number): Pick {
  const skipped: Skip[] = [];
  for (const rep of rotationOrder(team, state.lastUserId)) {
    const e = eligibility(rep, now);
    if (e.eligible) return { chosen: rep, skipped, next: { ...state, lastUserId: rep.userId } };
    skipped.push({ userId: rep.userId, reason: e.reason, detail: e.detail });
  }
  return { chosen: null, skipped, next: state };
}

function weighted(team: readonly RepProfile[], state: RotationState, now: number): Pick {
  const skipped: Skip[] = [];
  const sorted = byUserId(team);
  const current: Record<string, number> = {};
  const taking: RepProfile[] = [];
  let total = 0;
  for (const rep of sorted) {
    const key = String(rep.userId);
    current[key] = state.current[key] ?? 0; // reps who left the team drop out of the state
    const e = eligibility(rep, now);
    if (!e.eligible) {
      skipped.push({ userId: rep.userId, reason: e.reason, detail: e.detail });
      continue;
    }
    const w = weightOf(rep);
    if (w === 0) continue;
    current[key]! += w;
    total += w;
    taking.push(rep);
  }
  if (taking.length === 0) return { chosen: null, skipped, next: state };
  // Credits of the reps taking part should sum to W after adding (0 before): then some credit
  // is above 0 and the lag bound holds. Reps coming back with the credit they left with, joining
  // or leaving break that; the difference is shared out equally (an equal shift keeps every
  // rep's standing relative to the others). With a steady team the sum is already 0 and nothing moves.
  let sum = 0;
  for (const rep of taking) sum += current[String(rep.userId)]! - weightOf(rep);
  if (sum !== 0) {
    const shift = sum / taking.length;
    for (const rep of taking) current[String(rep.userId)]! -= shift;
  }
  let best: RepProfile | null = null;
  let bestDeadline = Infinity;
  for (const rep of taking) {
    const credit = current[String(rep.userId)]!;
    if (!(credit > 0)) continue;
    const deadline = (total - credit) / weightOf(rep);
    if (deadline < bestDeadline) {
      best = rep;
      bestDeadline = deadline;
    }
  }
  // After the shift credits sum to W, so one is above 0; should rounding leave none, the
  // highest credit (nginx's choice) is taken.
  if (!best) best = taking.reduce((a, b) => (current[String(b.userId)]! > current[String(a.userId)]! ? b : a));
  current[String(best.userId)]! -= total;
  return { chosen: best, skipped, next: { ...state, lastUserId: best.userId, current } };
}

function weightOf(rep: RepProfile): number {
  return Number.isFinite(rep.weight) && rep.weight > 0 ? rep.weight : 0;
}

function leastLoaded(team: readonly RepProfile[], state: RotationState, now: number): Pick {
  const skipped: Skip[] = [];
  let best: RepProfile | null = null;
  for (const rep of rotationOrder(team, state.lastUserId)) {
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
