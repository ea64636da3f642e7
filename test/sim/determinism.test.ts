import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerSimulateCommand } from '../../src/cli/simulate-command.js';
import { reportJson, runSimulation, sdrTeam, selectModels, syntheticStream, renderHtml, formatTable } from '../../src/sim/index.js';

function report(seed: number) {
  return runSimulation({
    team: sdrTeam(6),
    stream: syntheticStream({ days: 4, leadsPerDay: 120, seed }),
    models: selectModels(['pool-pull', 'hybrid-escalation', 'push-weighted'], 'both', null),
    seed,
  });
}

describe('determinism', () => {
  it('the same seed and inputs give byte-identical JSON', () => {
    const a = reportJson(report(7));
    const b = reportJson(report(7));
    expect(a).toBe(b);
    expect(a).not.toBe(reportJson(report(8)));
  });

  it('`leadpool simulate --format json --out` writes the same bytes twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leadpool-sim-'));
    try {
      const run = async (file: string) => {
        const program = new Command().exitOverride();
        registerSimulateCommand(program);
        const args = ['simulate', '--days', '3', '--reps', '4', '--leads-per-day', '60', '--models', 'queue-pull,cherry-pick', '--seed', '3', '--format', 'json', '--out', file];
        await program.parseAsync(args, { from: 'user' });
        return readFileSync(file, 'utf8');
      };
      const first = await run(join(dir, 'a.json'));
      const second = await run(join(dir, 'b.json'));
      expect(first).toBe(second);
      const doc = JSON.parse(first) as { seed: number; results: { model: { id: string; rules: string } }[] };
      expect(doc.seed).toBe(3);
      expect(doc.results.map((r) => `${r.model.id}:${r.model.rules}`)).toEqual(['queue-pull:off', 'queue-pull:on', 'cherry-pick:off', 'cherry-pick:on']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the HTML report is self-contained, with inline SVG and numbers on hover', () => {
    const html = renderHtml(report(7));
    expect(html).toContain('<svg');
    expect(html).toContain('<title>');
    expect(html).not.toMatch(/<script|<link|src="http/);
    expect(formatTable(report(7))).toContain('Recommendation:');
  });
});
