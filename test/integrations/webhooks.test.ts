import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DAY, HOUR, SECOND } from '../../src/core/clock.js';
import type { IntegrationStore } from '../../src/store/integration-store.js';
import type { Store } from '../../src/store/store.js';
import { integrationStoreOf } from '../../src/integrations/integrations.js';
import { WebhookDispatcher } from '../../src/integrations/webhook-dispatcher.js';
import { nextAttemptAfterFailure } from '../../src/integrations/retry-policy.js';
import { publicEventType, WEBHOOK_EVENT_TYPES } from '../../src/integrations/webhook-events.js';
import { signatureHeader, verifySignature } from '../../src/integrations/webhook-signature.js';
import type { UserActor } from '../../src/store/store.js';
import { bearer } from '../helpers.js';
import { startReceiver, verifyLeadpoolSignature, type Receiver } from './receiver.js';
import { STORES, makeIntegEnv, skipReason, usePg, type IntegEnv } from './env.js';

const SECRET = 'whsec_test_secret_0123456789';

const pg = usePg();
let env: IntegEnv;
let integrations: IntegrationStore;
let receiver: Receiver;
let manager: { id: number; token: string };
let rep: UserActor;
let poolId: number;
let dispatcher: WebhookDispatcher;

// The receiver listens on 127.0.0.1: these dispatchers allow private targets.
const dispatcherFor = (store: Store = env.store, opts = {}) =>
  new WebhookDispatcher(store, integrationStoreOf(store)!, env.clock, { timeoutMs: 2000, leaseMs: 10_000, allowPrivate: true, ...opts });

async function register(eventTypes?: string[]): Promise<number> {
  const res = await env.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks',
    headers: bearer(manager.token),
    payload: { url: receiver.url, secret: SECRET, ...(eventTypes ? { eventTypes } : {}) },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().webhook.id as number;
}

