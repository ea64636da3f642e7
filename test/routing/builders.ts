import type { LeadForRouting } from '../../src/core/routing/rules.js';
import type { RepProfile } from '../../src/core/routing/reps.js';
import type { NamedAccount } from '../../src/core/routing/accounts.js';

/** Monday 5 January 2026, 10:00 in Berlin (CET, UTC+1). */
export const MONDAY_10_BERLIN = Date.parse('2026-01-05T09:00:00Z');

export function buildLead(over: Partial<LeadForRouting> = {}): LeadForRouting {
  return {
    score: 50,
    industry: 'Software',
    companySize: '51-200',
    source: 'web',
    region: 'DACH',
    company: 'Beispiel AG',
    contact: { email: 'jana@beispiel.de' },
    attributes: {},
    ...over,
  };
}

export function buildRep(userId: number, over: Partial<RepProfile> = {}): RepProfile {
  return {
    userId,
    name: `Rep ${userId}`,
    team: 'inbound',
    tier: null,
    availability: 'available',
    paused: false,
    capacity: null,
    openLeads: 0,
    weight: 1,
    hours: null,
    caps: {},
    pushed: { lastHour: 0, today: 0, thisWeek: 0 },
    ...over,
  };
}

export function buildAccount(id: number, over: Partial<NamedAccount> = {}): NamedAccount {
  return { id, name: `Account ${id}`, domains: [], ownerId: 100 + id, customer: false, ...over };
}
