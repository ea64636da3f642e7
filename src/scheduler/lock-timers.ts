import type { Clock } from '../core/clock.js';
import type { Store } from '../store/store.js';
import type { LeadEvent } from '../core/types.js';

export interface TimerLoopOptions {
  /** Longest sleep between looks at the database: a lock set by another process is seen this late at worst. */
  maxSleepMs?: number; // default 1000
  batch?: number; // default 500 expiries per transaction
  onFired?: (events: LeadEvent[]) => void;
  onError?: (err: unknown) => void;
}

/**
 * Durable timers: lock expiries and escalation steps. The due times are rows
 * (leads.lock_expires_at, leads.escalation_due_at); this loop only decides when to look. Firing is the store's conditional update, so a timer fires once
 * even if two processes look at the same moment, and a restart finds every overdue row.
 */
export class LockTimerLoop {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #opts: Required<Omit<TimerLoopOptions, 'onFired' | 'onError'>> & TimerLoopOptions;
  #timer: NodeJS.Timeout | null = null;
  #stopped = true;
  #busy: Promise<number> | null = null;

  constructor(store: Store, clock: Clock, opts: TimerLoopOptions = {}) {
    this.#store = store;
    this.#clock = clock;
    this.#opts = { maxSleepMs: 1000, batch: 500, ...opts };
  }

  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#busy;
  }

  /** Fires everything due now; returns how many fired. Tests call this after moving a TestClock. */
  async runDue(): Promise<number> {
    if (this.#busy) return this.#busy;
    this.#busy = (async () => {
      let fired = 0;
      try {
        // Locks first: a pushed lead whose lock ran out goes back to its pool, and its ladder's
        // next step (already due) runs in the same round.
        for (const sweep of [
          (now: number) => this.#store.expireDueLocks(now, this.#opts.batch),
          (now: number) => this.#store.runDueEscalations(now, this.#opts.batch),
        ]) {
          for (;;) {
            const events = await sweep(this.#clock.now());
            fired += events.length;
            if (events.length) this.#opts.onFired?.(events);
            if (events.length < this.#opts.batch) break;
          }
        }
      } finally {
        this.#busy = null;
      }
      return fired;
    })();
    return this.#busy;
  }

  #schedule(ms: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#tick(), ms);
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    let sleep = this.#opts.maxSleepMs;
    try {
      await this.runDue();
      for (const next of [await this.#store.nextLockDue(), await this.#store.nextEscalationDue()]) {
        if (next !== null) sleep = Math.max(0, Math.min(sleep, next - this.#clock.now()));
      }
    } catch (err) {
      this.#opts.onError?.(err);
    }
    if (!this.#stopped) this.#schedule(sleep);
  }
}
