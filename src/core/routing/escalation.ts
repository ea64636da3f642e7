import Type from 'typebox';
import { Compile } from 'typebox/compile';
import type { FieldProblem } from '../errors.js';
import { schemaProblems } from '../schema-problems.js';
import { PUSH_STRATEGIES, type PushStrategy, type Validated } from './rules.js';

/**
 * A pool's escalation ladder: what happens to a lead nobody claims. Each step runs once, in
 * order, when the lead has waited `afterMinutes` since `createdAt`; the backstop runs last.
 * The scheduler stores the next due time as a durable timer and asks again after each step.
 */

export interface EscalationStep {
  /** Minutes after the lead's `createdAt`. Strictly ascending along the ladder. */
  afterMinutes: number;
  action:
    /** Push to a rep of `team` (null = any rep) by the strategy. */
    | { type: 'assign'; team: string | null; strategy: PushStrategy }
    /** Send to manager review (status `review`). */
    | { type: 'review' };
}

export interface EscalationPolicy {
  steps: EscalationStep[];
  /** Age-based backstop: after this many hours the lead is assigned to any eligible rep. Left out = no backstop. Must come after the last step. */
  backstopHours?: number;
}

/** The seed's ladder: auto-assign after 30 minutes, manager review after 60. */
export const SEED_ESCALATION: EscalationPolicy = {
  steps: [
    { afterMinutes: 30, action: { type: 'assign', team: null, strategy: 'round_robin' } },
    { afterMinutes: 60, action: { type: 'review' } },
  ],
};

export interface NextEscalation {
  /** Index in `steps`; `steps.length` for the backstop. */
  stepIndex: number;
  step: EscalationStep | 'backstop';
  dueAt: number;
  /** dueAt <= now. */
  due: boolean;
}

/**
 * The earliest step the lead has not had yet (`escalationStep` counts the steps done), and when
 * it is due. It may lie in the future; `due` says whether it already is. When several steps are
 * overdue (a server that was down), they come one at a time, in order: each call gives the
 * next. null: the ladder, backstop included, is done.
 */
export function nextEscalation(policy: EscalationPolicy, lead: { createdAt: number; escalationStep: number }, now: number): NextEscalation | null {
  const i = Math.max(0, lead.escalationStep);
  const step = policy.steps[i];
  if (step) {
    const dueAt = lead.createdAt + step.afterMinutes * 60_000;
    return { stepIndex: i, step, dueAt, due: dueAt <= now };
  }
  if (policy.backstopHours !== undefined && i === policy.steps.length) {
    const dueAt = lead.createdAt + policy.backstopHours * 3_600_000;
    return { stepIndex: i, step: 'backstop', dueAt, due: dueAt <= now };
  }
  return null;
}

/** When the lead's next escalation is due (for the durable timer), or null when none is left. */
export function escalationDueAt(policy: EscalationPolicy, lead: { createdAt: number; escalationStep: number }): number | null {
  return nextEscalation(policy, lead, Number.NEGATIVE_INFINITY)?.dueAt ?? null;
}

export const EscalationPolicySchema = Type.Object(
  {
    steps: Type.Array(
      Type.Object(
        {
          afterMinutes: Type.Integer({ minimum: 1, maximum: 60 * 24 * 90 }),
          action: Type.Union([
            Type.Object(
              {
                type: Type.Literal('assign'),
                team: Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()], { description: 'null = any rep' }),
                strategy: Type.Enum([...PUSH_STRATEGIES]),
              },
              { additionalProperties: false },
            ),
            Type.Object({ type: Type.Literal('review') }, { additionalProperties: false }),
          ]),
        },
        { additionalProperties: false },
      ),
      { maxItems: 20 },
    ),
    backstopHours: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 24 * 90, description: 'Left out = no backstop.' })),
  },
  { additionalProperties: false, $id: 'EscalationPolicy' },
);
const checkPolicy = Compile(EscalationPolicySchema);

/** Shape, then order: steps strictly ascending, the backstop after the last step, teams known. */
export function validateEscalationPolicy(input: unknown, known: { teams: string[] }): Validated<EscalationPolicy> {
  if (!checkPolicy.Check(input)) return { ok: false, problems: schemaProblems([...checkPolicy.Errors(input)]) };
  const policy = input as EscalationPolicy;
  const problems: FieldProblem[] = [];
  const teams = new Set(known.teams);
  policy.steps.forEach((s, i) => {
    const prev = policy.steps[i - 1];
    if (prev && s.afterMinutes <= prev.afterMinutes) {
      problems.push({ field: `steps[${i}].afterMinutes`, problem: `must be after steps[${i - 1}] (${prev.afterMinutes} minutes)` });
    }
    if (s.action.type === 'assign' && s.action.team !== null && !teams.has(s.action.team)) {
      problems.push({ field: `steps[${i}].action.team`, problem: `team "${s.action.team}" is not known` });
    }
  });
  const last = policy.steps.at(-1);
  if (policy.backstopHours !== undefined && last && policy.backstopHours * 60 <= last.afterMinutes) {
    problems.push({ field: 'backstopHours', problem: `must be after the last step (${last.afterMinutes} minutes)` });
  }
  return problems.length ? { ok: false, problems } : { ok: true, value: policy };
}
