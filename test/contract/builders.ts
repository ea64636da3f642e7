import type { LeadInput } from '../../src/core/lead-input.js';
import type { Actor, PoolMode, Role } from '../../src/core/types.js';
import type { Store, UserActor } from '../../src/store/store.js';

export const SYSTEM: Actor = { kind: 'system', name: 'contract test' };
export const T0 = Date.parse('2026-01-05T09:00:00Z');

let seq = 0;
/** A valid lead; override what the test is about. Scores stay under fair-play's hot band by default. */
export function buildLead(over: Partial<LeadInput> = {}): LeadInput {
  seq++;
  return {
    company: `Testfirma ${seq} GmbH`,
    industry: 'Software',
    companySize: '11-50',
    source: 'Website form',
    score: 50,
    region: 'DACH-Nord',
    contact: { name: `Kontakt ${seq}`, email: `kontakt${seq}@testfirma${seq}.de`, phone: null },
    ...over,
  };
}

let userSeq = 0;
export async function buildRep(store: Store, role: Role = 'rep', now = T0): Promise<UserActor> {
  const n = ++userSeq;
  const u = await store.createUser({ email: `${role}${n}@contract.test`, name: `${role} ${n}`, role, passwordHash: null }, SYSTEM, now);
  return { kind: 'user', userId: u.id, role, name: u.name };
}

export async function buildPool(store: Store, mode: PoolMode = 'pool', lockTtlSeconds = 600, now = T0): Promise<number> {
  const { pool } = await store.createPool({ name: `Pool ${++seq}`, mode, lockTtlSeconds }, SYSTEM, now);
  return pool.id;
}

export async function addLeads(store: Store, poolId: number, leads: Partial<LeadInput>[] | number, now = T0): Promise<number[]> {
  const list = typeof leads === 'number' ? Array.from({ length: leads }, () => ({})) : leads;
  const r = await store.insertLeads(list.map((l) => buildLead({ poolId, ...l })), poolId, SYSTEM, now);
  return r.created.map((l) => l.id);
}

/** The error code a promise rejects with (fails the test when it resolves). */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code ?? `not an AppError: ${(err as Error).message}`;
  }
  throw new Error('expected a rejection');
}
