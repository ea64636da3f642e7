/**
 * A small closed-loop HTTP load generator on node:http: `connections` workers, each with its
 * own keep-alive socket (an Agent with maxSockets 1), each sending its next request as soon as
 * the previous answer has been read. Latency is request start to last byte of the response.
 */
import { Agent, request } from 'node:http';
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

export function send(agent: Agent, base: URL, r: Req, keepBody = false): Promise<{ status: number; ms: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {};
    if (r.token) headers.authorization = `Bearer ${r.token}`;
    if (r.body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(r.body);
    }
    const t = performance.now();
    const req = request({ hostname: base.hostname, port: base.port, path: r.path, method: r.method, headers, agent }, (res) => {
      const status = res.statusCode ?? 0;
      const keep = keepBody || status >= 300;
      const chunks: Buffer[] = [];
      if (keep) res.on('data', (c: Buffer) => chunks.push(c));
      else res.resume();
      res.on('end', () => resolve({ status, ms: performance.now() - t, body: keep ? Buffer.concat(chunks).toString() : '' }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (r.body !== undefined) req.write(r.body);
    req.end();
  });
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
}): Promise<LoadResult> {
  const base = new URL(opts.url);
  const agents = Array.from({ length: opts.connections }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
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
    agents.map(async (agent, w) => {
      for (;;) {
        const now = performance.now();
        if (now >= end) return;
        const r = opts.next(w);
        if (!r) return;
        const measured = now >= warmEnd;
        if (measured && measureStart === 0) measureStart = now;
        try {
          const res = await send(agent, base, r);
          if (measured) {
            lat.push(res.ms);
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
  for (const a of agents) a.destroy();
  const seconds = (lastEnd - measureStart) / 1000;
  return { requests: counted, seconds, perSecond: counted / seconds, latency: stats(lat.view()), statuses, errors, failures };
}
