import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { shot, signIn, startE2E, type E2E } from './support.js';

/** "What if" in the manager's console: a manager starts a small run, watches it, reads the results. */

let e2e: E2E;
let ctx: BrowserContext;
let page: Page;

beforeAll(async () => {
  e2e = await startE2E();
  ctx = await e2e.context({ height: 1000 });
  page = await ctx.newPage();
  await signIn(page, 'manager@demo.test');
});
afterAll(async () => e2e?.close());

describe('What if', () => {
  it('a manager starts a run, sees its progress, then the models side by side with the recommendation', async () => {
    await page.getByRole('link', { name: 'Setup' }).click();
    await page.getByRole('link', { name: 'What if' }).click();
    await page.getByRole('heading', { level: 1, name: 'What if' }).waitFor();
    await page.getByText('No runs yet').waitFor();

    await page.getByLabel('Days', { exact: true }).fill('21');
    await page.getByLabel('Leads per day').fill('300');
    await page.getByLabel('Reps', { exact: true }).fill('10');
    for (const name of ['Current configuration', 'Pool pull', 'Hybrid: hot leads (80+) pushed']) await page.getByRole('checkbox', { name }).uncheck();
    await page.getByRole('checkbox', { name: 'Push, weighted' }).check();
    expect(await page.getByRole('checkbox', { checked: true }).count()).toBe(3); // round robin, weighted, queue pull
    await page.getByLabel('Seed').fill('7');
    await page.getByRole('button', { name: 'Run simulation' }).click();

    // Progress while it runs: the bar at once, the model and the leads simulated as they come.
    const bar = page.getByRole('progressbar', { name: 'Simulation progress' });
    await bar.waitFor();
    await bar.scrollIntoViewIfNeeded();
    await expect.poll(() => page.getByTestId('whatif-progress').textContent(), { timeout: 60_000, interval: 50 }).toMatch(/Model \d of 3: .+ · [\d,]+ leads simulated/);
    await shot(page, '30-whatif-progress');

    // Results: the recommendation with its reasons, a chart per measure, one table row per model.
    const table = page.getByTestId('whatif-results');
    await table.waitFor({ timeout: 120_000 });
    await expect.poll(() => bar.count()).toBe(0);
    expect(await table.locator('tbody tr').count()).toBe(3);
    expect(await table.locator('tbody th').allTextContents()).toEqual(['Push, round robin (fair play on)', 'Push, weighted (fair play on)', 'Queue pull (fair play on)']);
    const rec = page.getByTestId('whatif-recommendation');
    await rec.getByRole('heading', { name: 'Recommendation' }).waitFor();
    expect(await rec.locator('li').count()).toBeGreaterThan(0);
    expect(await rec.locator('li').first().textContent()).toMatch(/^Against .+: .+ contacted within an hour/);
    const speed = page.getByRole('img', { name: 'Median minutes from arrival to first contact, per model' });
    expect(await speed.locator('.chart-row').count()).toBe(3);
    expect(await page.getByRole('img', { name: 'Share of leads ever contacted, per model' }).locator('title').first().textContent()).toMatch(/%/);
    // Numbers in the user's locale: thousands separators in the lead count.
    expect(await page.getByText(/[\d],\d{3} leads over 21 days, 10 reps, seed 7/).count()).toBe(1);

    // The run is listed as done and its result matches the API's.
    const recent = page.locator('section', { has: page.getByRole('heading', { name: 'Recent runs' }) });
    await recent.getByRole('cell', { name: 'Done' }).waitFor();
    const token = await e2e.token('manager@demo.test');
    const runs = (await e2e.api<{ items: { id: string; status: string }[] }>('GET', '/simulations', token)).body.items;
    expect(runs.map((r) => r.status)).toEqual(['done']);
    await shot(page, '31-whatif-results', true);
  });

  it('names a field the server refuses, next to the field', async () => {
    await page.getByLabel('Days', { exact: true }).fill('365');
    await page.getByLabel('Leads per day').fill('5000');
    await page.getByRole('button', { name: 'Run simulation' }).click();
    await page.getByText('Not started: check the fields marked below.').waitFor();
    await expect.poll(() => page.getByLabel('Leads per day').getAttribute('aria-invalid')).toBe('true');
  });

  it('speaks German, with German number formats, and shows the last run again from the list', async () => {
    await page.getByLabel('Language').selectOption('de');
    await page.getByRole('heading', { level: 1, name: 'Was wäre wenn' }).waitFor();
    await page.getByRole('button', { name: 'Simulation starten' }).waitFor();
    await page.getByRole('checkbox', { name: 'Push, gewichtet' }).waitFor();
    const recent = page.locator('section', { has: page.getByRole('heading', { name: 'Letzte Läufe' }) });
    await recent.getByRole('cell', { name: 'Fertig' }).waitFor();
    await recent.getByRole('button', { name: /^Anzeigen/ }).click();
    const table = page.getByTestId('whatif-results');
    await table.waitFor();
    expect(await page.getByText(/\d\.\d{3} Leads über 21 Tage/).count()).toBe(1);
    expect(await table.locator('tbody th').allTextContents()).toContain('Push, gewichtet (Fair Play an)');
    await page.getByText('Nicht gestartet: Bitte prüfen Sie die markierten Felder.').waitFor(); // the last refusal, in the language of the moment
    expect(await table.locator('td').filter({ hasText: /\d,\d\s%$/ }).count()).toBeGreaterThan(0);
    // The recommendation too, worded from its data in German.
    const rec = page.getByTestId('whatif-recommendation');
    await rec.getByRole('heading', { name: 'Empfehlung' }).waitFor();
    expect(await rec.locator('li').first().textContent()).toMatch(/^Gegenüber .+: .+ innerhalb einer Stunde kontaktiert/);
    await shot(page, '32-whatif-de', true);
    await page.getByLabel('Sprache').selectOption('en');
  });
});
