import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvStream, StreamError, syntheticStream } from '../../src/sim/stream.js';
import { parseTeamFile, sdrTeam } from '../../src/sim/team.js';
import { parseCurrentConfig, currentModel } from '../../src/sim/models.js';
import { runModel } from '../../src/sim/engine.js';

const HEAD = 'company,industry,companySize,source,score,region,contactName,contactEmail,arrivedAt';

describe('inputs', () => {
  it('a CSV in the import format plus arrivedAt is replayed in arrival order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leadpool-sim-csv-'));
    try {
      const file = join(dir, 'history.csv');
      writeFileSync(
        file,
        [HEAD, 'B GmbH,Retail,11-50,Webinar,70,DACH-Süd,Bea,bea@b.de,2026-03-02T10:05:00Z', 'A GmbH,Software,1-10,Referral,85,DACH-Nord,Al,al@a.de,2026-03-02T09:00:00Z'].join('\n'),
      );
      const s = await csvStream(file, { seed: 1 });
      const leads = [...s.leads()];
      expect(leads.map((l) => l.input.company)).toEqual(['A GmbH', 'B GmbH']);
      expect(leads[0]!.arrivedAt).toBe(Date.parse('2026-03-02T09:00:00Z'));
      expect(leads[0]!.input.attributes).toEqual({});
      expect(s.start).toBe(Date.parse('2026-03-02T00:00:00Z'));
      const bad = join(dir, 'bad.csv');
      writeFileSync(bad, [HEAD, 'A GmbH,Software,1-10,Referral,85,DACH-Nord,Al,al@a.de,yesterday'].join('\n'));
      await expect(csvStream(bad, { seed: 1 })).rejects.toThrow(StreamError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the synthetic stream follows the weekday profile and is the same for a seed', () => {
    const s = syntheticStream({ days: 7, leadsPerDay: 300, seed: 5 });
    const byDay = Array<number>(7).fill(0);
    for (const l of s.leads()) byDay[Math.floor((l.arrivedAt - s.start) / 86_400_000)]!++;
    expect(byDay[0]!).toBeGreaterThan(byDay[5]! * 2); // Monday vs Saturday
    expect([...s.leads()].map((l) => l.arrivedAt)).toEqual([...syntheticStream({ days: 7, leadsPerDay: 300, seed: 5 }).leads()].map((l) => l.arrivedAt));
  });

  it('a team file fills in defaults and names bad fields', () => {
    const ok = parseTeamFile({ reps: [{ name: 'Anna', tier: 'top' }, { name: 'Ben', skills: { Retail: 1.3 } }] });
    expect(ok.ok).toBe(true);
    if (ok.ok) {
      expect(ok.team.reps[0]!.weight).toBe(3);
      expect(ok.team.reps[1]!.hours.timeZone).toBe('Europe/Berlin');
    }
    const bad = parseTeamFile({ reps: [{ name: 'Anna', hours: { timeZone: 'Mars/Base', days: [1], start: '09:00', end: '17:00' } }, { name: 'Anna' }] });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems.map((p) => p.field)).toEqual(['reps[0].hours.timeZone', 'reps[1].name']);
  });

  it('the export of a running Leadpool runs as the model "current"', () => {
    const config = parseCurrentConfig({
      pools: { items: [{ id: 4, name: 'Inbound', mode: 'pool', lockTtlSeconds: 900, rules: null, escalation: null, access: null }] },
      ruleSet: { version: { version: 3, ruleSet: { defaultPoolId: 4, rules: [{ id: 'hot', name: 'hot', when: { scoreMin: 80 }, then: { type: 'push_team', team: 'sdr', strategy: 'round_robin', fallbackPoolId: 4 } }] } } },
      rules: { rules: { hoardingLimit: 10 } },
    });
    const r = runModel(currentModel(config, 'on'), sdrTeam(4), syntheticStream({ days: 2, leadsPerDay: 50, seed: 1 }), { seed: 1 });
    expect(r.takesBySource.pushed).toBeGreaterThan(0);
    expect(r.takesBySource.pool).toBeGreaterThan(0);
  });
});
