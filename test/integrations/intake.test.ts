import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MINUTE } from '../../src/core/clock.js';
import { mapIntake } from '../../src/integrations/intake-mapping.js';
import { newToken, tokenHash } from '../../src/server/tokens.js';
import { buildApp } from '../../src/server/app.js';
import { bearer, SYSTEM } from '../helpers.js';
import { STORES, makeIntegEnv, skipReason, usePg, type IntegEnv } from './env.js';

const pg = usePg();
let env: IntegEnv;
let manager: { id: number; token: string };
let poolId: number;

for (const kind of STORES)
  describe(`${kind} store`, () => {
  beforeEach(async (ctx) => {
    env = undefined as unknown as IntegEnv;
    const why = skipReason(kind, pg);
    if (why) return ctx.skip(why);
    env = await makeIntegEnv(kind, pg?.get() ?? null);
    manager = await env.user('manager');
    poolId = await env.pool('Web leads', 'pool');
  });

  afterEach(async () => {
    await env?.cleanup();
  });

  const FORM_MAPPING = {
    firma: 'company',
    branche: 'industry',
    vorname: 'contact.name',
    nachname: 'contact.name',
    mail: 'contact.email',
    telefon: 'contact.phone',
    punkte: 'score',
    ref: 'externalId',
    kampagne: 'attributes.campaign',
  };

  async function createSource(over: Record<string, unknown> = {}): Promise<{ id: number; slug: string; token: string }> {
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/v1/intake/sources',
      headers: bearer(manager.token),
      payload: {
        name: 'Kontaktformular',
        poolId,
        mapping: FORM_MAPPING,
        defaults: { companySize: '11-50', region: 'DACH', score: 40 },
        dedupeBy: 'email',
        dedupeWindowMinutes: 60,
        ...over,
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const b = res.json();
    return { id: b.source.id, slug: b.source.slug, token: b.token };
  }

  function post(slug: string, body: string, contentType: string, auth: Record<string, string> = {}, query = '') {
    return env.app.inject({ method: 'POST', url: `/api/v1/intake/${slug}${query}`, headers: { 'content-type': contentType, ...auth }, payload: body });
  }

  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

  async function log(sourceId: number) {
    const res = await env.app.inject({ method: 'GET', url: `/api/v1/intake/${sourceId}/log`, headers: bearer(manager.token) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().items as { status: string; httpStatus: number; leadId: number | null; problems: { field: string; problem: string }[] | null; rawExcerpt: string | null }[];
  }

  describe('intake URLs', () => {
    it('a JSON post with the source token becomes a lead in the source pool, mapped, with defaults and the ignored fields named', async () => {
      const src = await createSource();
      expect(src.slug).toBe('kontaktformular');
      expect(src.token).toMatch(/^lpi_/);
      const res = await post(
        src.slug,
        JSON.stringify({ firma: ' Müller GmbH ', branche: 'Maschinenbau', vorname: 'Anna', nachname: 'Schmidt', mail: 'Anna@Mueller.DE', punkte: '72', kampagne: 'spring', submit: 'Senden' }),
        'application/json',
        bearer(src.token),
      );
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toEqual({ leadId: expect.any(Number), duplicate: false, ignored: ['submit'] });
      const lead = (await env.store.getLead(res.json().leadId))!;
      expect(lead).toMatchObject({
        poolId,
        company: 'Müller GmbH',
        industry: 'Maschinenbau',
        companySize: '11-50',
        region: 'DACH',
        score: 72,
        source: 'Kontaktformular',
        contact: { name: 'Anna Schmidt', email: 'anna@mueller.de', phone: null },
        attributes: { campaign: 'spring' },
      });
      const events = await env.store.leadEvents(lead.id);
      expect(events[0]).toMatchObject({ type: 'lead.created', actorKind: 'system', actorName: 'intake source "Kontaktformular"' });
      expect((await log(src.id))[0]).toMatchObject({ status: 'created', httpStatus: 201, leadId: lead.id, problems: null });
    });

    it('a form-encoded post with ?token= (a plain HTML form) works the same', async () => {
      const src = await createSource();
      const res = await post(src.slug, form({ firma: 'Beta AG', branche: 'Handel', vorname: 'Bo', mail: 'bo@beta.de' }), 'application/x-www-form-urlencoded', {}, `?token=${src.token}`);
      expect(res.statusCode, res.body).toBe(201);
      expect((await env.store.getLead(res.json().leadId))!).toMatchObject({ company: 'Beta AG', score: 40, contact: { email: 'bo@beta.de' } });
    });

    it('the same email within the window is a duplicate (200, the first lead); after the window it is a new lead', async () => {
      const src = await createSource();
      const body = form({ firma: 'Gamma KG', branche: 'Bau', vorname: 'Gi', mail: 'gi@gamma.de' });
      const first = await post(src.slug, body, 'application/x-www-form-urlencoded', { 'leadpool-intake-token': src.token });
      expect(first.statusCode).toBe(201);
      env.clock.tick(59 * MINUTE);
      const again = await post(src.slug, JSON.stringify({ firma: 'Gamma KG', branche: 'Bau', vorname: 'Gi', mail: 'GI@gamma.de' }), 'application/json', bearer(src.token));
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({ duplicate: true, leadId: first.json().leadId });
      env.clock.tick(2 * MINUTE); // 61 minutes after the first
      const later = await post(src.slug, body, 'application/x-www-form-urlencoded', bearer(src.token));
      expect(later.statusCode).toBe(201);
      expect(later.json().leadId).not.toBe(first.json().leadId);
      expect((await log(src.id)).map((e) => e.status)).toEqual(['created', 'duplicate', 'created']);
    });

    it('dedupes by externalId within the window; outside it the stored lead is still returned, as externalIds are unique', async () => {
      const src = await createSource({ dedupeBy: 'externalId', dedupeWindowMinutes: 10, slug: 'crm-form' });
      const body = (mail: string) => JSON.stringify({ firma: 'Delta SE', branche: 'IT', vorname: 'Di', mail, ref: 'form-4711' });
      const first = await post(src.slug, body('di@delta.de'), 'application/json', bearer(src.token));
      expect(first.statusCode).toBe(201);
      env.clock.tick(5 * MINUTE);
      const within = await post(src.slug, body('other@delta.de'), 'application/json', bearer(src.token));
      expect(within.json()).toMatchObject({ duplicate: true, leadId: first.json().leadId });
      // A different externalId with the same email is not a duplicate under externalId dedupe.
      const otherRef = await post(src.slug, JSON.stringify({ firma: 'Delta SE', branche: 'IT', vorname: 'Di', mail: 'di@delta.de', ref: 'form-4712' }), 'application/json', bearer(src.token));
      expect(otherRef.statusCode).toBe(201);
      env.clock.tick(60 * MINUTE);
      const outside = await post(src.slug, body('di@delta.de'), 'application/json', bearer(src.token));
      expect(outside.statusCode).toBe(200);
      expect(outside.json()).toMatchObject({ duplicate: true, leadId: first.json().leadId });
    });

    it('two identical posts at the same moment make one lead', async () => {
      const src = await createSource();
      const body = JSON.stringify({ firma: 'Epsilon', branche: 'IT', vorname: 'Ep', mail: 'ep@eps.de' });
      const results = await Promise.all([1, 2, 3, 4].map(() => post(src.slug, body, 'application/json', bearer(src.token))));
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 201]);
      expect(new Set(results.map((r) => r.json().leadId)).size).toBe(1);
    });

    it('the same form posted at once to two instances (two stores, two apps) makes one lead', async () => {
      const src = await createSource();
      const second = await buildApp({ store: await env.another(), clock: env.clock, logger: false });
      await second.ready();
      try {
        const body = JSON.stringify({ firma: 'Zwilling', branche: 'IT', vorname: 'Zi', mail: 'zi@zwilling.de' });
        const results = await Promise.all(
          [env.app, second, env.app, second, second, env.app].map((app) =>
            app.inject({ method: 'POST', url: `/api/v1/intake/${src.slug}`, headers: { 'content-type': 'application/json', ...bearer(src.token) }, payload: body }),
          ),
        );
        expect(results.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200, 200, 201]);
        expect(new Set(results.map((r) => r.json().leadId)).size).toBe(1);
        expect((await log(src.id)).map((e) => e.status).sort()).toEqual(['created', 'duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
      } finally {
        await second.close();
      }
    });

    it('malformed posts get a clear 4xx naming the field, and each is in the log with what was sent', async () => {
      const src = await createSource();
      const badJson = await post(src.slug, '{"firma": "Zeta", ', 'application/json', bearer(src.token));
      expect(badJson.statusCode).toBe(400);
      expect(badJson.json()).toMatchObject({ error: 'MALFORMED_JSON', details: { field: '(body)' } });

      const notObject = await post(src.slug, '[1,2]', 'application/json', bearer(src.token));
      expect(notObject.statusCode).toBe(400);

      const badForm = await post(src.slug, form({ firma: 'Eta', vorname: 'Et', mail: 'not-an-email', punkte: '150' }), 'application/x-www-form-urlencoded', bearer(src.token));
      expect(badForm.statusCode).toBe(400);
      expect(badForm.json().error).toBe('VALIDATION_FAILED');
      const fields = badForm.json().details.fields as { field: string; problem: string }[];
      expect(fields).toEqual(
        expect.arrayContaining([
          { field: 'industry', problem: 'is required: map a form field to it or give the source a default' },
          { field: 'mail (contact.email)', problem: 'must be a valid email' },
          { field: 'punkte (score)', problem: 'must be at most 100' },
        ]),
      );

      const csv = await post(src.slug, 'firma;branche\nTheta;IT', 'text/csv', bearer(src.token));
      expect(csv.statusCode).toBe(415);
      expect(csv.json()).toMatchObject({ error: 'UNSUPPORTED_MEDIA_TYPE', details: { field: 'content-type' } });

      const entries = await log(src.id);
      expect(entries.map((e) => [e.status, e.httpStatus])).toEqual([
        ['rejected', 415],
        ['rejected', 400],
        ['rejected', 400],
        ['rejected', 400],
      ]);
      expect(entries[3]!.rawExcerpt).toBe('{"firma": "Zeta", ');
      expect(entries[1]!.problems).toEqual(fields);
      expect(entries[1]!.rawExcerpt).toContain('punkte=150');
      expect(await env.store.getLeads([1, 2, 3])).toEqual([]); // nothing was made
    });

    it('refuses a wrong or missing token (401, logged without the body), takes an ingest API key, and 404s an unknown source', async () => {
      const src = await createSource();
      const other = await createSource({ name: 'Other form' });
      const body = JSON.stringify({ firma: 'Iota', branche: 'IT', vorname: 'Io', mail: 'io@iota.de' });
      expect((await post(src.slug, body, 'application/json')).statusCode).toBe(401);
      expect((await post(src.slug, body, 'application/json', bearer(other.token))).statusCode).toBe(401); // another source's token
      expect((await post(src.slug, body, 'application/json', { 'leadpool-intake-token': 'lpi_nope' })).statusCode).toBe(401);
      const entries = await log(src.id);
      expect(entries.length).toBe(3);
      expect(entries.every((e) => e.status === 'rejected' && e.httpStatus === 401 && e.rawExcerpt === null)).toBe(true);

      const key = newToken('lpk');
      await env.store.createApiKey({ name: 'zapier', scope: 'ingest', keyHash: tokenHash(key), prefix: key.slice(0, 10) }, SYSTEM, env.clock.now());
      const withKey = await post(src.slug, body, 'application/json', bearer(key));
      expect(withKey.statusCode, withKey.body).toBe(201);

      expect((await post('no-such-form', body, 'application/json', bearer(src.token))).statusCode).toBe(404);

      // A rotated token: the old one stops at once.
      const rotated = await env.app.inject({ method: 'POST', url: `/api/v1/intake/sources/${src.id}/token`, headers: bearer(manager.token) });
      expect(rotated.statusCode).toBe(200);
      expect((await post(src.slug, body, 'application/json', bearer(src.token))).statusCode).toBe(401);
      expect((await post(src.slug, body, 'application/json', bearer(rotated.json().token))).statusCode).toBe(200); // the same email: a duplicate
    });

    it('a turned-off source refuses posts (403, logged)', async () => {
      const src = await createSource();
      const off = await env.app.inject({ method: 'PATCH', url: `/api/v1/intake/sources/${src.id}`, headers: bearer(manager.token), payload: { enabled: false } });
      expect(off.statusCode, off.body).toBe(200);
      const res = await post(src.slug, JSON.stringify({ firma: 'Kappa' }), 'application/json', bearer(src.token));
      expect(res.statusCode).toBe(403);
      expect((await log(src.id))[0]).toMatchObject({ status: 'rejected', httpStatus: 403 });
    });

    it('source management is for managers and names bad fields', async () => {
      const rep = await env.user('rep');
      expect((await env.app.inject({ method: 'GET', url: '/api/v1/intake/sources', headers: bearer(rep.token) })).statusCode).toBe(403);
      const bad = await env.app.inject({
        method: 'POST',
        url: '/api/v1/intake/sources',
        headers: bearer(manager.token),
        payload: { name: 'X', slug: 'Bad Slug', mapping: { a: 'nonsense' }, dedupeBy: 'phone', poolId: 999 },
      });
      expect(bad.statusCode).toBe(400);
      expect((bad.json().details.fields as { field: string }[]).map((f) => f.field)).toEqual(expect.arrayContaining(['slug', 'mapping.a', 'dedupeBy']));
      const noPool = await env.app.inject({ method: 'POST', url: '/api/v1/intake/sources', headers: bearer(manager.token), payload: { name: 'X', poolId: 999 } });
      expect(noPool.json().details.fields).toEqual([{ field: 'poolId', problem: 'there is no pool 999' }]);
      await createSource();
      const dup = await env.app.inject({ method: 'POST', url: '/api/v1/intake/sources', headers: bearer(manager.token), payload: { name: 'Kontaktformular' } });
      expect(dup.statusCode).toBe(409);
      const reserved = await env.app.inject({ method: 'POST', url: '/api/v1/intake/sources', headers: bearer(manager.token), payload: { name: 'X', slug: 'sources' } });
      expect(reserved.statusCode).toBe(400);
      const list = await env.app.inject({ method: 'GET', url: '/api/v1/intake/sources', headers: bearer(manager.token) });
      expect(list.json().items[0]).toMatchObject({ slug: 'kontaktformular', intakeUrl: '/api/v1/intake/kontaktformular', tokenHint: expect.stringMatching(/^lpi_/) });
      expect(list.json().items[0].token).toBeUndefined();
    });
  });

  });

describe('mapIntake', () => {
  const source = { name: 'Form', mapping: { n: 'contact.name', s: 'score' }, defaults: { industry: 'IT', companySize: '1-10', region: 'EU', score: 10 }, poolId: null };

  it('passes fields already named like lead fields, and lets the post override a default', () => {
    const m = mapIntake(source, { company: 'Acme', n: 'Al', s: '55', 'contact.email': 'al@acme.io', utm_source: 'ads' });
    expect(m.ok && m.input).toMatchObject({ company: 'Acme', score: 55, source: 'Form', contact: { name: 'Al', email: 'al@acme.io' } });
    expect(m.ignored).toEqual(['utm_source']);
  });

  it('treats an empty field as left out, so the default applies', () => {
    const m = mapIntake(source, { company: 'Acme', n: 'Al', s: '  ' });
    expect(m.ok && m.input.score).toBe(10);
  });

  it('names a missing required field that nothing maps', () => {
    const m = mapIntake({ ...source, defaults: {} }, { n: 'Al' });
    expect(!m.ok && m.problems.map((p) => p.field)).toEqual(expect.arrayContaining(['company', 'industry', 'companySize', 'region', 'score']));
  });
});
