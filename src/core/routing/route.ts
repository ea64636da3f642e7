import { conditionMatches, type Action, type ConditionCode, type LeadForRouting, type PushStrategy, type RuleSet, type TraceParams, type TraceReason } from './rules.js';
import type { AccountIndex, AccountMatch } from './accounts.js';
import { eligibility, skipParams, SKIP_REASONS, type RepProfile, type SkipReason } from './reps.js';
import { pickRep, type RotationState, type Skip } from './strategies.js';

export type { LeadForRouting } from './rules.js';

/**
 * Routing on arrival: the first enabled rule that matches decides; the decision comes back
 * with its trace, which the store keeps with the lead and shows in its history.
 */

export interface DecisionTrace {
  /**
   * Every rule looked at, in order, up to and including the one that matched. A miss says
   * which condition failed ("score 72 < 80"); a disabled rule says so.
   */
  rules: { id: string; name: string; matched: boolean; why: string; code?: ConditionCode; params?: TraceParams; held?: TraceReason[] }[];
  matchedRuleId: string | null;
  account: { id: number; name: string; by: 'domain' | 'name' } | null;
  action: Action['type'] | 'default_pool';
  strategy?: PushStrategy;
  team?: string;
  /** Reps a push passed over, and why (which reps a strategy looks at: see pickRep). */
  skipped: { userId: number; name: string; reason: SkipReason; detail: string; params?: TraceParams }[];
  outcome:
    | { kind: 'pushed'; userId: number; name: string }
    /** `fellBack`: why a push ended in the fallback pool instead. */
    | { kind: 'pool'; poolId: number; priority: number; fellBack?: string; fellBackCode?: FallbackCode; fellBackParams?: TraceParams }
    | { kind: 'review'; poolId: number };
}

/** Why a push ended in its fallback pool, language-free (`fellBack` is the English sentence). */
export const FALLBACK_CODES = ['no_account', 'owner_not_rep', 'owner_unavailable', 'team_empty', 'rotation_paused', 'nobody_eligible', 'nobody_weighted'] as const;
export type FallbackCode = (typeof FALLBACK_CODES)[number];

export interface RouteContext {
  ruleSet: RuleSet;
  accounts: AccountIndex;
  /** All reps (the core picks a team's by `team`, an owner by `userId`). */
  reps: RepProfile[];
  /** The stored rotation of a team (EMPTY_ROTATION for a team never pushed to). */
  rotation: (team: string) => RotationState;
  now: number;
}

export interface RouteResult {
  trace: DecisionTrace;
  /** Rotations that moved, by team: the store writes them with the lead, in one transaction. */
  rotationUpdates: Record<string, RotationState>;
}

