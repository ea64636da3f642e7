import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { shot, signIn, startE2E, type E2E, type PoolJson } from './support.js';

/** Two reps in two browser contexts on one pool: live removal, live arrival, and a claim race. */

let e2e: E2E;
let ctxA: BrowserContext;
let ctxB: BrowserContext;
let a: Page;
let b: Page;
let generalId: number;

const poll = <T,>(fn: () => T | Promise<T>, timeout = 5000) => expect.poll(fn, { timeout, interval: 50 });
const row = (p: Page, id: number) => p.locator(`tbody tr[data-row-id="${id}"]`);

beforeAll(async () => {
  e2e = await startE2E();
  const manager = await e2e.token('manager@demo.test');
  generalId = (await e2e.api<{ items: PoolJson[] }>('GET', '/pools', manager)).body.items.find((p) => p.name === 'General pool')!.id;
  ctxA = await e2e.context();
  ctxB = await e2e.context();
  a = await ctxA.newPage();
  b = await ctxB.newPage();
  await Promise.all([signIn(a, 'rep2@demo.test'), signIn(b, 'rep3@demo.test')]);
  // The same view for both: low scores, by company name.
  const view = `/pools/${generalId}?maxScore=79&sort=company&order=asc`;
  await Promise.all([a.goto(view), b.goto(view)]);
  await Promise.all([a.locator('tbody tr[data-row-id]').nth(3).waitFor(), b.locator('tbody tr[data-row-id]').nth(3).waitFor()]);
  await Promise.all([a.locator('.live-live').waitFor(), b.locator('.live-live').waitFor()]);
});
afterAll(async () => e2e?.close());

async function firstIds(p: Page, n: number): Promise<number[]> {
  const ids = await p.locator('tbody tr[data-row-id]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-row-id'))));
  return ids.slice(0, n);
}

describe('live pool', () => {
  it('a lead claimed by one rep vanishes from the other rep’s list within a second, without a reload', async () => {
    const [id] = await firstIds(a, 1);
    await row(b, id!).waitFor();
    const started = Date.now();
    await row(a, id!).getByRole('button', { name: 'Claim' }).click();
    await poll(() => row(b, id!).count(), 3000).toBe(0);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(2000);
    await b.getByText(`Claimed`).count(); // b saw no toast of its own
  });

  it('a new lead appears in both lists live', async () => {
    const manager = await e2e.token('manager@demo.test');
    const res = await e2e.api<{ lead: { id: number } }>('POST', '/leads', manager, {
      company: 'Aaaa Live Arrival GmbH',
      industry: 'Software',
      companySize: '11-50',
      source: 'Website form',
      score: 42,
      region: 'DACH-Nord',
      contact: { name: 'Neu Kunde', email: 'neu@aaaa-live.de' },
      poolId: generalId,
    });
    expect(res.status).toBe(201);
    await Promise.all([row(a, res.body.lead.id).waitFor({ timeout: 3000 }), row(b, res.body.lead.id).waitFor({ timeout: 3000 })]);
    expect(await row(b, res.body.lead.id).locator('.badge-new').count()).toBe(1);
  });

  it('two reps click Claim on the same lead at once: exactly one wins, the other is told and the row leaves', async () => {
    const [id] = await firstIds(a, 1);
    await row(b, id!).waitFor();
    const waitA = a.waitForResponse((r) => r.url().endsWith(`/leads/${id}/claim`), { timeout: 1500 }).catch(() => null);
    const waitB = b.waitForResponse((r) => r.url().endsWith(`/leads/${id}/claim`), { timeout: 1500 }).catch(() => null);
    await Promise.all([
      row(a, id!).getByRole('button', { name: 'Claim' }).click({ timeout: 2000 }).catch(() => undefined),
      row(b, id!).getByRole('button', { name: 'Claim' }).click({ timeout: 2000 }).catch(() => undefined),
    ]);
    const statuses = (await Promise.all([waitA, waitB])).map((r) => r?.status() ?? null).filter((s) => s !== null);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    const manager = await e2e.token('manager@demo.test');
    const lead = (await e2e.api<{ lead: { status: string; ownerId: number } }>('GET', `/leads/${id}`, manager)).body.lead;
    expect(lead.status).toBe('claimed');
    // The loser either saw the row vanish live before its click landed, or got the 409 and a clear message.
    const loser = statuses.length === 2 ? ((await row(a, id!).locator('.badge-taken').count()) ? a : b) : null;
    if (loser) await loser.getByText('Someone else claimed this lead a moment ago.').waitFor();
    await poll(async () => (await row(a, id!).count()) + (await row(b, id!).count()), 8000).toBe(0);
  });
});

describe('push routing, live', () => {
  it('a lead pushed to a rep appears in My leads at once, with a toast', async () => {
    // rep2 (page a) owns the named account Hartmann Fabrication: its leads are pushed to them.
    await a.getByRole('link', { name: 'My leads' }).click();
    await a.getByRole('heading', { level: 1, name: 'My leads' }).waitFor();
    const manager = await e2e.token('manager@demo.test');
    const res = await e2e.api<{ lead: { id: number; ownerId: number; status: string } }>('POST', '/leads', manager, {
      company: 'Hartmann Fabrication Werk Süd',
      industry: 'Manufacturing',
      companySize: '201-1000',
      source: 'Referral',
      score: 55,
      region: 'DACH-Süd',
      contact: { name: 'Jana Hartmann', email: 'jana@hartmann-fabrication.de' },
    });
    expect(res.status).toBe(201);
    expect(res.body.lead.status).toBe('assigned');
    const started = Date.now();
    const pushedRow = a.locator(`tbody tr[data-row-id="${res.body.lead.id}"]`);
    await pushedRow.waitFor({ timeout: 3000 });
    expect(Date.now() - started).toBeLessThan(2000);
    await a.getByText('New lead pushed to you').waitFor();
    expect(await pushedRow.locator('.badge-new').count()).toBe(1);
    await shot(a, '21-pushed-lead');
  });

  it('a rep marks themself away from the header, and routing sees it', async () => {
    const patched = b.waitForResponse((r) => r.request().method() === 'PATCH' && /\/reps\/\d+$/.test(r.url()));
    await b.getByLabel('Availability').selectOption('away');
    expect((await patched).status()).toBe(200);
    await b.getByText('You are away: no leads are pushed to you.').waitFor();
    const manager = await e2e.token('manager@demo.test');
    const reps = (await e2e.api<{ items: { email: string; availability: string }[] }>('GET', '/reps', manager)).body.items;
    expect(reps.find((r) => r.email === 'rep3@demo.test')?.availability).toBe('away');
    await shot(b, '22-rep-away');
  });
});
