import { describe, expect, it } from 'vitest';
import { historyStream, teamFromSettings } from '../../src/sim/index.js';
import { runJob, type SimProgress } from '../../src/server/sim-job.js';
import { sdrTeam } from '../../src/sim/team.js';
import { MONDAY, at } from './builders.js';
import type { LeadInput } from '../../src/core/lead-input.js';

/** What the console's "What if" adds to the simulator: the team as set up, the team's own leads, progress. */

const lead = (company: string, score: number): LeadInput => ({
  company,
  industry: 'Software',
  companySize: '11-50',
  source: 'Website form',
  score,
  region: 'DACH',
  contact: { name: 'C', email: `c@${company.toLowerCase()}.de`, phone: '+49 30 1' },
});

describe('the console\'s inputs', () => {
  it('the reps as set up keep their names, teams, tiers, capacity, weights, hours and caps; behaviour comes from the preset tier', () => {
    const hours = { timeZone: 'Europe/London', days: [1, 2, 3], start: '10:00', end: '16:00' };
    const team = teamFromSettings('ours', [
      { name: 'Ada', team: 'inbound', tier: 'top', capacity: 20, weight: 5, hours, caps: { hourly: 4 } },
      { name: 'Bo', team: null, tier: 'gold', capacity: null, weight: 1, hours: null, caps: {} },
    ]);
    expect(team.reps.map((r) => [r.name, r.team, r.tier, r.capacity, r.weight, r.pushCaps])).toEqual([
      ['Ada', 'inbound', 'top', 20, 5, { hourly: 4 }],
      ['Bo', 'sdr', 'standard', null, 1, {}],
    ]);
    expect(team.reps[0]!.hours).toEqual(hours);
    expect(team.reps[1]!.hours.timeZone).toBe('Europe/Berlin');
    const presetTop = sdrTeam(5).reps.find((r) => r.tier === 'top')!;
    expect(team.reps[0]!.claimAhead).toBe(presetTop.claimAhead);
    expect(team.reps[0]!.selectiveness).toBe(presetTop.selectiveness);
  });

  it('the team\'s own leads replay in arrival order over whole UTC days, with reach from the seed', () => {
    const leads = [
      { input: lead('B', 70), arrivedAt: at('15:00', 1) },
      { input: lead('A', 40), arrivedAt: at('09:30') },
    ];
    const s = historyStream(leads, 3);
    expect([...s.leads()].map((l) => l.input.company)).toEqual(['A', 'B']);
    expect([s.start, s.end]).toEqual([MONDAY, MONDAY + 2 * 86_400_000]);
    expect([...historyStream(leads, 3).leads()].map((l) => l.reach)).toEqual([...s.leads()].map((l) => l.reach));
    expect(s.describe).toMatch(/own 2 leads from 2026-01-05 to 2026-01-06/);
  });

  it('progress runs from 0 to 1 over every model, counting the leads of the models already done', () => {
    const seen: SimProgress[] = [];
    const report = runJob({ team: sdrTeam(4), stream: { kind: 'synthetic', days: 7, leadsPerDay: 120 }, models: ['queue-pull', 'pool-pull'], rules: 'both', current: null, seed: 2 }, (p) => seen.push(p));
    const leads = report.inputs.leads;
    expect(seen.at(-1)).toMatchObject({ fraction: 1, leadsSimulated: 4 * leads, modelIndex: 3, models: 4 });
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]!.fraction).toBeGreaterThanOrEqual(seen[i - 1]!.fraction);
      expect(seen[i]!.leadsSimulated).toBeGreaterThanOrEqual(seen[i - 1]!.leadsSimulated);
    }
    expect(new Set(seen.map((p) => p.model))).toEqual(new Set(report.results.map((r) => r.model.label)));
  });
});
