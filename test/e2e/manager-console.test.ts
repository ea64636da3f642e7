import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { shot, signIn, startE2E, type E2E, type PoolJson } from './support.js';

/** The manager's console: dashboard charts with data, setup pages, CSV import report. */

let e2e: E2E;
let ctx: BrowserContext;
let page: Page;
let pools: PoolJson[];
const poll = <T,>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 8000, interval: 100 });

beforeAll(async () => {
  e2e = await startE2E();
  const manager = await e2e.token('manager@demo.test');
  pools = (await e2e.api<{ items: PoolJson[] }>('GET', '/pools', manager)).body.items;
  // Some activity so every chart has data: reps claim low and mid scores, one logs contact.
  const general = pools.find((p) => p.name === 'General pool')!.id;
  const leads = (await e2e.api<{ items: { id: number }[] }>('GET', `/pools/${general}/leads?maxScore=79&limit=12&sort=score&order=asc`, manager)).body.items;
  const reps = ['rep4@demo.test', 'rep5@demo.test', 'rep6@demo.test'];
  for (const [i, l] of leads.entries()) {
    const token = await e2e.token(reps[i % reps.length]!);
    const r = await e2e.api('POST', `/leads/${l.id}/claim`, token);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    if (i % 3 === 0) await e2e.api('POST', `/leads/${l.id}/activities`, token, { type: 'call' });
    if (i === 3) await e2e.api('POST', `/leads/${l.id}/status`, token, { status: 'converted' });
  }
  ctx = await e2e.context();
  page = await ctx.newPage();
  await signIn(page, 'manager@demo.test');
});
afterAll(async () => e2e?.close());

