import type {
  ActivityType,
  Facets,
  Id,
  Lead,
  LeadEvent,
  LeadPage,
  Pool,
  PoolMode,
  User,
  WorkStatus,
} from './types.js';

/** An error answer of the API: `{error: CODE, message, details?}`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  constructor(status: number, code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
  /** The sentence a refusal rule gives to say what would unblock the rep, if any. */
  get unblock(): string | undefined {
    const u = this.details?.['unblock'];
    return typeof u === 'string' && u.trim() !== '' ? u : undefined;
  }
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

const BASE = '/api/v1';

// The login answer also sets an HttpOnly session cookie; the token is kept in memory
// only as a fallback (it is never written to storage).
let bearer: string | null = null;
let unauthorizedHandler: (() => void) | null = null;

export function setBearer(token: string | null): void {
  bearer = token;
}

/** Called when any request (other than login and the start-up /me) answers 401. */
export function onUnauthorized(handler: (() => void) | null): void {
  unauthorizedHandler = handler;
}

interface RequestOptions {
  signal?: AbortSignal;
  keepalive?: boolean;
  /** Do not treat a 401 as "session over" (login, start-up check). */
  quiet401?: boolean;
}

async function request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T | null> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (bearer) headers['Authorization'] = `Bearer ${bearer}`;
  const res = await fetch(BASE + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    signal: opts.signal,
    keepalive: opts.keepalive,
  });
  if (res.status === 204) return null;
  let data: unknown = null;
  const text = await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const obj = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
    const code = typeof obj['error'] === 'string' ? obj['error'] : `HTTP_${res.status}`;
    const message = typeof obj['message'] === 'string' ? obj['message'] : res.statusText;
    const details =
      obj['details'] && typeof obj['details'] === 'object' ? (obj['details'] as Record<string, unknown>) : undefined;
    if (res.status === 401 && !opts.quiet401) unauthorizedHandler?.();
    throw new ApiError(res.status, code, message, details);
  }
  return data as T;
}

async function must<T>(p: Promise<T | null>): Promise<T> {
  const v = await p;
  if (v === null) throw new ApiError(204, 'EMPTY_RESPONSE', 'The server sent no content.');
  return v;
}

const enc = (id: Id) => encodeURIComponent(String(id));

export const api = {
  login: (email: string, password: string) =>
    must(request<{ token: string; user: User }>('POST', '/auth/login', { email, password }, { quiet401: true })),
  logout: () => request<unknown>('POST', '/auth/logout', undefined, { quiet401: true }),
  me: () => must(request<{ user: User }>('GET', '/me', undefined, { quiet401: true })),

  pools: (signal?: AbortSignal) => must(request<{ items: Pool[] }>('GET', '/pools', undefined, { signal })),
  poolLeads: (poolId: Id, params: URLSearchParams, signal?: AbortSignal) =>
    must(request<LeadPage>('GET', `/pools/${enc(poolId)}/leads?${params.toString()}`, undefined, { signal })),
  facets: (poolId: Id, signal?: AbortSignal) =>
    must(request<Facets>('GET', `/pools/${enc(poolId)}/facets`, undefined, { signal })),
  /** The front lead of a queue, or null when the queue is empty (204). */
  next: async (poolId: Id): Promise<Lead | null> => {
    const r = await request<{ lead: Lead }>('POST', `/pools/${enc(poolId)}/next`);
    return r ? r.lead : null;
  },

  claim: (leadId: Id) => must(request<{ lead: Lead }>('POST', `/leads/${enc(leadId)}/claim`)),
  release: (leadId: Id, reason?: string) =>
    must(request<{ lead: Lead }>('POST', `/leads/${enc(leadId)}/release`, reason ? { reason } : {}, { keepalive: true })),
  activity: (leadId: Id, type: ActivityType, note?: string) =>
    must(request<{ lead: Lead }>('POST', `/leads/${enc(leadId)}/activities`, note ? { type, note } : { type })),
  setStatus: (leadId: Id, status: WorkStatus, reason?: string) =>
    must(request<{ lead: Lead }>('POST', `/leads/${enc(leadId)}/status`, reason ? { status, reason } : { status })),
  lead: (leadId: Id, signal?: AbortSignal) =>
    must(request<{ lead: Lead }>('GET', `/leads/${enc(leadId)}`, undefined, { signal })),
  events: (leadId: Id, signal?: AbortSignal) =>
    must(request<{ items: LeadEvent[] }>('GET', `/leads/${enc(leadId)}/events`, undefined, { signal })),
  myLeads: (signal?: AbortSignal) => must(request<{ items: Lead[] }>('GET', '/me/leads', undefined, { signal })),

  // Manager only
  createPool: (body: { name: string; mode: PoolMode; lockTtlSeconds?: number; previewFields?: string[] }) =>
    must(request<{ pool?: Pool } & Partial<Pool>>('POST', '/pools', body)),
  updatePool: (poolId: Id, body: { name?: string; mode?: PoolMode; lockTtlSeconds?: number; previewFields?: string[] }) =>
    must(request<unknown>('PATCH', `/pools/${enc(poolId)}`, body)),
  users: (signal?: AbortSignal) => must(request<{ items: User[] }>('GET', '/users', undefined, { signal })),
  reassign: (leadId: Id, userId: Id, reason?: string) =>
    must(request<{ lead: Lead }>('POST', `/leads/${enc(leadId)}/reassign`, reason ? { userId, reason } : { userId })),
};
