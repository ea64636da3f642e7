import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLead, makeEnv, SYSTEM, type TestEnv } from '../helpers.js';
import { call, countLeads, expectCleanError, snapshot } from './support.js';

let env: TestEnv;
let admin: { id: number; token: string };
let manager: { id: number; token: string };
let rep: { id: number; token: string };
let ingestKey: string;
let mainPool: number;
let otherPool: number;

beforeAll(async () => {
  env = await makeEnv();
  admin = await env.user('admin');
  manager = await env.user('manager');
  rep = await env.user('rep');
  mainPool = await env.pool('Main', 'pool');
  otherPool = await env.pool('Other', 'cherry_pick');
  const key = await call(env, 'POST', '/api/v1/api-keys', { token: admin.token, payload: { name: 'Web forms', scope: 'ingest' } });
  ingestKey = key.json().key;
});
afterAll(async () => env.cleanup());

const post = (payload: unknown, token = ingestKey) => call(env, 'POST', '/api/v1/leads', { token, payload });
const postBatch = (leads: unknown[], token = ingestKey) => call(env, 'POST', '/api/v1/leads/batch', { token, payload: { leads } });

let ext = 0;
const extId = (tag: string) => `${tag}-${++ext}`;

describe('feeding in one lead', () => {
  it('a new lead is stored as available and returned with 201 and created: true', async () => {
    const input = buildLead({ poolId: otherPool, score: 77, priority: 3, attributes: { campaign: 'spring' } });
    const res = await post(input);
    expect(res.statusCode).toBe(201);
    const { lead, created } = res.json();
    expect(created).toBe(true);
    expect(lead).toMatchObject({
      poolId: otherPool,
      status: 'available',
      company: input.company,
      industry: input.industry,
      companySize: input.companySize,
      source: input.source,
      score: 77,
      region: input.region,
      contact: { name: input.contact.name, email: input.contact.email, phone: input.contact.phone },
      priority: 3,
      attributes: { campaign: 'spring' },
      ownerId: null,
      createdAt: new Date(env.clock.now()).toISOString(),
    });
    expect(await env.store.getLead(lead.id)).toMatchObject({ status: 'available', poolId: otherPool, score: 77 });
    const events = await env.store.leadEvents(lead.id);
    expect(events.map((e) => e.type)).toEqual(['lead.created']);
    expect(events[0]).toMatchObject({ poolId: otherPool, actorKind: 'api_key' });
  });

  it('text is trimmed and the contact email lower-cased', async () => {
    const res = await post(buildLead({ poolId: mainPool, company: '  Spacy GmbH  ', region: ' Süd ', contact: { name: ' Ada ', email: 'Ada@Example.COM', phone: ' +49 1 ' } }));
    expect(res.statusCode).toBe(201);
    expect(res.json().lead).toMatchObject({ company: 'Spacy GmbH', region: 'Süd', contact: { name: 'Ada', email: 'ada@example.com', phone: '+49 1' } });
  });

  it('people may feed leads in too', async () => {
    for (const token of [rep.token, manager.token, admin.token]) {
      expect((await post(buildLead({ poolId: mainPool }), token)).statusCode).toBe(201);
    }
  });

  it('the same externalId again returns the stored lead with 200 and created: false, and stores nothing', async () => {
    const id = extId('crm');
    const first = await post(buildLead({ poolId: mainPool, externalId: id, company: 'Original AG' }));
    expect(first.statusCode).toBe(201);
    const before = await snapshot(env);
    const again = await post(buildLead({ poolId: otherPool, externalId: id, company: 'Changed AG', score: 99 }));
    expect(again.statusCode).toBe(200);
    expect(again.json().created).toBe(false);
    expect(again.json().lead).toMatchObject({ id: first.json().lead.id, company: 'Original AG', poolId: mainPool, externalId: id });
    expect(await snapshot(env)).toEqual(before);
  });

  it('an unknown poolId is refused with 400 naming poolId, and nothing is written', async () => {
    const before = await snapshot(env);
    expectCleanError(await post(buildLead({ poolId: 987654 })), 400, 'VALIDATION_FAILED', 'poolId');
    expect(await snapshot(env)).toEqual(before);
  });
});

