import { DAY, HOUR, SECOND } from '../core/clock.js';

/**
 * When a failed delivery is tried again: 10 s, 20 s, 40 s … doubling up to an hour between
 * attempts, until a day after it was queued; the last attempt is made at that deadline, and
 * if it fails too the delivery is dead (a manager can still replay it).
 */
export interface RetryPolicy {
  firstDelayMs: number; // default 10 s
  maxDelayMs: number; // default 1 h
  retryForMs: number; // default 24 h
}

export const DEFAULT_RETRY: RetryPolicy = { firstDelayMs: 10 * SECOND, maxDelayMs: HOUR, retryForMs: DAY };

/** After `attempts` failed tries (1 = the first), the next attempt's time, or null: dead. */
export function nextAttemptAfterFailure(attempts: number, now: number, expiresAt: number, policy: RetryPolicy = DEFAULT_RETRY): number | null {
  if (now >= expiresAt) return null;
  const delay = Math.min(policy.firstDelayMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30), policy.maxDelayMs);
  return Math.min(now + delay, expiresAt);
}
