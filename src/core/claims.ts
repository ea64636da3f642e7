import { AppError } from './errors.js';
import type { Actor, ClaimSource, Lead, Pool } from './types.js';

/** What the core needs to know about a lead to decide a claim on it. */
export interface ClaimTarget {
  lead: Pick<Lead, 'id' | 'status' | 'ownerId' | 'poolId'>;
  pool: Pick<Pool, 'id' | 'mode' | 'lockTtlSeconds'>;
  /** The claiming rep let this lead's lock expire before: taking it again would restart the clock for free. */
  expiredByClaimer: boolean;
}

export type ClaimDecision =
  | { ok: true; source: ClaimSource; lockExpiresAt: number }
  | { ok: false; error: AppError };

/** Fetch, then decide: the store calls this inside the claim's transaction. */
export function decideClaimById(target: ClaimTarget, claimerId: number, now: number): ClaimDecision {
  const { lead, pool } = target;
  if (pool.mode === 'queue') {
    return refuse(
      new AppError('CLAIM_BY_ID_IN_QUEUE', `Pool ${pool.id} is a queue: take the front lead with POST /api/v1/pools/${pool.id}/next.`, {
        poolId: pool.id,
      }),
    );
  }
  if (lead.status !== 'available') {
    return refuse(alreadyClaimed(lead, claimerId));
  }
  if (target.expiredByClaimer) {
    return refuse(
      new AppError('LEAD_NOT_CLAIMABLE', `You let your lock on lead ${lead.id} expire; another rep gets it first.`, {
        leadId: lead.id,
        reason: 'expired_by_you',
      }),
    );
  }
  return { ok: true, source: pool.mode === 'cherry_pick' ? 'cherry_pick' : 'pool', lockExpiresAt: lockExpiry(pool, now) };
}

export function lockExpiry(pool: Pick<Pool, 'lockTtlSeconds'>, now: number): number {
  return now + pool.lockTtlSeconds * 1000;
}

export function alreadyClaimed(lead: Pick<Lead, 'id' | 'status' | 'ownerId'>, claimerId: number): AppError {
  const yours = lead.ownerId === claimerId;
  return new AppError(
    'LEAD_ALREADY_CLAIMED',
    yours ? `You already hold lead ${lead.id}.` : `Lead ${lead.id} is no longer available (it is ${lead.status}).`,
    { leadId: lead.id, status: lead.status, heldByYou: yours },
  );
}

function refuse(error: AppError): ClaimDecision {
  return { ok: false, error };
}

/** Only the owner (or a manager) may work a held lead. */
export function checkMayWork(lead: Pick<Lead, 'id' | 'ownerId'>, actor: Actor): void {
  if (actor.kind === 'system') return;
  if (actor.kind === 'user' && (actor.role === 'manager' || actor.role === 'admin')) return;
  if (actor.kind === 'user' && lead.ownerId === actor.userId) return;
  throw new AppError('NOT_YOUR_LEAD', `Lead ${lead.id} is not yours to work.`, { leadId: lead.id });
}
