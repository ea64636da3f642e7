import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, fieldsOf, ingest, lead, makeEnv, makePool, makeTeam, ok, owners, person, putRouting, trace, type Rep, type TestEnv } from './support.js';

// One app for the file. Account names differ per test; each test saves the rule set it needs.
describe('named accounts through the API', () => {
  let env: TestEnv;
  let manager: string;
  let general: number;
  let customers: number;
  let owner: Rep;
  let other: Rep;
  beforeAll(async () => {
    env = await makeEnv();
    manager = (await person(env, 'manager')).token;
    general = await makePool(env, manager, { name: 'General', mode: 'pool', isDefault: true });
    customers = await makePool(env, manager, { name: 'Customers', mode: 'pool' });
    [owner, other] = (await makeTeam(env, manager, 'Accounts', 2)) as [Rep, Rep];
  });
  afterAll(async () => env.cleanup());

  const account = (body: Record<string, unknown>) => call(env, manager, 'POST', '/accounts', body);
  const listAccounts = async () => (await ok(call(env, manager, 'GET', '/accounts'))).items as { id: number; name: string; domains: string[]; ownerId: number; customer: boolean }[];
  const importCsv = (token: string, csv: string, type = 'text/csv') =>
    env.app.inject({ method: 'POST', url: '/api/v1/accounts/import', headers: { ...bearer(token), 'content-type': type }, payload: csv });
  /** Accounts first: customers to their pool, any other named account pushed to its owner. */
  const accountRules = () =>
    putRouting(env, manager, {
      defaultPoolId: general,
      rules: [
        { id: 'customer', name: 'Existing customers', when: { existingCustomer: true }, then: { type: 'pool', poolId: customers } },
        { id: 'owner', name: 'Named accounts to their owner', when: { namedAccount: true }, then: { type: 'push_owner', fallbackPoolId: general } },
      ],
    });

  it('managers create, list, change and delete accounts; reps may not', async () => {
    const rep = await person(env, 'rep');
    const body = { name: 'Crud Werke GmbH', domains: ['Crud-Werke.DE', 'crud.example'], ownerId: owner.id, customer: false };
    expect((await call(env, rep.token, 'POST', '/accounts', body)).statusCode).toBe(403);
    expect((await call(env, rep.token, 'GET', '/accounts')).statusCode).toBe(403);
    const created = await ok(account(body), 201);
    expect(created).toEqual({ id: expect.any(Number), name: 'Crud Werke GmbH', domains: ['crud-werke.de', 'crud.example'], ownerId: owner.id, customer: false });
    expect(await listAccounts()).toContainEqual(created);
    expect((await call(env, rep.token, 'PATCH', `/accounts/${created.id}`, { customer: true })).statusCode).toBe(403);
    const changed = await ok(call(env, manager, 'PATCH', `/accounts/${created.id}`, { customer: true, ownerId: other.id }));
    expect(changed).toMatchObject({ id: created.id, customer: true, ownerId: other.id, domains: ['crud-werke.de', 'crud.example'] });
    expect((await call(env, rep.token, 'DELETE', `/accounts/${created.id}`)).statusCode).toBe(403);
    expect((await call(env, manager, 'DELETE', `/accounts/${created.id}`)).statusCode).toBe(204);
    expect((await listAccounts()).map((a) => a.id)).not.toContain(created.id);
    expect((await call(env, manager, 'DELETE', `/accounts/${created.id}`)).json().error).toBe('NOT_FOUND');
    expect((await call(env, manager, 'PATCH', `/accounts/${created.id}`, { customer: false })).statusCode).toBe(404);
    const types = (await env.store.eventsAfter(0, 10_000)).filter((e) => e.type.startsWith('account.') && (e.data.id === created.id || (e.data.after as { id?: number })?.id === created.id));
    expect(types.map((e) => e.type)).toEqual(['account.created', 'account.updated', 'account.deleted']);
  });

  it('a second account with the same normalised name is a conflict, and bad owners and domains are named', async () => {
    await ok(account({ name: 'Dup Industries Inc.', domains: [], ownerId: owner.id, customer: false }), 201);
    const dup = await account({ name: 'DUP INDUSTRIES', domains: [], ownerId: owner.id, customer: false });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ error: 'DUPLICATE', details: { field: 'name' } });
    const noOwner = await account({ name: 'Orphan AG', domains: [], ownerId: 987654, customer: false });
    expect(noOwner.statusCode).toBe(400);
    expect(fieldsOf(noOwner)).toEqual(['ownerId']);
    const badDomain = await account({ name: 'Spaces AG', domains: ['not a domain'], ownerId: owner.id, customer: false });
    expect(badDomain.statusCode).toBe(400);
    expect(fieldsOf(badDomain)).toEqual(['domains[0]']);
  });

  it('a lead matches an account by its contact’s email domain, subdomains included, and push_owner sends it to the owner', async () => {
    const acme = await ok(account({ name: 'Acme Industries', domains: ['acme-industries.com'], ownerId: owner.id, customer: false }), 201);
    await accountRules();
    const [id] = await ingest(env, manager, [{ company: 'Some Other Name Ltd', score: 30, contact: { name: 'Jane', email: 'jane@eu.acme-industries.com' } }]);
    const l = await lead(env, manager, id!);
    expect(l).toMatchObject({ status: 'assigned', ownerId: owner.id, claimSource: 'pushed', poolId: general });
    expect(l.routing).toMatchObject({
      account: { id: acme.id, name: 'Acme Industries', by: 'domain' },
      matchedRuleId: 'owner',
      action: 'push_owner',
      outcome: { kind: 'pushed', userId: owner.id, name: owner.name },
    });
    expect(l.routing.rules).toMatchObject([
      { id: 'customer', name: 'Existing customers', matched: false, why: '"Acme Industries" is not a customer' },
      { id: 'owner', name: 'Named accounts to their owner', matched: true, why: 'named account "Acme Industries" matched' },
    ]);
    expect((await ok(call(env, owner.token, 'GET', '/me/leads'))).items.map((x: { id: number }) => x.id)).toContain(id);
  });

  it('a lead matches by normalised company name: "MUELLER LOGISTIK" is "Müller Logistik GmbH", "Muller Logistik" is not', async () => {
    const mueller = await ok(account({ name: 'Müller Logistik GmbH', domains: ['mueller-logistik.de'], ownerId: other.id, customer: false }), 201);
    await accountRules();
    const [upper, dotless] = await ingest(env, manager, [
      { company: 'MUELLER LOGISTIK', contact: { name: 'M', email: 'dispo@ml-transporte.de' } },
      { company: 'Muller Logistik', contact: { name: 'M', email: 'dispo@muller.example' } },
    ]);
    const t = await trace(env, manager, upper!);
    expect(t.account).toEqual({ id: mueller.id, name: 'Müller Logistik GmbH', by: 'name' });
    expect(t.outcome).toEqual({ kind: 'pushed', userId: other.id, name: other.name });
    const miss = await trace(env, manager, dotless!);
    expect(miss.account).toBeNull();
    expect(miss.outcome).toEqual({ kind: 'pool', poolId: general, priority: 0 });
    expect(miss.rules.map((r) => r.why)).toEqual(['not an existing customer (no named account matched)', 'no named account matched']);
  });

  it('a free-mail domain never matches an account, even one that lists it', async () => {
    await ok(account({ name: 'Gmail Lister KG', domains: ['gmail.com'], ownerId: owner.id, customer: true }), 201);
    await accountRules();
    const [id] = await ingest(env, manager, [{ company: 'Private Person', contact: { name: 'P', email: 'someone@gmail.com' } }]);
    expect((await trace(env, manager, id!)).account).toBeNull();
  });

  it('the existing-customer condition sends a customer account’s leads to the customer pool', async () => {
    const kunde = await ok(account({ name: 'Stammkunde AG', domains: ['stammkunde.de'], ownerId: owner.id, customer: true }), 201);
    await accountRules();
    const [id] = await ingest(env, manager, [{ score: 95, contact: { name: 'S', email: 's@stammkunde.de' } }]);
    const l = await lead(env, manager, id!);
    expect(l).toMatchObject({ poolId: customers, status: 'available', ownerId: null });
    expect(l.routing.rules).toMatchObject([{ id: 'customer', name: 'Existing customers', matched: true, why: '"Stammkunde AG" is an existing customer' }]);
    expect(l.routing.account).toEqual({ id: kunde.id, name: 'Stammkunde AG', by: 'domain' });
    // an existingCustomer: false condition keeps customers out
    await putRouting(env, manager, {
      defaultPoolId: general,
      rules: [{ id: 'prospects', name: 'Prospects only', when: { existingCustomer: false }, then: { type: 'pool', poolId: customers } }],
    });
    const [again] = await ingest(env, manager, [{ contact: { name: 'S', email: 's@stammkunde.de' } }]);
    expect((await trace(env, manager, again!)).rules[0]).toMatchObject({ matched: false, why: '"Stammkunde AG" is an existing customer' });
  });

  it('an owner who cannot take the lead is skipped with the reason, and the lead falls back to the pool', async () => {
    const [away] = await makeTeam(env, manager, 'AwayOwners', 1, [{ availability: 'away' }]);
    await ok(account({ name: 'Abwesend GmbH', domains: ['abwesend.de'], ownerId: away!.id, customer: false }), 201);
    await accountRules();
    const [id] = await ingest(env, manager, [{ contact: { name: 'A', email: 'a@abwesend.de' } }]);
    const t = await trace(env, manager, id!);
    expect(t.skipped).toMatchObject([{ userId: away!.id, name: away!.name, reason: 'away', detail: `${away!.name} is away` }]);
    expect(t.outcome).toMatchObject({ kind: 'pool', poolId: general, priority: 0, fellBack: `the owner of "Abwesend GmbH", ${away!.name}, cannot take it: ${away!.name} is away` });
    // a push_owner rule that matches a lead of no account has no owner to push to
    await putRouting(env, manager, { defaultPoolId: general, rules: [{ id: 'o', name: 'Owner', when: {}, then: { type: 'push_owner', fallbackPoolId: customers, fallbackPriority: 7 } }] });
    const [none] = await ingest(env, manager, [{}]);
    expect(await lead(env, manager, none!)).toMatchObject({ poolId: customers, priority: 7, ownerId: null });
    expect((await trace(env, manager, none!)).outcome).toMatchObject({ fellBack: 'no named account matched, so there is no owner to push to' });
  });

  it('a changed owner takes the account’s next lead at once', async () => {
    const acc = await ok(account({ name: 'Wechsel GmbH', domains: ['wechsel.de'], ownerId: owner.id, customer: false }), 201);
    await accountRules();
    const [before] = await ingest(env, manager, [{ contact: { name: 'W', email: 'w@wechsel.de' } }]);
    await ok(call(env, manager, 'PATCH', `/accounts/${acc.id}`, { ownerId: other.id }));
    const [after] = await ingest(env, manager, [{ contact: { name: 'W', email: 'w2@wechsel.de' } }]);
    await ok(call(env, manager, 'DELETE', `/accounts/${acc.id}`), 204);
    const [gone] = await ingest(env, manager, [{ contact: { name: 'W', email: 'w3@wechsel.de' } }]);
    expect(await owners(env, [before!, after!, gone!])).toEqual([owner.id, other.id, null]);
  });

  describe('CSV import', () => {
    it('imports accounts (name, domains separated by ";", owner email, customer yes/no) and updates those whose name exists', async () => {
      await ok(account({ name: 'Bestand GmbH', domains: [], ownerId: owner.id, customer: false }), 201);
      const csv = [
        'name,domains,owner,customer',
        `Nordwind AG,nordwind.de;nordwind.com,${owner.email},yes`,
        `"Süd, Handel GmbH",sued-handel.de,${other.email.toUpperCase()},no`,
        `BESTAND,bestand.de,${other.email},yes`,
      ].join('\n');
      const rep = await person(env, 'rep');
      expect((await importCsv(rep.token, csv)).statusCode).toBe(403);
      expect(await ok(importCsv(manager, csv))).toEqual({ created: 2, updated: 1 });
      const byName = new Map((await listAccounts()).map((a) => [a.name, a]));
      expect(byName.get('Nordwind AG')).toMatchObject({ domains: ['nordwind.de', 'nordwind.com'], ownerId: owner.id, customer: true });
      expect(byName.get('Süd, Handel GmbH')).toMatchObject({ domains: ['sued-handel.de'], ownerId: other.id, customer: false });
      expect(byName.get('BESTAND')).toMatchObject({ domains: ['bestand.de'], ownerId: other.id, customer: true });
      expect(byName.has('Bestand GmbH')).toBe(false);
      // imported accounts route at once
      await accountRules();
      const [id] = await ingest(env, manager, [{ contact: { name: 'N', email: 'n@nordwind.com' } }]);
      expect((await lead(env, manager, id!)).poolId).toBe(customers);
    });

    it('any bad line imports nothing, and the answer names every bad line by its line number in the file', async () => {
      const before = await listAccounts();
      const csv = [
        'name,domains,owner,customer',
        `Gut AG,gut.de,${owner.email},no`,
        'Falsch AG,falsch.de,nobody@nowhere.example,no',
        `Vielleicht AG,vielleicht.de,${owner.email},maybe`,
        `,leer.de,,no`,
      ].join('\n');
      const res = await importCsv(manager, csv);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'BAD_CSV', message: '3 bad line(s); nothing was imported.' });
      expect(res.json().details).toEqual({
        rows: 4,
        errors: [
          { line: 3, problems: [{ field: 'owner', problem: 'no user with email nobody@nowhere.example' }] },
          { line: 4, problems: [{ field: 'customer', problem: 'must be yes or no' }] },
          { line: 5, problems: [{ field: 'name', problem: 'is required' }, { field: 'owner', problem: 'is required' }] },
        ],
      });
      expect(await listAccounts()).toEqual(before);
    });

    it('a file that is not CSV, or not sent as text/csv, is refused and imports nothing', async () => {
      const before = await listAccounts();
      const broken = await importCsv(manager, 'name,domains,owner,customer\n"Unclosed,x.de,a@b.c,no\n');
      expect(broken.statusCode).toBe(400);
      expect(broken.json().error).toBe('BAD_CSV');
      const json = await env.app.inject({ method: 'POST', url: '/api/v1/accounts/import', headers: bearer(manager), payload: { name: 'X' } });
      expect(json.statusCode).toBe(415);
      expect(await listAccounts()).toEqual(before);
    });

    it('an owner given as an unknown user id is a bad line with its line number, like an unknown email', async () => {
      const before = await listAccounts();
      const csv = ['name,domains,owner,customer', `Id Gut AG,idgut.de,${owner.id},no`, 'Id Falsch AG,idfalsch.de,987654,no'].join('\n');
      const res = await importCsv(manager, csv);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('BAD_CSV');
      expect(res.json().details.errors).toEqual([{ line: 3, problems: [{ field: 'owner', problem: expect.stringContaining('987654') }] }]);
      expect(await listAccounts()).toEqual(before);
    });

    it('line numbers count blank lines, so the number points at the bad line in the file', async () => {
      const csv = ['name,domains,owner,customer', `Eins AG,eins.de,${owner.email},no`, '', 'Zwei AG,zwei.de,nobody@nowhere.example,no'].join('\n');
      const res = await importCsv(manager, csv);
      expect(res.statusCode).toBe(400);
      expect(res.json().details.errors.map((e: { line: number }) => e.line)).toEqual([4]);
    });
  });
});
