import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, MIN, makeEnv, makePool, ok, person, type Rep, type TestEnv } from './support.js';

describe('pool access by tier', () => {
  let env: TestEnv;
  let manager: string;
  let pool: number;
  let top: Rep;
  let standard: Rep;
  let newbie: Rep;
  let untiered: Rep;
  let leads: Record<number, number>; // score -> lead id
  beforeAll(async () => {
    env = await makeEnv();
    manager = (await person(env, 'manager')).token;
    pool = await makePool(env, manager, { name: 'Tiered', mode: 'pool', access: { top: 'full', new: 'none', standard: { filter: { scoreMax: 60 } } } });
    [top, standard, newbie, untiered] = [await person(env, 'rep'), await person(env, 'rep'), await person(env, 'rep'), await person(env, 'rep')];
    await ok(call(env, manager, 'PATCH', `/reps/${top.id}`, { tier: 'top', reason: 'best conversion this quarter' }));
    await ok(call(env, manager, 'PATCH', `/reps/${standard.id}`, { tier: 'standard' }));
    await ok(call(env, manager, 'PATCH', `/reps/${newbie.id}`, { tier: 'new' }));
    const scores = [40, 60, 70, 90];
    const ids = await env.addLeads(pool, scores.map((score) => ({ score, contact: { name: `C${score}`, email: `c${score}@kunde${score}.de`, phone: '+49 1' } })));
    leads = Object.fromEntries(scores.map((s, i) => [s, ids[i]!]));
  });
  afterAll(async () => env.cleanup());

  const browse = async (token: string, id = pool) => ok(call(env, token, 'GET', `/pools/${id}/leads?sort=score&order=asc`));
  const claim = (token: string, id: number) => call(env, token, 'POST', `/leads/${id}/claim`);

  it('a manager sets a tier with a reason, and the change is a rep.tier_changed event', async () => {
    const changes = (await env.store.eventsAfter(0, 1000)).filter((e) => e.type === 'rep.tier_changed');
    expect(changes.map((e) => [e.data.userId, e.data.from, e.data.to])).toEqual([
      [top.id, null, 'top'],
      [standard.id, null, 'standard'],
      [newbie.id, null, 'new'],
    ]);
    expect(changes[0]).toMatchObject({ reason: 'best conversion this quarter', actorKind: 'user' });
    const { items } = await ok(call(env, manager, 'GET', '/reps'));
    expect(items.find((r: { userId: number }) => r.userId === top.id).tier).toBe('top');
    expect((await call(env, top.token, 'PATCH', `/reps/${top.id}`, { tier: 'new' })).statusCode).toBe(403);
  });

  it('a top rep sees the pool in full, contact details included, though the pool shows others a preview', async () => {
    const page = await browse(top.token);
    expect(page.itemsHidden).toBe(false);
    expect(page.items.map((l: { score: number }) => l.score)).toEqual([40, 60, 70, 90]);
    expect(page.items[3].contact).toEqual({ name: 'C90', email: 'c90@kunde90.de', phone: '+49 1' });
    const preview = await browse(untiered.token);
    expect(preview.items).toHaveLength(4);
    expect(preview.items.every((l: Record<string, unknown>) => !('contact' in l) && 'score' in l)).toBe(true);
    expect((await ok(call(env, top.token, 'GET', `/leads/${leads[90]}`))).lead.contact.email).toBe('c90@kunde90.de');
  });

  it('a new rep kept out of the pool sees no items and is refused a claim with reason tier_access', async () => {
    const page = await browse(newbie.token);
    expect(page).toMatchObject({ items: [], itemsHidden: true, available: 4 });
    const refused = await claim(newbie.token, leads[40]!);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: 'FORBIDDEN', details: { tier: 'new', reason: 'tier_access' } });
    expect((await call(env, newbie.token, 'GET', `/leads/${leads[40]}`)).statusCode).toBe(403);
    expect((await env.store.getLead(leads[40]!))?.status).toBe('available');
  });

  it('a standard rep limited by a filter sees only leads with score 60 or less, and a claim of a 70 is refused with tier_filter', async () => {
    const page = await browse(standard.token);
    expect(page.itemsHidden).toBe(false);
    expect(page.items.map((l: { score: number }) => l.score)).toEqual([40, 60]);
    expect(page.items.some((l: Record<string, unknown>) => 'contact' in l)).toBe(false);
    const refused = await claim(standard.token, leads[70]!);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: 'FORBIDDEN', details: { tier: 'standard', reason: 'tier_filter' } });
    expect(refused.json().message).toContain('score 70 > 60');
    expect((await call(env, standard.token, 'GET', `/leads/${leads[70]}`)).statusCode).toBe(403);
    const got = await ok(claim(standard.token, leads[60]!));
    expect(got.lead).toMatchObject({ status: 'claimed', ownerId: standard.id, contact: { email: 'c60@kunde60.de' } });
  });

  it('the top rep and a rep without a tier claim as the pool allows', async () => {
    expect((await ok(claim(top.token, leads[90]!))).lead.ownerId).toBe(top.id);
    expect((await ok(claim(untiered.token, leads[70]!))).lead.ownerId).toBe(untiered.id);
  });

  it('in a cherry-pick pool a tier given the preview does not see contact details', async () => {
    const cherry = await makePool(env, manager, { name: 'Cherry', mode: 'cherry_pick', access: { standard: 'preview' } });
    await env.addLeads(cherry, [{ score: 55 }]);
    expect((await browse(untiered.token, cherry)).items[0].contact).toBeDefined();
    const limited = (await browse(standard.token, cherry)).items[0];
    expect(limited.score).toBe(55);
    expect(limited).not.toHaveProperty('contact');
  });

  it('in a queue a tier kept out is refused the next lead, and a filtered tier is served only leads inside its filter', async () => {
    const queue = await makePool(env, manager, { name: 'Tiered queue', mode: 'queue', access: { new: 'none', standard: { filter: { scoreMax: 60 } } } });
    await env.addLeads(queue, [{ score: 90 }]);
    const refused = await call(env, newbie.token, 'POST', `/pools/${queue}/next`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().details).toMatchObject({ reason: 'tier_access' });
    // the only lead waiting scores 90, outside the standard tier's filter: nothing for them
    const next = await call(env, standard.token, 'POST', `/pools/${queue}/next`);
    expect(next.statusCode, next.body).toBe(204);
  });
});

