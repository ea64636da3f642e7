import type { LeadInput } from '../../src/core/lead-input.js';
import type { StreamLead } from '../../src/sim/stream.js';
import type { RepSpec, Team } from '../../src/sim/team.js';

/** Monday 2026-01-05, 00:00 UTC. */
export const MONDAY = Date.parse('2026-01-05T00:00:00Z');
export const at = (hhmm: string, day = 0) => MONDAY + day * 86_400_000 + Date.parse(`1970-01-01T${hhmm}:00Z`);

/** A rep who is always at work, quick, and takes whatever comes; override what the test is about. */
export function buildRep(over: Partial<RepSpec> = {}): RepSpec {
  return {
    name: over.name ?? 'Rep',
    tier: 'standard',
    team: 'sdr',
    hours: { timeZone: 'UTC', days: [0, 1, 2, 3, 4, 5, 6], start: '00:00', end: '24:00' },
    meetings: [],
    daysOff: [],
    absenceRate: 0,
    skills: {},
    selectiveness: 0,
    noticeMinutes: { median: 0.1, sigma: 0 },
    contactMinutes: { median: 1, sigma: 0 },
    contactChance: 0.6,
    conversionChance: 0.1,
    claimAhead: 1,
    capacity: null,
    weight: 1,
    pushCaps: {},
    ...over,
  };
}

export function buildTeam(...reps: Partial<RepSpec>[]): Team {
  return { name: 'test team', reps: reps.map((r, i) => buildRep({ name: `Rep ${i + 1}`, ...r })) };
}

let seq = 0;
export function buildStreamLead(arrivedAt: number, over: Partial<LeadInput> = {}): StreamLead {
  seq++;
  return {
    arrivedAt,
    reach: 1,
    input: {
      company: `Testfirma ${seq} GmbH`,
      industry: 'Software',
      companySize: '11-50',
      source: 'Website form',
      score: 50,
      region: 'DACH-Nord',
      contact: { name: `Kontakt ${seq}`, email: `kontakt${seq}@testfirma${seq}.de`, phone: '+49 30 123456' },
      ...over,
    },
  };
}