export function routeLead(lead: LeadForRouting, ctx: RouteContext): RouteResult {
  const found: AccountMatch | null = ctx.accounts.find(lead);
  const account = found?.account ?? null;
  const trace: DecisionTrace = {
    rules: [],
    matchedRuleId: null,
    account: found ? { id: found.account.id, name: found.account.name, by: found.by } : null,
    action: 'default_pool',
    skipped: [],
    outcome: { kind: 'pool', poolId: ctx.ruleSet.defaultPoolId, priority: 0 },
  };
  const rotationUpdates: Record<string, RotationState> = {};

  for (const rule of ctx.ruleSet.rules) {
    if (rule.enabled === false) {
      trace.rules.push({ id: rule.id, name: rule.name, matched: false, why: 'rule is disabled', code: 'rule_disabled' });
      continue;
    }
    const m = conditionMatches(rule.when, lead, account);
    trace.rules.push({ id: rule.id, name: rule.name, ...m });
    if (!m.matched) continue;
    trace.matchedRuleId = rule.id;
    const a = rule.then;
    trace.action = a.type;
    switch (a.type) {
      case 'pool':
        trace.outcome = { kind: 'pool', poolId: a.poolId, priority: a.priority ?? 0 };
        break;
      case 'review':
        trace.outcome = { kind: 'review', poolId: a.poolId };
        break;
      case 'push_owner': {
        if (!account) {
          trace.outcome = fallback(a, 'no named account matched, so there is no owner to push to', 'no_account', {});
          break;
        }
        const owner = ctx.reps.find((r) => r.userId === account.ownerId);
        if (!owner) {
          trace.outcome = fallback(a, `the owner of "${account.name}" (user ${account.ownerId}) is not an active rep`, 'owner_not_rep', { account: account.name, userId: account.ownerId });
          break;
        }
        const e = eligibility(owner, ctx.now);
        if (e.eligible) {
          trace.outcome = { kind: 'pushed', userId: owner.userId, name: owner.name };
        } else {
          const params = skipParams(owner, e.reason, ctx.now);
          trace.skipped.push({ userId: owner.userId, name: owner.name, reason: e.reason, detail: e.detail, params });
          trace.outcome = fallback(a, `the owner of "${account.name}", ${owner.name}, cannot take it: ${e.detail}`, 'owner_unavailable', {
            ...params,
            account: account.name,
            name: owner.name,
            reason: e.reason,
          });
        }
        break;
      }
      case 'push_team': {
        trace.strategy = a.strategy;
        trace.team = a.team;
        const team = ctx.reps.filter((r) => r.team === a.team);
        if (team.length === 0) {
          trace.outcome = fallback(a, `team "${a.team}" has no reps`, 'team_empty', { team: a.team });
          break;
        }
        const state = ctx.rotation(a.team);
        const pick = pickRep(a.strategy, team, state, ctx.now);
        if (pick.skipped.length > 0) {
          // Literal objects, not `{ ...s, name }`: object spread made a push that skips 50 reps
          // cost 65 µs instead of 15 (the simulator routes hundreds of thousands of them).
          const byId = new Map(team.map((r) => [r.userId, r]));
          for (const s of pick.skipped) {
            const rep = byId.get(s.userId);
            // A paused rotation lists everyone as paused: no numbers to give.
            const params = state.paused ? { by: 'rotation' } : rep ? skipParams(rep, s.reason, ctx.now) : {};
            trace.skipped.push({ userId: s.userId, reason: s.reason, detail: s.detail, name: rep?.name ?? `user ${s.userId}`, params });
          }
        }
        if (pick.chosen) {
          trace.outcome = { kind: 'pushed', userId: pick.chosen.userId, name: pick.chosen.name };
          if (pick.next !== state) rotationUpdates[a.team] = pick.next;
        } else if (state.paused) {
          trace.outcome = fallback(a, `the rotation of team "${a.team}" is paused`, 'rotation_paused', { team: a.team });
        } else {
          trace.outcome = fallback(a, `nobody in team "${a.team}" can take it: ${summarise(pick.skipped, team.length)}`, pick.skipped.length ? 'nobody_eligible' : 'nobody_weighted', {
            team: a.team,
            teamSize: team.length,
            ...countReasons(pick.skipped, team.length),
          });
        }
        break;
      }
    }
    return { trace, rotationUpdates };
  }
  return { trace, rotationUpdates };
}

// A plain function rather than a closure per decision: see `miss` in rules.ts.
function fallback(a: { fallbackPoolId: number; fallbackPriority?: number }, why: string, code: FallbackCode, params: TraceParams): DecisionTrace['outcome'] {
  return { kind: 'pool', poolId: a.fallbackPoolId, priority: a.fallbackPriority ?? 0, fellBack: why, fellBackCode: code, fellBackParams: params };
}

/** The counts behind `summarise`, by reason, plus `weight0` (reps no strategy looked at). */
function countReasons(skipped: Skip[], teamSize: number): TraceParams {
  const out: TraceParams = {};
  for (const s of skipped) out[s.reason] = ((out[s.reason] as number | undefined) ?? 0) + 1;
  if (skipped.length < teamSize) out.weight0 = teamSize - skipped.length;
  return out;
}

/** "3 away, 1 at capacity" in a fixed order; zero-weight reps are named when they are the cause. */
function summarise(skipped: Skip[], teamSize: number): string {
  if (skipped.length === 0) return `none of its ${teamSize} reps has a weight above 0`;
  const counts = SKIP_REASONS.map(() => 0);
  for (const s of skipped) counts[REASON_INDEX[s.reason]]!++;
  const parts: string[] = [];
  SKIP_REASONS.forEach((r, i) => {
    if (counts[i]! > 0) parts.push(`${counts[i]} ${REASON_WORDS[r]}`);
  });
  if (skipped.length < teamSize) parts.push(`${teamSize - skipped.length} with weight 0`);
  return parts.join(', ');
}

const REASON_INDEX = Object.fromEntries(SKIP_REASONS.map((r, i) => [r, i])) as Record<SkipReason, number>;

const REASON_WORDS: Record<SkipReason, string> = {
  away: 'away',
  paused: 'paused',
  at_capacity: 'at capacity',
  outside_hours: 'outside working hours',
  hourly_cap: 'at their hourly cap',
  daily_cap: 'at their daily cap',
  weekly_cap: 'at their weekly cap',
  handed_back: 'already let it go',
  not_in_team: 'not in the team',
};
