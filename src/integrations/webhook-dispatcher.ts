import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import type { Lead } from '../core/types.js';
import type { Store } from '../store/store.js';
import type { AttemptResult, ClaimedDelivery, DeliveryPlan, IntegrationStore } from '../store/integration-store.js';
import { publicEventType, webhookPayload } from './webhook-events.js';
import { signatureHeader } from './webhook-signature.js';
import { DEFAULT_RETRY, nextAttemptAfterFailure, type RetryPolicy } from './retry-policy.js';
import { postWebhook } from './webhook-http.js';
import { allowPrivateFromEnv } from './private-addresses.js';

export interface DispatcherOptions {
  /** Requests in flight at once, over all endpoints. Default 8. */
  concurrency?: number;
  /** Requests in flight per endpoint: a slow or dead endpoint leaves the other slots to the rest. Default 4. */
  perEndpoint?: number;
  /** A request (and reading its response excerpt) is abandoned after this long. Default 10 s. */
  timeoutMs?: number;
  /** How long a claimed delivery is ours before another instance may take it. At least 2x the timeout; default 60 s. */
  leaseMs?: number;
  /** Longest sleep between looks at the events and the queue. Default 1000 ms. */
  pollMs?: number;
  /** Events read per transaction when queueing. Default 500. */
  pageSize?: number;
  retry?: RetryPolicy;
  /** Send to loopback, private and link-local addresses too (local receivers). Default: LEADPOOL_WEBHOOK_ALLOW_PRIVATE. */
  allowPrivate?: boolean;
  onError?: (err: unknown) => void;
}

export interface RunStats {
  queued: number;
  delivered: number;
  failed: number;
  dead: number;
}

const EXCERPT_BYTES = 1024;

/**
 * Webhook delivery. The events table is the outbox (each change wrote its event in its own
 * transaction), so nothing can be lost between a change and its send: this loop
 *  1. queues deliveries for the events after each endpoint's cursor, in id order (the
 *     deliveries and the cursor move in one transaction);
 *  2. leases due deliveries (one statement; a lead's later delivery waits for its earlier
 *     one) and sends them, different leads in parallel, each with a timeout;
 *  3. records each outcome: delivered, or failed with the next attempt by the retry policy,
 *     or dead after a day.
 * A crash after the lease and before the record leaves the delivery leased; when the lease
 * runs out, any instance sends it again (at least once, never lost, the same event id).
 * It runs on its own timer: a claim never waits for a webhook.
 */
export class WebhookDispatcher {
  readonly #store: Store;
  readonly #integrations: IntegrationStore;
  readonly #clock: Clock;
  readonly #opts: Required<Omit<DispatcherOptions, 'onError'>> & Pick<DispatcherOptions, 'onError'>;
  readonly #instance = randomBytes(6).toString('hex');
  #seq = 0;
  #timer: NodeJS.Timeout | null = null;
  #stopped = true;
  #busy: Promise<RunStats> | null = null;
  #rerun = false;
  #stopping = new AbortController();

