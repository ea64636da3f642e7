import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE } from '../../src/core/clock.js';
import { WebhookDispatcher } from '../../src/integrations/webhook-dispatcher.js';
import { IntegrationRetention, retentionDaysFromEnv } from '../../src/integrations/retention.js';
import { bearer } from '../helpers.js';
import { startReceiver, type Receiver } from './receiver.js';
import { STORES, makeIntegEnv, skipReason, usePg, type IntegEnv } from './env.js';

const pg = usePg();
const SECRET = 'whsec_retention_secret_0000';

let env: IntegEnv;
let receiver: Receiver;

for (const kind of STORES)
  describe(`${kind} store: pruning the integration logs`, () => {
    beforeEach(async (ctx) => {
      env = undefined as unknown as IntegEnv;
      const why = skipReason(kind, pg);
      if (why) return ctx.skip(why);
      env = await makeIntegEnv(kind, pg?.get() ?? null);
      receiver = await startReceiver(SECRET, () => Math.floor(env.clock.now() / 1000));
    });
    afterEach(async () => {
      if (!env) return;
      await receiver.close();
      await env.cleanup();
    });

    it('keeps delivered deliveries and intake-log entries for the retention, dead ones for as long from when they died, open ones always', async () => {
      const manager = await env.user('manager');
      const poolId = await env.pool('Inbound', 'pool');
      const made = await env.app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: bearer(manager.token), payload: { url: receiver.url, secret: SECRET, eventTypes: ['lead.created'] } });
      const hook = made.json().webhook.id as number;
      const src = await env.app.inject({ method: 'POST', url: '/api/v1/intake/sources', headers: bearer(manager.token), payload: { name: 'Form', poolId, defaults: { industry: 'IT', companySize: '1-10', region: 'EU', score: 10 } } });
      const source = src.json() as { source: { id: number; slug: string }; token: string };
      const postForm = (company: string) =>
        env.app.inject({ method: 'POST', url: `/api/v1/intake/${source.source.slug}`, headers: { 'content-type': 'application/json', ...bearer(source.token) }, payload: { company, 'contact.name': 'X' } });

      const t0 = env.clock.now();
      const failing = new Set<number>();
      receiver.answer = (r) => (r.leadId !== null && failing.has(r.leadId) ? { status: 500 } : { status: 200 });
      const dispatcher = new WebhookDispatcher(env.store, env.integrations, env.clock, {
        timeoutMs: 2000,
        leaseMs: 10_000,
        allowPrivate: true,
        retry: { firstDelayMs: HOUR, maxDelayMs: DAY, retryForMs: 10 * DAY },
      });

      // At t0: two deliveries delivered, one that will die, one intake post.
      await env.addLeads(poolId, 2);
      const [doomed] = await env.addLeads(poolId, 1);
      failing.add(doomed!);
      expect((await postForm('Alpha')).statusCode).toBe(201);
      expect(await dispatcher.runOnce()).toMatchObject({ delivered: 3, failed: 1 }); // the intake's lead too
      // Ten days on it dies; a new lead's delivery fails and stays open; another post comes in.
      env.clock.set(t0 + 10 * DAY);
      const [open] = await env.addLeads(poolId, 1);
      failing.add(open!);
      expect((await postForm('Beta')).statusCode).toBe(201);
      expect(await dispatcher.runOnce()).toMatchObject({ dead: 1, failed: 1, delivered: 1 });
      const statuses = async () => (await env.integrations.listDeliveries(hook, { limit: 100 })).map((d) => `${d.leadId === doomed ? 'doomed' : d.leadId === open ? 'open' : 'ok'}:${d.status}`).sort();
      expect(await statuses()).toEqual(['doomed:dead', 'ok:delivered', 'ok:delivered', 'ok:delivered', 'ok:delivered', 'open:failed']);
      expect((await env.integrations.intakeLog(source.source.id, { limit: 10 })).length).toBe(2);

      const retention = new IntegrationRetention(env.integrations, env.clock, { retentionMs: 30 * DAY, everyMs: HOUR, batch: 2 });
      expect(await retention.runIfDue()).toEqual({ deliveries: 0, intakeLog: 0 }); // the first look prunes, nothing is old enough
      env.clock.tick(30 * MINUTE);
      expect(await retention.runIfDue()).toBeNull(); // not due again within the hour

      env.clock.set(t0 + 30 * DAY); // exactly the retention: kept
      expect(await retention.runIfDue()).toEqual({ deliveries: 0, intakeLog: 0 });
      env.clock.set(t0 + 30 * DAY + HOUR);
      // Three delivered at t0 go (in batches of two); the dead one died at t0 + 10 days and stays.
      expect(await retention.runIfDue()).toEqual({ deliveries: 3, intakeLog: 1 });
      expect(await statuses()).toEqual(['doomed:dead', 'ok:delivered', 'open:failed']);
      const logLeft = await env.integrations.intakeLog(source.source.id, { limit: 10 });
      expect(logLeft.map((e) => e.receivedAt)).toEqual([t0 + 10 * DAY]);

      env.clock.set(t0 + 40 * DAY + HOUR);
      expect(await retention.runIfDue()).toEqual({ deliveries: 2, intakeLog: 1 }); // the dead one and the delivery of t0 + 10 days
      expect(await statuses()).toEqual(['open:failed']); // an open delivery is never pruned
      env.clock.set(t0 + 400 * DAY);
      expect(await retention.runIfDue()).toEqual({ deliveries: 0, intakeLog: 0 });
      expect(await statuses()).toEqual(['open:failed']);

      // The log routes still answer over what is left.
      const res = await env.app.inject({ method: 'GET', url: `/api/v1/webhooks/${hook}/deliveries`, headers: bearer((await env.user('manager')).token) });
      expect(res.statusCode).toBe(200);
      expect(res.json().items).toHaveLength(1);
    });

    it('a replayed dead delivery is open again and no longer pruned from when it died', async () => {
      const manager = await env.user('manager');
      const poolId = await env.pool('Inbound', 'pool');
      const made = await env.app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: bearer(manager.token), payload: { url: receiver.url, secret: SECRET, eventTypes: ['lead.created'] } });
      const hook = made.json().webhook.id as number;
      receiver.answer = () => ({ status: 500 });
      const dispatcher = new WebhookDispatcher(env.store, env.integrations, env.clock, { timeoutMs: 2000, leaseMs: 10_000, allowPrivate: true, retry: { firstDelayMs: 1000, maxDelayMs: 1000, retryForMs: 1000 } });
      await env.addLeads(poolId, 1);
      await dispatcher.runOnce();
      env.clock.tick(1000);
      expect(await dispatcher.runOnce()).toMatchObject({ dead: 1 });
      const [dead] = await env.integrations.listDeliveries(hook, { limit: 1 });
      expect(dead!.deadAt).toBe(env.clock.now());
      const replayed = await env.integrations.replayDelivery(dead!.id, env.clock.now(), env.clock.now() + 100 * DAY);
      expect(replayed).toMatchObject({ status: 'pending', deadAt: null });
      env.clock.tick(60 * DAY);
      expect(await new IntegrationRetention(env.integrations, env.clock, { retentionMs: 30 * DAY }).runOnce()).toEqual({ deliveries: 0, intakeLog: 0 });
    });
  });

describe('retention setting', () => {
  it('LEADPOOL_INTEGRATION_RETENTION_DAYS sets the days when it is a positive number', () => {
    expect(retentionDaysFromEnv({ LEADPOOL_INTEGRATION_RETENTION_DAYS: '7' })).toBe(7);
    expect(retentionDaysFromEnv({ LEADPOOL_INTEGRATION_RETENTION_DAYS: '0' })).toBeUndefined();
    expect(retentionDaysFromEnv({ LEADPOOL_INTEGRATION_RETENTION_DAYS: 'soon' })).toBeUndefined();
    expect(retentionDaysFromEnv({})).toBeUndefined();
    expect(new IntegrationRetention({} as never, { now: () => 0 }).retentionMs).toBe(30 * DAY);
  });
});
