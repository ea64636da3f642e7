import type { EscalationPolicy, PushStrategy, Skip } from './routing/index.js';
import { escalationDueAt, nextEscalation } from './routing/index.js';
import type { ClaimSource, Lead, Pool } from './types.js';

/**
 * What one due escalation step does to one lead, decided from the lead, its pool's ladder
 * and the time. Both stores fetch, call this, and carry out the plan in their transaction.
 */
export type EscalationPlan =
  /** Nothing (any more): the lead is held, closed, or its ladder is done. */
  | { kind: 'clear' }
  /** Not yet: look again then. */
  | { kind: 'later'; dueAt: number }
  | { kind: 'review'; step: number; label: string }
  | { kind: 'assign'; step: number; label: string; team: string | null; strategy: PushStrategy; source: Extract<ClaimSource, 'escalated' | 'backstop'>; laterDueAt: number | null };

export function planEscalation(lead: Pick<Lead, 'status' | 'createdAt'>, escalationStep: number, pool: Pick<Pool, 'escalation'> | null, now: number): EscalationPlan {
  const policy: EscalationPolicy | null | undefined = pool?.escalation;
  if (lead.status !== 'available' || !policy) return { kind: 'clear' };
  const next = nextEscalation(policy, { createdAt: lead.createdAt, escalationStep }, now);
  if (!next) return { kind: 'clear' };
  if (!next.due) return { kind: 'later', dueAt: next.dueAt };
  const step = next.stepIndex + 1;
  const s = next.step;
  const label = s === 'backstop' ? `backstop after ${policy.backstopHours} h` : `step ${step}: after ${s.afterMinutes} min`;
  if (s !== 'backstop' && s.action.type === 'review') return { kind: 'review', step, label };
  // The backstop hands the lead to whoever of the whole team carries the least.
  const assign = s === 'backstop' ? { team: null, strategy: 'least_loaded' as const } : (s.action as Extract<typeof s.action, { type: 'assign' }>);
  return {
    kind: 'assign',
    step,
    label,
    team: assign.team,
    strategy: assign.strategy,
    source: s === 'backstop' ? 'backstop' : 'escalated',
    laterDueAt: escalationDueAt(policy, { createdAt: lead.createdAt, escalationStep: step }),
  };
}

/** The history entry of a step: its reason for a person, and its data for the record. */
export function escalationRecord(
  plan: Extract<EscalationPlan, { kind: 'review' | 'assign' }>,
  outcome: { chosen: { userId: number; name: string } | null; skipped: (Skip & { name: string })[]; lockExpiresAt?: number } | null,
): { reason: string; data: Record<string, unknown> } {
  if (plan.kind === 'review') return { reason: `${plan.label} unclaimed: manager review`, data: { step: plan.step, action: 'review' } };
  const base = { step: plan.step, action: 'assign', team: plan.team, strategy: plan.strategy, skipped: outcome?.skipped ?? [] };
  if (!outcome?.chosen) {
    return { reason: `${plan.label} unclaimed: nobody eligible to assign, the lead stays in the pool`, data: { ...base, outcome: 'nobody_eligible' } };
  }
  return {
    reason: `${plan.label} unclaimed: assigned to ${outcome.chosen.name}`,
    data: { ...base, outcome: 'assigned', ownerId: outcome.chosen.userId, lockExpiresAt: outcome.lockExpiresAt, source: plan.source },
  };
}