describe('the default pool', () => {
  it('a lead without poolId lands in the first pool, which is the default unless another is marked', async () => {
    const res = await post(buildLead());
    expect(res.statusCode).toBe(201);
    expect(res.json().lead.poolId).toBe(mainPool);
    const events = await env.store.leadEvents(res.json().lead.id);
    expect(events[0]!.data).toMatchObject({ poolId: mainPool, via: 'default_pool' });
  });

  it('after a manager marks another pool as default, leads without poolId land there, single and in a batch', async () => {
    const patch = await call(env, 'PATCH', `/api/v1/pools/${otherPool}`, { token: manager.token, payload: { isDefault: true } });
    expect(patch.statusCode).toBe(200);
    expect(patch.json().isDefault).toBe(true);
    try {
      expect((await post(buildLead())).json().lead.poolId).toBe(otherPool);
      const batch = await postBatch([buildLead(), buildLead({ poolId: mainPool })]);
      const [a, b] = batch.json().leads as { id: number }[];
      expect((await env.store.getLead(a!.id))?.poolId).toBe(otherPool);
      expect((await env.store.getLead(b!.id))?.poolId).toBe(mainPool);
      const pools = (await call(env, 'GET', '/api/v1/pools', { token: rep.token })).json().items as { id: number; isDefault: boolean }[];
      expect(pools.filter((p) => p.isDefault).map((p) => p.id)).toEqual([otherPool]);
    } finally {
      await call(env, 'PATCH', `/api/v1/pools/${mainPool}`, { token: manager.token, payload: { isDefault: true } });
    }
  });

  it('with no pools at all, a lead without poolId is refused with 400 naming poolId', async () => {
    const empty = await makeEnv();
    try {
      const a = await empty.user('admin');
      const before = await snapshot(empty);
      expectCleanError(await call(empty, 'POST', '/api/v1/leads', { token: a.token, payload: buildLead() }), 400, 'VALIDATION_FAILED', 'poolId');
      expectCleanError(await call(empty, 'POST', '/api/v1/leads/batch', { token: a.token, payload: { leads: [buildLead()] } }), 400, 'VALIDATION_FAILED', 'poolId');
      expect(await snapshot(empty)).toEqual(before);
    } finally {
      await empty.cleanup();
    }
  });
});

