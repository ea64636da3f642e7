/**
 * The storage contract (src/store/store.ts), once, over every store. SQLite runs each call
 * to completion before the next, so its "concurrent" cases are sequential; on PostgreSQL the
 * same promises really race on separate connections.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store, UserActor } from '../../src/store/store.js';
import type { BrowseQuery } from '../../src/core/browse.js';
import { cursorValue } from '../../src/store/browse-query.js';
import { STORES, openStore, usePgDatabase, type OpenedStore } from './stores.js';
import { SYSTEM, T0, addLeads, buildLead, buildPool, buildRep, codeOf } from './builders.js';

const pgdb = STORES.includes('postgres') ? usePgDatabase() : null;
const MIN = 60_000;

for (const kind of STORES) {
  describe(`${kind} store`, () => {
    let opened: OpenedStore | null = null;
    let s: Store;
    beforeEach(async (ctx) => {
      opened = null;
      if (kind === 'postgres' && pgdb?.skipped()) ctx.skip(`PostgreSQL tests skipped: ${pgdb.skipped()}`);
      opened = await openStore(kind, pgdb?.get() ?? null);
      s = opened.store;
    });
    afterEach(async () => {
      await opened?.cleanup();
    });

    const types = async (leadId: number) => (await s.leadEvents(leadId)).map((e) => e.type);

    describe('users, sessions, keys, sign-in failures', () => {
      it('a user is created with an event, found by email whatever its case, and a second one with that email is refused as DUPLICATE', async () => {
        const u = await s.createUser({ email: 'Anna@Example.com', name: 'Anna', role: 'rep', passwordHash: 'h' }, SYSTEM, T0);
        expect(u).toMatchObject({ email: 'Anna@Example.com', name: 'Anna', role: 'rep', createdAt: T0 });
        expect(await s.findUserByEmail('anna@example.COM')).toMatchObject({ id: u.id, passwordHash: 'h' });
        expect(await s.getUser(u.id)).toEqual(u);
        expect(await codeOf(s.createUser({ email: 'anna@example.com', name: 'A2', role: 'rep', passwordHash: null }, SYSTEM, T0))).toBe('DUPLICATE');
        expect(await s.countUsers()).toBe(1);
        expect((await s.listUsers()).map((x) => x.id)).toEqual([u.id]);
        const events = await s.eventsAfter(0, 10);
        expect(events).toHaveLength(1);
        expect(events[0]).toMatchObject({ type: 'user.created', actorKind: 'system', data: { userId: u.id, email: 'Anna@Example.com', role: 'rep' } });
      });

      it('a session finds its user until it expires, is gone once deleted, and expired sessions are pruned', async () => {
        const rep = await buildRep(s);
        await s.createSession({ tokenHash: 'a', userId: rep.userId, expiresAt: T0 + 1000 }, T0);
        expect(await s.findSession('a', T0 + 999)).toMatchObject({ id: rep.userId, expiresAt: T0 + 1000 });
        expect(await s.findSession('a', T0 + 1000)).toBeNull();
        await s.createSession({ tokenHash: 'b', userId: rep.userId, expiresAt: T0 + 5000 }, T0 + 2000);
        expect(await s.findSession('a', T0)).toBeNull(); // pruned by the second sign-in
        await s.deleteSession('b');
        expect(await s.findSession('b', T0 + 2000)).toBeNull();
        expect(await s.findSession('nope', T0)).toBeNull();
      });

      it('an API key is found by its hash until revoked; revoking twice keeps the first time; unknown ids give null', async () => {
        const k = await s.createApiKey({ name: 'CRM', scope: 'ingest', keyHash: 'kh', prefix: 'lpk_abc' }, SYSTEM, T0);
        expect(k).toMatchObject({ name: 'CRM', scope: 'ingest', prefix: 'lpk_abc', createdAt: T0, revokedAt: null });
        expect((await s.findApiKey('kh'))?.id).toBe(k.id);
        expect((await s.revokeApiKey(k.id, SYSTEM, T0 + 1))?.revokedAt).toBe(T0 + 1);
        expect((await s.revokeApiKey(k.id, SYSTEM, T0 + 2))?.revokedAt).toBe(T0 + 1);
        expect(await s.findApiKey('kh')).toBeNull();
        expect(await s.revokeApiKey(9999, SYSTEM, T0)).toBeNull();
        expect((await s.listApiKeys()).map((x) => x.id)).toEqual([k.id]);
        expect((await s.eventsAfter(0, 10)).map((e) => e.type)).toEqual(['api_key.created', 'api_key.revoked', 'api_key.revoked']);
      });

      it('sign-in failures are counted per key after a time, and cleared per key', async () => {
        await s.recordLoginFailure(['ip:1', 'user:a'], T0);
        await s.recordLoginFailure(['ip:1'], T0 + 10);
        expect(await s.countLoginFailures('ip:1', T0 - 1)).toBe(2);
        expect(await s.countLoginFailures('ip:1', T0)).toBe(1);
        expect(await s.countLoginFailures('user:a', T0 - 1)).toBe(1);
        await s.clearLoginFailures('ip:1');
        expect(await s.countLoginFailures('ip:1', 0)).toBe(0);
        expect(await s.countLoginFailures('user:a', 0)).toBe(1);
      });
    });

    describe('pools', () => {
      it('the first pool becomes the default, a new default replaces it, and names are unique whatever their case', async () => {
        const a = await s.createPool({ name: 'Inbound', mode: 'queue' }, SYSTEM, T0);
        expect(a.pool).toMatchObject({ name: 'Inbound', mode: 'queue', isDefault: true, lockTtlSeconds: 900 });
        expect(a.events[0]).toMatchObject({ type: 'pool.created', poolId: a.pool.id });
        const b = await s.createPool({ name: 'Enterprise', mode: 'cherry_pick', lockTtlSeconds: 60, isDefault: true }, SYSTEM, T0);
        expect(b.pool.isDefault).toBe(true);
        expect((await s.getPool(a.pool.id))?.isDefault).toBe(false);
        expect(await codeOf(s.createPool({ name: 'inbound', mode: 'pool' }, SYSTEM, T0))).toBe('VALIDATION_FAILED');
        expect((await s.getPoolByName('ENTERPRISE'))?.id).toBe(b.pool.id);
        expect((await s.listPools()).map((p) => p.name)).toEqual(['Inbound', 'Enterprise']);
      });

      it('an update changes only what it names, records from/to, and refuses a taken name or an unknown pool', async () => {
        const a = (await s.createPool({ name: 'A', mode: 'pool' }, SYSTEM, T0)).pool;
        const b = (await s.createPool({ name: 'B', mode: 'pool' }, SYSTEM, T0)).pool;
        const u = await s.updatePool(b.id, { lockTtlSeconds: 120, isDefault: true }, SYSTEM, T0 + 1);
        expect(u.pool).toMatchObject({ name: 'B', lockTtlSeconds: 120, isDefault: true, updatedAt: T0 + 1 });
        expect(u.events[0]).toMatchObject({ type: 'pool.updated', data: { changes: { lockTtlSeconds: { from: 900, to: 120 }, isDefault: { from: false, to: true } } } });
        expect((await s.getPool(a.id))?.isDefault).toBe(false);
        expect((await s.updatePool(b.id, { name: 'b' }, SYSTEM, T0)).pool.name).toBe('b');
        expect(await codeOf(s.updatePool(b.id, { name: 'a' }, SYSTEM, T0))).toBe('VALIDATION_FAILED');
        expect(await codeOf(s.updatePool(9999, { name: 'x' }, SYSTEM, T0))).toBe('POOL_NOT_FOUND');
      });

      it('pool stats count the waiting leads and the oldest arrival; facets list the values present', async () => {
        const p = await buildPool(s);
        const empty = await buildPool(s);
        await addLeads(s, p, [{ industry: 'Retail', region: 'Süd' }], T0);
        const [second] = await addLeads(s, p, [{ industry: 'Banking' }], T0 + MIN);
        await s.claim(second!, await buildRep(s), T0 + 2 * MIN);
        const stats = await s.poolStats();
        expect(stats).toEqual([
          { poolId: p, available: 1, oldestAvailableAt: T0 },
          { poolId: empty, available: 0, oldestAvailableAt: null },
        ]);
        expect(await s.facets(p)).toEqual({ industry: ['Banking', 'Retail'], companySize: ['11-50'], source: ['Website form'], region: ['DACH-Nord', 'Süd'] });
      });
    });

    describe('ingest', () => {
      it('a batch is inserted with one lead.created event per lead, in order', async () => {
        const p = await buildPool(s);
        const r = await s.insertLeads([buildLead({ company: 'One' }), buildLead({ company: 'Two', attributes: { crm: 7 } }), buildLead({ poolId: p })], p, SYSTEM, T0);
        expect(r.created.map((l) => l.company)).toEqual(['One', 'Two', expect.any(String)]);
        expect(r.created[1]).toMatchObject({ status: 'available', poolId: p, attributes: { crm: 7 }, createdAt: T0, availableSince: T0, ownerId: null });
        expect(r.events.map((e) => [e.type, e.leadId])).toEqual(r.created.map((l) => ['lead.created', l.id]));
        expect(r.events.map((e) => e.data.via)).toEqual(['default_pool', 'default_pool', 'poolId']);
        expect(r.existing).toEqual([]);
      });

      it('a lead whose externalId is stored, or repeated in the batch, comes back as existing and is not inserted again', async () => {
        const p = await buildPool(s);
        const first = await s.insertLeads([buildLead({ externalId: 'crm-1' })], p, SYSTEM, T0);
        const r = await s.insertLeads(
          [buildLead({ externalId: 'crm-1' }), buildLead({ externalId: 'crm-2' }), buildLead({ externalId: 'crm-2' }), buildLead()],
          p,
          SYSTEM,
          T0 + 1,
        );
        expect(r.created.map((l) => l.externalId)).toEqual(['crm-2', null]);
        expect(r.results.map((x) => [x.lead.externalId, x.created])).toEqual([['crm-1', false], ['crm-2', true], ['crm-2', false], [null, true]]);
        expect(r.existing.map((l) => l.id)).toEqual([first.created[0]!.id, r.created[0]!.id]);
        expect(r.events).toHaveLength(2);
        const again = await s.insertLeads([buildLead({ externalId: 'crm-1' }), buildLead({ externalId: 'crm-2' })], p, SYSTEM, T0 + 2);
        expect(again.created).toEqual([]);
        expect(again.existing.map((l) => l.externalId)).toEqual(['crm-1', 'crm-2']);
        expect((await s.poolStats()).find((x) => x.poolId === p)?.available).toBe(3);
      });

      it('a batch naming an unknown pool inserts nothing and names the row', async () => {
        const p = await buildPool(s);
        const before = await s.lastEventId();
        let err: unknown;
        try {
          await s.insertLeads([buildLead(), buildLead({ poolId: 4242 })], p, SYSTEM, T0);
        } catch (e) {
          err = e;
        }
        expect(err).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [{ field: 'leads[1].poolId', problem: 'there is no pool 4242' }] } });
        expect((await s.poolStats())[0]?.available).toBe(0);
        expect(await s.lastEventId()).toBe(before);
      });

      it('two batches racing with the same externalIds store each lead once', async () => {
        const p = await buildPool(s);
        const batch = () => Array.from({ length: 50 }, (_, i) => buildLead({ externalId: `race-${i}` }));
        const [a, b] = await Promise.all([s.insertLeads(batch(), p, SYSTEM, T0), s.insertLeads(batch(), p, SYSTEM, T0)]);
        expect(a.created.length + b.created.length).toBe(50);
        expect(a.existing.length + b.existing.length).toBe(50);
        expect((await s.poolStats())[0]?.available).toBe(50);
      });
    });

    describe('browse', () => {
      const q = (over: Partial<BrowseQuery> = {}): BrowseQuery => ({ sort: 'score', order: 'desc', limit: 50, ...over });

      it('filters by facet values, score range and age, and shows only waiting leads of the pool', async () => {
        const p = await buildPool(s);
        const other = await buildPool(s);
        await addLeads(s, other, [{ industry: 'Retail', score: 90 }]);
        const [old] = await addLeads(s, p, [{ industry: 'Retail', score: 90, companySize: '1-10' }], T0 - 120 * MIN);
        const [mid, claimed] = await addLeads(s, p, [{ industry: 'Retail', score: 60 }, { industry: 'Retail', score: 70 }], T0 - 30 * MIN);
        await addLeads(s, p, [{ industry: 'Banking', score: 95 }], T0);
        await s.claim(claimed!, await buildRep(s), T0);
        const ids = async (over: Partial<BrowseQuery>) => (await s.browse(p, q(over), T0)).items.map((l) => l.id);
        expect(await ids({ industry: ['Retail'] })).toEqual([old, mid]);
        expect(await ids({ industry: ['Retail'], minScore: 61 })).toEqual([old]);
        expect(await ids({ industry: ['Retail'], maxScore: 61 })).toEqual([mid]);
        expect(await ids({ companySize: ['1-10'] })).toEqual([old]);
        expect(await ids({ industry: ['Retail'], minAgeMinutes: 60 })).toEqual([old]);
        expect(await ids({ industry: ['Retail'], maxAgeMinutes: 60 })).toEqual([mid]);
      });

      it('sorts by score, age and company (case folded), and keyset cursors walk every lead once in that order', async () => {
        const p = await buildPool(s);
        const names = ['beta', 'Alpha', 'gamma', 'Delta', 'alpha', 'Epsilon', 'zeta', 'Eta'];
        for (const [i, company] of names.entries()) await addLeads(s, p, [{ company, score: (i * 37) % 100 }], T0 + i * MIN);
        const walk = async (sort: BrowseQuery['sort'], order: BrowseQuery['order']) => {
          const seen: string[] = [];
          let cursor: BrowseQuery['cursor'];
          for (let page = 0; page < 10; page++) {
            const r = await s.browse(p, q({ sort, order, limit: 3, ...(cursor ? { cursor } : {}) }), T0 + 10 * MIN);
            seen.push(...r.items.map((l) => l.company));
            if (!r.hasMore) break;
            const last = r.items[r.items.length - 1]!;
            cursor = { sort, order, value: cursorValue({ sort, order, limit: 3 }, last), id: last.id };
          }
          return seen;
        };
        expect(await walk('company', 'asc')).toEqual(['Alpha', 'alpha', 'beta', 'Delta', 'Epsilon', 'Eta', 'gamma', 'zeta']);
        expect(await walk('company', 'desc')).toEqual(['zeta', 'gamma', 'Eta', 'Epsilon', 'Delta', 'beta', 'alpha', 'Alpha']);
        expect(await walk('age', 'desc')).toEqual(names); // oldest first
        const byScore = names.map((n, i) => ({ n, score: (i * 37) % 100, i })).sort((a, b) => b.score - a.score || b.i - a.i);
        expect(await walk('score', 'desc')).toEqual(byScore.map((x) => x.n));
      });

      it('a rare combination of filters in company order pages through its few matches once each, in order, ties by id', async () => {
        const p = await buildPool(s);
        const rare = { industry: 'Education', companySize: '5000+' as const, source: 'Partner' };
        // 400 common leads around 7 rare ones; two rare ones share a name in different case.
        const common = Array.from({ length: 400 }, (_, i) => ({ company: `Firma ${String(i).padStart(3, '0')}`, industry: i % 2 ? 'Software' : 'Education', source: i % 3 ? 'Partner' : 'Referral' }));
        const rareNames = ['Firma 250 Nord', 'firma 007', 'Firma 399', 'FIRMA 007', 'Aachen AG', 'Zwickau KG', 'Firma 100'];
        await addLeads(s, p, common.slice(0, 200));
        const rareIds = await addLeads(s, p, rareNames.map((company) => ({ company, ...rare })));
        await addLeads(s, p, common.slice(200));
        const walk = async (order: 'asc' | 'desc') => {
          const seen: number[] = [];
          let cursor: BrowseQuery['cursor'];
          for (let page = 0; page < 10; page++) {
            const query = q({ sort: 'company', order, limit: 3, industry: [rare.industry], companySize: [rare.companySize], source: [rare.source], ...(cursor ? { cursor } : {}) });
            const r = await s.browse(p, query, T0);
            seen.push(...r.items.map((l) => l.id));
            if (!r.hasMore) break;
            const last = r.items[r.items.length - 1]!;
            cursor = { sort: 'company', order, value: cursorValue(query, last), id: last.id };
          }
          return seen;
        };
        const id = (name: string) => rareIds[rareNames.indexOf(name)]!;
        const ascending = [id('Aachen AG'), id('firma 007'), id('FIRMA 007'), id('Firma 100'), id('Firma 250 Nord'), id('Firma 399'), id('Zwickau KG')];
        expect(await walk('asc')).toEqual(ascending);
        expect(await walk('desc')).toEqual([...ascending].reverse());
      });

      it('searches the company name: one or two letters match its start, three or more anywhere, case-insensitive, wildcards literal', async () => {
        const p = await buildPool(s);
        await addLeads(s, p, ['Müller Bau', 'MÜLLER AG', 'Bäckerei Schmidt', 'Schmidt & Co', 'SCHMIDTKE AG', '50% Rabatt GmbH', '500 Widgets'].map((company) => ({ company })));
        const found = async (text: string) => (await s.browse(p, q({ q: text, sort: 'company', order: 'asc' }), T0)).items.map((l) => l.company);
        expect(await found('sc')).toEqual(['Schmidt & Co', 'SCHMIDTKE AG']);
        expect(await found('schmidt')).toEqual(['Bäckerei Schmidt', 'Schmidt & Co', 'SCHMIDTKE AG']);
        expect(await found('50%')).toEqual(['50% Rabatt GmbH']);
        expect(await found('5')).toEqual(['50% Rabatt GmbH', '500 Widgets']);
        expect(await found('xyz')).toEqual([]);
        expect(await found('üll')).toEqual(['MÜLLER AG', 'Müller Bau']);
      });

      it('a rare substring among thousands of leads is still found (the index phase), and a common one fills the page in sort order', async () => {
        const p = await buildPool(s);
        const many = Array.from({ length: 4500 }, (_, i) => ({ company: `Common Trading ${i}`, score: i % 100 }));
        many[4321] = { company: 'Quokka Systems', score: 1 };
        for (let i = 0; i < many.length; i += 1000) await addLeads(s, p, many.slice(i, i + 1000));
        const rare = await s.browse(p, q({ q: 'quokka' }), T0);
        expect(rare.items.map((l) => l.company)).toEqual(['Quokka Systems']);
        const common = await s.browse(p, q({ q: 'trading', limit: 5 }), T0);
        expect(common.items.map((l) => l.score)).toEqual([99, 99, 99, 99, 99]);
        expect(common.hasMore).toBe(true);
      });
    });

    describe('claims', () => {
      it('a claim takes an available lead with its lock expiry and an event; a second is refused with LEAD_ALREADY_CLAIMED', async () => {
        const p = await buildPool(s, 'pool', 600);
        const [id] = await addLeads(s, p, 1);
        const a = await buildRep(s);
        const b = await buildRep(s);
        const r = await s.claim(id!, a, T0 + 5);
        expect(r.lead).toMatchObject({ id, status: 'claimed', ownerId: a.userId, claimedAt: T0 + 5, claimSource: 'pool', lockExpiresAt: T0 + 5 + 600_000 });
        expect(r.events).toHaveLength(1);
        expect(r.events[0]).toMatchObject({ type: 'lead.claimed', leadId: id, poolId: p, actorKind: 'user', actorId: a.userId, data: { ownerId: a.userId, source: 'pool', lockExpiresAt: T0 + 5 + 600_000 } });
        let err: unknown;
        await s.claim(id!, b, T0 + 6).catch((e: unknown) => (err = e));
        expect(err).toMatchObject({ code: 'LEAD_ALREADY_CLAIMED', details: { leadId: id, status: 'claimed', heldByYou: false } });
        await s.claim(id!, a, T0 + 6).catch((e: unknown) => (err = e));
        expect(err).toMatchObject({ code: 'LEAD_ALREADY_CLAIMED', details: { heldByYou: true } });
        expect(await types(id!)).toEqual(['lead.created', 'lead.claimed']);
      });

      it('claims by id are refused in a queue (CLAIM_BY_ID_IN_QUEUE) and for unknown leads (LEAD_NOT_FOUND); cherry-pick claims say so', async () => {
        const queue = await buildPool(s, 'queue');
        const cherry = await buildPool(s, 'cherry_pick');
        const [qid] = await addLeads(s, queue, 1);
        const [cid] = await addLeads(s, cherry, 1);
        const rep = await buildRep(s);
        expect(await codeOf(s.claim(qid!, rep, T0))).toBe('CLAIM_BY_ID_IN_QUEUE');
        expect(await codeOf(s.claim(987654, rep, T0))).toBe('LEAD_NOT_FOUND');
        expect((await s.claim(cid!, rep, T0)).lead.claimSource).toBe('cherry_pick');
        expect(await types(qid!)).toEqual(['lead.created']);
      });

      it('of many simultaneous claims on one lead exactly one wins, and exactly one lead.claimed is written', async () => {
        const p = await buildPool(s);
        const [id] = await addLeads(s, p, 1);
        const reps: UserActor[] = [];
        for (let i = 0; i < 24; i++) reps.push(await buildRep(s));
        const results = await Promise.allSettled(reps.map((r) => s.claim(id!, r, T0)));
        const won = results.filter((r) => r.status === 'fulfilled');
        expect(won).toHaveLength(1);
        const codes = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code: string }).code] : []));
        expect(new Set(codes)).toEqual(new Set(['LEAD_ALREADY_CLAIMED']));
        expect((await s.leadEvents(id!)).filter((e) => e.type === 'lead.claimed')).toHaveLength(1);
      });

      it('claim-next serves by priority, then arrival, then id, and returns null when nothing is left', async () => {
        const queue = await buildPool(s, 'queue', 300);
        const [older] = await addLeads(s, queue, 1, T0);
        const [newer, urgent] = await addLeads(s, queue, [{}, { priority: 5 }], T0 + 1000);
        const rep = await buildRep(s);
        const order: number[] = [];
        for (let i = 0; i < 3; i++) {
          const r = await s.claimNext(queue, rep, T0 + 2000);
          expect(r?.lead).toMatchObject({ status: 'claimed', ownerId: rep.userId, claimSource: 'queue', lockExpiresAt: T0 + 2000 + 300_000 });
          expect(r?.events[0]).toMatchObject({ type: 'lead.claimed', data: { source: 'queue', next: true, ownerId: rep.userId } });
          order.push(r!.lead.id);
        }
        expect(order).toEqual([urgent, older, newer]);
        expect(await s.claimNext(queue, rep, T0)).toBeNull();
        expect(await codeOf(s.claimNext(9999, rep, T0))).toBe('POOL_NOT_FOUND');
      });

      it('claim-next passes over leads the rep released or let expire; other reps still get them', async () => {
        const queue = await buildPool(s, 'queue', 60);
        const [first, second] = await addLeads(s, queue, 2);
        const a = await buildRep(s);
        const b = await buildRep(s);
        expect((await s.claimNext(queue, a, T0))?.lead.id).toBe(first);
        await s.release(first!, a, 'not for me', T0 + 1);
        expect((await s.claimNext(queue, a, T0 + 2))?.lead.id).toBe(second);
        await s.expireDueLocks(T0 + 2 + 60_000, 10);
        expect(await s.claimNext(queue, a, T0 + 70_000)).toBeNull();
        expect((await s.claimNext(queue, b, T0 + 70_000))?.lead.id).toBe(first);
        expect((await s.claimNext(queue, b, T0 + 70_000))?.lead.id).toBe(second);
      });

      it('simultaneous claim-next calls hand each lead to one rep only', async () => {
        const queue = await buildPool(s, 'queue');
        const ids = await addLeads(s, queue, 60);
        const reps: UserActor[] = [];
        for (let i = 0; i < 20; i++) reps.push(await buildRep(s));
        const got = (await Promise.all(reps.flatMap((r) => [0, 1, 2, 3].map(() => s.claimNext(queue, r, T0))))).filter((x) => x !== null);
        expect(got).toHaveLength(60);
        expect(new Set(got.map((g) => g!.lead.id))).toEqual(new Set(ids));
        const claimedEvents = (await s.eventsAfter(0, 1000)).filter((e) => e.type === 'lead.claimed');
        expect(claimedEvents).toHaveLength(60);
      });

      // On PostgreSQL simultaneous calls share statements (a batch pairs requests with the
      // front leads in order): a rep in a batch must still be passed over a lead they let go,
      // and no other lead may be left behind while later ones are handed out.
      it('simultaneous claim-next calls take the front of the queue, each lead once, and still pass a rep over a lead they let go', async () => {
        const queue = await buildPool(s, 'queue');
        const ids = await addLeads(s, queue, 40);
        const a = await buildRep(s);
        expect((await s.claimNext(queue, a, T0))?.lead.id).toBe(ids[0]);
        await s.release(ids[0]!, a, 'not for me', T0 + 1);
        const others: UserActor[] = [];
        for (let i = 0; i < 11; i++) others.push(await buildRep(s));
        // a first in every wave, so a batch pairs a with the front lead, the one a released.
        const calls = [a, a, a, ...others, a, ...others];
        const got = await Promise.all(calls.map((r) => s.claimNext(queue, r, T0 + 2)));
        expect(got.every((g) => g !== null)).toBe(true);
        const taken = got.map((g) => g!.lead.id);
        expect(new Set(taken).size).toBe(calls.length);
        // The front leads, save at most the one a released (batches that include a pass it over).
        const front = ids.slice(0, calls.length + 1);
        expect(taken.filter((id) => !front.includes(id))).toEqual([]);
        const left = front.filter((id) => !taken.includes(id));
        expect(left).toHaveLength(1);
        expect([ids[0], ids[calls.length]]).toContain(left[0]);
        got.forEach((g, i) => {
          expect(g!.lead.ownerId).toBe(calls[i]!.userId);
          expect(g!.events[0]).toMatchObject({ type: 'lead.claimed', leadId: g!.lead.id, actorId: calls[i]!.userId, actorName: calls[i]!.name, data: { ownerId: calls[i]!.userId, next: true } });
        });
        expect(got.filter((g, i) => calls[i] === a).map((g) => g!.lead.id)).not.toContain(ids[0]);
        const claimed = (await s.eventsAfter(0, 1000)).filter((e) => e.type === 'lead.claimed');
        expect(claimed).toHaveLength(calls.length + 1);
        for (const g of got) expect(claimed.filter((e) => e.leadId === g!.lead.id && e.actorId === g!.lead.ownerId)).toHaveLength(1);
        expect(await s.claimNext(queue, a, T0 + 3)).not.toBeNull();
      });
    });

    describe('working a lead', () => {
      it('release returns a held lead to its pool with an event; only its owner or a manager may; an available one cannot be released', async () => {
        const p = await buildPool(s);
        const [id] = await addLeads(s, p, 1);
        const a = await buildRep(s);
        const b = await buildRep(s);
        const m = await buildRep(s, 'manager');
        await s.claim(id!, a, T0);
        expect(await codeOf(s.release(id!, b, null, T0))).toBe('NOT_YOUR_LEAD');
        const r = await s.release(id!, a, 'wrong region', T0 + 10);
        expect(r.lead).toMatchObject({ status: 'available', ownerId: null, lockExpiresAt: null, claimedAt: null, availableSince: T0 + 10 });
        expect(r.events[0]).toMatchObject({ type: 'lead.released', reason: 'wrong region', data: { previousOwnerId: a.userId, previousStatus: 'claimed' } });
        expect(await codeOf(s.release(id!, a, null, T0))).toBe('NOT_YOUR_LEAD'); // it is nobody's now
        expect(await codeOf(s.release(id!, m, null, T0))).toBe('INVALID_TRANSITION');
        await s.claim(id!, b, T0 + 20);
        expect((await s.release(id!, m, null, T0 + 30)).lead.status).toBe('available');
        expect(await codeOf(s.release(424242, m, null, T0))).toBe('LEAD_NOT_FOUND');
      });

      it('a manager reassigns a lead with a fresh lock; a closed lead and an unknown user are refused', async () => {
        const p = await buildPool(s, 'pool', 120);
        const [id] = await addLeads(s, p, 1);
        const a = await buildRep(s);
        const b = await buildRep(s);
        const m = await buildRep(s, 'manager');
        await s.claim(id!, a, T0);
        const r = await s.reassign(id!, b.userId, m, 'coverage', T0 + 5);
        expect(r.lead).toMatchObject({ status: 'assigned', ownerId: b.userId, claimSource: 'manager', lockExpiresAt: T0 + 5 + 120_000 });
        expect(r.events[0]).toMatchObject({ type: 'lead.reassigned', reason: 'coverage', data: { previousOwnerId: a.userId, ownerId: b.userId } });
        expect(await codeOf(s.reassign(id!, 31337, m, null, T0))).toBe('VALIDATION_FAILED');
        await s.setStatus(id!, b, 'disqualified', 'no budget', T0 + 6);
        expect(await codeOf(s.reassign(id!, a.userId, m, null, T0 + 7))).toBe('INVALID_TRANSITION');
      });

      it('activity makes a lead contacted once and stops its lock; status moves follow the lifecycle', async () => {
        const p = await buildPool(s);
        const [id] = await addLeads(s, p, 1);
        const a = await buildRep(s);
        const b = await buildRep(s);
        await s.claim(id!, a, T0);
        expect(await codeOf(s.setStatus(id!, a, 'converted', null, T0))).toBe('INVALID_TRANSITION');
        expect(await codeOf(s.logActivity(id!, b, { type: 'call', note: null }, T0))).toBe('NOT_YOUR_LEAD');
        const c1 = await s.logActivity(id!, a, { type: 'call', note: 'spoke to the CTO' }, T0 + 1);
        expect(c1.lead).toMatchObject({ status: 'contacted', contactedAt: T0 + 1, lockExpiresAt: null });
        expect(c1.events[0]).toMatchObject({ type: 'lead.activity', reason: 'spoke to the CTO', data: { activity: 'call', from: 'claimed', to: 'contacted', firstContact: true } });
        const c2 = await s.logActivity(id!, a, { type: 'email', note: null }, T0 + 2);
        expect(c2.lead.contactedAt).toBe(T0 + 1);
        expect(c2.events[0]?.data.firstContact).toBe(false);
        expect((await s.setStatus(id!, a, 'qualified', null, T0 + 3)).lead).toMatchObject({ status: 'qualified', closedAt: null });
        const done = await s.setStatus(id!, a, 'converted', 'signed', T0 + 4);
        expect(done.lead).toMatchObject({ status: 'converted', closedAt: T0 + 4 });
        expect(done.events[0]).toMatchObject({ type: 'lead.status_changed', data: { from: 'qualified', to: 'converted' } });
        expect(await codeOf(s.logActivity(id!, a, { type: 'note', note: null }, T0 + 5))).toBe('INVALID_TRANSITION');
        expect(await types(id!)).toEqual(['lead.created', 'lead.claimed', 'lead.activity', 'lead.activity', 'lead.status_changed', 'lead.status_changed']);
        expect((await s.leadsOwnedBy(a.userId)).map((l) => l.id)).toEqual([id]);
      });
    });

    describe('lock timers', () => {
      it('a lock that runs out returns the lead once, with an event, and its rep cannot take it straight back (LEAD_NOT_CLAIMABLE)', async () => {
        const p = await buildPool(s, 'pool', 900);
        const [id, other] = await addLeads(s, p, 2);
        const a = await buildRep(s);
        const b = await buildRep(s);
        await s.claim(id!, a, T0);
        await s.claim(other!, b, T0 + 1000);
        expect(await s.nextLockDue()).toBe(T0 + 900_000);
        expect(await s.expireDueLocks(T0 + 899_999, 10)).toEqual([]);
        const fired = await s.expireDueLocks(T0 + 900_500, 10);
        expect(fired).toHaveLength(1);
        expect(fired[0]).toMatchObject({
          type: 'lead.expired',
          leadId: id,
          actorKind: 'system',
          actorName: 'lock timer',
          reason: 'lock timer ran out without contact',
          data: { previousOwnerId: a.userId, previousStatus: 'claimed', lockExpiresAt: T0 + 900_000, lateByMs: 500 },
        });
        expect(await s.expireDueLocks(T0 + 900_500, 10)).toEqual([]);
        expect(await s.getLead(id!)).toMatchObject({ status: 'available', ownerId: null, lockExpiresAt: null, availableSince: T0 + 900_500 });
        expect(await s.nextLockDue()).toBe(T0 + 1000 + 900_000);
        let err: unknown;
        await s.claim(id!, a, T0 + 900_600).catch((e: unknown) => (err = e));
        expect(err).toMatchObject({ code: 'LEAD_NOT_CLAIMABLE', details: { reason: 'expired_by_you' } });
        expect((await s.claim(id!, b, T0 + 900_700)).lead.ownerId).toBe(b.userId);
      });

      it('worked leads have no timer, and a batch limit leaves the rest for the next sweep', async () => {
        const p = await buildPool(s, 'pool', 60);
        const ids = await addLeads(s, p, 5);
        const reps: UserActor[] = [];
        for (const id of ids) {
          const r = await buildRep(s);
          reps.push(r);
          await s.claim(id, r, T0);
        }
        await s.logActivity(ids[0]!, reps[0]!, { type: 'call', note: null }, T0 + 1);
        expect(await s.expireDueLocks(T0 + 60_000, 3)).toHaveLength(3);
        expect(await s.expireDueLocks(T0 + 60_000, 3)).toHaveLength(1);
        expect(await s.nextLockDue()).toBeNull();
        expect((await s.getLead(ids[0]!))?.status).toBe('contacted');
      });

      it('sweeps by several instances at the same moment fire each timer exactly once', async () => {
        const p = await buildPool(s, 'pool', 60);
        const ids = await addLeads(s, p, 40);
        for (const id of ids) await s.claim(id, await buildRep(s), T0);
        const others = [await opened!.another(), await opened!.another()];
        const sweeps = await Promise.all([s, ...others, s, ...others].map((st) => st.expireDueLocks(T0 + 60_000, 7)));
        let fired = sweeps.flat();
        for (let i = 0; i < 10 && fired.length < 40; i++) fired = fired.concat(...(await Promise.all([s, ...others].map((st) => st.expireDueLocks(T0 + 60_000, 7)))));
        expect(fired.map((e) => e.leadId).sort((x, y) => x! - y!)).toEqual(ids);
        const expired = (await s.eventsAfter(0, 10_000)).filter((e) => e.type === 'lead.expired');
        expect(expired).toHaveLength(40);
      });
    });

    describe('fair play', () => {
      it('team rules start empty, are set with an event, and team settings keep JSON values', async () => {
        expect(await s.getTeamRules()).toEqual({});
        const r = await s.setTeamRules({ hoardingLimit: 3 }, SYSTEM, T0);
        expect(r.events[0]).toMatchObject({ type: 'settings.rules_updated', data: { from: {}, to: { hoardingLimit: 3 } } });
        expect(await s.getTeamRules()).toEqual({ hoardingLimit: 3 });
        expect(await s.getTeamSetting('board')).toBeNull();
        await s.setTeamSetting('board', { visible: true }, SYSTEM, T0);
        expect(await s.getTeamSetting('board')).toEqual({ visible: true });
      });

      it('the hoarding limit refuses the claim past it with RULE_HOARDING_LIMIT, records the refusal, and contact frees a slot', async () => {
        const p = (await s.createPool({ name: 'Hoard', mode: 'pool', rules: { hoardingLimit: 2 } }, SYSTEM, T0)).pool.id;
        const ids = await addLeads(s, p, 4);
        const rep = await buildRep(s);
        await s.claim(ids[0]!, rep, T0);
        await s.claim(ids[1]!, rep, T0);
        let err: unknown;
        await s.claim(ids[2]!, rep, T0).catch((e: unknown) => (err = e));
        expect(err).toMatchObject({ code: 'RULE_HOARDING_LIMIT', details: { current: 2, limit: 2 } });
        const refused = (await s.eventsAfter(0, 1000)).filter((e) => e.type === 'lead.claim_refused');
        expect(refused).toHaveLength(1);
        expect(refused[0]).toMatchObject({ leadId: ids[2], poolId: p, actorId: rep.userId, data: { rule: 'RULE_HOARDING_LIMIT' } });
        expect((await s.getLead(ids[2]!))?.status).toBe('available');
        await s.logActivity(ids[0]!, rep, { type: 'call', note: null }, T0 + 1);
        expect((await s.claim(ids[2]!, rep, T0 + 2)).lead.ownerId).toBe(rep.userId);
      });

      it('simultaneous claims by one rep cannot slip past the hoarding limit together', async () => {
        await s.setTeamRules({ hoardingLimit: 3 }, SYSTEM, T0);
        const p = await buildPool(s);
        const q = await buildPool(s, 'queue');
        const ids = await addLeads(s, p, 8);
        await addLeads(s, q, 8);
        const rep = await buildRep(s);
        const results = await Promise.allSettled([...ids.map((id) => s.claim(id, rep, T0)), ...ids.map(() => s.claimNext(q, rep, T0))]);
        expect(results.filter((r) => r.status === 'fulfilled' && r.value !== null)).toHaveLength(3);
        expect(new Set(results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code: string }).code] : [])))).toEqual(new Set(['RULE_HOARDING_LIMIT']));
        expect((await s.leadsOwnedBy(rep.userId)).length).toBe(3);
      });

      it('the ratio diversity rule wants a claim under the threshold before each one at or above it; queues ignore it', async () => {
        const p = (await s.createPool({ name: 'Ratio', mode: 'pool', rules: { diversity: { mode: 'ratio', threshold: 80 } } }, SYSTEM, T0)).pool.id;
        const [hot1, cool, hot2, hot3] = await addLeads(s, p, [{ score: 90 }, { score: 40 }, { score: 85 }, { score: 95 }]);
        const rep = await buildRep(s);
        expect(await codeOf(s.claim(hot1!, rep, T0))).toBe('RULE_DIVERSITY');
        await s.claim(cool!, rep, T0);
        await s.claim(hot2!, rep, T0);
        expect(await codeOf(s.claim(hot3!, rep, T0))).toBe('RULE_DIVERSITY');
        const q = (await s.createPool({ name: 'RatioQ', mode: 'queue', rules: { diversity: { mode: 'ratio', threshold: 80 } } }, SYSTEM, T0)).pool.id;
        await addLeads(s, q, [{ score: 99 }]);
        expect((await s.claimNext(q, rep, T0))?.lead.score).toBe(99);
      });

      it('the detail-view limit refuses the view past it until the rep claims', async () => {
        const p = (await s.createPool({ name: 'Views', mode: 'pool', rules: { detailViewLimit: 2 } }, SYSTEM, T0)).pool.id;
        const ids = await addLeads(s, p, 3);
        const rep = await buildRep(s);
        await s.viewLead(ids[0]!, rep, T0);
        await s.viewLead(ids[1]!, rep, T0);
        expect(await codeOf(s.viewLead(ids[2]!, rep, T0))).toBe('RULE_DETAIL_VIEW_LIMIT');
        await s.claim(ids[0]!, rep, T0);
        expect((await s.viewLead(ids[2]!, rep, T0)).id).toBe(ids[2]);
        expect((await s.eventsAfter(0, 1000)).filter((e) => e.type === 'lead.viewed')).toHaveLength(3);
      });

      it('a skipped queue lead goes back for others, not to the rep; the skip limit stops a run of skips', async () => {
        const q = (await s.createPool({ name: 'Skips', mode: 'queue', rules: { skipLimit: 1 } }, SYSTEM, T0)).pool.id;
        const [first, second, third] = await addLeads(s, q, 3);
        const rep = await buildRep(s);
        const other = await buildRep(s);
        expect((await s.claimNext(q, rep, T0))?.lead.id).toBe(first);
        const skipped = await s.skip(first!, rep, 'bad_data', 'wrong phone', T0 + 1);
        expect(skipped.lead).toMatchObject({ status: 'available', ownerId: null });
        expect(skipped.events[0]).toMatchObject({ type: 'lead.skipped', reason: 'wrong phone', data: { skipReason: 'bad_data', skipsInRow: 1 } });
        expect((await s.claimNext(q, rep, T0 + 2))?.lead.id).toBe(second);
        expect(await codeOf(s.skip(second!, rep, 'other', null, T0 + 3))).toBe('RULE_SKIP_LIMIT');
        expect((await s.claimNext(q, other, T0 + 4))?.lead.id).toBe(first);
        await s.logActivity(second!, rep, { type: 'call', note: null }, T0 + 5);
        expect((await s.claimNext(q, rep, T0 + 6))?.lead.id).toBe(third);
        expect((await s.skip(third!, rep, 'other', null, T0 + 7)).lead.status).toBe('available');
        expect(await codeOf(s.skip(second!, rep, 'other', null, T0 + 8))).toBe('INVALID_TRANSITION');
      });

      it('claims are measured against the pool mix snapshot, and the measurements aggregate them per rep', async () => {
        const p = await buildPool(s);
        const ids = await addLeads(s, p, [{ score: 10, industry: 'Retail' }, { score: 50, industry: 'Retail' }, { score: 90, industry: 'Banking' }, { score: 95, industry: 'Banking' }]);
        const mix = await s.snapshotPoolMix(p, T0);
        expect(mix).toEqual({ waiting: 4, byIndustry: { Retail: [0, 1, 0, 0, 0, 1, 0, 0, 0, 0], Banking: [0, 0, 0, 0, 0, 0, 0, 0, 0, 2] } });
        const rep = await buildRep(s);
        await s.claim(ids[3]!, rep, T0 + MIN);
        await s.claim(ids[0]!, rep, T0 + 2 * MIN);
        await s.logActivity(ids[3]!, rep, { type: 'call', note: null }, T0 + 3 * MIN);
        await s.release(ids[0]!, rep, null, T0 + 4 * MIN);
        const f = await s.metricsFacts({ from: T0, to: T0 + 10 * MIN }, T0 + 10 * MIN);
        expect(f.arrivalToClaim).toEqual({ count: 2, meanMs: 1.5 * MIN, p50Ms: MIN, p90Ms: 2 * MIN });
        expect(f.claimToContact).toEqual({ count: 1, meanMs: 2 * MIN, p50Ms: 2 * MIN, p90Ms: 2 * MIN });
        expect(f.perRep).toHaveLength(1);
        const r = f.perRep[0]!;
        expect(r).toMatchObject({ userId: rep.userId, claims: 2, measured: 2, released: 1, contacted: 1, scoreSum: 105 });
        // 95 is in the top band (3 of 4 below or half in it: (2 + 2/2) / 4), 10 in band 1 ((0 + 1/2) / 4).
        expect(r.meanPercentile).toBeCloseTo((0.75 + 0.125) / 2, 6);
        expect(r.bands[9]).toBe(1);
        expect(r.industries).toEqual({ Banking: { claimed: 1, expectedShareSum: 0.5 }, Retail: { claimed: 1, expectedShareSum: 0.5 } });
        expect(f.waiting.find((w) => w.poolId === p)?.buckets.reduce((a, n) => a + n, 0)).toBe(3);
        expect(await s.claimCountsSince(T0)).toEqual([{ userId: rep.userId, poolId: p, claims: 2 }]);
        const pages: number[] = [];
        for await (const page of s.eventPages({ from: T0, to: T0 + 10 * MIN }, 3)) pages.push(page.length);
        expect(pages.reduce((a, n) => a + n, 0)).toBe((await s.eventsAfter(0, 1000)).filter((e) => e.at >= T0 && e.at < T0 + 10 * MIN).length);
      });
    });

    describe('routing', () => {
      /** Reps in a team, available, with no limits. */
      const team = async (name: string, n: number) => {
        const reps: UserActor[] = [];
        for (let i = 0; i < n; i++) {
          const r = await buildRep(s);
          await s.updateRep(r.userId, { team: name }, SYSTEM, null, T0);
          reps.push(r);
        }
        return reps;
      };

      it('rep settings change with events, and an unknown rep is USER_NOT_FOUND', async () => {
        const [r] = await team('North', 1);
        const u = await s.updateRep(r!.userId, { tier: 'A', capacity: 5, caps: { daily: 3 } }, SYSTEM, 'promoted', T0);
        expect(u.rep).toMatchObject({ userId: r!.userId, team: 'North', tier: 'A', capacity: 5, caps: { daily: 3 }, availability: 'available', paused: false, weight: 1 });
        expect(u.events.map((e) => e.type)).toEqual(['rep.tier_changed', 'rep.updated']);
        expect(await s.getRep(r!.userId)).toEqual(u.rep);
        expect((await s.listReps()).map((x) => x.userId)).toEqual([r!.userId]);
        expect(await codeOf(s.updateRep(4242, { tier: 'B' }, SYSTEM, null, T0))).toBe('USER_NOT_FOUND');
      });

      it('named accounts are created, found by normalised name, updated, imported and deleted', async () => {
        const [owner] = await team('North', 1);
        const a = await s.createAccount({ name: 'Müller GmbH', domains: ['Mueller.DE'], ownerId: owner!.userId, customer: true }, SYSTEM, T0);
        expect(a).toMatchObject({ name: 'Müller GmbH', domains: ['mueller.de'], ownerId: owner!.userId, customer: true });
        expect(await codeOf(s.createAccount({ name: 'müller gmbh', domains: [], ownerId: owner!.userId, customer: false }, SYSTEM, T0))).toBe('DUPLICATE');
        expect(await codeOf(s.createAccount({ name: 'X', domains: [], ownerId: 999, customer: false }, SYSTEM, T0))).toBe('VALIDATION_FAILED');
        expect((await s.updateAccount(a.id, { customer: false }, SYSTEM, T0)).customer).toBe(false);
        expect(await s.importAccounts([{ name: 'MÜLLER GmbH', domains: [], ownerId: owner!.userId, customer: true }, { name: 'Neu AG', domains: [], ownerId: owner!.userId, customer: false }], SYSTEM, T0)).toEqual({ created: 1, updated: 1 });
        expect((await s.listAccounts()).map((x) => x.name)).toEqual(['MÜLLER GmbH', 'Neu AG']);
        await s.deleteAccount(a.id, SYSTEM, T0);
        expect(await codeOf(s.deleteAccount(a.id, SYSTEM, T0))).toBe('NOT_FOUND');
      });

      it('round robin pushes arriving leads to a team in turn, with routed and pushed events, one rotation for the team', async () => {
        const reps = await team('North', 3);
        const fallback = await buildPool(s);
        const v = await s.putRouting(
          { rules: [{ id: 'r1', name: 'all to North', when: {}, then: { type: 'push_team', team: 'North', strategy: 'round_robin', fallbackPoolId: fallback } }], defaultPoolId: fallback },
          'first',
          SYSTEM,
          T0,
        );
        expect(v.version.version).toBe(1);
        expect((await s.getRouting())?.ruleSet.rules).toHaveLength(1);
        const first = await s.insertLeads([buildLead(), buildLead()], fallback, SYSTEM, T0);
        const second = await s.insertLeads([buildLead(), buildLead(), buildLead(), buildLead()], fallback, SYSTEM, T0);
        const owners = [...first.created, ...second.created].map((l) => l.ownerId);
        expect(owners).toEqual([0, 1, 2, 0, 1, 2].map((i) => reps[i]!.userId));
        const l = first.created[0]!;
        expect(l).toMatchObject({ status: 'assigned', claimSource: 'pushed', poolId: fallback });
        expect(l.routing?.matchedRuleId).toBe('r1');
        expect(first.events.map((e) => e.type)).toEqual(['lead.created', 'lead.routed', 'lead.pushed', 'lead.created', 'lead.routed', 'lead.pushed']);
        expect((await s.rotations()).map((r) => [r.team, r.state.lastUserId])).toEqual([['North', reps[2]!.userId]]);
        await s.setRotationPaused('North', true, SYSTEM, T0);
        const paused = await s.insertLeads([buildLead()], fallback, SYSTEM, T0);
        expect(paused.created[0]).toMatchObject({ status: 'available', ownerId: null });
        expect((await s.routingVersions()).map((x) => x.version)).toEqual([1]);
        expect((await s.dryRun((await s.getRouting())!.ruleSet, [buildLead()], T0))[0]?.outcome.kind).toBe('pool');
        expect(await s.recentLeadsForRouting(2)).toHaveLength(2);
      });

      it('simultaneous routed batches keep one rotation: every rep of the team gets the same share', async () => {
        const reps = await team('South', 4);
        const fallback = await buildPool(s);
        await s.putRouting({ rules: [{ id: 'r', name: 'South', when: {}, then: { type: 'push_team', team: 'South', strategy: 'round_robin', fallbackPoolId: fallback } }], defaultPoolId: fallback }, null, SYSTEM, T0);
        const other = await opened!.another();
        const batches = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? other : s).insertLeads([buildLead(), buildLead(), buildLead()], fallback, SYSTEM, T0)));
        const counts = new Map<number, number>();
        for (const b of batches) for (const l of b.created) counts.set(l.ownerId!, (counts.get(l.ownerId!) ?? 0) + 1);
        expect([...counts.entries()].sort((a, b) => a[0] - b[0])).toEqual(reps.map((r) => [r.userId, 6]));
      });

      it('a lead sent again (its externalId stored) is not routed again: the rotation moves only for new leads', async () => {
        const reps = await team('West', 3);
        const fallback = await buildPool(s);
        await s.putRouting({ rules: [{ id: 'r', name: 'West', when: {}, then: { type: 'push_team', team: 'West', strategy: 'round_robin', fallbackPoolId: fallback } }], defaultPoolId: fallback }, null, SYSTEM, T0);
        const first = await s.insertLeads([buildLead({ externalId: 'crm-7' })], fallback, SYSTEM, T0);
        const again = await s.insertLeads([buildLead({ externalId: 'crm-7' }), buildLead({ externalId: 'crm-7' })], fallback, SYSTEM, T0 + 1);
        expect(again.created).toEqual([]);
        expect(again.existing.map((l) => l.id)).toEqual([first.created[0]!.id, first.created[0]!.id]);
        const next = await s.insertLeads([buildLead({ externalId: 'crm-8' }), buildLead({ externalId: 'crm-7' }), buildLead({ externalId: 'crm-9' })], fallback, SYSTEM, T0 + 2);
        expect([first.created[0]!, ...next.created].map((l) => l.ownerId)).toEqual(reps.map((r) => r.userId));
        expect((await s.eventsAfter(0, 1000)).filter((e) => e.type === 'lead.pushed' || e.type === 'lead.created')).toHaveLength(6);
      });

      it('an unclaimed lead escalates by its pool ladder once (assign, then review), and the review queue lists it', async () => {
        await team('East', 2);
        const p = (await s.createPool({ name: 'Ladder', mode: 'pool', escalation: { steps: [{ afterMinutes: 30, action: { type: 'assign', team: 'East', strategy: 'round_robin' } }, { afterMinutes: 60, action: { type: 'review' } }] } }, SYSTEM, T0)).pool.id;
        const [a, b] = await addLeads(s, p, 2, T0);
        expect(await s.nextEscalationDue()).toBe(T0 + 30 * MIN);
        expect(await s.runDueEscalations(T0 + 29 * MIN, 10)).toEqual([]);
        const other = await opened!.another();
        const fired = (await Promise.all([s.runDueEscalations(T0 + 30 * MIN, 10), other.runDueEscalations(T0 + 30 * MIN, 10)])).flat();
        expect(fired.map((e) => [e.type, e.leadId, e.data.outcome]).sort()).toEqual([
          ['lead.escalated', a, 'assigned'],
          ['lead.escalated', b, 'assigned'],
        ]);
        const assigned = await s.getLead(a!);
        expect(assigned).toMatchObject({ status: 'assigned', claimSource: 'escalated' });
        await s.release(a!, { kind: 'user', userId: assigned!.ownerId!, role: 'rep', name: 'x' }, null, T0 + 31 * MIN);
        expect((await s.getLead(a!))?.status).toBe('available');
        const review = await s.runDueEscalations(T0 + 61 * MIN, 10);
        expect(review.map((e) => [e.leadId, e.data.action])).toEqual([[a, 'review']]);
        expect((await s.reviewQueue(p)).map((l) => l.id)).toEqual([a]);
      });

      it('tier statistics count claims, conversions and the median time to first contact', async () => {
        const p = await buildPool(s);
        const [x, y] = await addLeads(s, p, 2);
        const rep = await buildRep(s);
        await s.claim(x!, rep, T0);
        await s.claim(y!, rep, T0);
        await s.logActivity(x!, rep, { type: 'call', note: null }, T0 + 2 * MIN);
        await s.logActivity(y!, rep, { type: 'call', note: null }, T0 + 4 * MIN);
        await s.setStatus(y!, rep, 'converted', null, T0 + 5 * MIN);
        expect(await s.tierStats(T0)).toEqual([{ userId: rep.userId, claims: 2, converted: 1, medianMinutesToContact: 2 }]);
      });
    });

    describe('history', () => {
      it('events are read after an id in order, and lastEventId is the newest', async () => {
        expect(await s.lastEventId()).toBe(0);
        expect(await s.eventsAfter(0, 10)).toEqual([]);
        const p = await buildPool(s);
        const ids = await addLeads(s, p, 3);
        const all = await s.eventsAfter(0, 100);
        expect(all.map((e) => e.type)).toEqual(['pool.created', 'lead.created', 'lead.created', 'lead.created']);
        expect(all.map((e) => e.id)).toEqual([...all.map((e) => e.id)].sort((a, b) => a - b));
        expect(await s.lastEventId()).toBe(all[3]!.id);
        expect((await s.eventsAfter(all[1]!.id, 1)).map((e) => e.leadId)).toEqual([ids[1]]);
        expect((await s.leadEvents(ids[2]!)).map((e) => e.id)).toEqual([all[3]!.id]);
      });
    });
  });
}
