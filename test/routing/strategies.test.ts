import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EMPTY_ROTATION, pickRep, type RotationState } from '../../src/core/routing/strategies.js';
import { eligibility, type RepProfile } from '../../src/core/routing/reps.js';
import type { PushStrategy } from '../../src/core/routing/rules.js';
import { buildRep, MONDAY_10_BERLIN } from './builders.js';

const now = MONDAY_10_BERLIN;
const STRATEGIES: PushStrategy[] = ['round_robin', 'weighted', 'least_loaded'];

const userIds = (min: number, max: number) => fc.uniqueArray(fc.integer({ min: 1, max: 10_000 }), { minLength: min, maxLength: max });

/** Runs `n` picks with an unchanging team, returning the chosen ids in order. */
function runPicks(strategy: PushStrategy, team: RepProfile[], n: number, start: RotationState = EMPTY_ROTATION): { order: number[]; state: RotationState } {
  let state = start;
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = pickRep(strategy, team, state, now);
    if (!r.chosen) throw new Error('nobody chosen');
    order.push(r.chosen.userId);
    state = r.next;
  }
  return { order, state };
}

/** An ineligibility for a random draw: every way a rep can be skipped. */
const unavailability = fc.constantFrom<Partial<RepProfile> | null>(
  null,
  null,
  { availability: 'away' },
  { paused: true },
  { excluded: true },
  { capacity: 2, openLeads: 2 },
  { caps: { hourly: 1 }, pushed: { lastHour: 1, today: 1, thisWeek: 1 } },
  { caps: { daily: 1 }, pushed: { lastHour: 0, today: 1, thisWeek: 1 } },
  { caps: { weekly: 1 }, pushed: { lastHour: 0, today: 0, thisWeek: 1 } },
  { hours: { timeZone: 'Asia/Tokyo', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' } }, // 18:00 in Tokyo
);

describe('round robin', () => {
  it('over always-eligible reps never lets two reps’ counts differ by more than one, after any number of leads and from any position', () => {
    fc.assert(
      fc.property(userIds(1, 10), fc.option(fc.integer({ min: 0, max: 10_001 })), fc.integer({ min: 1, max: 120 }), (ids, last, n) => {
        const team = ids.map((id) => buildRep(id));
        const { order } = runPicks('round_robin', team, n, { ...EMPTY_ROTATION, lastUserId: last });
        const counts = new Map(ids.map((id) => [id, 0]));
        for (const id of order) {
          counts.set(id, counts.get(id)! + 1);
          const c = [...counts.values()];
          expect(Math.max(...c) - Math.min(...c)).toBeLessThanOrEqual(1);
        }
      }),
    );
  });

  it('goes round the team in userId order, starting after the last rep pushed to', () => {
    const team = [buildRep(30), buildRep(10), buildRep(20)];
    expect(runPicks('round_robin', team, 5).order).toEqual([10, 20, 30, 10, 20]);
    expect(runPicks('round_robin', team, 3, { ...EMPTY_ROTATION, lastUserId: 20 }).order).toEqual([30, 10, 20]);
    // The last rep left the team: the rotation carries on with the next id after theirs.
    expect(runPicks('round_robin', team, 2, { ...EMPTY_ROTATION, lastUserId: 25 }).order).toEqual([30, 10]);
  });

  it('skips ineligible reps met on the way, lists only those, and they keep their place', () => {
    const team = [buildRep(1), buildRep(2, { availability: 'away' }), buildRep(3, { capacity: 1, openLeads: 1 }), buildRep(4)];
    const r = pickRep('round_robin', team, { ...EMPTY_ROTATION, lastUserId: 1 }, now);
    expect(r.chosen?.userId).toBe(4);
    expect(r.skipped).toEqual([
      { userId: 2, reason: 'away', detail: 'Rep 2 is away' },
      { userId: 3, reason: 'at_capacity', detail: 'holds 1 open lead, capacity 1' },
    ]);
    expect(r.next.lastUserId).toBe(4);
    // Rep 2 is back: they are next only because the circle reaches them after 1, not as catch-up.
    team[1] = buildRep(2);
    // Rep 3 is still at capacity and is passed over again.
    expect(runPicks('round_robin', team, 4, r.next).order).toEqual([1, 2, 4, 1]);
  });
});

describe('weighted', () => {
  it('keeps each rep’s count within one lead of weight / total weight × leads, after every lead', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ id: fc.integer({ min: 1, max: 10_000 }), w: fc.integer({ min: 1, max: 100 }) }), { minLength: 1, maxLength: 9, selector: (r) => r.id }),
        fc.integer({ min: 1, max: 300 }),
        (reps, n) => {
          const team = reps.map((r) => buildRep(r.id, { weight: r.w }));
          const W = reps.reduce((s, r) => s + r.w, 0);
          const { order } = runPicks('weighted', team, n);
          const counts = new Map(reps.map((r) => [r.id, 0]));
          let worst = 0;
          order.forEach((id, i) => {
            counts.set(id, counts.get(id)! + 1);
            for (const r of reps) worst = Math.max(worst, Math.abs(counts.get(r.id)! - (r.w / W) * (i + 1)));
          });
          expect(worst).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps the bound where nginx’s highest-credit choice drifts past one lead (weights 5,1,82,5,5,1,1,89)', () => {
    const weights = [5, 1, 82, 5, 5, 1, 1, 89];
    const W = weights.reduce((a, b) => a + b, 0);
    const worstDrift = (choose: (credit: number[]) => number) => {
      const credit = weights.map(() => 0);
      const count = weights.map(() => 0);
      let worst = 0;
      for (let n = 1; n <= 1000; n++) {
        weights.forEach((w, i) => (credit[i]! += w));
        const c = choose(credit);
        credit[c]! -= W;
        count[c]!++;
        weights.forEach((w, i) => (worst = Math.max(worst, Math.abs(count[i]! - (w / W) * n))));
      }
      return worst;
    };
    const nginx = worstDrift((credit) => credit.indexOf(Math.max(...credit)));
    expect(nginx).toBeGreaterThan(1);

    const team = weights.map((w, i) => buildRep(i + 1, { weight: w }));
    const { order } = runPicks('weighted', team, 1000);
    const count = weights.map(() => 0);
    let ours = 0;
    order.forEach((id, n) => {
      count[id - 1]!++;
      weights.forEach((w, i) => (ours = Math.max(ours, Math.abs(count[i]! - (w / W) * (n + 1)))));
    });
    expect(ours).toBeLessThan(1);
  });

  it('freezes an ineligible rep’s credit: they neither gain nor lose while away', () => {
    const team = [buildRep(1, { weight: 3 }), buildRep(2, { weight: 1, availability: 'away' }), buildRep(3, { weight: 2 })];
    const start: RotationState = { lastUserId: null, current: { '1': 0, '2': 1.5, '3': -1.5 }, paused: false };
    let state = start;
    for (let i = 0; i < 20; i++) {
      state = pickRep('weighted', team, state, now).next;
      expect(state.current['2']).toBe(1.5);
    }
  });

  it('a rep with weight 0 is never chosen, and nobody with weight 0 means nobody chosen', () => {
    const team = [buildRep(1, { weight: 0 }), buildRep(2, { weight: 1 })];
    expect(new Set(runPicks('weighted', team, 10).order)).toEqual(new Set([2]));
    expect(pickRep('weighted', [buildRep(1, { weight: 0 })], EMPTY_ROTATION, now).chosen).toBeNull();
  });
});

