/**
 * A real webhook receiver for the tests: node:http on 127.0.0.1 with an OS-chosen port. It
 * checks each request's signature the way docs/webhooks.md tells receivers to (written out
 * here again on purpose, not imported from the sender), and answers as the test says.
 */
import http from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface Received {
  eventId: number;
  deliveryId: number;
  type: string;
  leadId: number | null;
  attempt: number;
  signatureOk: boolean;
  raw: string;
  body: { id: number; type: string; occurredAt: string; lead: Record<string, unknown> | null; data: Record<string, unknown>; actor: Record<string, unknown> };
}

export type Answer = { status: number; body?: string; delayMs?: number; hang?: boolean };

export interface Receiver {
  url: string;
  received: Received[];
  /** Every request's arrival and every answer's sending, in the order they happened. */
  timeline: { what: 'request' | 'answer'; eventId: number; status?: number }[];
  /** The largest number of requests it was answering at the same moment. */
  maxConcurrent: number;
  answer: (r: Received, n: number) => Answer;
  /** Resolves with the next request to arrive. */
  next(): Promise<Received>;
  close(): Promise<void>;
}

/** The documented check: HMAC-SHA256(secret, `${t}.${rawBody}`) in hex, t within 5 minutes. */
export function verifyLeadpoolSignature(secret: string, rawBody: string, header: string | undefined, nowSeconds: number): boolean {
  if (!header) return false;
  const fields = Object.fromEntries(header.split(',').map((kv) => kv.split('=') as [string, string]));
  const t = Number(fields.t);
  if (!Number.isFinite(t) || Math.abs(nowSeconds - t) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex');
  const got = fields.v1 ?? '';
  return got.length === expected.length && timingSafeEqual(Buffer.from(got), Buffer.from(expected));
}

export async function startReceiver(secret: string, nowSeconds: () => number): Promise<Receiver> {
  let inFlight = 0;
  const waiting: ((r: Received) => void)[] = [];
  const hung = new Set<http.ServerResponse>();
  const rec: Receiver = {
    url: '',
    received: [],
    timeline: [],
    maxConcurrent: 0,
    answer: () => ({ status: 200, body: 'ok' }),
    next: () => new Promise((resolve) => waiting.push(resolve)),
    close: async () => {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      inFlight++;
      rec.maxConcurrent = Math.max(rec.maxConcurrent, inFlight);
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = JSON.parse(raw) as Received['body'];
      const r: Received = {
        eventId: Number(req.headers['leadpool-event-id']),
        deliveryId: Number(req.headers['leadpool-delivery-id']),
        type: String(req.headers['leadpool-event-type']),
        leadId: (body.lead?.id as number | undefined) ?? null,
        attempt: Number(req.headers['leadpool-attempt']),
        signatureOk: verifyLeadpoolSignature(secret, raw, req.headers['leadpool-signature'] as string | undefined, nowSeconds()),
        raw,
        body,
      };
      rec.received.push(r);
      rec.timeline.push({ what: 'request', eventId: r.eventId });
      for (const w of waiting.splice(0)) w(r);
      const a = rec.answer(r, rec.received.length);
      if (a.hang) {
        hung.add(res);
        return;
      }
      setTimeout(() => {
        inFlight--;
        rec.timeline.push({ what: 'answer', eventId: r.eventId, status: a.status });
        res.writeHead(a.status, { 'content-type': 'text/plain' }).end(a.body ?? '');
      }, a.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  rec.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return rec;
}
