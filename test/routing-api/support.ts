import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import type { LeadInput } from '../../src/core/lead-input.js';
import type { Lead, LeadEvent } from '../../src/core/types.js';
import type { DecisionTrace } from '../../src/core/routing/index.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { buildApp } from '../../src/server/app.js';
import { LockTimerLoop } from '../../src/scheduler/lock-timers.js';
import { newToken, tokenHash } from '../../src/server/tokens.js';
import type { Role } from '../../src/core/types.js';
import { bearer, buildLead, makeEnv, type TestEnv } from '../helpers.js';

export { bearer, buildLead, makeEnv, type TestEnv };
export const MIN = 60_000;
export const HOUR = 60 * MIN;

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One request through the real app, as the holder of `token`. */
export function call(env: TestEnv, token: string, method: Method, url: string, payload?: unknown): Promise<LightMyRequestResponse> {
  return env.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload === undefined ? {} : { payload: payload as object }) });
}

/** Asserts a status and returns the JSON body (the body is in the message when it fails). */
export async function ok<T = any>(res: Promise<LightMyRequestResponse> | LightMyRequestResponse, status = 200): Promise<T> {
  const r = await res;
  if (r.statusCode !== status) throw new Error(`expected HTTP ${status}, got ${r.statusCode}: ${r.body}`);
  return (r.body ? r.json() : null) as T;
}

/** The fields a 400 names, in order. */
export function fieldsOf(res: LightMyRequestResponse): string[] {
  return ((res.json().details?.fields ?? []) as { field: string }[]).map((f) => f.field);
}

let people = 0;
/**
 * A signed-in person without the slow password sign-in: the user row and a session row, as
 * POST /auth/login would write them. The session lasts 60 days, so clock ticks never end it.
 */
export async function person(env: TestEnv, role: Role, name?: string): Promise<Rep> {
  const n = ++people;
  const email = `${role}${n}.${Math.random().toString(36).slice(2, 8)}@routing.example`;
  const u = await env.store.createUser({ email, name: name ?? `${role[0]!.toUpperCase()}${role.slice(1)} ${n}`, role, passwordHash: null }, { kind: 'system', name: 'test' }, env.clock.now());
  const token = newToken('lps');
  await env.store.createSession({ tokenHash: tokenHash(token), userId: u.id, expiresAt: env.clock.now() + 60 * 24 * HOUR }, env.clock.now());
  return { id: u.id, token, email, name: u.name };
}

export interface Rep {
  id: number;
  token: string;
  email: string;
  name: string;
}

/** Reps created in userId order, put in a team through PATCH /reps/:id (with any other settings). */
export async function makeTeam(env: TestEnv, manager: string, team: string, n: number, settings: Record<string, unknown>[] = []): Promise<Rep[]> {
  const reps: Rep[] = [];
  for (let i = 0; i < n; i++) {
    const rep = await person(env, 'rep');
    await ok(call(env, manager, 'PATCH', `/reps/${rep.id}`, { team, ...(settings[i] ?? {}) }));
    reps.push(rep);
  }
  return reps;
}

/** A pool created through the API (escalation and access included), returning its id. */
export async function makePool(env: TestEnv, manager: string, body: Record<string, unknown>): Promise<number> {
  return (await ok(call(env, manager, 'POST', '/pools', body), 201)).id as number;
}

export async function putRouting(env: TestEnv, manager: string, ruleSet: unknown, note?: string): Promise<any> {
  return ok(call(env, manager, 'PUT', '/routing', { ruleSet, ...(note ? { note } : {}) }));
}

/** Leads without a poolId, fed through the batch route: routing decides where they go. Returns their ids. */
export async function ingest(env: TestEnv, token: string, leads: Partial<LeadInput>[]): Promise<number[]> {
  const body = await ok(call(env, token, 'POST', '/leads/batch', { leads: leads.map((l) => routedLead(l)) }));
  return (body.leads as { id: number }[]).map((l) => l.id);
}

/** A valid lead without poolId (so the rule set routes it). */
export function routedLead(over: Partial<LeadInput> = {}): LeadInput {
  const l = buildLead(over);
  delete (l as Partial<LeadInput>).poolId;
  return l;
}

/** The lead as a manager sees it through GET /leads/{id}. */
export async function lead(env: TestEnv, manager: string, id: number): Promise<any> {
  return (await ok(call(env, manager, 'GET', `/leads/${id}`))).lead;
}

export async function trace(env: TestEnv, manager: string, id: number): Promise<DecisionTrace> {
  return (await lead(env, manager, id)).routing as DecisionTrace;
}

/** The lead's history through GET /leads/{id}/events. */
export async function history(env: TestEnv, token: string, id: number): Promise<LeadEvent[]> {
  return (await ok(call(env, token, 'GET', `/leads/${id}/events`))).items as LeadEvent[];
}

export async function owners(env: TestEnv, ids: number[]): Promise<(number | null)[]> {
  const byId = new Map((await env.store.getLeads(ids)).map((l: Lead) => [l.id, l.ownerId]));
  return ids.map((id) => byId.get(id) ?? null);
}

export async function allEvents(env: TestEnv): Promise<LeadEvent[]> {
  return env.store.eventsAfter(0, 100_000);
}

/**
 * A restart: closes the app and store and opens the same database file with a new SqliteStore
 * and a new app (same clock). Sessions are rows, so tokens stay valid. `cleanup` closes the new ones.
 */
export async function restart(env: TestEnv): Promise<void> {
  await env.timers.stop();
  await env.app.close();
  await env.store.close();
  const store = new SqliteStore(join(env.dir, 'leadpool.db'));
  await store.migrate();
  const app = await buildApp({ store, clock: env.clock, logger: false });
  await app.ready();
  env.store = store;
  env.app = app;
  env.timers = new LockTimerLoop(store, env.clock, { onFired: () => app.ctx.hub.poke() });
  env.cleanup = async () => {
    await app.close();
    await store.close();
    rmSync(env.dir, { recursive: true, force: true });
  };
}
