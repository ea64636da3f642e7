import type { LeadEvent } from '../core/types.js';
import type { Store } from '../store/store.js';

/**
 * `resumeFrom[i]` is a safe resume position after events[i]: every event up to it has been
 * handed to this listener (or given up as a rollback's hole). It is the event's own id unless
 * a lower id is still missing (a transaction that took its id earlier and has not committed).
 */
export type Listener = (events: LeadEvent[], resumeFrom: number[]) => void;

/**
 * Live events for SSE clients. The hub tails the append-only events table instead of
 * trusting in-process calls alone, so changes made by another process (a CLI import, a
 * second server) reach the stream too, with ids clients can resume from.
 * A write in this process pokes the hub to tail at once; otherwise it looks every second.
 */
export class EventHub {
  readonly #store: Store;
  readonly #listeners = new Set<Listener>();
  #lastId = 0;
  #scheduled = false;
  #running: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #unlisten: (() => Promise<void>) | null = null;

  constructor(store: Store) {
    this.#store = store;
  }

  async start(pollMs = 1000): Promise<void> {
    this.#lastId = await this.#store.lastEventId();
    this.#timer = setInterval(() => this.poke(), pollMs);
    this.#timer.unref();
  }

  /**
   * Optional: wake the tail when another instance wrote (PostgreSQL LISTEN/NOTIFY), so its
   * changes arrive at once instead of at the next poll; the poll stays as the backstop.
   */
  async wakeOn(listen: (wake: () => void) => Promise<() => Promise<void>>): Promise<void> {
    this.#unlisten = await listen(() => this.poke());
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    void this.#unlisten?.();
    this.#unlisten = null;
    this.#listeners.clear();
  }

  /** Every id up to here has been delivered or given up: a safe place to resume from. */
  get settledId(): number {
    return this.#lastId;
  }

  /** The newest id delivered (a client resuming from below it is replayed up to here). */
  get lastId(): number {
    return this.#delivered.size ? Math.max(this.#lastId, ...this.#delivered) : this.#lastId;
  }

  subscribe(fn: Listener): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  get subscribers(): number {
    return this.#listeners.size;
  }

  /** Many writes in one tick cost one tail query. */
  poke(): void {
    if (this.#listeners.size === 0) {
      // Nobody listens: only the position matters, and a second-old one is good enough (a
      // first subscriber then gets at most a second of older events). Asking the database
      // on every write cost a query per claim, on every instance.
      const now = Date.now();
      if (now - this.#skippedAt >= SKIP_AHEAD_EVERY_MS) {
        this.#skippedAt = now;
        void this.#skipAhead();
      }
      return;
    }
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.tail();
    });
  }

  #skippedAt = 0;

  /** With nobody listening, only remember where the history ends. */
  async #skipAhead(): Promise<void> {
    if (this.#running) return;
    const id = await this.#store.lastEventId();
    // Someone may have subscribed (and a tail delivered to them) while the position was being
    // read: jumping ahead now would skip events they have not seen.
    if (this.#listeners.size === 0 && !this.#running && id > this.#lastId) {
      this.#lastId = id;
      this.#delivered.clear();
      this.#holeSince = null;
    }
  }

  /**
   * Ids above the position that were already delivered. Ids may become visible out of order
   * (PostgreSQL hands out sequence numbers before commit): the tail re-reads from the first
   * id it has not seen, delivers only what is new, and gives a hole up only after
   * HOLE_PATIENCE_MS (a rolled-back transaction leaves one for good).
   */
  readonly #delivered = new Set<number>();
  #holeSince: number | null = null;

  async tail(): Promise<void> {
    if (this.#running) return this.#running;
    this.#running = (async () => {
      try {
        // From the position on, over what was delivered past a hole, to the end.
        let from = this.#lastId;
        for (;;) {
          const batch = await this.#store.eventsAfter(from, 500);
          const fresh = batch.filter((e) => !this.#delivered.has(e.id));
          for (const e of fresh) this.#delivered.add(e.id);
          if (fresh.length) {
            let settled = this.#lastId;
            const resumeFrom = fresh.map((e) => {
              while (this.#delivered.has(settled + 1)) settled++;
              return Math.min(e.id, settled);
            });
            for (const fn of this.#listeners) fn(fresh, resumeFrom);
          }
          if (batch.length < 500) break;
          from = batch[batch.length - 1]!.id;
        }
        this.#advance();
      } finally {
        this.#running = null;
      }
    })();
    return this.#running;
  }

  /** Moves the position over every delivered id in a row; waits at a hole, then gives it up. */
  #advance(): void {
    while (this.#delivered.has(this.#lastId + 1)) this.#delivered.delete(++this.#lastId);
    if (this.#delivered.size === 0) {
      this.#holeSince = null;
      return;
    }
    const now = Date.now();
    this.#holeSince ??= now;
    if (now - this.#holeSince < HOLE_PATIENCE_MS) return;
    // Nothing filled the hole in time: it was a rollback (or a transaction far slower than any
    // of the store's). Step over it to the next delivered id.
    this.#lastId = Math.min(...this.#delivered) - 1;
    this.#holeSince = null;
    this.#advance();
  }
}

/** With nobody listening, how often the position follows the end of the history. */
const SKIP_AHEAD_EVERY_MS = 1000;

/** How long a gap in the event ids may wait to be filled by a late commit. */
const HOLE_PATIENCE_MS = 30_000;
