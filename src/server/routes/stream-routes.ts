import type { FastifyInstance } from 'fastify';
import type { Lead, LeadEvent, Pool } from '../../core/types.js';
import { viewerWithTier } from '../auth.js';
import { leadViewJson } from '../views.js';

const LIVE_TYPES = new Set(['lead.created', 'lead.claimed', 'lead.released', 'lead.expired', 'lead.reassigned', 'lead.activity', 'lead.status_changed', 'lead.skipped', 'lead.pushed', 'lead.escalated']);

/**
 * Server-sent events of lead changes. Each message carries the event id, so a client that
 * reconnects (to this instance or another) with Last-Event-ID misses nothing.
 */
export async function streamRoutes(app: FastifyInstance): Promise<void> {
  const { store, hub } = app.ctx;


  app.get(
    '/stream',
    {
      schema: {
        tags: ['live'],
        summary: 'Server-sent events of lead changes in the pools you may see',
        description:
          'text/event-stream. `event: lead`, data {eventId, type, at, leadId, poolId, status, ownerId, lead?}; `lead` is included as you may see it. Send Last-Event-ID to resume.',
        produces: ['text/event-stream'],
      },
    },
    async (req, reply) => {
      const viewer = await viewerWithTier(store, req.actor);
      const lastHeader = req.headers['last-event-id'];
      const resumeFrom = Number(Array.isArray(lastHeader) ? lastHeader[0] : lastHeader);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(': connected\n\n');

      const pools = new Map<number, Pool>();
      const poolOf = async (id: number) => {
        let p = pools.get(id);
        if (!p) {
          p = (await store.getPool(id)) ?? undefined;
          if (p) pools.set(id, p);
        }
        return p;
      };

      const deliver = async (events: LeadEvent[]): Promise<void> => {
        const live = events.filter((e) => LIVE_TYPES.has(e.type) && e.leadId !== null);
        if (live.length === 0 || res.destroyed) return;
        const leads = new Map<number, Lead>((await store.getLeads([...new Set(live.map((e) => e.leadId!))])).map((l) => [l.id, l]));
        let out = '';
        for (const e of live) {
          const lead = leads.get(e.leadId!);
          const pool = e.poolId !== null ? await poolOf(e.poolId) : undefined;
          if (!lead || !pool) continue;
          const view = leadViewJson(lead, pool, viewer);
          const data = {
            eventId: e.id,
            type: e.type,
            at: new Date(e.at).toISOString(),
            leadId: e.leadId,
            poolId: e.poolId,
            status: lead.status,
            ownerId: lead.ownerId,
            ...(view ? { lead: view } : {}),
          };
          out += `id: ${e.id}\nevent: lead\ndata: ${JSON.stringify(data)}\n\n`;
        }
        if (out) res.write(out);
      };

      // Everything up to the hub's position is replayed from the history, everything after
      // it arrives live; the replay goes first in the same queue, so order holds.
      let queue: Promise<void> = Promise.resolve();
      const send = (events: LeadEvent[]) => {
        queue = queue
          .then(() => deliver(events))
          .catch((err: unknown) => {
            // Never skip changes silently: end the stream, and the client's reconnect with
            // Last-Event-ID replays from the history what this one could not send.
            req.log.error({ err }, 'live stream delivery failed; closing it so the client resumes');
            close();
          });
      };
      const upTo = hub.lastId;
      if (Number.isInteger(resumeFrom) && resumeFrom > 0 && resumeFrom < upTo) {
        queue = store.eventsAfter(resumeFrom, 5000).then((ev) => deliver(ev.filter((e) => e.id <= upTo)));
      }
      const unsubscribe = hub.subscribe(send);
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
      heartbeat.unref();
      const end = () => {
        clearInterval(heartbeat);
        unsubscribe();
      };
      const close = () => {
        end();
        res.end();
      };
      app.ctx.openStreams.add(close);
      res.on('close', () => {
        end();
        app.ctx.openStreams.delete(close);
      });
    },
  );
}
