import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { shot, signIn, startE2E, type E2E } from './support.js';

/** Webhooks and intake in the manager console: a real receiver gets a delivery, the log shows it, Replay sends it again; a bad form post shows in the intake log. */

let e2e: E2E;
let ctx: BrowserContext;
let page: Page;
let receiver: Server;
let receiverUrl = '';
const received: { eventId: string | undefined; body: string }[] = [];
const poll = <T,>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000, interval: 100 });

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let b = '';
    req.on('data', (d: Buffer) => (b += d.toString()));
    req.on('end', () => resolve(b));
  });

beforeAll(async () => {
  // The receiver is on 127.0.0.1: the server must allow private targets for this test.
  process.env.LEADPOOL_WEBHOOK_ALLOW_PRIVATE = '1';
  receiver = createServer((req, res) => {
    void readBody(req).then((body) => {
      received.push({ eventId: req.headers['leadpool-event-id'] as string | undefined, body });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('thanks from the receiver');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/leadpool`;
  e2e = await startE2E();
  ctx = await e2e.context();
  page = await ctx.newPage();
  await signIn(page, 'manager@demo.test');
});
afterAll(async () => {
  await e2e?.close();
  await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
});

describe('webhooks and intake in the manager console', () => {
  it('registers an endpoint, shows its secret once, logs a delivery to a real receiver and replays it', async () => {
    await page.goto('/manage/webhooks');
    await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
    await page.getByText('No webhook endpoints yet').waitFor();
    await page.getByLabel('Endpoint URL').fill(receiverUrl);
    // Only new leads: uncheck everything, then pick one event.
    await page.getByRole('checkbox', { name: 'All events' }).uncheck();
    await page.getByRole('checkbox', { name: /A lead arrived/ }).check();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = page.getByRole('textbox', { name: 'Signing secret' });
    await secret.waitFor();
    expect(await secret.inputValue()).toMatch(/^whsec_/);
    await shot(page, '24-webhooks-secret-once');

    // A new lead makes a lead.created delivery.
    const manager = await e2e.token('manager@demo.test');
    const created = await e2e.api<{ lead: { id: number } }>('POST', '/leads', manager, { company: 'Webhook Test GmbH', industry: 'Software', companySize: '11-50', source: 'web', score: 42, region: 'DACH', contact: { name: 'Jo' } });
    expect(created.status).toBe(201);
    await poll(() => received.length).toBeGreaterThanOrEqual(1);

    await page.getByRole('button', { name: `Delivery log of ${receiverUrl}` }).click();
    const log = page.locator('section.delivery-log');
    const row = log.locator('tbody tr[data-status="delivered"]').first();
    await row.waitFor({ timeout: 15_000 });
    await expect.poll(() => row.textContent()).toContain('HTTP 200');
    expect(await row.textContent()).toContain('thanks from the receiver');
    expect(await row.textContent()).toContain('A lead arrived');
    await shot(page, '25-webhook-delivery-log', true);

    const before = received.length;
    const deliveryId = await row.getAttribute('data-delivery-id');
    await row.getByRole('button', { name: `Replay delivery ${deliveryId}` }).click();
    await page.getByText(`Delivery ${deliveryId} is queued to be sent again.`).waitFor();
    await poll(() => received.length).toBeGreaterThan(before);
    // The replay is the same event: receivers drop repeats by its id.
    expect(received.at(-1)!.eventId).toBe(received[before - 1]!.eventId);
    await poll(async () => (await log.locator(`tr[data-delivery-id="${deliveryId}"] td.num`).textContent())?.trim()).toBe('2');
  });

  it('creates an intake source, shows its URL and token once, and logs a rejected post with its problems', async () => {
    await page.goto('/manage/intake');
    await page.getByRole('heading', { level: 1, name: 'Intake URLs' }).waitFor();
    await page.getByText('No intake sources yet').waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Website form');
    await page.getByLabel('Duplicate window (minutes)').fill('60');
    await page.getByLabel('Form field 1').fill('firma');
    await page.getByLabel('Lead field 1').selectOption('company');
    await page.getByRole('button', { name: 'Add a field' }).click();
    await page.getByLabel('Form field 2').fill('punkte');
    await page.getByLabel('Lead field 2').selectOption('score');
    await page.getByRole('button', { name: 'Add source' }).click();
    const url = await page.getByRole('textbox', { name: 'Intake URL' }).inputValue();
    const token = await page.getByRole('textbox', { name: 'Token', exact: true }).inputValue();
    expect(url).toBe(`${e2e.url}/api/v1/intake/website-form`);
    expect(token).toMatch(/^lpi_/);
    await page.getByText('firma→company, punkte→score').waitFor();
    await shot(page, '26-intake-source-created', true);

    // A form posts a score that is not a number: 400, logged.
    const bad = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ firma: 'Formular AG', punkte: 'hoch' }) });
    expect(bad.status).toBe(400);
    const good = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'firma=Formular+AG&punkte=55&industry=Software&companySize=11-50&region=DACH&contact.name=Jo&contact.email=a%40formular.de' });
    expect(good.status, await good.clone().text()).toBe(201);

    await page.getByRole('button', { name: 'Log of Website form' }).click();
    const log = page.locator('section.intake-log');
    const rejected = log.locator('tbody tr[data-status="rejected"]');
    await rejected.waitFor();
    expect(await rejected.textContent()).toContain('score');
    expect(await rejected.textContent()).toContain('"punkte":"hoch"');
    await log.locator('tbody tr[data-status="created"]').waitFor();
    await log.getByLabel('Show').selectOption('rejected');
    await poll(() => log.locator('tbody tr').count()).toBe(1);
    await shot(page, '27-intake-rejected-log', true);
  });

  it('fits a phone: the endpoint, its log and the intake sources without sideways scrolling', async () => {
    const phone = await e2e.context({ width: 390, height: 844 });
    const p = await phone.newPage();
    await signIn(p, 'manager@demo.test');
    await p.goto('/manage/webhooks');
    await p.getByRole('button', { name: `Delivery log of ${receiverUrl}` }).click();
    await p.locator('section.delivery-log tbody tr').first().waitFor();
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(p, '31-phone-webhooks', true);
    await p.goto('/manage/intake');
    await p.getByRole('button', { name: 'Log of Website form' }).waitFor();
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await phone.close();
  });

  it('shows the intake page in German', async () => {
    const de = await e2e.context({ locale: 'de-DE' });
    const p = await de.newPage();
    await p.goto('/');
    await p.getByLabel('E-Mail').fill('manager@demo.test');
    await p.getByLabel('Passwort').fill('demo');
    await p.getByRole('button', { name: 'Anmelden' }).click();
    await p.getByRole('heading', { level: 1, name: 'Pools und Queues' }).waitFor();
    await p.goto('/manage/intake');
    await p.getByRole('heading', { level: 1, name: 'Eingangs-URLs' }).waitFor();
    await p.getByRole('button', { name: 'Protokoll von Website form' }).waitFor();
    await de.close();
  });
});
