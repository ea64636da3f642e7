/**
 * A small HTTP load generator: `connections` workers, each with its own keep-alive socket.
 * Closed loop by default: each sends its next request as soon as the previous answer has been
 * read, and latency is request start to last byte of the response. With `ratePerSecond` the
 * load is paced instead: the workers' sends are scheduled evenly at that rate, and latency runs
 * from each request's scheduled time, so a request held up behind a slow answer counts the
 * wait (no coordinated omission).
 */
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Samples, stats, type Stats } from './lib.js';

export interface Req {
  method: 'GET' | 'POST';
  path: string;
  token?: string;
  body?: string;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  latency: Stats;
  statuses: Record<string, number>;
  errors: number;
  /** The first few non-2xx bodies, to see why. */
  failures: string[];
}

/**
 * One keep-alive HTTP/1.1 connection on a raw socket, one request at a time. Leaner than the
 * node:http client (which capped a 50-connection GET at ~9k req/s here and took CPU from the
 * server on this 2-core machine); it understands what Fastify sends: Content-Length or chunked.
 */
export class Conn {
  readonly #sock: Socket;
  readonly #host: string;
  #ready: Promise<void>;
  #chunks: Buffer[] = [];
  #len = 0;
  #pending: { resolve: (r: { status: number; ms: number; body: string }) => void; reject: (e: Error) => void; t: number; keepBody: boolean } | null = null;
  #closed: Error | null = null;

  constructor(base: URL) {
    this.#host = base.host;
    this.#sock = connect({ host: base.hostname, port: Number(base.port) });
    this.#sock.setNoDelay(true);
    this.#ready = new Promise((resolve, reject) => {
      this.#sock.once('connect', () => resolve());
      this.#sock.once('error', reject);
    });
    this.#sock.on('data', (d: Buffer) => this.#onData(d));
    const fail = (e: Error) => {
      this.#closed = e;
      const p = this.#pending;
      this.#pending = null;
      p?.reject(e);
    };
    this.#sock.on('error', fail);
    this.#sock.on('close', () => fail(new Error('connection closed')));
  }

  async request(r: Req, keepBody = false): Promise<{ status: number; ms: number; body: string }> {
    await this.#ready;
    if (this.#closed) throw this.#closed;
    if (this.#pending) throw new Error('one request at a time per connection');
    let head = `${r.method} ${r.path} HTTP/1.1\r\nhost: ${this.#host}\r\n`;
    if (r.token) head += `authorization: Bearer ${r.token}\r\n`;
    if (r.body !== undefined) head += `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(r.body)}\r\n\r\n`;
    else head += r.method === 'POST' ? 'content-length: 0\r\n\r\n' : '\r\n';
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject, t: performance.now(), keepBody };
      this.#sock.write(r.body === undefined ? head : head + r.body);
    });
  }

  #onData(d: Buffer): void {
    this.#chunks.push(d);
    this.#len += d.length;
    const p = this.#pending;
    if (!p) return;
    const buf = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#len);
    this.#chunks = [buf];
    const he = buf.indexOf('\r\n\r\n');
    if (he < 0) return;
    const head = buf.toString('latin1', 0, he).toLowerCase();
    const status = Number(head.slice(9, 12));
    const m = /\r\ncontent-length:\s*(\d+)/.exec(head);
    let bodyEnd: number;
    let body = '';
    if (m) {
      bodyEnd = he + 4 + Number(m[1]);
      if (buf.length < bodyEnd) return;
      if (p.keepBody || status >= 300) body = buf.toString('utf8', he + 4, bodyEnd);
    } else if (/\r\ntransfer-encoding:\s*chunked/.test(head)) {
      // Decode chunks until the zero-length one.
      let i = he + 4;
      const parts: Buffer[] = [];
      for (;;) {
        const le = buf.indexOf('\r\n', i);
        if (le < 0) return;
        const size = parseInt(buf.toString('latin1', i, le), 16);
        if (buf.length < le + 2 + size + 2) return;
        if (size === 0) {
          bodyEnd = le + 4;
          break;
        }
        parts.push(buf.subarray(le + 2, le + 2 + size));
        i = le + 2 + size + 2;
      }
      body = Buffer.concat(parts).toString('utf8');
    } else {
      bodyEnd = he + 4;
    }
    const rest = buf.subarray(bodyEnd);
    this.#chunks = rest.length ? [Buffer.from(rest)] : [];
    this.#len = rest.length;
    this.#pending = null;
    p.resolve({ status, ms: performance.now() - p.t, body });
  }

  close(): void {
    this.#sock.removeAllListeners('close');
    this.#sock.destroy();
  }
}

/**
 * Runs `connections` workers until `next` returns null or `seconds` have passed. Requests that
 * start in the first `warmupSeconds` are sent but not counted.
 */
export async function runLoad(opts: {
  url: string;
  connections: number;
  seconds: number;
  warmupSeconds?: number;
  next: (worker: number) => Req | null;
  onTick?: (done: number, elapsed: number) => void;
  /** Paced load: requests per second over all connections (default: closed loop). */
  ratePerSecond?: number;
}): Promise<LoadResult> {
  const base = new URL(opts.url);
  const conns = Array.from({ length: opts.connections }, () => new Conn(base));
  const lat = new Samples();
  const statuses: Record<string, number> = {};
  const failures: string[] = [];
  let errors = 0;
  let counted = 0;
  const start = performance.now();
  const warmEnd = start + (opts.warmupSeconds ?? 0) * 1000;
  const end = warmEnd + opts.seconds * 1000;
  let measureStart = 0;
  let lastEnd = 0;
  const tick = opts.onTick ? setInterval(() => opts.onTick!(counted, (performance.now() - start) / 1000), 250) : null;

  await Promise.all(
    conns.map(async (conn, w) => {
      // Paced: this worker's k-th send is due at start + (k·connections + w) / rate.
      const every = opts.ratePerSecond ? (1000 * opts.connections) / opts.ratePerSecond : 0;
      let due = start + (every * w) / opts.connections;
      for (;;) {
        if (every) {
          const wait = due - performance.now();
          if (wait > 0.5) await new Promise((r) => setTimeout(r, wait));
        }
        const now = performance.now();
        if (now >= end) return;
        const r = opts.next(w);
        if (!r) return;
        const sentAt = every ? Math.min(due, now) : now;
        due += every;
        const measured = sentAt >= warmEnd;
        if (measured && measureStart === 0) measureStart = sentAt;
        try {
          const res = await conn.request(r);
          if (measured) {
            lat.push(every ? performance.now() - sentAt : res.ms);
            counted++;
            statuses[res.status] = (statuses[res.status] ?? 0) + 1;
            lastEnd = performance.now();
            if (res.status >= 300 && failures.length < 5) failures.push(`${res.status} ${r.method} ${r.path}: ${res.body.slice(0, 300)}`);
          }
        } catch (err) {
          errors++;
          if (failures.length < 5) failures.push(`error ${r.method} ${r.path}: ${(err as Error).message}`);
          if (errors > 1000) throw err;
        }
      }
    }),
  );
  if (tick) clearInterval(tick);
  for (const c of conns) c.close();
  const seconds = (lastEnd - measureStart) / 1000;
  return { requests: counted, seconds, perSecond: counted / seconds, latency: stats(lat.view()), statuses, errors, failures };
}
