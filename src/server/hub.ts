import type { LeadEvent } from '../core/types.js';
import type { Store } from '../store/store.js';

export type Listener = (events: LeadEvent[]) => void;

/**
 * Live events for SSE clients. The hub tails the append-only events table instead of
 * trusting in-process calls alone, so changes made by another process (a CLI import, a
 * second server) reach the stream too, in id order, with ids clients can resume from.
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

  get lastId(): number {
    return this.#lastId;
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
    if (this.#scheduled || this.#listeners.size === 0) {
      if (this.#listeners.size === 0) void this.#skipAhead();
      return;
    }
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.tail();
    });
  }

  /** With nobody listening, only remember where the history ends. */
  async #skipAhead(): Promise<void> {
    if (this.#running) return;
    this.#lastId = await this.#store.lastEventId();
  }

  async tail(): Promise<void> {
    if (this.#running) return this.#running;
    this.#running = (async () => {
      try {
        for (;;) {
          const batch = await this.#store.eventsAfter(this.#lastId, 500);
          if (batch.length === 0) break;
          this.#lastId = batch[batch.length - 1]!.id;
          for (const fn of this.#listeners) fn(batch);
          if (batch.length < 500) break;
        }
      } finally {
        this.#running = null;
      }
    })();
    return this.#running;
  }
}
