import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.js';
import type { Actor, Role } from '../core/types.js';
import type { Viewer } from '../core/visibility.js';
import type { Store, UserActor } from '../store/store.js';
import { tokenHash } from './tokens.js';

export const SESSION_COOKIE = 'leadpool_session';

/** What a route needs from the caller. `ingest` admits ingest-scoped API keys as well as people. */
export type Access = 'public' | 'user' | 'manager' | 'admin' | 'ingest';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

const RANK: Record<Role, number> = { rep: 0, manager: 1, admin: 2 };

/**
 * Resolves `Authorization: Bearer …` (a session token or an API key) or the session cookie.
 * Session lookups are cached for a few seconds: at thousands of claims a second the lookup
 * would otherwise be a second query per request.
 */
export function makeAuthenticator(store: Store, now: () => number) {
  const cache = new Map<string, { actor: Actor; until: number }>();
  // Another instance's logout or revocation is seen this late at worst; this one's at once.
  const CACHE_MS = 5000;

  async function resolve(token: string): Promise<Actor | null> {
    const h = tokenHash(token);
    const hit = cache.get(h);
    const t = now();
    if (hit && hit.until > t) return hit.actor;
    let actor: Actor | null = null;
    let until = t + CACHE_MS;
    if (token.startsWith('lpk_')) {
      const key = await store.findApiKey(h);
      if (key) actor = { kind: 'api_key', keyId: key.id, scope: key.scope, name: `API key "${key.name}"` };
    } else {
      const session = await store.findSession(h, t);
      if (session) {
        actor = { kind: 'user', userId: session.id, role: session.role, name: session.name };
        until = Math.min(until, session.expiresAt); // never past the session's end
      }
    }
    if (actor) {
      if (cache.size > 10_000) cache.clear();
      cache.set(h, { actor, until });
    } else cache.delete(h);
    return actor;
  }

  return {
    forget(token: string) {
      cache.delete(tokenHash(token));
    },
    /** After a revocation: every cached identity is looked up again. */
    forgetAll() {
      cache.clear();
    },
    async hook(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
      const access = req.routeOptions.config.access ?? 'user';
      req.actor = null;
      const header = req.headers.authorization;
      let token: string | undefined;
      if (header) {
        const m = /^Bearer\s+(\S+)$/i.exec(header);
        if (!m) throw new AppError('UNAUTHENTICATED', 'Authorization header must be "Bearer <token>".');
        token = m[1];
      } else {
        token = req.cookies?.[SESSION_COOKIE];
      }
      if (token) req.actor = await resolve(token);
      if (access === 'public') return;
      if (!req.actor) {
        throw new AppError('UNAUTHENTICATED', token ? 'The session has expired or the key was revoked: sign in again.' : 'Sign in first: send Authorization: Bearer <token>.');
      }
      authorize(req.actor, access);
    },
  };
}

export function authorize(actor: Actor, access: Access): void {
  if (access === 'public') return;
  if (actor.kind === 'system') return;
  if (actor.kind === 'api_key') {
    if (access === 'ingest' || actor.scope === 'full') return;
    throw new AppError('FORBIDDEN', 'This API key may only feed leads in (scope "ingest").');
  }
  const need: Record<Exclude<Access, 'public'>, number> = { user: 0, ingest: 0, manager: 1, admin: 2 };
  if (RANK[actor.role] < need[access]) {
    throw new AppError('FORBIDDEN', `This needs the ${access} role; you are a ${actor.role}.`, { role: actor.role, required: access });
  }
}

/** The caller as a person; integrations (API keys) cannot claim or work leads. */
export function userActor(req: FastifyRequest): UserActor {
  const a = req.actor;
  if (a?.kind === 'user') return a;
  throw new AppError('FORBIDDEN', 'Only a signed-in person can do this; API keys feed leads in.');
}

export function viewerOf(actor: Actor | null): Viewer {
  if (!actor || actor.kind === 'system') return { userId: null, role: 'admin' };
  if (actor.kind === 'api_key') return actor.scope === 'full' ? { userId: null, role: 'admin' } : { userId: null, role: 'integration' };
  return { userId: actor.userId, role: actor.role };
}

/** The viewer with a rep's tier, for pools whose access depends on it. */
export async function viewerWithTier(store: Store, actor: Actor | null): Promise<Viewer> {
  const v = viewerOf(actor);
  if (v.role !== 'rep' || v.userId === null) return v;
  return { ...v, tier: (await store.getRep(v.userId))?.tier ?? null };
}

export function isManagerActor(actor: Actor | null): boolean {
  return actor?.kind === 'user' && (actor.role === 'manager' || actor.role === 'admin');
}
