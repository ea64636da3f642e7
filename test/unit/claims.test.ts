import { describe, expect, it } from 'vitest';
import { decideClaimById, checkMayWork } from '../../src/core/claims.js';
import { checkWorkTransition, statusAfterActivity } from '../../src/core/lifecycle.js';
import { leadVisibility, mayBrowseItems } from '../../src/core/visibility.js';
import { TestClock } from '../../src/core/clock.js';
import { AppError } from '../../src/core/errors.js';
import type { LeadStatus, PoolMode, WorkStatus } from '../../src/core/types.js';

const target = (mode: PoolMode, status: LeadStatus = 'available', expiredByClaimer = false) => ({
  lead: { id: 7, status, ownerId: status === 'available' ? null : 99, poolId: 1 },
  pool: { id: 1, mode, lockTtlSeconds: 900 },
  expiredByClaimer,
});

describe('claim decisions', () => {
  const clock = new TestClock('2026-03-02T10:00:00Z');

  it('an available lead in a pool is claimed with a lock that runs out after the pool TTL', () => {
    const d = decideClaimById(target('pool'), 5, clock.now());
    expect(d).toEqual({ ok: true, source: 'pool', lockExpiresAt: clock.now() + 900_000 });
  });

  it('a claim in a cherry-pick pool is recorded as a cherry-pick', () => {
    const d = decideClaimById(target('cherry_pick'), 5, clock.now());
    expect(d.ok && d.source).toBe('cherry_pick');
  });

  it('a queue refuses claims by id: nobody takes #47 while #23 waits', () => {
    const d = decideClaimById(target('queue'), 5, clock.now());
    expect(!d.ok && d.error.code).toBe('CLAIM_BY_ID_IN_QUEUE');
  });

  it.each(['claimed', 'assigned', 'contacted', 'converted', 'review'] as const)('a %s lead cannot be claimed', (status) => {
    const d = decideClaimById(target('pool', status), 5, clock.now());
    expect(!d.ok && d.error.code).toBe('LEAD_ALREADY_CLAIMED');
  });

  it('a rep who let the lock expire cannot take the same lead straight back', () => {
    const d = decideClaimById(target('pool', 'available', true), 5, clock.now());
    expect(!d.ok && d.error.code).toBe('LEAD_NOT_CLAIMABLE');
  });

  it('only the owner, a manager or the system may work a lead', () => {
    const lead = { id: 1, ownerId: 5 };
    expect(() => checkMayWork(lead, { kind: 'user', userId: 5, role: 'rep', name: 'a' })).not.toThrow();
    expect(() => checkMayWork(lead, { kind: 'user', userId: 6, role: 'manager', name: 'm' })).not.toThrow();
    expect(() => checkMayWork(lead, { kind: 'system', name: 'timer' })).not.toThrow();
    expect(() => checkMayWork(lead, { kind: 'user', userId: 6, role: 'rep', name: 'b' })).toThrow(AppError);
  });
});

describe('lead lifecycle', () => {
  const cases: [LeadStatus, WorkStatus, boolean][] = [
    ['claimed', 'qualified', true],
    ['claimed', 'disqualified', true],
    ['claimed', 'converted', false],
    ['contacted', 'converted', true],
    ['qualified', 'converted', true],
    ['qualified', 'disqualified', true],
    ['converted', 'qualified', false],
    ['disqualified', 'converted', false],
    ['available', 'qualified', false],
  ];
  it.each(cases)('%s → %s allowed: %s', (from, to, ok) => {
    const run = () => checkWorkTransition({ id: 1, status: from, contactedAt: from === 'contacted' || from === 'qualified' ? 1 : null }, to);
    if (ok) expect(run).not.toThrow();
    else expect(run).toThrow(AppError);
  });

  it('a lead nobody contacted cannot be converted, even once qualified', () => {
    expect(() => checkWorkTransition({ id: 1, status: 'qualified', contactedAt: null }, 'converted')).toThrow(/no contact logged/);
  });

  it('logging work on a claimed or pushed lead makes it contacted, and leaves later statuses alone', () => {
    expect(statusAfterActivity('claimed')).toBe('contacted');
    expect(statusAfterActivity('assigned')).toBe('contacted');
    expect(statusAfterActivity('qualified')).toBe('qualified');
  });
});

describe('what a viewer sees', () => {
  const pool = (mode: PoolMode) => ({ mode, previewFields: ['company', 'score'] as const }) as never;
  const rep = { userId: 5, role: 'rep' as const };
  it('a rep sees the preview in a pool, everything in cherry-pick, nothing in a queue', () => {
    const lead = { ownerId: null, status: 'available' as const };
    expect(leadVisibility(lead, pool('pool'), rep)).toEqual({ kind: 'preview', fields: ['company', 'score'] });
    expect(leadVisibility(lead, pool('cherry_pick'), rep)).toEqual({ kind: 'full' });
    expect(leadVisibility(lead, pool('queue'), rep)).toEqual({ kind: 'none' });
    expect(mayBrowseItems(pool('queue'), rep)).toBe(false);
  });
  it('the holder and managers see everything; other reps see nothing of a held lead', () => {
    const held = { ownerId: 5, status: 'claimed' as const };
    expect(leadVisibility(held, pool('queue'), rep)).toEqual({ kind: 'full' });
    expect(leadVisibility(held, pool('pool'), { userId: 6, role: 'rep' })).toEqual({ kind: 'none' });
    expect(leadVisibility(held, pool('pool'), { userId: 6, role: 'manager' })).toEqual({ kind: 'full' });
  });
});
