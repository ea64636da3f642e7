import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { shot, signIn, startE2E, type E2E, type PoolJson } from './support.js';

/** The rep's flow in a real browser: sign in, filter, search, claim, work, release, queue, refusal. */

let e2e: E2E;
let ctx: BrowserContext;
let page: Page;
let pools: PoolJson[];
let claimedCompany = '';
const poolId = (name: string) => pools.find((p) => p.name === name)!.id;

beforeAll(async () => {
  e2e = await startE2E();
  const manager = await e2e.token('manager@demo.test');
  pools = (await e2e.api<{ items: PoolJson[] }>('GET', '/pools', manager)).body.items;
  ctx = await e2e.context();
  page = await ctx.newPage();
});
afterAll(async () => e2e?.close());

const rows = (p: Page) => p.locator('tbody tr[data-row-id]');
const poll = <T,>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 8000, interval: 100 });

describe('the rep workspace', () => {
  it('signs in and shows the pools with counts and the rep’s own numbers', async () => {
    await page.goto('/');
    await page.getByRole('heading', { name: 'Sign in to Leadpool' }).waitFor();
    await shot(page, '01-login');
    await signIn(page, 'rep1@demo.test');
    await poll(() => page.getByRole('link', { name: /General pool/ }).count()).toBe(1);
    // The demo pushes hot leads to reps, so the numbers need not start at 0.
    await page.getByText(/\d+ of 5 minimum/).waitFor();
    await page.getByText(/\d+ of 10 allowed/).waitFor();
    await shot(page, '02-home');
  });

  it('filters, searches and claims from a pool', async () => {
    await page.getByRole('link', { name: /General pool/ }).click();
    await page.getByRole('heading', { level: 1, name: /General pool/ }).waitFor();
    await rows(page).first().waitFor();
    await page.getByLabel('Min score').fill('40');
    await page.getByLabel('Max score').fill('79');
    await poll(async () => page.url()).toContain('maxScore=79');
    await page.waitForLoadState('networkidle');
    const scores = await page.locator('tbody tr[data-row-id] .score-num').allTextContents();
    expect(scores.length).toBeGreaterThan(0);
    for (const s of scores) expect(Number(s)).toBeGreaterThanOrEqual(40), expect(Number(s)).toBeLessThanOrEqual(79);

    // Search as you type: the first row's company, by a piece of its name.
    const company = (await rows(page).first().locator('.company-name').textContent())!.trim();
    const term = company.slice(0, 5).trim();
    await page.getByLabel('Search company').fill(term);
    await poll(() => page.url()).toContain(`q=${encodeURIComponent(term)}`);
    await poll(async () => (await rows(page).locator('.company-name').allTextContents()).every((c) => c.toLowerCase().includes(term.toLowerCase()))).toBe(true);
    await shot(page, '03-pool-view');

    claimedCompany = company;
    const row = rows(page).filter({ hasText: company }).first();
    const claimed = page.waitForResponse((r) => /\/leads\/\d+\/claim$/.test(r.url()) && r.request().method() === 'POST');
    await row.getByRole('button', { name: 'Claim' }).click();
    expect((await claimed).status()).toBe(200);
    await page.getByText(`Claimed ${company}`).waitFor();
    await poll(() => rows(page).filter({ hasText: company }).count()).toBe(0);
    const mine = (await (await page.request.get('/api/v1/me/leads')).json()) as { items: { company: string; status: string }[] };
    expect(mine.items.map((l) => l.company)).toContain(company);
  });

  it('saves the filters as a segment and applies it again', async () => {
    await page.getByRole('button', { name: 'Save as segment' }).click();
    await page.getByLabel('Segment name').fill('Mid scores');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await poll(() => page.getByLabel('Max score').inputValue()).toBe('');
    await page.getByRole('button', { name: 'Mid scores', exact: true }).click();
    await poll(() => page.getByLabel('Max score').inputValue()).toBe('79');
  });

  it('shows the lock countdown in My leads, and logging an activity stops it', async () => {
    await page.getByRole('link', { name: 'My leads' }).click();
    await page.getByRole('heading', { level: 1, name: 'My leads' }).waitFor();
    const row = rows(page).filter({ hasText: claimedCompany }).first();
    await poll(async () => (await row.locator('.col-lock').textContent()) ?? '').toMatch(/1[45]:\d\d/);
    await shot(page, '04-my-leads');
    await row.getByRole('button', { name: 'Log activity' }).click();
    await page.getByLabel('Activity type').selectOption('call');
    await page.getByLabel('Note').fill('Spoke to the buyer, call back Monday');
    const logged = page.waitForResponse((r) => r.url().endsWith('/activities'));
    await page.getByRole('button', { name: 'Save activity' }).click();
    expect((await logged).status()).toBe(200);
    await poll(async () => row.locator('.col-lock').textContent()).toContain('contacted — no timer');
    await page.locator('.timeline').getByText('Spoke to the buyer, call back Monday').waitFor();
    await shot(page, '05-my-leads-contacted');
  });

  it('releases a held lead after the undo window (the release request is sent)', async () => {
    // Hold a second lead (claimed through the API), then release it in the UI. The pool's own
    // empty rule set keeps the seed's hoarding limit out of it: escalations may have handed
    // rep1 leads meanwhile.
    const rep = await e2e.token('rep1@demo.test');
    expect((await e2e.api('PATCH', `/pools/${poolId('General pool')}`, await e2e.token('manager@demo.test'), { rules: {} })).status).toBe(200);
    const page1 = await e2e.api<{ items: { id: number; score: number }[] }>('GET', `/pools/${poolId('General pool')}/leads?maxScore=60&limit=5`, rep);
    const lead = page1.body.items[0]!;
    expect((await e2e.api('POST', `/leads/${lead.id}/claim`, rep)).status).toBe(200);
    await page.reload();
    const row = page.locator(`tbody tr[data-row-id="${lead.id}"]`);
    await row.waitFor();
    const released = page.waitForResponse((r) => r.url().endsWith(`/leads/${lead.id}/release`), { timeout: 10_000 });
    await row.getByRole('button', { name: 'Release' }).click();
    await page.getByRole('button', { name: 'Undo' }).waitFor();
    await poll(() => row.count()).toBe(0);
    expect((await released).status()).toBe(200);
    // Back in its pool: unless its escalation step was overdue already (the ladder counts from
    // arrival, and the seed's backlog is hours old), in which case a sweep may have handed it
    // to another rep by now. Either way rep1 no longer holds it, and the history says why.
    const manager = await e2e.token('manager@demo.test');
    const after = await e2e.api<{ lead: { status: string; ownerId: number | null } }>('GET', `/leads/${lead.id}`, manager);
    expect(['available', 'assigned']).toContain(after.body.lead.status);
    const me = await e2e.api<{ user: { id: number } }>('GET', '/me', rep);
    expect(after.body.lead.ownerId).not.toBe(me.body.user.id);
    const history = await e2e.api<{ items: { type: string; actorName: string | null }[] }>('GET', `/leads/${lead.id}/events`, manager);
    expect(history.body.items.map((e) => e.type)).toContain('lead.released');
  });

  it('takes the next lead from a queue, and skips it with a one-key reason', async () => {
    await page.goto(`/pools/${poolId('Inbound queue')}`);
    await page.getByRole('button', { name: 'Next lead' }).click();
    await page.getByText('Your lead', { exact: true }).waitFor();
    const first = (await page.locator('.queue-lead .panel-title').textContent())!.trim();
    await shot(page, '06-queue-next-lead');
    await page.getByRole('button', { name: 'Skip', exact: true }).click();
    await page.getByText('Why skip this lead?').waitFor();
    await shot(page, '07-queue-skip-reasons');
    const skipped = page.waitForResponse((r) => r.url().endsWith('/skip'));
    await page.keyboard.press('1');
    expect((await skipped).status()).toBe(200);
    await page.getByText(`Skipped ${first}: Not my segment.`).waitFor();
    // Skipping moves on to the next lead at once.
    await poll(async () => (await page.locator('.queue-lead .panel-title').textContent())?.trim()).not.toBe(first);
    const events = (await (await page.request.get('/api/v1/me/leads')).json()) as { items: { company: string }[] };
    expect(events.items.map((l) => l.company)).not.toContain(first);
  });

  it('shows a fair-play refusal with its message and what unblocks the rep', async () => {
    const manager = await e2e.token('manager@demo.test');
    const rep4 = await e2e.token('rep4@demo.test');
    const enterprise = poolId('Enterprise cherry-pick');
    // Escalation ladders may hand rep4 a lead at any moment (leads skipped back into the queue
    // are hours old), so the limit is set from what rep4 holds right after a first claim.
    expect((await e2e.api('PATCH', `/pools/${enterprise}`, manager, { rules: { hoardingLimit: 1000 } })).status).toBe(200);
    const ctx2 = await e2e.context();
    const p = await ctx2.newPage();
    await signIn(p, 'rep4@demo.test');
    await p.goto(`/pools/${enterprise}?maxScore=79&sort=score&order=asc`);
    await rows(p).nth(1).waitFor();
    const first = p.waitForResponse((r) => r.url().includes('/claim') && r.request().method() === 'POST');
    await rows(p).first().getByRole('button', { name: 'Claim' }).click();
    expect((await first).status()).toBe(200);
    const limit = (await e2e.api<{ openUncontacted: number }>('GET', '/me/stats', rep4)).body.openUncontacted;
    expect((await e2e.api('PATCH', `/pools/${enterprise}`, manager, { rules: { hoardingLimit: limit } })).status).toBe(200);
    await rows(p).first().getByRole('button', { name: 'Claim' }).click();
    const alert = p.getByRole('alert').filter({ hasText: 'Hoarding limit' });
    await alert.waitFor();
    await poll(() => alert.textContent()).toMatch(new RegExp(`You hold \\d+ leads without contact; the limit is ${limit}\\.`));
    await poll(() => alert.textContent()).toMatch(/Log contact on one of your \d+ open leads, or release one\./);
    await shot(p, '08-fair-play-refusal');
    await ctx2.close();
  });

  it('works at phone width', async () => {
    const phone = await e2e.context({ width: 390, height: 844 });
    const p = await phone.newPage();
    await signIn(p, 'rep5@demo.test');
    await shot(p, '09-phone-home');
    await p.getByRole('link', { name: /General pool/ }).click();
    await rows(p).first().waitFor();
    await rows(p).first().getByRole('button', { name: 'Claim' }).waitFor();
    await shot(p, '10-phone-pool');
    await phone.close();
  });
});
