import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { shot, signIn, startE2E, type E2E, type PoolJson } from './support.js';

/** The rep's flow from the keyboard's one-key shortcuts only (select, claim, log activity), and the help overlay. */

let e2e: E2E;
let ctx: BrowserContext;
let page: Page;
let pools: PoolJson[];
const poll = <T,>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 8000, interval: 100 });
const focusedRowId = (p: Page) => p.evaluate(() => (document.activeElement as HTMLElement | null)?.closest('tr')?.getAttribute('data-row-id') ?? null);

beforeAll(async () => {
  e2e = await startE2E();
  const manager = await e2e.token('manager@demo.test');
  pools = (await e2e.api<{ items: PoolJson[] }>('GET', '/pools', manager)).body.items;
  // The seed's fair-play rules stay out of this flow (escalations may hand the rep leads meanwhile).
  const general = pools.find((p) => p.name === 'General pool')!.id;
  expect((await e2e.api('PATCH', `/pools/${general}`, manager, { rules: {} })).status).toBe(200);
  ctx = await e2e.context();
  page = await ctx.newPage();
  await signIn(page, 'rep2@demo.test');
});
afterAll(async () => e2e?.close());

describe('keyboard shortcuts', () => {
  let company = '';

  it('j and k select rows (marked and announced), c claims the selected lead', async () => {
    const general = pools.find((p) => p.name === 'General pool')!.id;
    await page.goto(`/pools/${general}?sort=score&order=asc`);
    const rows = page.locator('tbody tr[data-row-id]');
    await rows.nth(2).waitFor();
    const ids = await rows.evaluateAll((els) => els.slice(0, 3).map((e) => e.getAttribute('data-row-id')));
    await page.keyboard.press('j');
    await poll(() => focusedRowId(page)).toBe(ids[0]);
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await poll(() => focusedRowId(page)).toBe(ids[2]);
    await page.keyboard.press('k');
    await poll(() => focusedRowId(page)).toBe(ids[1]);
    const selected = page.locator(`tr[data-row-id="${ids[1]}"]`);
    expect(await selected.getAttribute('aria-selected')).toBe('true');
    expect(await selected.getAttribute('class')).toContain('is-active');
    expect(await page.locator('tbody tr[aria-selected="true"]').count()).toBe(1);
    company = (await selected.locator('.company-name').textContent())!.trim();
    await shot(page, '28-keyboard-row-selected');

    const claimed = page.waitForResponse((r) => r.url().endsWith(`/leads/${ids[1]}/claim`) && r.request().method() === 'POST');
    await page.keyboard.press('c');
    expect((await claimed).status()).toBe(200);
    await page.getByText(`Claimed ${company}`).waitFor();
    // The selection moves on to a neighbour, so the next c takes the next lead.
    await poll(() => focusedRowId(page)).not.toBe(ids[1]);
  });

  it('never fires while typing: j in the search box is a letter', async () => {
    await page.keyboard.press('/');
    await poll(() => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type)).toBe('search');
    await page.keyboard.type('jk');
    expect(await page.getByLabel('Search company').inputValue()).toBe('jk');
    await page.getByLabel('Search company').fill('');
    // Esc leaves the search box for the list.
    await page.keyboard.press('Escape');
    await poll(() => focusedRowId(page)).not.toBeNull();
  });

  it('g then m goes to My leads; j selects the claimed lead; l opens the activity form and it is saved from the keyboard', async () => {
    await page.keyboard.press('g');
    await page.keyboard.press('m');
    await page.getByRole('heading', { level: 1, name: 'My leads' }).waitFor();
    const row = page.locator('tbody tr[data-row-id]').filter({ hasText: company }).first();
    await row.waitFor();
    const target = await row.getAttribute('data-row-id');
    const count = await page.locator('tbody tr[data-row-id]').count();
    for (let i = 0; i < count && (await focusedRowId(page)) !== target; i++) await page.keyboard.press('j');
    expect(await focusedRowId(page)).toBe(target);
    await page.keyboard.press('l');
    const type = page.getByLabel('Activity type');
    await poll(() => type.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Tab');
    await page.keyboard.type('Called from the keyboard');
    await page.keyboard.press('Tab');
    const logged = page.waitForResponse((r) => r.url().endsWith(`/leads/${target}/activities`));
    await page.keyboard.press('Enter');
    expect((await logged).status()).toBe(200);
    await poll(async () => row.locator('.col-lock').textContent()).toContain('contacted — no timer');
    await page.locator('.timeline').getByText('Called from the keyboard').waitFor();
    await shot(page, '29-keyboard-activity-logged');
  });

  it('? opens the help overlay: a modal dialog that keeps focus inside, closes on Esc and gives focus back', async () => {
    const row = page.locator('tbody tr[data-row-id]').first();
    await row.focus();
    await page.keyboard.press('?');
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await dialog.waitFor();
    await dialog.getByText('Claim the selected lead').waitFor();
    await dialog.getByText('Go to My leads').waitFor();
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.closest('dialog') !== null || document.activeElement === document.body)).toBe(true);
    }
    // Shortcuts are off while it is open: j does not move the page's rows.
    await page.keyboard.press('j');
    await shot(page, '30-shortcut-help');
    await page.keyboard.press('Escape');
    await poll(() => dialog.isVisible()).toBe(false);
    await poll(() => row.evaluate((el) => el === document.activeElement)).toBe(true);
  });

  it('can be turned off in the overlay, and the overlay is in German for a German user', async () => {
    await page.keyboard.press('?');
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await dialog.getByLabel('Use one-key shortcuts').uncheck();
    await page.keyboard.press('Escape');
    await page.keyboard.press('g');
    await page.keyboard.press('h');
    // Had g h navigated, the new page would have rendered by the time the dialog shows.
    await page.keyboard.press('?');
    await dialog.waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('My leads');
    await dialog.getByLabel('Use one-key shortcuts').check();
    await page.keyboard.press('Escape');

    const de = await e2e.context({ locale: 'de-DE' });
    const p = await de.newPage();
    await p.goto('/');
    await p.getByLabel('E-Mail').fill('rep3@demo.test');
    await p.getByLabel('Passwort').fill('demo');
    await p.getByRole('button', { name: 'Anmelden' }).click();
    await p.getByRole('heading', { level: 1, name: 'Pools und Queues' }).waitFor();
    await p.keyboard.press('?');
    const d = p.getByRole('dialog', { name: 'Tastenkürzel' });
    await d.getByText('Gewählten Lead übernehmen').waitFor();
    await p.keyboard.press('Escape');
    await p.keyboard.press('g');
    await p.keyboard.press('m');
    await p.getByRole('heading', { level: 1, name: 'Meine Leads' }).waitFor();
    await de.close();
  });
});

