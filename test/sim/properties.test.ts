import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runModel, FINAL_STATES } from '../../src/sim/engine.js';
import { buildModel, MODEL_IDS } from '../../src/sim/models.js';
import { syntheticStream } from '../../src/sim/stream.js';
import { sdrTeam } from '../../src/sim/team.js';

const scenario = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  days: fc.integer({ min: 1, max: 3 }),
  reps: fc.integer({ min: 1, max: 7 }),
  leadsPerDay: fc.integer({ min: 5, max: 150 }),
  model: fc.constantFrom(...MODEL_IDS),
  rules: fc.constantFrom('on' as const, 'off' as const),
});

describe('properties over random teams, streams and models', () => {
  it('no lead is ever held by two reps, and a worked lead is never taken again', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const r = runModel(buildModel(s.model, s.rules), sdrTeam(s.reps), syntheticStream({ days: s.days, leadsPerDay: s.leadsPerDay, seed: s.seed }), {
          seed: s.seed,
          trace: true,
        });
        const holder = new Map<number, number | null>();
        const worked = new Set<number>();
        for (const e of r.trace!) {
          if (e.what === 'take') {
            expect(holder.get(e.lead) ?? null).toBeNull();
            expect(worked.has(e.lead)).toBe(false);
            holder.set(e.lead, e.rep);
          } else if (e.what === 'expire') {
            expect(holder.get(e.lead)).toBe(e.rep);
            holder.set(e.lead, null);
          } else if (e.what === 'contact') {
            expect(holder.get(e.lead)).toBe(e.rep);
            worked.add(e.lead);
          }
        }
      }),
      { numRuns: 30 },
    );
  });

  it('conservation: every lead ends in exactly one final state, and the states agree with the history', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const r = runModel(buildModel(s.model, s.rules), sdrTeam(s.reps), syntheticStream({ days: s.days, leadsPerDay: s.leadsPerDay, seed: s.seed }), {
          seed: s.seed,
          trace: true,
        });
        const total = FINAL_STATES.reduce((a, k) => a + r.finalStates[k], 0);
        expect(total).toBe(r.leads);
        const arrived = r.trace!.filter((e) => e.what === 'arrive').length;
        expect(arrived).toBe(r.leads);
        const contacted = new Set(r.trace!.filter((e) => e.what === 'contact').map((e) => e.lead)).size;
        expect(contacted).toBe(r.speedToContactMin.contacted);
        expect(r.finalStates.converted + r.finalStates.disqualified + r.finalStates.contacted_open).toBe(contacted);
        expect(r.finalStates.converted).toBe(r.trace!.filter((e) => e.what === 'close' && e.detail === 'converted').length);
        expect(r.finalStates.aged_out).toBe(r.trace!.filter((e) => e.what === 'age_out').length);
        expect(r.coverage).toBeCloseTo(r.leads ? contacted / r.leads : 0, 4);
      }),
      { numRuns: 30 },
    );
  });
});
