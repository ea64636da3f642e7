import { describe, expect, it, vi } from 'vitest';

// The simulator must decide with the very functions the server uses: spy on them in place.
vi.mock('../../src/core/fair-play.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/core/fair-play.js')>();
  return { ...m, checkClaimRules: vi.fn(m.checkClaimRules) };
});
vi.mock('../../src/core/claims.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/core/claims.js')>();
  return { ...m, decideClaimById: vi.fn(m.decideClaimById), lockExpiry: vi.fn(m.lockExpiry) };
});

const { checkClaimRules } = await import('../../src/core/fair-play.js');
const { decideClaimById, lockExpiry } = await import('../../src/core/claims.js');
const { runModel } = await import('../../src/sim/engine.js');
const { buildModel } = await import('../../src/sim/models.js');
const { listStream } = await import('../../src/sim/stream.js');
const { at, buildStreamLead, buildTeam } = await import('./builders.js');

describe('the simulator runs the core', () => {
  it('a hoarding limit of 10 lets the 10th claim through and refuses the 11th, exactly as checkClaimRules does', () => {
    vi.mocked(checkClaimRules).mockClear();
    const base = buildModel('pool-pull', 'on');
    const model = { ...base, teamRules: { hoardingLimit: 10 } };
    // One hungry rep who would take 20 at once and is slow to call: the limit is what stops them.
    const team = buildTeam({ selectiveness: 1, claimAhead: 20, contactMinutes: { median: 120, sigma: 0 } });
    const stream = listStream(Array.from({ length: 12 }, () => buildStreamLead(at('10:00'), { score: 90 })));
    const r = runModel(model, team, stream, { seed: 1, trace: true });
    const firstLook = r.trace!.filter((e) => (e.what === 'take' || e.what === 'refuse') && e.t === r.trace!.find((x) => x.what === 'take')!.t);
    expect(firstLook.filter((e) => e.what === 'take')).toHaveLength(10);
    expect(firstLook.at(-1)).toMatchObject({ what: 'refuse', detail: 'RULE_HOARDING_LIMIT' });
    // The same function, at the same boundary.
    const state = (open: number) => ({ openUncontacted: open, recentScores: [], ratioCredits: 0, claimsToday: 0 });
    expect(checkClaimRules({ hoardingLimit: 10 }, state(9), 90)).toBeNull();
    expect(checkClaimRules({ hoardingLimit: 10 }, state(10), 90)?.rule).toBe('RULE_HOARDING_LIMIT');
    // And the sim asked it with the state it kept: 0 … 9 let through, 10 refused.
    const asked = vi.mocked(checkClaimRules).mock.calls.slice(0, 11).map(([, s]) => s.openUncontacted);
    expect(asked).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('every claim by id goes through decideClaimById and its lock time comes from lockExpiry', () => {
    vi.mocked(decideClaimById).mockClear();
    vi.mocked(lockExpiry).mockClear();
    const team = buildTeam({}, {});
    const stream = listStream(Array.from({ length: 6 }, (_, i) => buildStreamLead(at('10:00') + i * 60_000)));
    const r = runModel(buildModel('cherry-pick', 'off'), team, stream, { seed: 1, trace: true });
    const takes = r.trace!.filter((e) => e.what === 'take');
    expect(takes.length).toBeGreaterThanOrEqual(6);
    expect(takes.every((e) => e.source === 'cherry_pick')).toBe(true);
    const allowed = vi.mocked(decideClaimById).mock.results.filter((x) => x.type === 'return' && (x.value as { ok: boolean }).ok);
    expect(allowed.length).toBe(takes.length);
  });

  it('a rep who let a lead expire is refused it by decideClaimById and someone else takes it', () => {
    vi.mocked(decideClaimById).mockClear();
    // Rep 1 claims at 10:00 and goes into a meeting; rep 2 starts at 10:10.
    const team = buildTeam(
      { contactMinutes: { median: 10, sigma: 0 }, meetings: [{ days: [1], start: '10:05', end: '10:30' }] },
      { hours: { timeZone: 'UTC', days: [1], start: '10:10', end: '18:00' } },
    );
    const r = runModel(buildModel('pool-pull', 'off'), team, listStream([buildStreamLead(at('10:00'))]), { seed: 1, trace: true });
    const seq = r.trace!.filter((e) => e.what !== 'arrive').map((e) => [e.what, e.rep]);
    expect(seq.slice(0, 3)).toEqual([
      ['take', 0],
      ['expire', 0],
      ['take', 1],
    ]);
  });
});
