/** Small helpers shared by the benchmark modules: stats, progress lines, the server child. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { request, Agent } from 'node:http';
import { leadpoolCommand as cliArgs } from '../test/cli-command.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CACHE = join(ROOT, 'bench', '.cache');

/**
 * How to run the `leadpool` command, as the tests do (test/cli-command.ts): the compiled CLI,
 * as users run it, when the build is newer than the sources; otherwise the sources through tsx,
 * whose module compilation adds about a second to a command (said in the label, so a figure is
 * never mistaken).
 */
export function leadpoolCommand(): { args: string[]; label: string } {
  const args = cliArgs();
  return { args, label: args[0]!.endsWith('leadpool.js') ? 'compiled CLI' : 'from sources via tsx: the build is missing or older than src/' };
}

export interface Stats {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Percentiles (nearest rank) of latencies in ms. */
export function stats(samples: ArrayLike<number>): Stats {
  const a = Float64Array.from(samples as ArrayLike<number>).sort();
  const n = a.length;
  if (n === 0) return { n: 0, p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN };
  const at = (p: number) => a[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))]!;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += a[i]!;
  return { n, p50: at(50), p90: at(90), p99: at(99), max: a[n - 1]!, mean: sum / n };
}

/** A growable Float64 sample buffer (millions of samples without boxed numbers). */
export class Samples {
  buf = new Float64Array(1 << 16);
  n = 0;
  push(v: number): void {
    if (this.n === this.buf.length) {
      const b = new Float64Array(this.buf.length * 2);
      b.set(this.buf);
      this.buf = b;
    }
    this.buf[this.n++] = v;
  }
  view(): Float64Array {
    return this.buf.subarray(0, this.n);
  }
}

export const fmt = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : '—');
export const fmtInt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en') : '—');

let lastProgress = 0;
/** One status line that rewrites itself (on a TTY), at most ~10 times a second. */
export function progress(text: string, force = false): void {
  const t = Date.now();
  if (!force && t - lastProgress < 100) return;
  lastProgress = t;
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}`);
  else if (force) process.stderr.write(`${text}\n`);
}
export function progressDone(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K`);
  console.log(text);
}

export function log(text: string): void {
  console.log(text);
}

/** Deterministic xorshift32 for shuffles. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

export function shuffledIds(n: number, seed: number): Int32Array {
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) ids[i] = i + 1;
  const r = rng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    const t = ids[i]!;
    ids[i] = ids[j]!;
    ids[j] = t;
  }
  return ids;
}

// ------------------------------------------------------------------ the server child

export interface ServerChild {
  proc: ChildProcess;
  port: number;
  url: string;
  pid: number;
  stop(): Promise<void>;
  /** VmRSS / VmHWM of the child in MB. */
  memory(): { rssMb: number; hwmMb: number };
  /** CPU seconds the child has used so far, all its threads. */
  cpuSeconds(): number;
  stderrTail(): string;
}

/** User + system CPU seconds of all the process's threads so far (Linux's /proc). */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // the fields from the 3rd on
  return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS; // utime, stime
}

/** USER_HZ: 100 on every Linux a Node 20 runs on. */
const CLOCK_TICKS = 100;

/**
 * Bytes the block device holding `path` has written so far (Linux's /sys/dev/block), or NaN
 * where that cannot be read. The whole device: anything else writing to it at the time counts.
 */
export function deviceBytesWritten(path: string): number {
  try {
    const dev = statSync(path).dev;
    const major = (dev >> 8) & 0xfff;
    const minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
    const f = readFileSync(`/sys/dev/block/${major}:${minor}/stat`, 'utf8').trim().split(/\s+/);
    return Number(f[6]) * 512; // sectors written; a sector here is always 512 bytes
  } catch {
    return NaN;
  }
}

let nextPort = 41000 + Math.floor(Math.random() * 2000);

/** Starts the real server (`leadpool serve`) on `dataDir` in a child process and waits for it; a port in use (other work on the machine) is skipped. */
export async function startServer(dataDir: string): Promise<ServerChild> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServerOn(dataDir, nextPort++);
    } catch (err) {
      if (attempt >= 5 || !/EADDRINUSE/.test((err as Error).message)) throw err;
    }
  }
}

async function startServerOn(dataDir: string, port: number): Promise<ServerChild> {
  const proc = spawn(
    process.execPath,
    [...leadpoolCommand().args, 'serve', '--port', String(port), '--data', dataDir, '--no-demo', '--log-level', 'warn'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } },
  );
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    if (err.length > 20_000) err = err.slice(-10_000);
  });
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`server exited (${code}) before it listened:\n${out}\n${err}`));
    proc.once('exit', onExit);
    const iv = setInterval(() => {
      if (out.includes('Leadpool is running at')) {
        clearInterval(iv);
        proc.off('exit', onExit);
        resolve();
      } else if (Date.now() - started > 120_000) {
        clearInterval(iv);
        reject(new Error(`server did not start in 120 s:\n${out}\n${err}`));
      }
    }, 20);
  });
  const pid = proc.pid!;
  return {
    proc,
    port,
    pid,
    url: `http://127.0.0.1:${port}`,
    stderrTail: () => err.slice(-2000),
    cpuSeconds: () => processCpuSeconds(pid),
    memory() {
      const s = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? NaN);
      return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
    },
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** One JSON request (no load measurement): for set-up steps. */
export function httpJson(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
  agent?: Agent,
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const u = new URL(path, url);
    const headers: Record<string, string | number> = {};
    if (data !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(data);
    }
    if (token) headers.authorization = `Bearer ${token}`;
    const req = request({ hostname: u.hostname, port: u.port, path: u.pathname + u.search, method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('error', reject);
    if (data !== undefined) req.write(data);
    req.end();
  });
}

export async function login(url: string, email: string, password: string): Promise<string> {
  const r = await httpJson(url, 'POST', '/api/v1/auth/login', { email, password });
  if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token as string;
}