async function deliveries(webhookId: number): Promise<Record<string, unknown>[]> {
  const res = await env.app.inject({ method: 'GET', url: `/api/v1/webhooks/${webhookId}/deliveries?limit=500`, headers: bearer(manager.token) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as Record<string, unknown>[];
}

for (const kind of STORES)
  describe(`${kind} store`, () => {
  beforeEach(async (ctx) => {
    env = undefined as unknown as IntegEnv;
    const why = skipReason(kind, pg);
    if (why) return ctx.skip(why);
    env = await makeIntegEnv(kind, pg?.get() ?? null);
    integrations = env.integrations;
    receiver = await startReceiver(SECRET, () => Math.floor(env.clock.now() / 1000));
    manager = await env.user('manager');
    const r = await env.user('rep');
    rep = { kind: 'user', userId: r.id, role: 'rep', name: 'rep' };
    poolId = await env.pool('Inbound', 'pool');
    dispatcher = dispatcherFor();
  });

  afterEach(async () => {
    if (!env) return;
    await dispatcher.stop();
    await receiver.close();
    await env.cleanup();
  });

  describe('webhook deliveries', () => {
    it('sends each new event signed, with its event id, the lead as a manager sees it, and the public event name', async () => {
      const id = await register();
      const [leadId] = await env.addLeads(poolId, 1);
      await env.store.claim(leadId!, rep, env.clock.now());
      await env.store.logActivity(leadId!, rep, { type: 'call', note: 'reached' }, env.clock.now());
      const stats = await dispatcher.runOnce();
      expect(stats).toMatchObject({ queued: 3, delivered: 3 });
      expect(receiver.received.map((r) => r.type)).toEqual(['lead.created', 'lead.claimed', 'lead.contacted']);
      for (const r of receiver.received) {
        expect(r.signatureOk).toBe(true);
        expect(r.body.id).toBe(r.eventId);
        expect(r.body.type).toBe(r.type);
      }
      const asManager = await env.app.inject({ method: 'GET', url: `/api/v1/leads/${leadId}`, headers: bearer(manager.token) });
      // The payload's lead is the lead as it stood when the delivery was queued: here, after all three.
      expect(receiver.received[2]!.body.lead).toEqual(asManager.json().lead);
      expect(receiver.received[2]!.body.actor).toEqual({ kind: 'user', id: rep.userId, name: 'rep' });
      expect((await deliveries(id)).every((d) => d.status === 'delivered' && d.attempts === 1 && d.lastStatusCode === 200)).toBe(true);
    });

    it('a signature made with another secret, or a body changed on the way, does not verify', async () => {
      await register();
      await env.addLeads(poolId, 1);
      const other = await startReceiver('whsec_some_other_secret_000', () => Math.floor(env.clock.now() / 1000));
      try {
        await env.app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: bearer(manager.token), payload: { url: other.url, secret: 'whsec_not_the_receivers_secret' } });
        await env.addLeads(poolId, 1);
        await dispatcher.runOnce();
        expect(other.received.length).toBe(1);
        expect(other.received[0]!.signatureOk).toBe(false);
      } finally {
        await other.close();
      }
    });

    it('sends only the event types an endpoint chose, and nothing from before it was registered', async () => {
      await env.addLeads(poolId, 2); // before registration: never sent
      await register(['lead.claimed', 'rule.refused']);
      const ids = await env.addLeads(poolId, 2);
      await env.store.claim(ids[0]!, rep, env.clock.now());
      await env.store.release(ids[0]!, rep, null, env.clock.now());
      await dispatcher.runOnce();
      expect(receiver.received.map((r) => r.type)).toEqual(['lead.claimed']);
    });

    it('signs the timestamp and the raw body: the documented check accepts it, and refuses a changed body, an old timestamp or another key', () => {
      const body = '{"id":1,"type":"lead.created"}';
      const header = signatureHeader(SECRET, body, 1_767_603_600);
      expect(header).toMatch(/^t=1767603600,v1=[0-9a-f]{64}$/);
      expect(verifyLeadpoolSignature(SECRET, body, header, 1_767_603_600 + 299)).toBe(true);
      expect(verifySignature(SECRET, body, header, 1_767_603_600)).toBe(true);
      expect(verifyLeadpoolSignature(SECRET, body.replace('1', '2'), header, 1_767_603_600)).toBe(false);
      expect(verifyLeadpoolSignature(SECRET, body, header, 1_767_603_600 + 301)).toBe(false);
      expect(verifyLeadpoolSignature('whsec_another_secret_123456', body, header, 1_767_603_600)).toBe(false);
      expect(verifySignature(SECRET, body, header.replace('t=1767603600', 't=1767603601'), 1_767_603_600)).toBe(false);
    });

    it('maps the history names to the public names', () => {
      expect(publicEventType('lead.activity')).toBe('lead.contacted');
      expect(publicEventType('lead.claim_refused')).toBe('rule.refused');
      expect(publicEventType('lead.viewed')).toBeNull();
      expect(publicEventType('pool.created')).toBeNull();
    });

    it('keeps each lead in order while different leads go in parallel, with several dispatchers on one database', async () => {
      await register();
      const leads = await env.addLeads(poolId, 12);
      for (const id of leads) {
        await env.store.claim(id, rep, env.clock.now());
        await env.store.logActivity(id, rep, { type: 'call', note: null }, env.clock.now());
        await env.store.setStatus(id, rep, 'qualified', null, env.clock.now());
        await env.store.setStatus(id, rep, 'converted', null, env.clock.now());
      }
      // Random answer times shuffle which request ends first.
      receiver.answer = () => ({ status: 200, delayMs: Math.floor(Math.random() * 15) });
      const others = [await env.another(), await env.another()];
      const all = [dispatcher, ...others.map((s) => dispatcherFor(s, { concurrency: 6 }))];
      await Promise.all(all.map((d) => d.runOnce()));
      await Promise.all(all.map((d) => d.runOnce())); // whatever the first pass left behind
      expect(receiver.received.length).toBe(12 * 5);
      expect(new Set(receiver.received.map((r) => r.eventId)).size).toBe(12 * 5); // each once
      for (const id of leads) {
        const seen = receiver.received.filter((r) => r.leadId === id);
        expect(seen.map((r) => r.type)).toEqual(['lead.created', 'lead.claimed', 'lead.contacted', 'lead.status_changed', 'lead.status_changed']);
        expect(seen.map((r) => r.eventId)).toEqual([...seen.map((r) => r.eventId)].sort((a, b) => a - b));
      }
      expect(receiver.maxConcurrent).toBeGreaterThan(1);
    });

    it('retries with backoff while the receiver answers 500, holding the lead’s later events back, then delivers in order', async () => {
      const hook = await register();
      const [leadId] = await env.addLeads(poolId, 1);
      receiver.answer = (_r, n) => (n <= 3 ? { status: 500, body: 'database down' } : { status: 200, body: 'thanks' });
      const t0 = env.clock.now();

      expect(await dispatcher.runOnce()).toMatchObject({ queued: 1, failed: 1 });
      await env.store.claim(leadId!, rep, env.clock.now()); // a later event for the same lead
      let log = await deliveries(hook);
      const first = log.find((d) => d.eventType === 'lead.created')!;
      expect(first).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: 500, lastError: 'HTTP 500', lastResponseExcerpt: 'database down' });
      expect(first.nextAttemptAt).toBe(new Date(t0 + 10 * SECOND).toISOString());

      expect(await dispatcher.runOnce()).toMatchObject({ queued: 1, delivered: 0, failed: 0 }); // not due yet; the claim waits behind it
      expect(receiver.received.length).toBe(1);
      expect((await deliveries(hook)).find((d) => d.eventType === 'lead.claimed')).toMatchObject({ status: 'pending', waiting: true, attempts: 0 });

      env.clock.tick(10 * SECOND);
      await dispatcher.runOnce(); // attempt 2 fails: next in 20 s
      env.clock.tick(19 * SECOND);
      await dispatcher.runOnce();
      expect(receiver.received.length).toBe(2);
      env.clock.tick(1 * SECOND);
      await dispatcher.runOnce(); // attempt 3 fails: next in 40 s
      env.clock.tick(40 * SECOND);
      expect(await dispatcher.runOnce()).toMatchObject({ delivered: 2 }); // attempt 4, then the claim right behind it

      expect(receiver.received.map((r) => `${r.type}#${r.attempt}`)).toEqual(['lead.created#1', 'lead.created#2', 'lead.created#3', 'lead.created#4', 'lead.claimed#1']);
      expect(new Set(receiver.received.slice(0, 4).map((r) => r.eventId)).size).toBe(1); // the same event each time
      log = await deliveries(hook);
      expect(log.find((d) => d.eventType === 'lead.created')).toMatchObject({ status: 'delivered', attempts: 4, lastStatusCode: 200, lastError: null, lastResponseExcerpt: 'thanks' });
    });

    it('gives up after a day (dead), and a manager can replay it with the same event id', async () => {
      const hook = await register();
      await env.addLeads(poolId, 1);
      receiver.answer = () => ({ status: 503 });
      const t0 = env.clock.now();
      // Read the log from the store: a day on the TestClock outlives the manager's session.
      const current = async () => (await integrations.listDeliveries(hook, { limit: 1 }))[0]!;
      for (let i = 0; i < 100; i++) {
        await dispatcher.runOnce();
        const d = await current();
        if (d.status === 'dead') break;
        env.clock.set(d.nextAttemptAt);
      }
      const dead = await current();
      expect(dead).toMatchObject({ status: 'dead', lastStatusCode: 503 });
      expect(env.clock.now() - t0).toBe(DAY); // the last attempt is made at the deadline
      // 10 s, 20 s … 2,560 s (9 waits, 5,110 s), then hourly to the day's end, then the deadline itself.
      expect(dead.attempts).toBe(1 + 9 + Math.floor((DAY - 5110 * SECOND) / HOUR) + 1);
      expect(receiver.received.length).toBe(dead.attempts);

      receiver.answer = () => ({ status: 200 });
      const fresh = await env.user('manager');
      const replay = await env.app.inject({ method: 'POST', url: `/api/v1/webhooks/deliveries/${dead.id}/replay`, headers: bearer(fresh.token) });
      expect(replay.statusCode, replay.body).toBe(200);
      expect(replay.json().delivery).toMatchObject({ status: 'pending', attempts: dead.attempts });
      await dispatcher.runOnce();
      const last = receiver.received[receiver.received.length - 1]!;
      expect(last.eventId).toBe(dead.eventId);
      expect(last.signatureOk).toBe(true);
      expect(await current()).toMatchObject({ status: 'delivered', lastStatusCode: 200 });
    });

    it('a dead delivery stops holding back its lead’s later ones', async () => {
      const hook = await register();
      const [leadId] = await env.addLeads(poolId, 1);
      await env.store.claim(leadId!, rep, env.clock.now());
      receiver.answer = (r) => (r.type === 'lead.created' ? { status: 500 } : { status: 200 });
      const quick = dispatcherFor(env.store, { retry: { firstDelayMs: 1000, maxDelayMs: 1000, retryForMs: 3000 } });
      for (let i = 0; i < 4; i++) {
        await quick.runOnce();
        env.clock.tick(1000);
      }
      expect(receiver.received.map((r) => r.type)).toEqual(['lead.created', 'lead.created', 'lead.created', 'lead.created', 'lead.claimed']);
      const log = await deliveries(hook);
      expect(log.map((d) => [d.eventType, d.status])).toEqual([
        ['lead.claimed', 'delivered'],
        ['lead.created', 'dead'],
      ]);
    });

    it('the backoff doubles from 10 s, is capped at an hour, and the last try is at the deadline', () => {
      const now = 1_000_000;
      expect(nextAttemptAfterFailure(1, now, now + DAY)).toBe(now + 10 * SECOND);
      expect(nextAttemptAfterFailure(4, now, now + DAY)).toBe(now + 80 * SECOND);
      expect(nextAttemptAfterFailure(20, now, now + DAY)).toBe(now + HOUR);
      expect(nextAttemptAfterFailure(20, now, now + 60 * SECOND)).toBe(now + 60 * SECOND);
      expect(nextAttemptAfterFailure(20, now, now)).toBeNull();
    });

    it('a delivery leased by a dispatcher that died before sending is sent once its lease runs out, exactly once', async () => {
      const hook = await register();
      await env.addLeads(poolId, 1);
      await queueOnly();
      // The "crash": lease it as a dispatcher does, then never send it or record anything.
      const leased = await integrations.claimDeliveries(env.clock.now(), { limit: 10, leaseMs: 10_000, leaseToken: 'dead-instance', maxPerEndpoint: 10, busy: new Map() });
      expect(leased.length).toBe(1);

      await dispatcher.runOnce();
      expect(receiver.received.length).toBe(0); // still leased by the dead instance: nobody sends it
      env.clock.tick(10_000);
      await dispatcher.runOnce();
      expect(receiver.received.map((r) => r.eventId)).toEqual([leased[0]!.eventId]);
      await dispatcher.runOnce();
      expect(receiver.received.length).toBe(1);
      expect((await deliveries(hook))[0]).toMatchObject({ status: 'delivered', attempts: 2 });
    });

    it('SIGKILL of a process mid-delivery loses nothing: the same event id arrives again from another instance', async () => {
      const hook = await register();
      const ids = await env.addLeads(poolId, 3);
      receiver.answer = () => ({ status: 200, hang: true }); // the first process never hears back
      const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'dispatch-child.ts'), env.location, String(env.clock.now())], {
        cwd: join(import.meta.dirname, '..', '..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      try {
        while (receiver.received.length < 3) await Promise.race([receiver.next(), new Promise((r) => setTimeout(r, 15_000))]).then(() => {
          if (child.exitCode !== null) throw new Error(`child exited early: ${out}`);
        });
      } finally {
        await new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        });
      }
      const firstIds = receiver.received.map((r) => r.eventId).sort((a, b) => a - b);
      let log = await deliveries(hook);
      expect(log.every((d) => d.status === 'pending' && d.inFlight === true)).toBe(true); // leased by a dead process

      receiver.answer = () => ({ status: 200 });
      await dispatcher.runOnce();
      expect(receiver.received.length).toBe(3); // the leases still hold
      env.clock.tick(60_000); // the child's lease
      await dispatcher.runOnce();
      const again = receiver.received.slice(3).map((r) => r.eventId).sort((a, b) => a - b);
      expect(again).toEqual(firstIds); // at least once, with the same event ids
      expect(receiver.received.slice(3).map((r) => r.leadId).sort()).toEqual([...ids].sort());
      log = await deliveries(hook);
      expect(log.every((d) => d.status === 'delivered')).toBe(true);
    }, 30_000);

    it('a dead endpoint never slows claims: the claim path never waits for a webhook', async () => {
      await register();
      const leads = await env.addLeads(poolId, 40);
      receiver.answer = () => ({ status: 200, hang: true });
      const slow = dispatcherFor(env.store, { timeoutMs: 1500, leaseMs: 5000 });
      expect(await integrations.listEndpoints()).toHaveLength(1);
      const run = slow.runOnce(); // 40 requests hanging
      await receiver.next();
      const reps = await Promise.all([1, 2, 3, 4].map(() => env.user('rep')));
      const started = performance.now();
      const results = await Promise.all(
        leads.slice(0, 20).map((id, i) => env.app.inject({ method: 'POST', url: `/api/v1/leads/${id}/claim`, headers: bearer(reps[i % 4]!.token) })),
      );
      const tookMs = performance.now() - started;
      expect(results.every((r) => r.statusCode === 200)).toBe(true);
      expect(tookMs).toBeLessThan(1000); // while the webhook requests hang (each for up to 1.5 s)
      // Stopping abandons the hanging requests and gives their leases back: none is lost.
      await slow.stop();
      await run;
      const open = await integrations.listDeliveries(1, { limit: 100 });
      expect(open.length).toBe(40);
      expect(open.every((d) => d.status !== 'delivered' && d.leasedUntil === null)).toBe(true);
    });

    it('pausing an endpoint holds its deliveries; resuming sends them, nothing skipped', async () => {
      const hook = await register();
      await env.app.inject({ method: 'PATCH', url: `/api/v1/webhooks/${hook}`, headers: bearer(manager.token), payload: { enabled: false } });
      await env.addLeads(poolId, 2);
      await dispatcher.runOnce();
      expect(receiver.received.length).toBe(0);
      const res = await env.app.inject({ method: 'PATCH', url: `/api/v1/webhooks/${hook}`, headers: bearer(manager.token), payload: { enabled: true } });
      expect(res.json().webhook).toMatchObject({ enabled: true });
      await dispatcher.runOnce();
      expect(receiver.received.length).toBe(2);
    });
  });

  describe('webhook routes', () => {
    it('are for managers, validate their input naming fields, and show the secret only when it is made', async () => {
      const repUser = await env.user('rep');
      const forbidden = await env.app.inject({ method: 'GET', url: '/api/v1/webhooks', headers: bearer(repUser.token) });
      expect(forbidden.statusCode).toBe(403);

      const bad = await env.app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: bearer(manager.token), payload: { url: 'ftp://x', eventTypes: ['lead.nope'] } });
      expect(bad.statusCode).toBe(400);
      const fields = (bad.json().details.fields as { field: string }[]).map((f) => f.field);
      expect(fields).toEqual(expect.arrayContaining(['url', 'eventTypes[0]']));

      const made = await env.app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: bearer(manager.token), payload: { url: receiver.url } });
      expect(made.statusCode).toBe(201);
      const hook = made.json().webhook;
      expect(hook.secret).toMatch(/^whsec_/);
      expect(hook.eventTypes).toEqual([...WEBHOOK_EVENT_TYPES]); // every type when none is chosen

      const list = await env.app.inject({ method: 'GET', url: '/api/v1/webhooks', headers: bearer(manager.token) });
      expect(list.json().items[0].secret).toBeUndefined();
      expect(list.json().items[0].secretHint).toBe(`${hook.secret.slice(0, 10)}…`);

      const rotated = await env.app.inject({ method: 'PATCH', url: `/api/v1/webhooks/${hook.id}`, headers: bearer(manager.token), payload: { rotateSecret: true } });
      expect(rotated.json().webhook.secret).not.toBe(hook.secret);

      const missing = await env.app.inject({ method: 'GET', url: '/api/v1/webhooks/999/deliveries', headers: bearer(manager.token) });
      expect(missing.statusCode).toBe(404);
      const noReplay = await env.app.inject({ method: 'POST', url: '/api/v1/webhooks/deliveries/999/replay', headers: bearer(manager.token) });
      expect(noReplay.statusCode).toBe(404);

      const del = await env.app.inject({ method: 'DELETE', url: `/api/v1/webhooks/${hook.id}`, headers: bearer(manager.token) });
      expect(del.statusCode).toBe(204);
      expect((await env.app.inject({ method: 'GET', url: '/api/v1/webhooks', headers: bearer(manager.token) })).json().items).toEqual([]);
    });
  });

  });

/** Queues new events without sending anything: a dispatcher with no send slots. */
async function queueOnly(): Promise<void> {
  await new WebhookDispatcher(env.store, integrations, env.clock, { concurrency: 0, timeoutMs: 1000, leaseMs: 2000, allowPrivate: true }).runOnce();
}