describe('the manager console', () => {
  it('renders the dashboard charts with data, and the range and pool filters refetch', async () => {
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.locator('svg.chart-svg').first().waitFor();
    // Age histograms (one per pool), claim mix, cherry-pick, expiries, conversion, under minimum.
    await poll(() => page.locator('svg.chart-svg').count()).toBeGreaterThanOrEqual(7);
    const ages = await page.locator('.chart-col[data-value]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
    expect(ages.reduce((a, n) => a + n, 0)).toBeGreaterThan(300);
    const mix = page.locator('section', { has: page.getByRole('heading', { name: 'Claims and claim mix per rep' }) });
    const totals = await mix.locator('.chart-row[data-value]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
    expect(totals.reduce((a, n) => a + n, 0)).toBeGreaterThanOrEqual(12);
    expect(await mix.locator('rect.chart-seg').count()).toBeGreaterThan(0);
    // The numbers are on hover: every mark has a title.
    expect(await mix.locator('.chart-row title').first().textContent()).toMatch(/: \d+/);
    const cpi = page.locator('section', { has: page.getByRole('heading', { name: 'Cherry-pick index per rep' }) });
    await cpi.locator('.chart-ref line').waitFor({ state: 'attached' });
    await page.getByRole('heading', { name: 'Conversion by claim source' }).waitFor();
    await page.getByText('Waiting for review').waitFor();
    // Time to claim over time: a p50 and a p90 line, the numbers on hover.
    const ttc = page.locator('section', { has: page.getByRole('heading', { name: 'Time to claim over time' }) });
    expect(await ttc.locator('.chart-line path').count()).toBe(2);
    expect(await ttc.locator('.chart-day title').first().textContent()).toMatch(/p50: .+\np90: /);
    await shot(page, '11-dashboard', true);

    const refetch = page.waitForResponse((r) => r.url().includes('/metrics/overview') && r.url().includes('poolId='));
    await page.getByLabel('Pool', { exact: true }).selectOption({ label: 'General pool' });
    expect((await refetch).status()).toBe(200);
    await poll(() => page.locator('.small-multiples .multiple').count()).toBe(1);
    const today = page.waitForResponse((r) => r.url().includes('/metrics/overview'));
    await page.getByRole('radio', { name: 'Today' }).click();
    expect((await today).status()).toBe(200);
  });

  it('sets up pools: team rules with the seed defaults, a pool’s own rules, the team board switch', async () => {
    await page.getByRole('link', { name: 'Setup' }).click();
    await page.getByRole('heading', { level: 1, name: 'Pool setup' }).waitFor();
    await page.getByRole('button', { name: 'Use the seed defaults' }).click();
    await poll(() => page.getByLabel('Hoarding limit').first().inputValue()).toBe('10');
    await page.getByRole('button', { name: 'Edit General pool' }).click();
    await page.getByText('Own rules for this pool').click();
    await shot(page, '12-setup-pools');
    const editor = page.locator('.pool-edit');
    await editor.getByLabel('Daily cap').fill('25');
    const saved = page.waitForResponse((r) => r.request().method() === 'PATCH' && /\/pools\/\d+$/.test(r.url()));
    await editor.getByRole('button', { name: 'Save General pool' }).click();
    expect((await saved).status()).toBe(200);
    const manager = await e2e.token('manager@demo.test');
    const pool = (await e2e.api<{ items: (PoolJson & { rules: { dailyCap?: number } | null })[] }>('GET', '/pools', manager)).body.items.find((p) => p.name === 'General pool')!;
    expect(pool.rules?.dailyCap).toBe(25);

    // The escalation ladder: a step before the one above it is refused, named on its field.
    await page.getByRole('button', { name: 'Edit General pool' }).click();
    const ladder = page.locator('.pool-edit .escalation-editor');
    await ladder.getByRole('listitem', { name: 'Step 2' }).getByLabel('After (minutes)').fill('10');
    await page.locator('.pool-edit .access-editor').getByLabel('Tier Standard').waitFor();
    const refused = page.waitForResponse((r) => r.request().method() === 'PATCH' && /\/pools\/\d+$/.test(r.url()));
    await page.locator('.pool-edit').getByRole('button', { name: 'Save General pool' }).click();
    expect((await refused).status()).toBe(400);
    await ladder.locator('.field-error', { hasText: 'must be after steps[0]' }).waitFor();
    await ladder.scrollIntoViewIfNeeded();
    await shot(page, '23-pool-escalation-access');
    await page.locator('.pool-edit').getByRole('button', { name: 'Cancel' }).click();
  });

  it('routing rules: the rules in words, a dry run with decision traces, a bad draft names its field and changes nothing', async () => {
    const setup = page.getByRole('navigation', { name: 'Setup' });
    await setup.getByRole('link', { name: 'Routing rules' }).click();
    await page.getByRole('heading', { level: 1, name: 'Routing rules' }).waitFor();
    await page.locator('.rule-list').getByText('Hot leads (80+) pushed round robin').waitFor();
    await page.getByText(/when score 80 or more/i).first().waitFor();
    await page.getByRole('button', { name: 'Run dry run' }).click();
    const traces = page.locator('.trace');
    await traces.first().waitFor();
    expect(await traces.count()).toBe(20);
    const first = traces.first();
    await first.getByRole('heading', { name: 'Rules looked at' }).waitFor();
    expect(await first.locator('.trace-rules li').count()).toBeGreaterThan(0);
    expect(await first.locator('.trace-why').first().textContent()).toMatch(/score|account|size|source/);
    await shot(page, '17-routing-dry-run');

    // Edit: an impossible score range on rule 2 → the server's 400 lands on that field; version 1 stays.
    await page.getByRole('button', { name: 'Edit rules' }).click();
    const rule2 = page.locator('.rule-card').nth(1);
    await rule2.getByLabel('Score to').fill('10');
    const put = page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().endsWith('/routing'));
    await page.getByRole('button', { name: 'Save rules' }).click();
    expect((await put).status()).toBe(400);
    await expect.poll(() => rule2.getByLabel('Score from').getAttribute('aria-invalid')).toBe('true');
    await rule2.locator('.field-error', { hasText: 'above scoreMax' }).waitFor();
    const manager = await e2e.token('manager@demo.test');
    expect((await e2e.api<{ version: { version: number } }>('GET', '/routing', manager)).body.version.version).toBe(1);

    // Fixed, the draft routes a sample lead: pushed by the hot rule, with its trace.
    await rule2.getByLabel('Score to').fill('');
    await page.getByText('A sample lead').click();
    await page.getByRole('button', { name: 'Run dry run' }).click();
    const sample = page.locator('.trace', { hasText: 'Muster Software GmbH' });
    await sample.waitFor();
    await sample.getByText(/Pushed to|Into/).first().waitFor();
    await shot(page, '18-routing-editor', true);
    await page.getByRole('button', { name: 'Discard changes' }).click();
  });

  it('reps: the table, an inline edit; named accounts with the CSV line report', async () => {
    const setup = page.getByRole('navigation', { name: 'Setup' });
    await setup.getByRole('link', { name: 'Reps', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Reps' }).waitFor();
    await page.getByRole('rowheader', { name: /Greta Wolf/ }).waitFor();
    await page.getByRole('button', { name: 'Edit Greta Wolf' }).click();
    await page.getByLabel('Capacity').fill('30');
    const patched = page.waitForResponse((r) => r.request().method() === 'PATCH' && /\/reps\/\d+$/.test(r.url()));
    await page.getByRole('button', { name: 'Save Greta Wolf' }).click();
    expect((await patched).status()).toBe(200);
    await page.getByText('Saved the settings of Greta Wolf.').waitFor();
    await shot(page, '19-setup-reps');

    await setup.getByRole('link', { name: 'Named accounts' }).click();
    await page.getByRole('rowheader', { name: 'Isarpunkt Brands GmbH & Co. KG' }).waitFor();
    const csv = ['name,domains,owner,customer', 'Neu AG,neu-ag.de,rep1@demo.test,yes', ',nix.de,nobody@demo.test,maybe'].join('\n');
    await page.getByLabel('CSV file of accounts').setInputFiles({ name: 'accounts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Import accounts' }).click();
    await page.getByRole('heading', { name: /1 bad lines of 2 in accounts\.csv/ }).waitFor();
    const report = page.locator('table.error-report');
    expect(await report.locator('tbody th').first().textContent()).toBe('3');
    expect(await report.locator('tbody td.mono').allTextContents()).toEqual(['name', 'owner', 'customer']);
    await report.scrollIntoViewIfNeeded();
    await shot(page, '20-setup-accounts');
  });

  it('imports a CSV: a bad file gets the line-by-line report, a good one is imported', async () => {
    await page.getByRole('link', { name: 'CSV import' }).click();
    await page.getByRole('heading', { level: 1, name: 'CSV import' }).waitFor();
    const header = 'Company,Industry,Company Size,Source,Score,Region,Contact Name,Email,Phone,External ID';
    const good = (i: number, score = '55') => `Import ${i} AG,Software,11-50,Trade fair,${score},DACH-Süd,Person ${i},p${i}@import${i}.de,+49 89 1,e2e-${i}`;
    await page.getByLabel('CSV file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from([header, good(1), good(2, 'high'), good(3)].join('\n')) });
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByRole('heading', { name: /1 bad rows of 3 in bad\.csv/ }).waitFor();
    const report = page.locator('table.error-report');
    expect(await report.locator('tbody th').first().textContent()).toBe('3');
    expect(await report.locator('tbody td').first().textContent()).toBe('score');
    await shot(page, '13-import-report');
    await page.getByLabel('CSV file').setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from([header, good(1), good(3)].join('\n')) });
    await page.getByRole('button', { name: 'Check only' }).click();
    await page.getByText('All 2 rows of good.csv are valid').waitFor();
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByText('2 leads imported from good.csv').waitFor();
  });

  it('lists users and shows API keys as admin-only to a manager', async () => {
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('cell', { name: 'rep8@demo.test' }).waitFor();
    await shot(page, '14-setup-users');
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByText('Only admins manage API keys').waitFor();
  });

  it('assigns a lead from the review queue to a rep', async () => {
    // A lead that escalated to manager review (the escalation ladder takes an hour; set it directly).
    const manager = await e2e.token('manager@demo.test');
    const enterprise = pools.find((p) => p.name === 'Enterprise cherry-pick')!.id;
    const lead = (await e2e.api<{ items: { id: number; company: string }[] }>('GET', `/pools/${enterprise}/leads?limit=1`, manager)).body.items[0]!;
    (e2e.store as SqliteStore).db.prepare(`UPDATE leads SET status = 'review' WHERE id = ?`).run(lead.id);
    await page.getByRole('link', { name: 'Review' }).click();
    await page.getByRole('heading', { level: 1, name: 'Review queue' }).waitFor();
    const row = page.locator(`tr[data-row-id="${lead.id}"]`);
    await row.waitFor();
    await row.getByLabel(`Rep for ${lead.company}`).selectOption({ label: 'Greta Wolf' });
    await shot(page, '16-review-queue');
    const assigned = page.waitForResponse((r) => r.url().endsWith(`/leads/${lead.id}/reassign`));
    await row.getByRole('button', { name: 'Assign' }).click();
    expect((await assigned).status()).toBe(200);
    await page.getByText(`${lead.company} assigned to Greta Wolf.`).waitFor();
    await poll(() => row.count()).toBe(0);
    const after = (await e2e.api<{ lead: { status: string; ownerId: number } }>('GET', `/leads/${lead.id}`, manager)).body.lead;
    const greta = (await e2e.api<{ items: { id: number; name: string }[] }>('GET', '/users', manager)).body.items.find((u) => u.name === 'Greta Wolf')!;
    expect(after.ownerId).toBe(greta.id);
  });

  it('shows the dashboard at phone width and in German', async () => {
    const phone = await e2e.context({ width: 390, height: 844, locale: 'de-DE' });
    const p = await phone.newPage();
    await p.goto('/');
    await p.getByLabel('E-Mail').fill('manager@demo.test');
    await p.getByLabel('Passwort').fill('demo');
    await p.getByRole('button', { name: 'Anmelden' }).click();
    await p.getByRole('heading', { level: 1, name: 'Pools und Queues' }).waitFor();
    await p.getByRole('link', { name: 'Dashboard' }).click();
    await p.locator('svg.chart-svg').first().waitFor();
    await p.getByText('Alter wartender Leads').waitFor();
    await shot(p, '15-phone-dashboard-de', true);
    await phone.close();
  });
});
