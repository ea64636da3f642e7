import type { FastifyInstance } from 'fastify';
import type { Lead, LeadEvent, Pool } from '../../core/types.js';
import { viewerWithTier } from '../auth.js';
import { leadViewJson } from '../views.js';

const LIVE_TYPES = new Set(['lead.created', 'lead.claimed', 'lead.released', 'lead.expired', 'lead.reassigned', 'lead.activity', 'lead.status_changed', 'lead.skipped', 'lead.pushed', 'lead.escalated']);

/**
 * Server-sent events of lead changes. Each message's SSE id is a resume position, so a client
 * that reconnects (to this instance or another) with Last-Event-ID misses nothing. It is the
 * event's id unless a lower id has not committed yet (PostgreSQL hands ids out before commit):
 * then it stays below that one, and the resume replays it when it lands, along with a few
 * events the client already has (their `eventId` in the data tells them apart).
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
          'text/event-stream. `event: lead`, data {eventId, type, at, leadId, poolId, status, ownerId, lead?}; `lead` is included as you may see it. The SSE `id` is a resume position: send it back as Last-Event-ID to resume, here or on another instance. It can lag the newest `eventId` while an earlier change is still committing, so a resume may repeat a few events: tell them apart by `eventId`. A message with only an `id` moves the position without a change to show.',
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

      // The newest resume position sent: it only moves forward, so a stale one never replaces it.
      let position = 0;
      const deliver = async (events: LeadEvent[], resumeFrom: number[]): Promise<void> => {
        if (res.destroyed) return;
        const live = events.flatMap((e, i) => (LIVE_TYPES.has(e.type) && e.leadId !== null ? [{ e, at: resumeFrom[i]! }] : []));
        const end = Math.max(position, ...resumeFrom);
        if (live.length === 0) {
          // Nothing to show, but the position moved: say so, or a resume replays it all again.
          if (end > position) res.write(`id: ${(position = end)}\n\n`);
          return;
        }
        const leads = new Map<number, Lead>((await store.getLeads([...new Set(live.map(({ e }) => e.leadId!))])).map((l) => [l.id, l]));
        let out = '';
        for (const { e, at } of live) {
          const lead = leads.get(e.leadId!);
          const pool = e.poolId !== null ? await poolOf(e.poolId) : undefined;
          if (!lead || !pool) continue;
          position = Math.max(position, at);
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
          out += `id: ${position}\nevent: lead\ndata: ${JSON.stringify(data)}\n\n`;
        }
        if (end > position) out += `id: ${(position = end)}\n\n`;
        if (out) res.write(out);
      };

      // Everything up to the hub's position is replayed from the history, everything after
      // it arrives live; the replay goes first in the same queue, so order holds.
      let queue: Promise<void> = Promise.resolve();
      const send = (events: LeadEvent[], resumeFrom: number[]) => {
        queue = queue
          .then(() => deliver(events, resumeFrom))
          .catch((err: unknown) => {
            // Never skip changes silently: end the stream, and the client's reconnect with
            // Last-Event-ID replays from the history what this one could not send.
            req.log.error({ err }, 'live stream delivery failed; closing it so the client resumes');
            close();
          });
      };
      const upTo = hub.lastId;
      const settled = hub.settledId;
      if (Number.isInteger(resumeFrom) && resumeFrom > 0 && resumeFrom < upTo) {
        position = resumeFrom;
        // The replay runs to where the live events start, page by page. An id the hub has not
        // settled may still be missing below a replayed one: the position stays under it.
        queue = (async () => {
          for (let from = resumeFrom; from < upTo; ) {
            const page = (await store.eventsAfter(from, 1000)).filter((e) => e.id <= upTo);
            if (page.length === 0) break;
            await deliver(page, page.map((e) => Math.max(resumeFrom, Math.min(e.id, settled))));
            from = page[page.length - 1]!.id;
          }
        })().catch((err: unknown) => {
          req.log.error({ err }, 'live stream replay failed; closing it so the client resumes');
          close();
        });
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
