import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { join } from 'node:path';
import { bearer, makeEnv, SYSTEM, buildLead, type TestEnv } from '../helpers.js';

interface Sse {
  id: number;
  event: string;
  data: { type: string; leadId: number; poolId: number; status: string; lead?: Record<string, unknown> };
}

/** Reads server-sent events from a real connection until `until` is satisfied or 5 s pass. */
async function readEvents(url: string, token: string, until: (seen: Sse[]) => boolean, lastEventId?: number, onOpen?: () => Promise<void>): Promise<Sse[]> {
  const ac = new AbortController();
  const timeout = setTimeout(() => ac.abort(), 5000);
  const res = await fetch(url, { headers: { ...bearer(token), ...(lastEventId ? { 'last-event-id': String(lastEventId) } : {}) }, signal: ac.signal });
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const seen: Sse[] = [];
  let buf = '';
  let opened = false;
  try {
    while (!until(seen)) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let idx;
      while ((idx = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, idx);
        buf = buf.slice(idx + 2);
        if (!opened && block.startsWith(': connected')) {
          opened = true;
          await onOpen?.();
        }
        const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
        if (fields.event) seen.push({ id: Number(fields.id), event: fields.event, data: JSON.parse(fields.data!) });
      }
    }
  } finally {
    clearTimeout(timeout);
    ac.abort();
  }
  return seen;
}

describe('live event stream', () => {
  let env: TestEnv;
  let base: string;
  beforeEach(async () => {
    env = await makeEnv();
    await env.app.listen({ port: 0, host: '127.0.0.1' });
    const a = env.app.server.address();
    base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  });
  afterEach(async () => env.cleanup());

  it('a rep sees a new lead appear with its preview, and see it vanish when another rep claims it', async () => {
    const pool = await env.pool('Pool', 'pool');
    const watcher = await env.user('rep');
    const claimer = await env.user('rep');
    const manager = await env.user('manager');
    let leadId = 0;
    const events = await readEvents(`${base}/api/v1/stream`, watcher.token, (s) => s.length >= 2, undefined, async () => {
      const created = await fetch(`${base}/api/v1/leads`, {
        method: 'POST',
        headers: { ...bearer(manager.token), 'content-type': 'application/json' },
        body: JSON.stringify(buildLead({ poolId: pool })),
      });
      leadId = (await created.json()).lead.id;
      await fetch(`${base}/api/v1/leads/${leadId}/claim`, { method: 'POST', headers: bearer(claimer.token) });
    });
    expect(events.map((e) => [e.data.type, e.data.leadId])).toEqual([
      ['lead.created', leadId],
      ['lead.claimed', leadId],
    ]);
    expect(events[0]!.data.lead).toMatchObject({ id: leadId, company: expect.any(String) });
    expect(events[0]!.data.lead).not.toHaveProperty('contact');
    expect(events[1]!.data).toMatchObject({ status: 'claimed' });
    expect(events[1]!.data.lead).toBeUndefined();
  });

  it('changes written by another process (a CLI import) reach the stream too', async () => {
    const pool = await env.pool('Pool', 'pool');
    const rep = await env.user('rep');
    const events = await readEvents(`${base}/api/v1/stream`, rep.token, (s) => s.length >= 3, undefined, async () => {
      const other = new SqliteStore(join(env.dir, 'leadpool.db'));
      await other.insertLeads([buildLead({ poolId: pool }), buildLead({ poolId: pool }), buildLead({ poolId: pool })], pool, SYSTEM, env.clock.now());
      await other.close();
    });
    expect(events.map((e) => e.data.type)).toEqual(['lead.created', 'lead.created', 'lead.created']);
  });

  it('a client reconnecting with Last-Event-ID gets every change it missed, in order', async () => {
    const pool = await env.pool('Pool', 'pool');
    const rep = await env.user('rep');
    const ids = await env.addLeads(pool, 2);
    const before = await env.store.lastEventId();
    await env.store.claim(ids[0]!, { kind: 'user', userId: rep.id, role: 'rep', name: 'r' }, env.clock.now());
    await env.store.claim(ids[1]!, { kind: 'user', userId: rep.id, role: 'rep', name: 'r' }, env.clock.now());
    // The hub has already moved past these events; the resume must replay them from the history.
    await env.app.ctx.hub.tail();
    const events = await readEvents(`${base}/api/v1/stream`, rep.token, (s) => s.length >= 2, before);
    expect(events.map((e) => [e.data.type, e.data.leadId])).toEqual([
      ['lead.claimed', ids[0]],
      ['lead.claimed', ids[1]],
    ]);
    expect(events[0]!.id).toBeGreaterThan(before);
  });

  it('a resume replays a long absence in full (more than one page of the history)', async () => {
    const pool = await env.pool('Pool', 'pool');
    const rep = await env.user('rep');
    const before = await env.store.lastEventId();
    const ids = await env.addLeads(pool, 5200);
    await env.app.ctx.hub.tail();
    const events = await readEvents(`${base}/api/v1/stream`, rep.token, (s) => s.length >= 5200, before);
    expect(events.map((e) => e.data.leadId)).toEqual(ids);
    // Each message's id is a place to resume from: never backwards, ending at the last event.
    expect(events.every((e, i) => i === 0 || e.id >= events[i - 1]!.id)).toBe(true);
    expect(events[events.length - 1]!.id).toBe(await env.store.lastEventId());
  });
});