describe('feeding in a batch', () => {
  it('stores every lead and reports each one in order, with 200 and the counts', async () => {
    const before = await countLeads(env);
    const inputs = [buildLead({ poolId: mainPool, externalId: extId('b') }), buildLead({ poolId: otherPool }), buildLead({ poolId: mainPool })];
    const res = await postBatch(inputs);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ created: 3, existing: 0 });
    expect(body.leads).toHaveLength(3);
    expect(body.leads.every((l: { created: boolean }) => l.created)).toBe(true);
    expect(await countLeads(env)).toBe(before + 3);
    const stored = await env.store.getLeads(body.leads.map((l: { id: number }) => l.id));
    const byId = new Map(stored.map((l) => [l.id, l]));
    body.leads.forEach((l: { id: number }, i: number) => expect(byId.get(l.id)?.company).toBe(inputs[i]!.company));
  });

  it('a lead whose externalId is already stored is reported as existing, not stored again', async () => {
    const id = extId('dup');
    const first = await post(buildLead({ poolId: mainPool, externalId: id }));
    const before = await countLeads(env);
    const res = await postBatch([buildLead({ poolId: mainPool, externalId: id }), buildLead({ poolId: mainPool, externalId: extId('new') })]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ created: 1, existing: 1 });
    expect(res.json().leads[0]).toEqual({ id: first.json().lead.id, externalId: id, created: false });
    expect(res.json().leads[1]).toMatchObject({ created: true });
    expect(await countLeads(env)).toBe(before + 1);
  });

  it('the same externalId twice within one batch stores one lead, and the result says which entry was the duplicate', async () => {
    const id = extId('twice');
    const before = await countLeads(env);
    const beforeEvent = await env.store.lastEventId();
    const res = await postBatch([buildLead({ poolId: mainPool, externalId: id }), buildLead({ poolId: mainPool, externalId: id }), buildLead({ poolId: mainPool })]);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ created: 2, existing: 1 });
    expect(await countLeads(env)).toBe(before + 2);
    expect((await env.store.eventsAfter(beforeEvent, 100)).filter((e) => e.type === 'lead.created')).toHaveLength(2);
    // One result per input, in input order: the first is created, the second is the same lead, not created.
    expect(body.leads).toHaveLength(3);
    expect(body.leads[0]).toMatchObject({ externalId: id, created: true });
    expect(body.leads[1]).toEqual({ id: body.leads[0].id, externalId: id, created: false });
    expect(body.leads[2]).toMatchObject({ externalId: null, created: true });
    expect(body.leads.filter((l: { created: boolean }) => l.created)).toHaveLength(body.created);
  });

  it('one bad lead refuses the whole batch with 400 naming leads[i].field, and nothing is stored and no event written', async () => {
    const before = await snapshot(env);
    const res = await postBatch([buildLead({ poolId: mainPool }), buildLead({ poolId: mainPool, score: 500 }), buildLead({ poolId: mainPool })]);
    const body = expectCleanError(res, 400, 'VALIDATION_FAILED', 'leads[1].score');
    expect(body.details!.fields!.map((f) => f.field)).toEqual(['leads[1].score']);
    expect(await snapshot(env)).toEqual(before);
  });

  it('every bad field of every bad lead is named at once', async () => {
    const before = await snapshot(env);
    const { company: _c, ...noCompany } = buildLead({ poolId: mainPool });
    const res = await postBatch([noCompany, buildLead({ poolId: mainPool }), { ...buildLead({ poolId: mainPool }), score: -1, companySize: 'huge' }]);
    const body = expectCleanError(res, 400, 'VALIDATION_FAILED');
    expect(body.details!.fields!.map((f) => f.field).sort()).toEqual(['leads[0].company', 'leads[2].companySize', 'leads[2].score']);
    expect(await snapshot(env)).toEqual(before);
  });

  it('an unknown poolId in a batch refuses the whole batch naming leads[i].poolId, and nothing is written', async () => {
    const before = await snapshot(env);
    const res = await postBatch([buildLead({ poolId: mainPool, externalId: extId('ok') }), buildLead({ poolId: 424242 })]);
    expectCleanError(res, 400, 'VALIDATION_FAILED', 'leads[1].poolId');
    expect(await snapshot(env)).toEqual(before);
  });

  it('a batch of one lead with an unknown poolId names leads[0].poolId', async () => {
    const before = await snapshot(env);
    expectCleanError(await postBatch([buildLead({ poolId: 424242 })]), 400, 'VALIDATION_FAILED', 'leads[0].poolId');
    expect(await snapshot(env)).toEqual(before);
  });

  it('an existing externalId does not hide a bad lead elsewhere in the batch', async () => {
    const id = extId('known');
    await post(buildLead({ poolId: mainPool, externalId: id }));
    const before = await snapshot(env);
    expectCleanError(await postBatch([buildLead({ poolId: mainPool, externalId: id }), buildLead({ poolId: mainPool, score: 101 })]), 400, 'VALIDATION_FAILED', 'leads[1].score');
    expect(await snapshot(env)).toEqual(before);
  });

  it('1,000 leads are accepted in one batch, 1,001 are refused naming leads, and an empty batch is refused', async () => {
    const leads = Array.from({ length: 1000 }, () => buildLead({ poolId: otherPool }));
    const before = await countLeads(env);
    const ok = await postBatch(leads);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().created).toBe(1000);
    expect(await countLeads(env)).toBe(before + 1000);
    const snap = await snapshot(env);
    expectCleanError(await postBatch([...leads, buildLead({ poolId: otherPool })]), 400, 'VALIDATION_FAILED', 'leads');
    expectCleanError(await postBatch([]), 400, 'VALIDATION_FAILED', 'leads');
    expect(await snapshot(env)).toEqual(snap);
  });
});

