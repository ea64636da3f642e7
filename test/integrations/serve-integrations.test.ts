/**
 * `serve` wires the integrations on either store: the webhook routes answer, its dispatcher
 * sends on its own timer, and intake URLs take posts, over real HTTP.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { TestClock } from '../../src/core/clock.js';
import { serve } from '../../src/server/serve.js';
import { hashPassword } from '../../src/server/passwords.js';
import { SYSTEM, tempDir } from '../helpers.js';
import { startReceiver, type Receiver } from './receiver.js';
import { STORES, skipReason, usePg } from './env.js';

const pg = usePg();
const SECRET = 'whsec_serve_wiring_secret_01';
let cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

for (const kind of STORES)
  describe(`${kind} store`, () => {
    it('serve runs the webhook dispatcher and answers the integration routes', async (ctx) => {
      const why = skipReason(kind, pg);
      if (why) return ctx.skip(why);
      const dir = tempDir('leadpool-serve-');
      cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
      const database = kind === 'postgres' ? await pg!.get()!.freshSchema() : undefined;
      const clock = new TestClock();
      const running = await serve({ port: 0, host: '127.0.0.1', dataDir: dir, ...(database ? { database } : {}), demo: false, clock, logLevel: 'silent', allowPrivateWebhooks: true });
      cleanup.push(() => running.stop());
      const receiver: Receiver = await startReceiver(SECRET, () => Math.floor(clock.now() / 1000));
      cleanup.push(() => receiver.close());

      const email = 'boss@serve.example';
      await running.store.createUser({ email, name: 'Boss', role: 'manager', passwordHash: await hashPassword('password1') }, SYSTEM, clock.now());
      const call = async (method: string, path: string, body?: unknown, token?: string) => {
        const res = await fetch(`${running.url}/api/v1${path}`, {
          method,
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        return { status: res.status, json: (await res.json()) as Record<string, any> };
      };
      const token = (await call('POST', '/auth/login', { email, password: 'password1' })).json.token as string;

      const hook = await call('POST', '/webhooks', { url: receiver.url, secret: SECRET, eventTypes: ['lead.created'] }, token);
      expect(hook.status).toBe(201);
      const source = await call('POST', '/intake/sources', { name: 'Site', defaults: { industry: 'IT', companySize: '1-10', region: 'EU', score: 5 } }, token);
      expect(source.status).toBe(201);
      const posted = await call('POST', `/intake/${source.json.source.slug}`, { company: 'Served GmbH', 'contact.name': 'Sam' }, source.json.token as string);
      expect(posted.status).toBe(201);

      // The dispatcher looks every second on its own timer: wait for the request to arrive.
      const arrived = await Promise.race([receiver.next(), new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
      expect(arrived).toMatchObject({ type: 'lead.created', leadId: posted.json.leadId, signatureOk: true });
      const log = await call('GET', `/webhooks/${hook.json.webhook.id}/deliveries`, undefined, token);
      expect(log.status).toBe(200);
    }, 30_000);
  });
