import type { Actor } from '../core/types.js';
import type { Store } from '../store/store.js';
import { hashPassword } from '../server/passwords.js';
import { generateDemoLeads } from './demo-leads.js';
import { HOUR, MINUTE } from '../core/clock.js';
import { SEED_RULES } from '../core/fair-play.js';

export const DEMO_PASSWORD = 'demo';
export const DEMO_MANAGER = 'manager@demo.test';
export const DEMO_ADMIN = 'admin@demo.test';
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
  await store.createUser({ email: DEMO_ADMIN, name: 'Alex Admin', role: 'admin', passwordHash: hash }, SEEDER, now);
  const repNames = ['Anna Becker', 'Ben Schulz', 'Clara Wagner', 'David Hoffmann', 'Emma Richter', 'Felix Klein', 'Greta Wolf', 'Hannes Neumann'];
  for (const [i, email] of DEMO_REPS.entries()) {
    await store.createUser({ email, name: repNames[i]!, role: 'rep', passwordHash: hash }, SEEDER, now);
  }
  await store.setTeamRules({ ...SEED_RULES, minClaimsPerDay: 5 }, SEEDER, now);
  const inbound = (await store.createPool({ name: 'Inbound queue', mode: 'queue', lockTtlSeconds: 900, isDefault: true }, SEEDER, now)).pool;
  const general = (await store.createPool({ name: 'General pool', mode: 'pool', lockTtlSeconds: 900 }, SEEDER, now)).pool;
  const enterprise = (await store.createPool({ name: 'Enterprise cherry-pick', mode: 'cherry_pick', lockTtlSeconds: 1800 }, SEEDER, now)).pool;

  const leads = generateDemoLeads(leadCount, 20261127);
  // Most leads arrived over the last eight hours straight into their pools; the newest ones
  // arrive through the routing rules below, so their decision traces are there to look at.
  const routedCount = Math.min(40, Math.floor(leads.length / 10));
  const older = leads.slice(0, leads.length - routedCount);
  const slices = 16;
  const per = Math.ceil(older.length / slices);
  for (let s = 0; s < slices; s++) {
    const slice = older.slice(s * per, (s + 1) * per).map((l) => ({
      ...l,
      poolId: l.companySize === '1001-5000' || l.companySize === '5000+' ? enterprise.id : l.score >= 70 || l.source === 'Website form' ? inbound.id : general.id,
    }));
    if (slice.length) await store.insertLeads(slice, general.id, SEEDER, now - 8 * HOUR + s * 28 * MINUTE);
  }

  // The seed's hybrid: named accounts to their owners, hot leads (80+) pushed round robin to
  // the inbound team, enterprise leads into the cherry-pick pool, the rest into the general pool.
  const reps = await store.listReps();
  const teamOf = (i: number) => (i < 4 ? 'Inbound' : i < 6 ? 'Enterprise' : 'Inbound');
  const tierOf = (i: number) => (i < 2 ? 'top' : i < 6 ? 'standard' : 'new');
  for (const [i, rep] of reps.entries()) {
    await store.updateRep(
      rep.userId,
      {
        team: teamOf(i),
        tier: tierOf(i),
        capacity: 25,
        weight: 1,
        caps: { daily: 40 },
        // One rep works fixed hours, so the traces show a rep skipped outside them.
        hours: i === 2 ? { timeZone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' } : null,
      },
      SEEDER,
      'demo team',
      now,
    );
  }
  // Accounts named after some of the companies that are about to arrive, owned by the first reps.
  const routed = leads.slice(leads.length - routedCount);
  for (const [i, l] of routed.filter((_, k) => k % 8 === 0).entries()) {
    const domain = l.contact.email?.split('@')[1];
    await store.createAccount({ name: l.company, domains: domain ? [domain] : [], ownerId: reps[i % 6]!.userId, customer: i % 2 === 0 }, SEEDER, now);
  }
  await store.putRouting(
    {
      defaultPoolId: general.id,
      rules: [
        { id: 'named-accounts', name: 'Named accounts to their owner', when: { namedAccount: true }, then: { type: 'push_owner', fallbackPoolId: inbound.id, fallbackPriority: 10 } },
        { id: 'hot', name: 'Hot leads (80+) pushed round robin', when: { scoreMin: 80 }, then: { type: 'push_team', team: 'Inbound', strategy: 'round_robin', fallbackPoolId: inbound.id, fallbackPriority: 5 } },
        { id: 'enterprise', name: 'Enterprise to the cherry-pick pool', when: { companySize: ['1001-5000', '5000+'] }, then: { type: 'pool', poolId: enterprise.id } },
        { id: 'web', name: 'Website forms to the inbound queue', when: { source: ['Website form'] }, then: { type: 'pool', poolId: inbound.id } },
      ],
    },
    'demo: the seed hybrid',
    SEEDER,
    now,
  );
  // The ladder applies to leads that arrive (or come back) from now on.
  const ladder = { steps: [{ afterMinutes: 30, action: { type: 'assign' as const, team: null, strategy: 'round_robin' as const } }, { afterMinutes: 60, action: { type: 'review' as const } }] };
  await store.updatePool(inbound.id, { escalation: ladder }, SEEDER, now);
  await store.updatePool(general.id, { escalation: ladder, access: { new: 'none', standard: { filter: { scoreMax: 79 } }, top: 'full' } }, SEEDER, now);
  await store.updatePool(enterprise.id, { escalation: { steps: [], backstopHours: 8 }, access: { new: 'none' } }, SEEDER, now);
  for (const [i, l] of routed.entries()) {
    await store.insertLeads([l], general.id, SEEDER, now - 20 * MINUTE + i * Math.floor((20 * MINUTE) / routedCount));
  }
}