describe('reading one lead', () => {
  let poolMode: number;
  let cherry: number;
  let queue: number;
  beforeAll(async () => {
    poolMode = (await env.store.createPool({ name: 'Preview pool', mode: 'pool' }, SYSTEM, env.clock.now())).pool.id;
    cherry = (await env.store.createPool({ name: 'Cherry pool', mode: 'cherry_pick' }, SYSTEM, env.clock.now())).pool.id;
    queue = (await env.store.createPool({ name: 'Queue', mode: 'queue' }, SYSTEM, env.clock.now())).pool.id;
  });
  const get = (id: number, token: string) => call(env, 'GET', `/api/v1/leads/${id}`, { token });

  it('in a pool-mode pool a rep sees id, poolId, status and the preview fields, and no contact', async () => {
    const [id] = await env.addLeads(poolMode, [{ externalId: extId('pv'), priority: 4, attributes: { secret: 1 } }]);
    const res = await get(id!, rep.token);
    expect(res.statusCode).toBe(200);
    const lead = res.json().lead;
    expect(Object.keys(lead).sort()).toEqual(['company', 'companySize', 'createdAt', 'id', 'industry', 'poolId', 'region', 'score', 'source', 'status'].sort());
    expect(lead).toMatchObject({ id, poolId: poolMode, status: 'available' });
    expect(res.body).not.toContain('@testfirma');
  });

  it("a pool's own preview fields decide what a rep sees", async () => {
    const { pool } = await env.store.createPool({ name: 'Narrow preview', mode: 'pool', previewFields: ['industry', 'score'] }, SYSTEM, env.clock.now());
    const [id] = await env.addLeads(pool.id, 1);
    const lead = (await get(id!, rep.token)).json().lead;
    expect(Object.keys(lead).sort()).toEqual(['id', 'industry', 'poolId', 'score', 'status']);
  });

  it('in a cherry-pick pool a rep sees everything, contact included', async () => {
    const [id] = await env.addLeads(cherry, 1);
    const lead = (await get(id!, rep.token)).json().lead;
    expect(lead.contact).toMatchObject({ name: expect.any(String), email: expect.stringContaining('@') });
    expect(lead).toHaveProperty('externalId');
    expect(lead).toHaveProperty('ownerId', null);
  });

  it('in a queue a rep may not open a lead (403), a manager may', async () => {
    const [id] = await env.addLeads(queue, 1);
    const refused = expectCleanError(await get(id!, rep.token), 403, 'FORBIDDEN');
    expect(JSON.stringify(refused)).not.toContain('@testfirma');
    const res = await get(id!, manager.token);
    expect(res.statusCode).toBe(200);
    expect(res.json().lead.contact.email).toContain('@');
  });

  it('a manager and an admin see the full lead in every mode', async () => {
    for (const pool of [poolMode, cherry, queue]) {
      const [id] = await env.addLeads(pool, 1);
      for (const token of [manager.token, admin.token]) {
        const lead = (await get(id!, token)).json().lead;
        expect(lead.contact.email).toContain('@');
        expect(lead).toHaveProperty('lockExpiresAt');
      }
    }
  });

  it('once a rep claims a lead, they see all of it and other reps no longer see it at all', async () => {
    const [id] = await env.addLeads(poolMode, 1);
    const other = await env.user('rep');
    const claim = await call(env, 'POST', `/api/v1/leads/${id}/claim`, { token: rep.token });
    expect(claim.statusCode, claim.body).toBe(200);
    const mine = (await get(id!, rep.token)).json().lead;
    expect(mine).toMatchObject({ status: 'claimed', ownerId: rep.id });
    expect(mine.contact.email).toContain('@');
    expectCleanError(await get(id!, other.token), 403, 'FORBIDDEN');
  });

  it('an unknown lead is 404 LEAD_NOT_FOUND', async () => {
    expectCleanError(await get(99_999_999, rep.token), 404, 'LEAD_NOT_FOUND');
  });
});
