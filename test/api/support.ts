import { expect } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { bearer, type TestEnv } from '../helpers.js';

/** Shared helpers for the API tests: a small request wrapper, error-body checks and DB snapshots. */

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

export interface CallOptions {
  token?: string | undefined;
  payload?: unknown;
  /** A raw body sent as application/json (for malformed JSON). */
  raw?: string;
  headers?: Record<string, string>;
  cookies?: Record<string, string>;
  remoteAddress?: string;
  query?: Record<string, string | number | (string | number)[]>;
}

export function call(env: TestEnv, method: Method, url: string, opts: CallOptions = {}): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...(opts.token ? bearer(opts.token) : {}), ...(opts.headers ?? {}) };
  let payload: string | undefined;
  if (opts.raw !== undefined) {
    payload = opts.raw;
    headers['content-type'] ??= 'application/json';
  } else if (opts.payload !== undefined) {
    payload = JSON.stringify(opts.payload);
    headers['content-type'] ??= 'application/json';
  }
  return env.app.inject({
    method,
    url: url + queryString(opts.query),
    headers,
    ...(payload !== undefined ? { payload } : {}),
    ...(opts.cookies ? { cookies: opts.cookies } : {}),
    ...(opts.remoteAddress ? { remoteAddress: opts.remoteAddress } : {}),
  });
}

export function queryString(q?: Record<string, string | number | (string | number)[]>): string {
  if (!q) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) {
    for (const one of Array.isArray(v) ? v : [v]) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(one))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

export interface ErrorJson {
  error: string;
  message: string;
  details?: { fields?: { field: string; problem: string }[]; field?: string; [k: string]: unknown };
}

/** Every error body is `{error, message, details?}` and never leaks a stack trace. */
export function expectCleanError(res: LightMyRequestResponse, status: number, code: string, field?: string | RegExp): ErrorJson {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json() as ErrorJson & Record<string, unknown>;
  expect(body.error).toBe(code);
  expect(typeof body.message).toBe('string');
  expect(body.message.length).toBeGreaterThan(0);
  expect(Object.keys(body).every((k) => k === 'error' || k === 'message' || k === 'details')).toBe(true);
  expect(body).not.toHaveProperty('stack');
  expect(res.body).not.toMatch(/\n\s+at\s/);
  expect(res.body).not.toMatch(/\bat .+\.(ts|js):\d+/);
  if (body.details !== undefined) expect(typeof body.details).toBe('object');
  if (typeof field === 'string') expect(namedFields(body)).toContain(field);
  else if (field) expect(namedFields(body).some((f) => field.test(f)), `fields ${JSON.stringify(namedFields(body))} should match ${field}`).toBe(true);
  if (code === 'VALIDATION_FAILED') {
    // A validation error always names at least one field, and says what is wrong with it.
    expect(body.details?.fields?.length ?? 0).toBeGreaterThan(0);
    for (const f of body.details!.fields!) {
      expect(f.field.length).toBeGreaterThan(0);
      expect(f.problem.length).toBeGreaterThan(0);
    }
  }
  return body;
}

/** The fields an error names: `details.fields[].field` for validation errors, else `details.field`. */
export function namedFields(body: ErrorJson): string[] {
  const out: string[] = [];
  if (Array.isArray(body.details?.fields)) out.push(...body.details.fields.map((f) => f.field));
  if (typeof body.details?.field === 'string') out.push(body.details.field);
  return out;
}

/** Everything a request could have written, to compare before and after a refused request. */
export async function snapshot(env: TestEnv): Promise<Record<string, unknown>> {
  const db = env.store.db;
  const all = (sql: string) => db.prepare(sql).all();
  return {
    lastEventId: await env.store.lastEventId(),
    leads: all('SELECT * FROM leads ORDER BY id'),
    pools: all('SELECT * FROM pools ORDER BY id'),
    users: all('SELECT id, email, name, role FROM users ORDER BY id'),
    apiKeys: all('SELECT * FROM api_keys ORDER BY id'),
    exclusions: all('SELECT * FROM lead_exclusions ORDER BY lead_id, user_id'),
  };
}

export async function countLeads(env: TestEnv): Promise<number> {
  return (env.store.db.prepare('SELECT COUNT(*) AS n FROM leads').get() as { n: number }).n;
}

/** A lead's id, status and owner as stored. */
export async function stored(env: TestEnv, id: number): Promise<{ status: string; ownerId: number | null }> {
  const l = await env.store.getLead(id);
  if (!l) throw new Error(`no lead ${id}`);
  return { status: l.status, ownerId: l.ownerId };
}

/** Parses one Set-Cookie header into its name, value and attributes (lower-cased names). */
export function parseSetCookie(header: string): { name: string; value: string; attrs: Map<string, string | true> } {
  const [first, ...rest] = header.split(';').map((s) => s.trim());
  const eq = first!.indexOf('=');
  const attrs = new Map<string, string | true>();
  for (const a of rest) {
    const i = a.indexOf('=');
    if (i < 0) attrs.set(a.toLowerCase(), true);
    else attrs.set(a.slice(0, i).toLowerCase(), a.slice(i + 1));
  }
  return { name: first!.slice(0, eq), value: first!.slice(eq + 1), attrs };
}

export function setCookies(res: LightMyRequestResponse): string[] {
  const h = res.headers['set-cookie'];
  return h === undefined ? [] : Array.isArray(h) ? h : [String(h)];
}
