import type {
  Availability,
  DecisionTrace,
  EscalationPolicy,
  FieldProblem,
  NamedAccount,
  PoolAccess,
  Rep,
  RepPatch,
  RoutingVersion,
  RuleSet,
  TierChange,
  TierSettings,
  TierThresholds,
  ApiKey,
  ImportResult,
  MyStats,
  Overview,
  PoolRules,
  Role,
  SkipReason,
  TeamBoardRow,
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
  /** The fields a 400 VALIDATION_FAILED names (`details.fields`). */
  get fields(): FieldProblem[] {
    const f = this.details?.['fields'];
    return Array.isArray(f) ? f.filter((x): x is FieldProblem => !!x && typeof (x as FieldProblem).field === 'string') : [];
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
  quiet401?: boolean;
  /** Send `body` as this content type, as is (CSV upload). */
  rawType?: string;
}

export async function request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T | null> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = opts.rawType ?? 'application/json';
  if (bearer) headers['Authorization'] = `Bearer ${bearer}`;
  const res = await fetch(BASE + path, {
    method,
    headers,
    body: body === undefined ? undefined : opts.rawType ? (body as BodyInit) : JSON.stringify(body),
    credentials: 'same-origin',
    signal: opts.signal,
    keepalive: opts.keepalive,
  });
  return readResponse<T>(res, opts);
}

