import { describe, expect, it } from 'vitest';
import { escalationDueAt, nextEscalation, SEED_ESCALATION, validateEscalationPolicy, type EscalationPolicy } from '../../src/core/routing/escalation.js';
import { TestClock, MINUTE, HOUR } from '../../src/core/clock.js';

/** The seed's ladder with an 8-hour backstop. */
const ladder: EscalationPolicy = {
  steps: [
    { afterMinutes: 30, action: { type: 'assign', team: 'inbound', strategy: 'round_robin' } },
    { afterMinutes: 60, action: { type: 'review' } },
  ],
  backstopHours: 8,
};

describe('escalation ladder on a TestClock', () => {
  it('assigns at 30 minutes, sends to review at 60, and backstops at 8 hours, each once and in order', () => {
    const clock = new TestClock('2026-01-05T09:00:00Z');
    const lead = { createdAt: clock.now(), escalationStep: 0 };
    const fired: { at: number; step: string }[] = [];
    // A scheduler in miniature: each minute, run the next step when it is due.
    for (let m = 0; m <= 10 * 60; m++) {
      const next = nextEscalation(ladder, lead, clock.now());
      if (next?.due) {
        fired.push({ at: (clock.now() - lead.createdAt) / MINUTE, step: next.step === 'backstop' ? 'backstop' : next.step.action.type });
        lead.escalationStep = next.stepIndex + 1;
      }
      clock.tick(MINUTE);
    }
    expect(fired).toEqual([
      { at: 30, step: 'assign' },
      { at: 60, step: 'review' },
      { at: 480, step: 'backstop' },
    ]);
    expect(nextEscalation(ladder, lead, clock.now())).toBeNull();
  });

  it('gives the next step with its due time even before it is due', () => {
    const t0 = Date.parse('2026-01-05T09:00:00Z');
    expect(nextEscalation(ladder, { createdAt: t0, escalationStep: 0 }, t0 + 29 * MINUTE)).toEqual({
      stepIndex: 0,
      step: ladder.steps[0],
      dueAt: t0 + 30 * MINUTE,
      due: false,
    });
    expect(nextEscalation(ladder, { createdAt: t0, escalationStep: 0 }, t0 + 30 * MINUTE)?.due).toBe(true);
  });

  it('after a long outage runs the overdue steps one at a time, in order, not skipping to the last', () => {
    const t0 = Date.parse('2026-01-05T09:00:00Z');
    const late = t0 + 3 * HOUR;
    expect(nextEscalation(ladder, { createdAt: t0, escalationStep: 0 }, late)).toMatchObject({ stepIndex: 0, due: true });
    expect(nextEscalation(ladder, { createdAt: t0, escalationStep: 1 }, late)).toMatchObject({ stepIndex: 1, due: true });
    expect(nextEscalation(ladder, { createdAt: t0, escalationStep: 2 }, late)).toMatchObject({ stepIndex: 2, step: 'backstop', due: false, dueAt: t0 + 8 * HOUR });
  });

  it('without a backstop the ladder ends after its last step', () => {
    const t0 = 0;
    expect(escalationDueAt(SEED_ESCALATION, { createdAt: t0, escalationStep: 1 })).toBe(60 * MINUTE);
    expect(escalationDueAt(SEED_ESCALATION, { createdAt: t0, escalationStep: 2 })).toBeNull();
    expect(escalationDueAt({ steps: [] }, { createdAt: t0, escalationStep: 0 })).toBeNull();
    expect(escalationDueAt({ steps: [], backstopHours: 2 }, { createdAt: t0, escalationStep: 0 })).toBe(2 * HOUR);
  });
});

describe('validateEscalationPolicy', () => {
  const known = { teams: ['inbound'] };
  it('accepts the seed ladder and one with a backstop', () => {
    expect(validateEscalationPolicy(SEED_ESCALATION, known)).toEqual({ ok: true, value: SEED_ESCALATION });
    expect(validateEscalationPolicy(ladder, known).ok).toBe(true);
  });
  it('refuses steps that are not strictly ascending', () => {
    const r = validateEscalationPolicy({ steps: [ladder.steps[1], ladder.steps[0]] }, known);
    expect(r).toEqual({ ok: false, problems: [{ field: 'steps[1].afterMinutes', problem: 'must be after steps[0] (60 minutes)' }] });
  });
  it('refuses a backstop before the last step and an unknown team', () => {
    const r = validateEscalationPolicy({ steps: [{ afterMinutes: 90, action: { type: 'assign', team: 'ghosts', strategy: 'weighted' } }], backstopHours: 1 }, known);
    expect(r).toEqual({
      ok: false,
      problems: [
        { field: 'steps[0].action.team', problem: 'team "ghosts" is not known' },
        { field: 'backstopHours', problem: 'must be after the last step (90 minutes)' },
      ],
    });
  });
  it('refuses a malformed step with the field named', () => {
    const r = validateEscalationPolicy({ steps: [{ afterMinutes: 0, action: { type: 'review' } }] }, known);
    expect(r).toEqual({ ok: false, problems: [{ field: 'steps[0].afterMinutes', problem: 'must be at least 1' }] });
  });
});
