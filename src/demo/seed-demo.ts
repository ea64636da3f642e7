import type { Actor } from '../core/types.js';
import type { Store } from '../store/store.js';
import { hashPassword } from '../server/passwords.js';
import { generateDemoLeads } from './demo-leads.js';
import { HOUR, MINUTE } from '../core/clock.js';
import { SEED_RULES } from '../core/fair-play.js';

export const DEMO_PASSWORD = 'demo';
export const DEMO_MANAGER = 'manager@demo.test';
export const DEMO_REPS = Array.from({ length: 8 }, (_, i) => `rep${i + 1}@demo.test`);

const SEEDER: Actor = { kind: 'system', name: 'demo seed' };

/**
 * A team to try Leadpool with: a manager, eight reps, one pool of each mode, and a few
 * hundred leads that arrived over the last hours (so ages and the oldest-waiting figure
 * mean something). Runs only on an empty database.
 */
export async function seedDemo(store: Store, now: number, leadCount = 400): Promise<void> {
  const hash = await hashPassword(DEMO_PASSWORD);
  await store.createUser({ email: DEMO_MANAGER, name: 'Maria Manager', role: 'manager', passwordHash: hash }, SEEDER, now);
  const repNames = ['Anna Becker', 'Ben Schulz', 'Clara Wagner', 'David Hoffmann', 'Emma Richter', 'Felix Klein', 'Greta Wolf', 'Hannes Neumann'];
  for (const [i, email] of DEMO_REPS.entries()) {
    await store.createUser({ email, name: repNames[i]!, role: 'rep', passwordHash: hash }, SEEDER, now);
  }
  await store.setTeamRules({ ...SEED_RULES, minClaimsPerDay: 5 }, SEEDER, now);
  const inbound = (await store.createPool({ name: 'Inbound queue', mode: 'queue', lockTtlSeconds: 900, isDefault: true }, SEEDER, now)).pool;
  const general = (await store.createPool({ name: 'General pool', mode: 'pool', lockTtlSeconds: 900 }, SEEDER, now)).pool;
  const enterprise = (await store.createPool({ name: 'Enterprise cherry-pick', mode: 'cherry_pick', lockTtlSeconds: 1800 }, SEEDER, now)).pool;

  const leads = generateDemoLeads(leadCount, 20261127);
  // Spread arrivals over the last 8 hours: insert in slices with their own timestamps.
  const slices = 16;
  const per = Math.ceil(leads.length / slices);
  for (let s = 0; s < slices; s++) {
    const slice = leads.slice(s * per, (s + 1) * per).map((l) => ({
      ...l,
      poolId: l.companySize === '1001-5000' || l.companySize === '5000+' ? enterprise.id : l.score >= 70 || l.source === 'Website form' ? inbound.id : general.id,
    }));
    if (slice.length) await store.insertLeads(slice, general.id, SEEDER, now - 8 * HOUR + s * 30 * MINUTE);
  }
}
