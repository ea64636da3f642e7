import { DAY, HOUR, MINUTE, type Clock } from '../core/clock.js';
import type { IntegrationStore, PruneCounts } from '../store/integration-store.js';

export const DEFAULT_RETENTION_DAYS = 30;

/** LEADPOOL_INTEGRATION_RETENTION_DAYS, when set to a positive number. */
export function retentionDaysFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const v = Number(env.LEADPOOL_INTEGRATION_RETENTION_DAYS);
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

export interface RetentionOptions {
  /** How long delivered deliveries, dead ones (from when they died) and intake-log entries are kept. Default 30 days. */
  retentionMs?: number;
  /** How often, on the clock, a prune runs. Default hourly. */
  everyMs?: number;
  /** Rows deleted per statement: short transactions, so claims never wait behind a big delete. Default 1000. */
  batch?: number;
  /** How often the real timer looks at the clock. Default a minute. */
  lookMs?: number;
  onPruned?: (counts: PruneCounts) => void;
  onError?: (err: unknown) => void;
}

/**
 * Prunes the integrations' logs on the injected clock: delivered deliveries and intake-log
 * entries older than the retention, and dead deliveries that died longer ago than that.
 * Open deliveries are never touched. The timer only looks at the clock; whether a prune is
 * due is the clock's say, so tests move a TestClock and call `runIfDue`.
 * Several instances may prune at once: each delete is by id from a fresh select, harmless twice.
 */
export class IntegrationRetention {
  readonly #integrations: IntegrationStore;
  readonly #clock: Clock;
  readonly #retentionMs: number;
  readonly #everyMs: number;
  readonly #batch: number;
  readonly #lookMs: number;
  readonly #opts: RetentionOptions;
  #nextAt: number;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<PruneCounts | null> | null = null;

  constructor(integrations: IntegrationStore, clock: Clock, opts: RetentionOptions = {}) {
    this.#integrations = integrations;
    this.#clock = clock;
    this.#retentionMs = opts.retentionMs ?? DEFAULT_RETENTION_DAYS * DAY;
    this.#everyMs = opts.everyMs ?? HOUR;
    this.#batch = opts.batch ?? 1000;
    this.#lookMs = opts.lookMs ?? MINUTE;
    this.#opts = opts;
    this.#nextAt = clock.now(); // the first look prunes
  }

  get retentionMs(): number {
    return this.#retentionMs;
  }

  /** Prunes now, batch after batch until nothing older than the retention is left. */
  async runOnce(): Promise<PruneCounts> {
    const cutoff = this.#clock.now() - this.#retentionMs;
    const total: PruneCounts = { deliveries: 0, intakeLog: 0 };
    for (;;) {
      const n = await this.#integrations.pruneBefore(cutoff, this.#batch);
      total.deliveries += n.deliveries;
      total.intakeLog += n.intakeLog;
      if (n.deliveries < this.#batch && n.intakeLog < this.#batch) break;
    }
    if (total.deliveries || total.intakeLog) this.#opts.onPruned?.(total);
    return total;
  }

  /** Prunes when the clock has reached the next due time; null when it was not due. */
  async runIfDue(): Promise<PruneCounts | null> {
    if (this.#running) return this.#running;
    const now = this.#clock.now();
    if (now < this.#nextAt) return null;
    this.#nextAt = now + this.#everyMs;
    this.#running = this.runOnce().finally(() => (this.#running = null));
    return this.#running;
  }

  start(): void {
    if (this.#timer) return;
    const look = () => {
      this.runIfDue()
        .catch((err: unknown) => this.#opts.onError?.(err))
        .finally(() => {
          if (this.#timer) this.#timer = setTimeout(look, this.#lookMs).unref();
        });
    };
    this.#timer = setTimeout(look, 0).unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running?.catch(() => undefined);
  }
}
