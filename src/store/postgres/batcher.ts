/**
 * Coalesces concurrent requests of one kind (per key) into batches, the way a database's
 * group commit coalesces commits: with fewer than `maxInFlight` batches of a key running,
 * the requests of this event-loop turn start together (a lone one alone, without waiting for
 * a timer); while they all run, requests wait and then leave together. So a lone caller pays
 * no wait, and under load each statement serves many callers: PostgreSQL's cost of a
 * statement (parse, locks on every relation it touches, executor start, commit) is paid once
 * per batch instead of once per request.
 */
export interface BatcherOptions<K, Req, Res> {
  /** Batches of one key running at once. */
  maxInFlight: number;
  /** Requests in one batch at most. */
  maxBatch: number;
  /** Whether `req` may join `batch` (else it waits for a later one): e.g. one request per rep. */
  fits?: (batch: readonly Req[], req: Req) => boolean;
  /**
   * Runs one batch; returns one result per request, in order (a promise settles its request
   * its own way, a rejected one rejects only that request). A throw rejects them all.
   */
  run: (key: K, batch: Req[]) => Promise<(Res | Promise<Res>)[]>;
}

interface Waiting<Req, Res> {
  req: Req;
  resolve: (r: Res | Promise<Res>) => void;
  reject: (e: unknown) => void;
}

interface Lane<Req, Res> {
  running: number;
  waiting: Waiting<Req, Res>[];
  /** A start is queued for the end of this turn of the event loop. */
  scheduled: boolean;
}

export class Batcher<K, Req, Res> {
  readonly #lanes = new Map<K, Lane<Req, Res>>();

  constructor(private readonly opts: BatcherOptions<K, Req, Res>) {}

  submit(key: K, req: Req): Promise<Res> {
    let lane = this.#lanes.get(key);
    if (!lane) this.#lanes.set(key, (lane = { running: 0, waiting: [], scheduled: false }));
    const done = new Promise<Res>((resolve, reject) => lane.waiting.push({ req, resolve, reject }));
    this.#schedule(key, lane);
    return done;
  }

  /**
   * Starts batches at the end of this turn of the event loop, not at once: the callers a
   * finished batch just answered come straight back, and starting on the first of them would
   * send it alone and make the rest wait for the next free slot (measured: 7 in 8 statements
   * then carried one call).
   */
  #schedule(key: K, lane: Lane<Req, Res>): void {
    if (lane.scheduled || lane.running >= this.opts.maxInFlight) return;
    lane.scheduled = true;
    setImmediate(() => {
      lane.scheduled = false;
      // Spread what waits over the free slots: the statements run in parallel on the server.
      while (lane.waiting.length > 0 && lane.running < this.opts.maxInFlight) {
        this.#start(key, lane, Math.ceil(lane.waiting.length / (this.opts.maxInFlight - lane.running)));
      }
      if (lane.running === 0 && lane.waiting.length === 0) this.#lanes.delete(key);
    });
  }

  #start(key: K, lane: Lane<Req, Res>, size: number): void {
    const batch: Waiting<Req, Res>[] = [];
    const reqs: Req[] = [];
    const rest: Waiting<Req, Res>[] = [];
    for (const w of lane.waiting) {
      if (batch.length < Math.min(size, this.opts.maxBatch) && (this.opts.fits?.(reqs, w.req) ?? true)) {
        batch.push(w);
        reqs.push(w.req);
      } else rest.push(w);
    }
    lane.waiting = rest;
    lane.running++;
    void this.#run(key, lane, batch, reqs);
  }

  async #run(key: K, lane: Lane<Req, Res>, batch: Waiting<Req, Res>[], reqs: Req[]): Promise<void> {
    try {
      const out = await this.opts.run(key, reqs);
      batch.forEach((w, i) => w.resolve(out[i]!));
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      lane.running--;
      if (lane.waiting.length > 0) this.#schedule(key, lane);
      else if (lane.running === 0 && !lane.scheduled) this.#lanes.delete(key);
    }
  }
}