/** An answer of the API as data: null for 204, an ApiError for an error status (a 401 also signs out, unless quiet). */
export async function readResponse<T>(res: Response, opts: { quiet401?: boolean } = {}): Promise<T | null> {
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

export async function must<T>(p: Promise<T | null>): Promise<T> {
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
  updateMe: (body: { locale?: 'en' | 'de' | null; timeZone?: string | null }) => must(request<{ user: User }>('PATCH', '/me', body)),
  /** A rep sets their own availability; managers change any rep's settings. */
  updateRep: (userId: Id, body: RepPatch | { availability: Availability }) => must(request<Rep>('PATCH', `/reps/${enc(userId)}`, body)),

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

  skip: (leadId: Id, reason: SkipReason, note?: string) =>
    must(request<{ lead: Lead }>('POST', `/leads/${enc(leadId)}/skip`, note ? { reason, note } : { reason })),
  myStats: (signal?: AbortSignal) => must(request<MyStats>('GET', '/me/stats', undefined, { signal })),
  teamBoard: (signal?: AbortSignal) =>
    must(request<{ enabled: boolean; reps: TeamBoardRow[] }>('GET', '/team-board', undefined, { signal })),
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
  createPool: (body: { name: string; mode: PoolMode; lockTtlSeconds?: number; previewFields?: string[]; rules?: PoolRules | null }) =>
    must(request<Pool>('POST', '/pools', body)),
  updatePool: (
    poolId: Id,
    body: {
      name?: string;
      mode?: PoolMode;
      lockTtlSeconds?: number;
      previewFields?: string[];
      rules?: PoolRules | null;
      escalation?: EscalationPolicy | null;
      access?: Record<string, PoolAccess> | null;
    },
  ) => must(request<Pool>('PATCH', `/pools/${enc(poolId)}`, body)),
  routing: (signal?: AbortSignal) => must(request<{ version: RoutingVersion | null }>('GET', '/routing', undefined, { signal })),
  saveRouting: (ruleSet: RuleSet, note?: string) =>
    must(request<{ version: RoutingVersion }>('PUT', '/routing', note ? { ruleSet, note } : { ruleSet })),
  routingVersions: (signal?: AbortSignal) => must(request<{ items: RoutingVersion[] }>('GET', '/routing/versions', undefined, { signal })),
  dryRun: (body: { ruleSet?: RuleSet; lastN?: number; leads?: Record<string, unknown>[] }, signal?: AbortSignal) =>
    must(request<{ decisions: DecisionTrace[] }>('POST', '/routing/dry-run', body, { signal })),
  reps: (signal?: AbortSignal) => must(request<{ items: Rep[] }>('GET', '/reps', undefined, { signal })),
  setRotation: (team: string, paused: boolean) =>
    must(request<{ team: string; paused: boolean }>('PUT', `/rotations/${encodeURIComponent(team)}`, { paused })),
  tierSettings: (signal?: AbortSignal) => must(request<TierSettings>('GET', '/settings/tiers', undefined, { signal })),
  setTierSettings: (body: { auto: boolean; thresholds?: TierThresholds }) =>
    must(request<{ changes: TierChange[] }>('PUT', '/settings/tiers', body)),
  accounts: (signal?: AbortSignal) => must(request<{ items: NamedAccount[] }>('GET', '/accounts', undefined, { signal })),
  createAccount: (body: Omit<NamedAccount, 'id'>) => must(request<NamedAccount>('POST', '/accounts', body)),
  updateAccount: (id: Id, body: Partial<Omit<NamedAccount, 'id'>>) => must(request<NamedAccount>('PATCH', `/accounts/${enc(id)}`, body)),
  deleteAccount: (id: Id) => request<null>('DELETE', `/accounts/${enc(id)}`),
  importAccounts: (csv: Blob | string) =>
    must(request<{ created: number; updated: number }>('POST', '/accounts/import', csv, { rawType: 'text/csv' })),
  teamRules: (signal?: AbortSignal) =>
    must(request<{ rules: PoolRules; seedDefaults: PoolRules }>('GET', '/settings/rules', undefined, { signal })),
  setTeamRules: (rules: PoolRules) => must(request<{ rules: PoolRules }>('PUT', '/settings/rules', rules)),
  setTeamBoard: (enabled: boolean) => must(request<{ enabled: boolean }>('PUT', '/settings/team-board', { enabled })),
  overview: (q: { from: string; to?: string; poolId?: Id }, signal?: AbortSignal) => {
    const p = new URLSearchParams({ from: q.from });
    if (q.to) p.set('to', q.to);
    if (q.poolId !== undefined) p.set('poolId', String(q.poolId));
    return must(request<Overview>('GET', `/metrics/overview?${p.toString()}`, undefined, { signal }));
  },
  review: (signal?: AbortSignal) => must(request<{ items: Lead[] }>('GET', '/review', undefined, { signal })),
  users: (signal?: AbortSignal) => must(request<{ items: User[] }>('GET', '/users', undefined, { signal })),
  createUser: (body: { email: string; name: string; role: Role; password: string }) => must(request<User>('POST', '/users', body)),
  apiKeys: (signal?: AbortSignal) => must(request<{ items: ApiKey[] }>('GET', '/api-keys', undefined, { signal })),
  createApiKey: (body: { name: string; scope: 'ingest' | 'full' }) =>
    must(request<{ key: string; apiKey: ApiKey }>('POST', '/api-keys', body)),
  revokeApiKey: (id: Id) => must(request<ApiKey>('DELETE', `/api-keys/${enc(id)}`)),
  importCsv: (poolId: Id, csv: Blob | string, dryRun: boolean) =>
    must(
      request<ImportResult>('POST', `/imports?pool=${enc(poolId)}&dryRun=${dryRun ? 'true' : 'false'}`, csv, {
        rawType: 'text/csv',
      }),
    ),
  reassign: (leadId: Id, userId: Id, reason?: string) =>
    must(request<{ lead: Lead }>('POST', `/leads/${enc(leadId)}/reassign`, reason ? { userId, reason } : { userId })),
  // "What if" runs (the view holds their types)
  startSimulation: <T,>(body: Record<string, unknown>) => must(request<T>('POST', '/simulations', body)),
  simulation: <T,>(id: string, signal?: AbortSignal) => must(request<T>('GET', `/simulations/${enc(id)}`, undefined, { signal })),
  simulations: <T,>(signal?: AbortSignal) => must(request<{ items: T[] }>('GET', '/simulations', undefined, { signal })),
  cancelSimulation: <T,>(id: string) => must(request<T>('DELETE', `/simulations/${enc(id)}`)),
};