  constructor(store: Store, integrations: IntegrationStore, clock: Clock, opts: DispatcherOptions = {}) {
    this.#store = store;
    this.#integrations = integrations;
    this.#clock = clock;
    this.#opts = { concurrency: 8, perEndpoint: 4, timeoutMs: 10_000, leaseMs: 60_000, pollMs: 1000, pageSize: 500, retry: DEFAULT_RETRY, allowPrivate: allowPrivateFromEnv(), ...opts };
    // A lease shorter than a request could run out mid-send and let a second instance send
    // the lead's next event before this one's request ends: out of order.
    if (this.#opts.leaseMs < 2 * this.#opts.timeoutMs) throw new RangeError('leaseMs must be at least twice timeoutMs');
  }

  start(): void {
    if (this.#stopping.signal.aborted) this.#stopping = new AbortController();
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Stops the timer, abandons requests in flight (their leases are given back) and waits. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#stopping.abort();
    await this.#busy?.catch(() => undefined);
  }

  /** Look now (e.g. after a write in this process) instead of at the next poll. */
  wake(): void {
    if (this.#stopped) return;
    if (this.#busy) this.#rerun = true;
    else this.#schedule(0);
  }

  /** Queues new events and sends everything due now; returns what happened. Tests call this after moving a TestClock. */
  async runOnce(): Promise<RunStats> {
    if (this.#busy) return this.#busy;
    this.#busy = (async () => {
      const stats: RunStats = { queued: 0, delivered: 0, failed: 0, dead: 0 };
      try {
        stats.queued = await this.#queueNew();
        await this.#sendDue(stats);
      } finally {
        this.#busy = null;
      }
      return stats;
    })();
    return this.#busy;
  }

  /** Copies events after each endpoint's cursor into its queue, a page per transaction, until caught up. */
  async #queueNew(): Promise<number> {
    let queued = 0;
    for (;;) {
      const cursors = await this.#integrations.endpointCursors();
      if (cursors.length === 0) return queued;
      const from = Math.min(...cursors.map((c) => c.lastEventId));
      const events = await this.#store.eventsAfter(from, this.#opts.pageSize);
      if (events.length === 0) return queued;
      const typed = events.map((e) => ({ e, type: publicEventType(e.type) }));
      const leadIds = [...new Set(typed.filter((t) => t.type !== null && t.e.leadId !== null).map((t) => t.e.leadId!))];
      const leads = new Map<number, Lead>(leadIds.length ? (await this.#store.getLeads(leadIds)).map((l) => [l.id, l]) : []);
      const bodies = new Map<number, string>();
      const plans: DeliveryPlan[] = cursors.map((c) => ({
        endpointId: c.endpoint.id,
        retryForMs: this.#opts.retry.retryForMs,
        deliveries: typed
          .filter((t) => t.e.id > c.lastEventId && t.type !== null && c.endpoint.eventTypes.includes(t.type))
          .map(({ e, type }) => {
            let body = bodies.get(e.id);
            if (body === undefined) {
              body = JSON.stringify(webhookPayload(e, type!, e.leadId === null ? null : (leads.get(e.leadId) ?? null)));
              bodies.set(e.id, body);
            }
            return { eventId: e.id, eventType: type!, leadId: e.leadId, payload: body };
          }),
      }));
      queued += await this.#integrations.queueDeliveries(plans, events[events.length - 1]!.id, this.#clock.now());
      if (events.length < this.#opts.pageSize) return queued;
    }
  }

  /**
   * A pool of `concurrency` sends: whenever one ends, lease more. A lead whose earlier
   * delivery just went through becomes claimable at that moment, so a run sends a lead's
   * whole backlog in order before it returns.
   */
  async #sendDue(stats: RunStats): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    const busy = new Map<number, number>();
    for (;;) {
      const free = this.#opts.concurrency - inFlight.size;
      const batch =
        free > 0 && !this.#stopping.signal.aborted
          ? await this.#integrations.claimDeliveries(this.#clock.now(), {
              limit: free,
              leaseMs: this.#opts.leaseMs,
              leaseToken: `${this.#instance}:${++this.#seq}`,
              maxPerEndpoint: this.#opts.perEndpoint,
              busy,
            })
          : [];
      for (const d of batch) {
        busy.set(d.endpointId, (busy.get(d.endpointId) ?? 0) + 1);
        const p: Promise<void> = this.#deliver(d, stats)
          .catch((err: unknown) => this.#opts.onError?.(err))
          .finally(() => {
            inFlight.delete(p);
            busy.set(d.endpointId, busy.get(d.endpointId)! - 1);
          });
        inFlight.add(p);
      }
      if (inFlight.size === 0) return;
      await Promise.race(inFlight);
    }
  }

  async #deliver(d: ClaimedDelivery, stats: RunStats): Promise<void> {
    const result = await this.#post(d);
    if (result === 'stopped') {
      await this.#integrations.releaseLease(d.id, d.leaseToken);
      return;
    }
    const now = this.#clock.now();
    if (result.ok) {
      await this.#integrations.recordDelivered(d.id, now, result);
      stats.delivered++;
      return;
    }
    const next = nextAttemptAfterFailure(d.attempts, now, d.expiresAt, this.#opts.retry);
    await this.#integrations.recordFailed(d.id, d.leaseToken, now, result, next);
    if (next === null) stats.dead++;
    else stats.failed++;
  }

  async #post(d: ClaimedDelivery): Promise<(AttemptResult & { ok: boolean }) | 'stopped'> {
    const t = Math.floor(this.#clock.now() / 1000);
    const timeout = AbortSignal.timeout(this.#opts.timeoutMs);
    try {
      const res = await postWebhook(
        d.url,
        {
          'content-type': 'application/json',
          'user-agent': 'Leadpool-Webhooks/1',
          'leadpool-signature': signatureHeader(d.secret, d.payload, t),
          'leadpool-event-id': String(d.eventId),
          'leadpool-event-type': d.eventType,
          'leadpool-delivery-id': String(d.id),
          'leadpool-attempt': String(d.attempts),
        },
        d.payload,
        { signal: AbortSignal.any([timeout, this.#stopping.signal]), allowPrivate: this.#opts.allowPrivate, excerptBytes: EXCERPT_BYTES },
      );
      const ok = res.statusCode >= 200 && res.statusCode < 300;
      return { ok, statusCode: res.statusCode, error: ok ? null : `HTTP ${res.statusCode}`, responseExcerpt: res.excerpt };
    } catch (err) {
      if (this.#stopping.signal.aborted) return 'stopped';
      const e = err as Error & { code?: string };
      // A refused private address is recorded with its reason and retried like any failure:
      // the name may point elsewhere later.
      const why = timeout.aborted ? `timed out after ${this.#opts.timeoutMs} ms` : e.code === 'ERR_PRIVATE_ADDRESS' ? e.message : (e.code ?? e.message);
      return { ok: false, statusCode: null, error: why, responseExcerpt: null };
    }
  }

  #schedule(ms: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#tick(), ms);
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    let sleep = this.#opts.pollMs;
    try {
      await this.runOnce();
      // Sleep until the next retry falls due, if that is sooner than the poll. Deliveries due
      // already but still waiting (behind a lead's earlier one) are looked at by the poll,
      // not in a tight loop.
      const next = await this.#integrations.nextDeliveryDue();
      const now = this.#clock.now();
      if (next !== null && next > now) sleep = Math.min(sleep, next - now);
      if (this.#rerun) sleep = 0;
      this.#rerun = false;
    } catch (err) {
      this.#opts.onError?.(err);
    }
    if (!this.#stopped) this.#schedule(sleep);
  }
}