describe('queue shortcuts: n takes the next lead, s skips it with a one-key reason, r releases it with undo', () => {
  interface LeadJson {
    id: number;
    company: string | null;
    status: string;
    ownerId: number | null;
  }
  interface EventJson {
    type: string;
    actorId: number | null;
    reason: string | null;
    data: Record<string, unknown>;
  }
  let q: Page;
  let qctx: BrowserContext;
  let queueId: number;
  let manager: string;
  let repId: number;
  let held: LeadJson;
  const title = () => q.locator('.queue-lead .panel-title');
  const leadNow = async (id: number) => (await e2e.api<{ lead: LeadJson }>('GET', `/leads/${id}`, manager)).body.lead;
  /** The lead `POST /pools/{id}/next` answered with, once the key that asks for it is pressed. */
  const nextAnswer = () =>
    q.waitForResponse((r) => r.url().endsWith(`/pools/${queueId}/next`) && r.request().method() === 'POST').then(async (r) => {
      expect(r.status()).toBe(200);
      return ((await r.json()) as { lead: LeadJson }).lead;
    });

  beforeAll(async () => {
    manager = await e2e.token('manager@demo.test');
    queueId = pools.find((p) => p.name === 'Inbound queue')!.id;
    // No fair-play limits in the way of the keys, and no escalation ladder: the demo's leads are
    // hours old, so one skipped or released back into the queue would be pushed to a rep at once.
    expect((await e2e.api('PATCH', `/pools/${queueId}`, manager, { rules: {}, escalation: null })).status).toBe(200);
    repId = (await e2e.api<{ user: { id: number } }>('GET', '/me', await e2e.token('rep6@demo.test'))).body.user.id;
    qctx = await e2e.context();
    q = await qctx.newPage();
    await signIn(q, 'rep6@demo.test');
    await q.goto(`/pools/${queueId}`);
    await q.getByRole('button', { name: 'Next lead' }).waitFor();
  });
  afterAll(async () => qctx?.close());

  it('n claims the front lead of the queue for the rep and shows it', async () => {
    const answer = nextAnswer();
    await q.keyboard.press('n');
    held = await answer;
    await q.getByText('Your lead', { exact: true }).waitFor();
    await poll(async () => (await title().textContent())?.trim()).toBe(held.company ?? `#${held.id}`);
    const lead = await leadNow(held.id);
    expect(lead.status).toBe('claimed');
    expect(lead.ownerId).toBe(repId);
  });

  it('s opens the skip reasons, 2 records the skip with its reason, and the queue moves on to the next lead', async () => {
    await q.keyboard.press('s');
    await q.getByText('Why skip this lead?').waitFor();
    // The reasons take the focus, so the digit is one keystroke away.
    await poll(() => q.evaluate(() => document.activeElement?.getAttribute('data-reason') ?? null)).toBe('not_my_segment');
    const skipped = q.waitForResponse((r) => r.url().endsWith(`/leads/${held.id}/skip`) && r.request().method() === 'POST');
    const following = nextAnswer();
    await q.keyboard.press('2');
    const res = await skipped;
    expect(res.status()).toBe(200);
    expect(res.request().postDataJSON()).toEqual({ reason: 'bad_data' });
    await q.getByText(`Skipped ${held.company ?? `#${held.id}`}: Bad data.`).waitFor();

    // On the server: the lead is back in the queue, no longer the rep's, and its history says who skipped it and why.
    const back = await leadNow(held.id);
    expect(back.status).toBe('available');
    expect(back.ownerId).toBeNull();
    const events = (await e2e.api<{ items: EventJson[] }>('GET', `/leads/${held.id}/events`, manager)).body.items;
    const skip = events.filter((e) => e.type === 'lead.skipped').at(-1);
    expect(skip?.actorId).toBe(repId);
    expect(skip?.data['skipReason']).toBe('bad_data');

    // Like "Play" in a guided queue: the next lead is taken and shown at once.
    const next = await following;
    expect(next.id).not.toBe(held.id);
    held = next;
    await poll(async () => (await title().textContent())?.trim()).toBe(next.company ?? `#${next.id}`);
    expect((await leadNow(next.id)).ownerId).toBe(repId);
  });

  it('r hides the lead with an Undo toast; Undo keeps it held; r again and closing the toast releases it', async () => {
    const company = held.company ?? `#${held.id}`;
    const releases: string[] = [];
    q.on('request', (r) => {
      if (r.url().endsWith('/release') && r.method() === 'POST') releases.push(r.url());
    });
    // A name that ends in a full stop ("S.L.") ends the sentence itself.
    const toast = q.locator('.toast').filter({ hasText: `Released ${company}${company.endsWith('.') ? '' : '.'}` });

    await q.keyboard.press('r');
    await toast.waitFor();
    await poll(() => q.getByText('Your lead', { exact: true }).count()).toBe(0);
    await toast.getByRole('button', { name: 'Undo' }).click();
    await poll(async () => (await title().textContent())?.trim()).toBe(company);
    await poll(() => toast.count()).toBe(0);
    expect(releases).toEqual([]);
    expect((await leadNow(held.id)).ownerId).toBe(repId);

    // Closing the toast commits the release at once (instead of waiting out the undo window).
    await title().focus();
    await q.keyboard.press('r');
    await toast.waitFor();
    await poll(() => q.getByText('Your lead', { exact: true }).count()).toBe(0);
    const released = q.waitForResponse((r) => r.url().endsWith(`/leads/${held.id}/release`) && r.request().method() === 'POST');
    await toast.getByRole('button', { name: 'Dismiss' }).click();
    expect((await released).status()).toBe(200);
    const after = await leadNow(held.id);
    expect(after.status).toBe('available');
    expect(after.ownerId).toBeNull();
    expect(releases).toHaveLength(1);
    const events = (await e2e.api<{ items: EventJson[] }>('GET', `/leads/${held.id}/events`, manager)).body.items;
    expect(events.filter((e) => e.type === 'lead.released').at(-1)?.actorId).toBe(repId);
    // The queue's button has the focus again, so n is the next step.
    await poll(() => q.evaluate(() => document.activeElement?.textContent ?? null)).toBe('Next lead');
  });
});
