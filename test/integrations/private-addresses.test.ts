import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebhookDispatcher } from '../../src/integrations/webhook-dispatcher.js';
import { allowPrivateFromEnv, isPrivateAddress, webhookUrlProblem } from '../../src/integrations/private-addresses.js';
import { bearer } from '../helpers.js';
import { startReceiver, type Receiver } from './receiver.js';
import { STORES, makeIntegEnv, skipReason, usePg, type IntegEnv } from './env.js';

const pg = usePg();
const SECRET = 'whsec_private_address_secret';

describe('private addresses', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254', // cloud metadata
    '100.64.0.1', // CGNAT
    '0.0.0.0',
    '224.0.0.251',
    '255.255.255.255',
    '::1',
    '::',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '[::1]',
  ])('%s is refused', (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });

  it.each(['8.8.8.8', '93.184.216.34', '172.32.0.1', '100.128.0.1', '192.169.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8'])('%s is allowed', (ip) => {
    expect(isPrivateAddress(ip)).toBe(false);
  });

  it('names that resolve to private addresses are refused; the opt-in allows them', async () => {
    expect(await webhookUrlProblem('http://localhost:8080/hook', false)).toMatch(/localhost resolves to 127\.0\.0\.1/);
    expect(await webhookUrlProblem('http://[fe80::1]/hook', false)).toMatch(/fe80::1 is a private/);
    expect(await webhookUrlProblem('http://localhost:8080/hook', true)).toBeNull();
    expect(await webhookUrlProblem('https://93.184.216.34/hook', false)).toBeNull();
  });

  it('LEADPOOL_WEBHOOK_ALLOW_PRIVATE=1 is the opt-in', () => {
    expect(allowPrivateFromEnv({ LEADPOOL_WEBHOOK_ALLOW_PRIVATE: '1' })).toBe(true);
    expect(allowPrivateFromEnv({ LEADPOOL_WEBHOOK_ALLOW_PRIVATE: 'true' })).toBe(true);
    expect(allowPrivateFromEnv({ LEADPOOL_WEBHOOK_ALLOW_PRIVATE: '0' })).toBe(false);
    expect(allowPrivateFromEnv({})).toBe(false);
  });
});

let env: IntegEnv;
let receiver: Receiver;

for (const kind of STORES)
  describe(`${kind} store: webhooks to private addresses`, () => {
    beforeEach(async (ctx) => {
      env = undefined as unknown as IntegEnv;
      const why = skipReason(kind, pg);
      if (why) return ctx.skip(why);
      env = await makeIntegEnv(kind, pg?.get() ?? null, { allowPrivateWebhooks: false });
      receiver = await startReceiver(SECRET, () => Math.floor(env.clock.now() / 1000));
    });
    afterEach(async () => {
      if (!env) return;
      await receiver.close();
      await env.cleanup();
    });

    it('are refused at registration and on change with 400 naming url, unless the server allows them', async () => {
      const manager = await env.user('manager');
      for (const url of [receiver.url, 'http://localhost:9/hook', 'http://169.254.169.254/latest/meta-data/', 'http://[::1]:8080/', 'http://10.0.0.7/crm', 'http://100.100.1.1/']) {
        const res = await env.app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: bearer(manager.token), payload: { url, secret: SECRET } });
        expect(res.statusCode, url).toBe(400);
        expect(res.json().error).toBe('VALIDATION_FAILED');
        const [problem] = res.json().details.fields as { field: string; problem: string }[];
        expect(problem!.field).toBe('url');
        expect(problem!.problem).toMatch(/must not point at a private address: .*LEADPOOL_WEBHOOK_ALLOW_PRIVATE=1/);
      }
      // A public address is fine (no request is made at registration).
      const ok = await env.app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: bearer(manager.token), payload: { url: 'https://93.184.216.34/hook', secret: SECRET } });
      expect(ok.statusCode, ok.body).toBe(201);
      const moved = await env.app.inject({ method: 'PATCH', url: `/api/v1/webhooks/${ok.json().webhook.id}`, headers: bearer(manager.token), payload: { url: 'http://192.168.0.10/' } });
      expect(moved.statusCode).toBe(400);
      expect(moved.json().details.fields[0].field).toBe('url');
      expect(await env.integrations.listEndpoints()).toHaveLength(1);
      expect((await env.integrations.listEndpoints())[0]!.url).toBe('https://93.184.216.34/hook');
    });

    it('are checked again at send time: a target that became private is not contacted, and the attempt records why', async () => {
      // Stored while allowed (as a DNS answer that changed after registration would be).
      const poolId = await env.pool('Inbound', 'pool');
      const byIp = await env.integrations.createEndpoint({ url: receiver.url, secret: SECRET, eventTypes: ['lead.created'] }, await env.store.lastEventId(), env.clock.now());
      const port = new URL(receiver.url).port;
      const byName = await env.integrations.createEndpoint({ url: `http://localhost:${port}/hooks`, secret: SECRET, eventTypes: ['lead.created'] }, await env.store.lastEventId(), env.clock.now());
      await env.addLeads(poolId, 1);

      const strict = new WebhookDispatcher(env.store, env.integrations, env.clock, { timeoutMs: 2000, leaseMs: 10_000, allowPrivate: false });
      expect(await strict.runOnce()).toMatchObject({ queued: 2, delivered: 0, failed: 2 });
      expect(receiver.received).toHaveLength(0); // never connected
      const [ip] = await env.integrations.listDeliveries(byIp.id, { limit: 1 });
      expect(ip).toMatchObject({ status: 'failed', lastStatusCode: null, lastError: expect.stringMatching(/^refused: 127\.0\.0\.1 is a private, loopback or link-local address/) });
      const [name] = await env.integrations.listDeliveries(byName.id, { limit: 1 });
      expect(name).toMatchObject({ status: 'failed', lastError: expect.stringMatching(/^refused: localhost resolves to 127\.0\.0\.1/) });

      // With the opt-in the retries go through.
      env.clock.tick(10_000);
      const local = new WebhookDispatcher(env.store, env.integrations, env.clock, { timeoutMs: 2000, leaseMs: 10_000, allowPrivate: true });
      expect(await local.runOnce()).toMatchObject({ delivered: 2 });
      expect(receiver.received).toHaveLength(2);
    });
  });
