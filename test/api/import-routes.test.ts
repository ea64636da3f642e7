import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEnv, type TestEnv } from '../helpers.js';
import { countLeads, expectCleanError } from './support.js';

const HEADER = 'Company,Industry,Company Size,Source,Score,Region,Contact Name,Email,Phone,External ID,Campaign';
const row = (i: number, over: Partial<Record<'score' | 'size' | 'company' | 'email', string>> = {}) =>
  [over.company ?? `Firma ${i} GmbH`, 'Software', over.size ?? '11-50', 'Webinar', over.score ?? '64', 'DACH-Süd', `Person ${i}`, over.email ?? `p${i}@firma${i}.de`, '+49 89 1234', `imp-${i}`, 'Q3'].join(',');

let env: TestEnv;
let manager: string;
let rep: string;
let poolId: number;

beforeAll(async () => {
  env = await makeEnv();
  manager = (await env.user('manager')).token;
  rep = (await env.user('rep')).token;
  poolId = await env.pool('Webinar leads', 'pool');
});
afterAll(async () => env.cleanup());

function upload(csv: string, query: string, token = manager) {
  return env.app.inject({
    method: 'POST',
    url: `/api/v1/imports?${query}`,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    payload: csv,
  });
}

describe('POST /api/v1/imports', () => {
  it('checks a file without importing it on a dry run', async () => {
    const before = await countLeads(env);
    const res = await upload([HEADER, row(1), row(2)].join('\n') + '\n', `pool=${poolId}&dryRun=true`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ created: 0, existing: 0, rows: 2, dryRun: true });
    expect(res.json().columns).toEqual(expect.arrayContaining([{ header: 'Company Size', field: 'companySize' }, { header: 'Campaign', field: 'attributes.Campaign' }]));
    expect(await countLeads(env)).toBe(before);
  });

  it('imports a good file into the pool, and a second upload reports the rows as existing', async () => {
    const csv = [HEADER, row(1), row(2), row(3)].join('\n') + '\n';
    const res = await upload(csv, `pool=${poolId}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ created: 3, existing: 0, rows: 3, dryRun: false });
    const page = await env.app.inject({ method: 'GET', url: `/api/v1/pools/${poolId}/leads?sort=company&order=asc`, headers: { authorization: `Bearer ${manager}` } });
    const items = page.json().items as { company: string; attributes: Record<string, unknown>; poolId: number }[];
    expect(items.map((l) => l.company)).toEqual(['Firma 1 GmbH', 'Firma 2 GmbH', 'Firma 3 GmbH']);
    expect(items[0]!.attributes).toEqual({ Campaign: 'Q3' });
    const again = await upload(csv, `pool=${poolId}`);
    expect(again.json()).toMatchObject({ created: 0, existing: 3, rows: 3 });
  });

  it('names every bad line and field, and imports nothing from a file with bad rows', async () => {
    const before = await countLeads(env);
    const csv = [HEADER, row(10), row(11, { score: 'high' }), row(12), row(13, { size: 'huge', email: 'not-an-email' })].join('\n') + '\n';
    const res = await upload(csv, `pool=${poolId}`);
    const body = expectCleanError(res, 400, 'BAD_CSV');
    const details = body.details as { errors: { line: number; problems: { field: string; problem: string }[] }[]; rows: number };
    expect(details.rows).toBe(4);
    expect(details.errors.map((e) => e.line)).toEqual([3, 5]);
    expect(details.errors[0]!.problems.map((p) => p.field)).toContain('score');
    expect(details.errors[1]!.problems.map((p) => p.field)).toEqual(expect.arrayContaining(['companySize', 'contact.email']));
    for (const e of details.errors) for (const p of e.problems) expect(p.problem.length).toBeGreaterThan(0);
    expect(await countLeads(env)).toBe(before);
  });

  it('refuses a rep (403), an unknown pool (404) and an empty file (400)', async () => {
    expectCleanError(await upload([HEADER, row(20)].join('\n'), `pool=${poolId}`, rep), 403, 'FORBIDDEN');
    expectCleanError(await upload([HEADER, row(21)].join('\n'), 'pool=9999'), 404, 'POOL_NOT_FOUND');
    expectCleanError(await upload('', `pool=${poolId}`), 400, 'BAD_CSV');
    expectCleanError(await upload([HEADER, row(22)].join('\n'), 'dryRun=true'), 400, 'VALIDATION_FAILED', 'pool');
  });

  it('is in the OpenAPI document under leads, with its query parameters', async () => {
    const doc = (await env.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const op = doc.paths['/api/v1/imports'].post;
    expect(op.tags).toEqual(['leads']);
    expect((op.parameters as { name: string; in: string }[]).filter((p) => p.in === 'query').map((p) => p.name)).toEqual(expect.arrayContaining(['pool', 'dryRun']));
    expect(op.requestBody.content).toHaveProperty('text/csv');
  });
});
