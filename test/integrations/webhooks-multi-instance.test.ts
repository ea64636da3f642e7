/**
 * Two Leadpool instances' webhook dispatchers, each its own process with its own connection
 * pool, on one PostgreSQL database, sending to one real HTTP receiver that fails a fifth of
 * the attempts. Events keep coming while they run. Every event arrives, exactly one attempt
 * of each is answered 2xx, and a lead's event is never sent before its earlier event was
 * answered 2xx.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { UserActor } from '../../src/store/store.js';
import { bearer } from '../helpers.js';
import { makeIntegEnv, skipReason, usePg, type IntegEnv } from './env.js';
import { startReceiver, type Receiver } from './receiver.js';

const pgdb = usePg(); // null when LEADPOOL_STORES leaves PostgreSQL out
const SECRET = 'whsec_multi_instance_secret_42';
const LEADS = 30;
const PER_LEAD = 5; // created, claimed, contacted, qualified, converted

let env: IntegEnv | null = null;
let receiver: Receiver | null = null;
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await receiver?.close();
  await env?.cleanup();
  env = null;
  receiver = null;
});

function startDispatcher(url: string): { proc: ChildProcess; output: () => string; started: Promise<void> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'dispatch-loop-child.ts'), url], {
    cwd: join(import.meta.dirname, '..', '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  let out = '';
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const started = new Promise<void>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('started\n')) resolve();
    });
    proc.once('exit', () => reject(new Error(`dispatcher exited early:\n${out}`)));
  });
  return { proc, output: () => out, started };
}

/** Waits for a condition that other processes make true; fails with `what` after `ms`. */
async function until(what: string, ms: number, ok: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await ok())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('webhooks from two instances on one PostgreSQL database', () => {
  it('every delivery arrives, exactly one 2xx per event, in order per lead', async (ctx) => {
    if (!pgdb) return ctx.skip('PostgreSQL left out by LEADPOOL_STORES');
    const why = skipReason('postgres', pgdb);
    if (why) return ctx.skip(why);
    env = await makeIntegEnv('postgres', pgdb.get());
    // The dispatchers sign with the real time.
    receiver = await startReceiver(SECRET, () => Math.floor(Date.now() / 1000));
    receiver.answer = () => ({ status: Math.random() < 0.2 ? 500 : 200, delayMs: Math.floor(Math.random() * 8) });
    const manager = await env.user('manager');
    const repUser = await env.user('rep');
    const rep: UserActor = { kind: 'user', userId: repUser.id, role: 'rep', name: 'rep' };
    const poolId = await env.pool('Inbound', 'pool');
    const made = await env.app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: bearer(manager.token), payload: { url: receiver.url, secret: SECRET } });
    expect(made.statusCode, made.body).toBe(201);
    const hook = made.json().webhook.id as number;

    const leads = await env.addLeads(poolId, LEADS);
    const a = startDispatcher(env.location);
    const b = startDispatcher(env.location);
    await Promise.all([a.started, b.started]);
    // The rest of each lead's story happens while both dispatchers run, leads interleaved.
    const now = () => env!.clock.now();
    for (const id of leads) await env.store.claim(id, rep, now());
    for (const id of leads) await env.store.logActivity(id, rep, { type: 'call', note: null }, now());
    for (const id of leads) await env.store.setStatus(id, rep, 'qualified', null, now());
    for (const id of leads) await env.store.setStatus(id, rep, 'converted', null, now());

    const successes = () => receiver!.timeline.filter((t) => t.what === 'answer' && t.status === 200);
    await until(`${LEADS * PER_LEAD} successful deliveries`, 90_000, () => successes().length >= LEADS * PER_LEAD);
    await until('every delivery recorded as delivered', 20_000, async () =>
      (await env!.integrations.listDeliveries(hook, { limit: 500 })).every((d) => d.status === 'delivered'),
    );
    const totals: { delivered: number; failed: number }[] = [];
    for (const c of [a, b]) {
      c.proc.kill('SIGTERM');
      await once(c.proc, 'exit');
      totals.push(JSON.parse(c.output().trim().split('\n').pop()!) as { delivered: number; failed: number });
    }

    // Every event once as a success, and nothing else succeeded.
    const ok = successes().map((t) => t.eventId);
    expect(ok.length).toBe(LEADS * PER_LEAD);
    expect(new Set(ok).size).toBe(LEADS * PER_LEAD);
    const log = await env.integrations.listDeliveries(hook, { limit: 500 });
    expect(log.length).toBe(LEADS * PER_LEAD);
    expect(new Set(log.map((d) => d.eventId))).toEqual(new Set(ok));
    // Each attempt the receiver saw is one the database counted, and both instances sent some.
    expect(receiver.received.length).toBe(log.reduce((n, d) => n + d.attempts, 0));
    expect(receiver.received.every((r) => r.signatureOk)).toBe(true);
    expect(totals[0]!.delivered + totals[1]!.delivered).toBe(LEADS * PER_LEAD);
    expect(totals[0]!.delivered).toBeGreaterThan(0);
    expect(totals[1]!.delivered).toBeGreaterThan(0);

    // Order per lead: no request for a lead's event before the 2xx answer to its earlier one.
    const leadOf = new Map(receiver.received.map((r) => [r.eventId, r.leadId]));
    for (const id of leads) {
      const events = [...new Set(receiver.received.filter((r) => r.leadId === id).map((r) => r.eventId))].sort((x, y) => x - y);
      expect(events.length).toBe(PER_LEAD);
      expect(receiver.received.filter((r) => r.leadId === id && events.indexOf(r.eventId) === 0)[0]!.type).toBe('lead.created');
      let settled = -1; // index in `events` of the last event answered 2xx
      for (const t of receiver.timeline) {
        if (leadOf.get(t.eventId) !== id) continue;
        const k = events.indexOf(t.eventId);
        if (t.what === 'request') expect(k, `lead ${id}: event ${t.eventId} sent before its predecessor was delivered`).toBe(settled + 1);
        else if (t.status === 200) settled = k;
      }
      expect(settled).toBe(PER_LEAD - 1);
    }
    console.log(`two instances: ${receiver.received.length} attempts (${totals.map((t) => `${t.delivered} delivered, ${t.failed} failed`).join(' / ')})`);
  }, 150_000);
});
