import type { Clock } from '../core/clock.js';
import type { Store } from '../store/store.js';

/**
 * Takes each pool's waiting mix every `everyMs` (default a minute): claims are compared with
 * the latest one to measure cherry-picking. Several instances may each take one; the newest
 * wins and the cost is a few slices of index counting.
 */
export class MixSnapshotLoop {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly everyMs = 60_000,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  start(): void {
    const tick = () => {
      this.#running = this.runOnce()
        .catch(this.onError)
        .finally(() => {
          this.#running = null;
        });
    };
    tick();
    this.#timer = setInterval(tick, this.everyMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  async runOnce(): Promise<void> {
    for (const pool of await this.store.listPools()) await this.store.snapshotPoolMix(pool.id, this.clock.now());
  }
}