describe('automatic tiers', () => {
  let env: TestEnv;
  let manager: string;
  let work: number;
  let star: Rep;
  let steady: Rep;
  let rookie: Rep;
  let pinned: Rep;
  const thresholds = { windowDays: 30, top: { minConversionRate: 0.5, maxMedianMinutesToContact: 15, minClaims: 2 }, new: { maxClaims: 1 } };
  beforeAll(async () => {
    env = await makeEnv();
    manager = (await person(env, 'manager')).token;
    work = await makePool(env, manager, { name: 'Work', mode: 'pool', lockTtlSeconds: 7200 });
    [star, steady, rookie, pinned] = [await person(env, 'rep'), await person(env, 'rep'), await person(env, 'rep'), await person(env, 'rep')];
    for (const r of [star, steady, rookie]) await ok(call(env, manager, 'PATCH', `/reps/${r.id}`, { tierAuto: true }));
    await ok(call(env, manager, 'PATCH', `/reps/${pinned.id}`, { tier: 'standard', tierAuto: false }));
  });
  afterAll(async () => env.cleanup());

  const claimAndCall = async (rep: Rep, minutesToContact: number, convert = false) => {
    const [id] = await env.addLeads(work, 1);
    await ok(call(env, rep.token, 'POST', `/leads/${id}/claim`));
    env.clock.tick(minutesToContact * MIN);
    await ok(call(env, rep.token, 'POST', `/leads/${id}/activities`, { type: 'call' }));
    if (convert) await ok(call(env, rep.token, 'POST', `/leads/${id}/status`, { status: 'converted', reason: 'signed' }));
    return id!;
  };
  const tierChanges = async () => (await env.store.eventsAfter(0, 10_000)).filter((e) => e.type === 'rep.tier_changed');
  const tierOf = async (rep: Rep) => (await ok(call(env, manager, 'GET', '/reps'))).items.find((r: { userId: number }) => r.userId === rep.id).tier;

  it('only managers change the tier settings; they start switched off with the defaults', async () => {
    const got = await ok(call(env, manager, 'GET', '/settings/tiers'));
    expect(got).toMatchObject({ auto: false, tiers: ['top', 'standard', 'new'] });
    expect(got.thresholds.windowDays).toBe(30);
    expect((await call(env, star.token, 'PUT', '/settings/tiers', { auto: true, thresholds })).statusCode).toBe(403);
    expect((await call(env, star.token, 'GET', '/settings/tiers')).statusCode).toBe(403);
  });

  it('turning automatic tiers on recomputes them from claims, speed to contact and conversions; each change is an event with its reason', async () => {
    await claimAndCall(star, 5, true);
    await claimAndCall(star, 5);
    await claimAndCall(steady, 30);
    await claimAndCall(steady, 40);
    await claimAndCall(rookie, 3);
    const res = await ok(call(env, manager, 'PUT', '/settings/tiers', { auto: true, thresholds }));
    const starReason = 'conversion 50% >= 50% and median 5 min to contact <= 15 over 2 claims in 30 days';
    const steadyReason = 'not top: conversion 0% < 50%; median 30 min to contact > 15 (in 30 days)';
    const rookieReason = '1 claims in 30 days, at most 1 counts as new';
    expect(res.changes).toEqual([
      { userId: star.id, from: null, to: 'top', reason: starReason },
      { userId: steady.id, from: null, to: 'standard', reason: steadyReason },
      { userId: rookie.id, from: null, to: 'new', reason: rookieReason },
    ]);
    const events = (await tierChanges()).filter((e) => e.actorKind === 'system');
    expect(events.map((e) => [e.data.userId, e.data.from, e.data.to, e.reason, e.actorKind, e.actorName])).toEqual([
      [star.id, null, 'top', starReason, 'system', 'automatic tiers'],
      [steady.id, null, 'standard', steadyReason, 'system', 'automatic tiers'],
      [rookie.id, null, 'new', rookieReason, 'system', 'automatic tiers'],
    ]);
    // a rep whose tier is not automatic keeps what the manager gave them
    expect(await tierOf(pinned)).toBe('standard');
    expect(await ok(call(env, manager, 'GET', '/settings/tiers'))).toMatchObject({ auto: true, thresholds });
  });

  it('recomputing with nothing changed changes nothing and writes no event', async () => {
    const before = (await tierChanges()).length;
    expect((await ok(call(env, manager, 'PUT', '/settings/tiers', { auto: true, thresholds }))).changes).toEqual([]);
    expect(await tierChanges()).toHaveLength(before);
  });

  it('a rep who earns it moves up at the next recompute, with the numbers as the reason', async () => {
    await claimAndCall(rookie, 2, true);
    const res = await ok(call(env, manager, 'PUT', '/settings/tiers', { auto: true, thresholds }));
    expect(res.changes).toEqual([{ userId: rookie.id, from: 'new', to: 'top', reason: 'conversion 50% >= 50% and median 2 min to contact <= 15 over 2 claims in 30 days' }]);
    expect(await tierOf(rookie)).toBe('top');
    expect((await tierChanges()).at(-1)).toMatchObject({ reason: res.changes[0].reason, data: { userId: rookie.id, from: 'new', to: 'top' } });
  });

  it('switched off, nothing is recomputed; claims older than the window no longer count', async () => {
    env.clock.tick(31 * 24 * 60 * MIN);
    expect((await ok(call(env, manager, 'PUT', '/settings/tiers', { auto: false, thresholds }))).changes).toEqual([]);
    expect(await tierOf(star)).toBe('top');
    const res = await ok(call(env, manager, 'PUT', '/settings/tiers', { auto: true, thresholds }));
    expect(res.changes.map((c: { userId: number; to: string }) => [c.userId, c.to])).toEqual([
      [star.id, 'new'],
      [steady.id, 'new'],
      [rookie.id, 'new'],
    ]);
    expect(res.changes[0].reason).toBe('0 claims in 30 days, at most 1 counts as new');
  });
});