describe('least loaded', () => {
  it('chooses the eligible rep with the fewest open leads', () => {
    const team = [buildRep(1, { openLeads: 3 }), buildRep(2, { openLeads: 1, availability: 'away' }), buildRep(3, { openLeads: 2 })];
    const r = pickRep('least_loaded', team, EMPTY_ROTATION, now);
    expect(r.chosen?.userId).toBe(3);
    expect(r.skipped).toEqual([{ userId: 2, reason: 'away', detail: 'Rep 2 is away' }]);
  });

  it('equally loaded reps take turns in rotation order after the last one pushed to', () => {
    const team = [buildRep(1, { openLeads: 2 }), buildRep(2, { openLeads: 2 }), buildRep(3, { openLeads: 2 }), buildRep(4, { openLeads: 5 })];
    expect(runPicks('least_loaded', team, 4, { ...EMPTY_ROTATION, lastUserId: 2 }).order).toEqual([3, 1, 2, 3]);
  });
});

describe('every strategy', () => {
  it('never chooses an ineligible rep, and chooses someone whenever someone is eligible (random eligibility per step)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...STRATEGIES),
        userIds(1, 8).chain((ids) =>
          fc.tuple(fc.constant(ids), fc.array(fc.array(unavailability, { minLength: ids.length, maxLength: ids.length }), { minLength: 1, maxLength: 60 })),
        ),
        (strategy, [ids, steps]) => {
          let state = EMPTY_ROTATION;
          for (const flags of steps) {
            const team = ids.map((id, i) => buildRep(id, { weight: 1 + (id % 4), openLeads: id % 3, ...(flags[i] ?? {}) }));
            const r = pickRep(strategy, team, state, now);
            const eligible = team.filter((rep) => eligibility(rep, now).eligible);
            if (r.chosen) expect(eligibility(r.chosen, now).eligible).toBe(true);
            expect(r.chosen !== null).toBe(eligible.length > 0);
            for (const s of r.skipped) expect(eligibility(team.find((x) => x.userId === s.userId)!, now)).toEqual({ eligible: false, reason: s.reason, detail: s.detail });
            state = r.next;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('does not flood a rep returning from away: over the next k leads they get at most ceil(k / team size) + 1', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<PushStrategy>('round_robin', 'weighted'),
        userIds(2, 8),
        fc.nat(),
        fc.array(fc.boolean(), { maxLength: 80 }),
        fc.integer({ min: 1, max: 100 }),
        (strategy, ids, pick, awayPattern, k) => {
          const returning = ids[pick % ids.length]!;
          let state = EMPTY_ROTATION;
          // History: the returning rep comes and goes, and is away at the end, for any number of leads.
          for (const away of [...awayPattern, true, true, true]) {
            const team = ids.map((id) => buildRep(id, id === returning && away ? { availability: 'away' } : {}));
            state = pickRep(strategy, team, state, now).next;
          }
          const team = ids.map((id) => buildRep(id));
          const { order } = runPicks(strategy, team, k, state);
          const got = order.filter((id) => id === returning).length;
          expect(got).toBeLessThanOrEqual(Math.ceil(k / ids.length) + 1);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('weighted re-entry with unequal weights stays within two leads of the rep’s share', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ id: fc.integer({ min: 1, max: 10_000 }), w: fc.integer({ min: 1, max: 20 }) }), { minLength: 2, maxLength: 8, selector: (r) => r.id }),
        fc.nat(),
        fc.array(fc.boolean(), { maxLength: 80 }),
        fc.integer({ min: 1, max: 100 }),
        (reps, pick, awayPattern, k) => {
          const returning = reps[pick % reps.length]!;
          const W = reps.reduce((s, r) => s + r.w, 0);
          let state = EMPTY_ROTATION;
          for (const away of [...awayPattern, true]) {
            const team = reps.map((r) => buildRep(r.id, { weight: r.w, ...(r.id === returning.id && away ? { availability: 'away' as const } : {}) }));
            state = pickRep('weighted', team, state, now).next;
          }
          const team = reps.map((r) => buildRep(r.id, { weight: r.w }));
          const { order } = runPicks('weighted', team, k, state);
          let got = 0;
          order.forEach((id, i) => {
            if (id === returning.id) got++;
            expect(got).toBeLessThanOrEqual((returning.w / W) * (i + 1) + 2);
          });
        },
      ),
      { numRuns: 400 },
    );
  });

  it('is deterministic: the same team, state and time give the same choice, skips and next state, and the input state is not changed', () => {
    fc.assert(
      fc.property(fc.constantFrom(...STRATEGIES), userIds(1, 8), fc.array(unavailability, { minLength: 8, maxLength: 8 }), fc.integer({ min: 0, max: 30 }), (strategy, ids, flags, warmup) => {
        const team = ids.map((id, i) => buildRep(id, { weight: 1 + (id % 5), openLeads: id % 4, ...(flags[i] ?? {}) }));
        const everyone = ids.map((id) => buildRep(id, { weight: 1 + (id % 5), openLeads: id % 4 }));
        const state = deepFreeze(runPicks(strategy, everyone, warmup).state);
        const snapshot = structuredClone(state);
        const a = pickRep(strategy, team, state, now);
        const b = pickRep(strategy, [...team].reverse(), structuredClone(state), now);
        expect(b).toEqual(a);
        expect(state).toEqual(snapshot);
      }),
    );
  });

  it('a paused rotation chooses nobody and says every rep was skipped because of the pause', () => {
    const team = [buildRep(2), buildRep(1)];
    for (const strategy of STRATEGIES) {
      const state = { ...EMPTY_ROTATION, paused: true };
      const r = pickRep(strategy, team, state, now);
      expect(r.chosen).toBeNull();
      expect(r.next).toBe(state);
      expect(r.skipped).toEqual([
        { userId: 1, reason: 'paused', detail: 'the rotation is paused by a manager' },
        { userId: 2, reason: 'paused', detail: 'the rotation is paused by a manager' },
      ]);
    }
  });
});

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
