import { describe, expect, it } from 'vitest';
import { runModel } from '../../src/sim/engine.js';
import { buildModel, type ModelDef } from '../../src/sim/models.js';
import { listStream } from '../../src/sim/stream.js';
import { teamAvailability } from '../../src/sim/team.js';
import { Random } from '../../src/core/random.js';
import { at, buildRep, buildStreamLead, buildTeam } from './builders.js';

const MIN = 60_000;

describe('hand-checked scenarios', () => {
  it('push round robin with 2 reps and 4 leads alternates between them', () => {
    const team = buildTeam({}, {});
    const stream = listStream(['10:00', '10:01', '10:02', '10:03'].map((t) => buildStreamLead(at(t))));
    const r = runModel(buildModel('push-round-robin', 'off'), team, stream, { seed: 1, trace: true });
    const takes = r.trace!.filter((e) => e.what === 'take');
    expect(takes.map((e) => [e.lead, e.rep, e.source])).toEqual([
      [1, 0, 'pushed'],
      [2, 1, 'pushed'],
      [3, 0, 'pushed'],
      [4, 1, 'pushed'],
    ]);
    expect(takes.map((e) => e.t)).toEqual([at('10:00'), at('10:01'), at('10:02'), at('10:03')]);
    expect(r.fairness.giniLeads).toBe(0);
    expect(r.perRep.map((p) => p.received)).toEqual([2, 2]);
    expect(r.lockExpiries).toBe(0);
  });

  it('a claim made just before a meeting expires 15 minutes later, because the rep is in the meeting', () => {
    // Claims at 10:00 (notice 0.1 min), needs 10 working minutes to call; the meeting runs 10:05–11:00.
    const team = buildTeam({ contactMinutes: { median: 10, sigma: 0 }, meetings: [{ days: [1], start: '10:05', end: '11:00' }] });
    const stream = listStream([buildStreamLead(at('10:00'))]);
    const r = runModel(buildModel('queue-pull', 'off'), team, stream, { seed: 1, trace: true });
    const events = r.trace!.filter((e) => e.what !== 'arrive').map((e) => [e.what, e.t - at('10:00')]);
    const claimAt = 0.1 * MIN;
    expect(events[0]).toEqual(['take', claimAt]);
    expect(events[1]).toEqual(['expire', claimAt + 15 * MIN]);
    expect(r.lockExpiries).toBe(1);
    // Back in the queue, the rep who let it expire is passed over (as claimNext does), and nobody else is there.
    expect(r.finalStates.waiting).toBe(1);
    expect(r.coverage).toBe(0);
  });

  it('the same claim is called in time when the meeting starts after the call is done', () => {
    const team = buildTeam({ contactMinutes: { median: 10, sigma: 0 }, meetings: [{ days: [1], start: '10:30', end: '11:00' }] });
    const r = runModel(buildModel('queue-pull', 'off'), team, listStream([buildStreamLead(at('10:00'))]), { seed: 1, trace: true });
    expect(r.lockExpiries).toBe(0);
    expect(r.trace!.find((e) => e.what === 'contact')!.t).toBe(at('10:00') + 0.1 * MIN + 10 * MIN);
    expect(r.speedToContactMin.median).toBeCloseTo(10.1, 5);
  });

  it('a lead nobody works in a queue is assigned after 30 minutes by the escalation ladder', () => {
    const base = buildModel('hybrid-escalation', 'off');
    // Nobody may pull from the queue, so only the ladder moves the lead.
    const model: ModelDef = { ...base, pools: base.pools.map((p) => ({ ...p, access: { standard: 'none' } })) };
    const team = buildTeam({});
    const r = runModel(model, team, listStream([buildStreamLead(at('10:00'))]), { seed: 1, trace: true });
    const take = r.trace!.find((e) => e.what === 'take')!;
    expect(take.t).toBe(at('10:30'));
    expect(take.source).toBe('escalated');
    expect(r.managerReview.sentToReview).toBe(0);
    expect(r.finalStates.claimed_open + r.finalStates.contacted_open + r.finalStates.converted + r.finalStates.disqualified).toBe(1);
  });

  it('with nobody eligible at 30 minutes, the lead goes to manager review at 60, and the manager assigns it when a rep starts', () => {
    const base = buildModel('hybrid-escalation', 'off');
    const model: ModelDef = { ...base, pools: base.pools.map((p) => ({ ...p, access: { standard: 'none' } })) };
    const team = buildTeam({ hours: { timeZone: 'UTC', days: [1, 2, 3, 4, 5], start: '14:00', end: '17:00' } });
    const r = runModel(model, team, listStream([buildStreamLead(at('10:00'))]), {
      seed: 1,
      trace: true,
      managerHours: { timeZone: 'UTC', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' },
    });
    const review = r.trace!.find((e) => e.what === 'review')!;
    expect(review.t).toBe(at('11:00'));
    const take = r.trace!.find((e) => e.what === 'take')!;
    expect(take.source).toBe('manager');
    expect(take.t).toBe(at('14:00')); // the hourly review session at 14:00 finds the rep at work
    expect(r.managerReview).toEqual({ sentToReview: 1, reviewed: 1, managerHours: 0.1 });
  });

  it('hot leads are pushed and the rest pooled in the hot-push hybrid', () => {
    const team = buildTeam({}, {});
    const stream = listStream([buildStreamLead(at('10:00'), { score: 85 }), buildStreamLead(at('10:00'), { score: 40 })]);
    const r = runModel(buildModel('hybrid-hot-push', 'off'), team, stream, { seed: 1, trace: true });
    const sources = r.trace!.filter((e) => e.what === 'take').map((e) => [e.lead, e.source]);
    expect(sources).toEqual(expect.arrayContaining([[1, 'pushed'], [2, 'pool']]));
  });

  it('working blocks are the hours minus meetings, in the rep\'s zone', () => {
    const rep = buildRep({ hours: { timeZone: 'Europe/Berlin', days: [1], start: '09:00', end: '17:00' }, meetings: [{ days: [1], start: '12:00', end: '13:00' }] });
    const [iv] = teamAvailability([rep], at('00:00'), at('00:00', 1), [new Random(1)]);
    // Berlin is UTC+1 in January.
    expect(Array.from(iv!)).toEqual([at('08:00'), at('11:00'), at('12:00'), at('16:00')]);
  });
});
