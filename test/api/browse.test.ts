import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE } from '../../src/core/clock.js';
import type { Lead } from '../../src/core/types.js';
import { makeEnv, type TestEnv } from '../helpers.js';
import { call, expectCleanError } from './support.js';

/**
 * One app and one set of pools for the file. Browsing reads only; the one test that claims
 * works in its own pool. Every pool is created before the first browse, so the waiting counts
 * (cached for a second) already know all of them.
 */
let env: TestEnv;
let rep: { id: number; token: string };
let manager: { id: number; token: string };
let main: number; // ~40 leads with ties on every sort value
let search: number; // company names for the search tests
let preview: number; // pool mode
let cherry: number; // cherry-pick mode
let queue: number; // queue mode
let churn: number; // for claim/release
let data: Lead[] = [];
let searchLeads: Map<string, number>;
let queueIds: number[] = [];
let queueOldest = 0;

const INDUSTRIES = ['Software', 'Retail', 'Finance', 'Health'];
const SIZES = ['1-10', '11-50', '51-200', '201-1000', '1001-5000', '5000+'] as const;
const SOURCES = ['Website form', 'Referral', 'Trade fair'];
const REGIONS = ['DACH-Nord', 'DACH-Sued', 'Benelux'];
// Twenty names, each used twice (once in another case): ties on company under case-insensitive order.
const NAMES = ['Acme', 'Bolt', 'Cobalt', 'Delta', 'Echo', 'Falke', 'Granit', 'Hafen', 'Iris', 'Juno', 'Kiwi', 'Lumen', 'Mosaik', 'Nord', 'Orbit', 'Pixel', 'Quarz', 'Rhein', 'Saturn', 'Tango'];
const SEARCH_NAMES = [
  'Acme Robotics',
  'ACME Logistics',
  'acme foods',
  'Pacific Acme',
  'Academy Partners',
  'Zeppelin Werke',
  'zebra Design',
  '50% Solar',
  '500 Solar',
  'a_b Consulting',
  'axb Consulting',
  'Müller Maschinenbau',
  'MÜLLER AG',
  'Omega Systems',
];

beforeAll(async () => {
  env = await makeEnv();
  rep = await env.user('rep');
  manager = await env.user('manager');
  main = await env.pool('Main', 'cherry_pick');
  search = await env.pool('Search', 'cherry_pick');
  preview = await env.pool('Preview', 'pool');
  cherry = await env.pool('Cherry', 'cherry_pick');
  queue = await env.pool('Queue', 'queue');
  churn = await env.pool('Churn', 'cherry_pick');

  // 40 leads in groups of four that arrive at the same moment, three minutes apart.
  const ids: number[] = [];
  for (let g = 0; g < 10; g++) {
    const group = Array.from({ length: 4 }, (_, j) => {
      const i = g * 4 + j;
      const name = NAMES[(i * 7) % 20]!;
      return {
        company: i < 20 ? `${name} GmbH` : `${name.toUpperCase()} gmbh`,
        score: ((i * 3) % 8) * 10 + 5, // 8 distinct scores, each five times
        industry: INDUSTRIES[i % 4]!,
        companySize: SIZES[i % 6]!,
        source: SOURCES[i % 3]!,
        region: REGIONS[(i + g) % 3]!,
      };
    });
    ids.push(...(await env.addLeads(main, group)));
    env.clock.tick(3 * MINUTE);
  }
  data = await env.store.getLeads(ids);
  expect(data).toHaveLength(40);

  const sIds = await env.addLeads(search, SEARCH_NAMES.map((company) => ({ company })));
  searchLeads = new Map(SEARCH_NAMES.map((n, i) => [n, sIds[i]!]));

  await env.addLeads(preview, 3);
  await env.addLeads(cherry, 3);
  queueOldest = env.clock.now();
  queueIds = await env.addLeads(queue, 2);
  env.clock.tick(MINUTE);
  queueIds.push(...(await env.addLeads(queue, 1)));
  await env.addLeads(churn, 3);
  env.clock.tick(MINUTE);
});
afterAll(async () => env.cleanup());

type Query = Record<string, string | number | (string | number)[]>;
const browse = (pool: number, query: Query = {}, token = rep.token) => call(env, 'GET', `/api/v1/pools/${pool}/leads`, { token, query });

async function all(pool: number, query: Query = {}, token = rep.token): Promise<Lead[]> {
  const res = await browse(pool, { limit: 200, ...query }, token);
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json().nextCursor).toBeNull();
  return res.json().items;
}

const ids = (ls: { id: number }[]) => ls.map((l) => l.id);
const sortedIds = (ls: { id: number }[]) => ids(ls).sort((a, b) => a - b);

type Sort = 'score' | 'age' | 'company';
type Order = 'asc' | 'desc';

/** Case-insensitive (ASCII) like the store; age desc means oldest first. Ties go by id in the same direction. */
function expectedOrder(rows: Lead[], sort: Sort, order: Order): number[] {
  const key = (l: Lead): string | number => (sort === 'score' ? l.score : sort === 'age' ? l.createdAt : l.company.toLowerCase());
  const ascending = sort === 'age' ? order === 'desc' : order === 'asc';
  const sign = ascending ? 1 : -1;
  return [...rows]
    .sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      if (ka !== kb) return (ka < kb ? -1 : 1) * sign;
      return (a.id - b.id) * sign;
    })
    .map((l) => l.id);
}

async function walk(pool: number, query: Query, limit: number): Promise<{ ids: number[]; pages: number }> {
  const out: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await browse(pool, { ...query, limit, ...(cursor ? { cursor } : {}) });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.items.length).toBeLessThanOrEqual(limit);
    if (body.nextCursor !== null) expect(body.items).toHaveLength(limit);
    out.push(...ids(body.items));
    cursor = body.nextCursor;
    pages++;
    expect(pages).toBeLessThan(100);
  } while (cursor);
  return { ids: out, pages };
}

describe('sorting and cursor paging', () => {
  const combos: [Sort, Order][] = [
    ['score', 'asc'],
    ['score', 'desc'],
    ['age', 'asc'],
    ['age', 'desc'],
    ['company', 'asc'],
    ['company', 'desc'],
  ];

  it.each(combos)('walking every page of 7 sorted by %s %s visits each lead once, with no gaps, in order, ties broken by id', async (sort, order) => {
    const { ids: walked, pages } = await walk(main, { sort, order }, 7);
    expect(new Set(walked).size).toBe(walked.length);
    expect(walked).toHaveLength(40);
    expect(pages).toBe(6);
    expect(walked).toEqual(expectedOrder(data, sort, order));
  });

  it('score desc puts the highest score first; age desc the oldest first; company asc is alphabetical ignoring case', async () => {
    const byId = new Map(data.map((l) => [l.id, l]));
    const scores = (await walk(main, { sort: 'score', order: 'desc' }, 7)).ids.map((id) => byId.get(id)!.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const ages = (await walk(main, { sort: 'age', order: 'desc' }, 7)).ids.map((id) => byId.get(id)!.createdAt);
    expect(ages).toEqual([...ages].sort((a, b) => a - b));
    const names = (await walk(main, { sort: 'company', order: 'asc' }, 7)).ids.map((id) => byId.get(id)!.company.toLowerCase());
    expect(names).toEqual([...names].sort());
  });

  it('without sort, order or limit a page is the 50 oldest first, so 40 leads fit one page with no next cursor', async () => {
    const res = await browse(main);
    expect(res.statusCode).toBe(200);
    expect(res.json().nextCursor).toBeNull();
    expect(ids(res.json().items)).toEqual(expectedOrder(data, 'age', 'desc'));
  });

  it('paging a filtered view visits exactly the matching leads in order', async () => {
    const q = { industry: ['Software', 'Finance'], minScore: 20 };
    const rows = data.filter((l) => ['Software', 'Finance'].includes(l.industry) && l.score >= 20);
    expect(rows.length).toBeGreaterThan(7);
    for (const [sort, order] of [
      ['score', 'desc'],
      ['company', 'asc'],
    ] as [Sort, Order][]) {
      expect((await walk(main, { ...q, sort, order }, 3)).ids).toEqual(expectedOrder(rows, sort, order));
    }
  });

  it('a page size of 1 and of 200 both work; 0 and 201 are refused naming limit', async () => {
    expect((await walk(main, { sort: 'score', order: 'asc' }, 1)).ids).toEqual(expectedOrder(data, 'score', 'asc'));
    expect((await browse(main, { limit: 200 })).json().items).toHaveLength(40);
    expectCleanError(await browse(main, { limit: 0 }), 400, 'VALIDATION_FAILED', 'limit');
    expectCleanError(await browse(main, { limit: 201 }), 400, 'VALIDATION_FAILED', 'limit');
  });

  it('an unknown sort or order is refused naming it', async () => {
    expectCleanError(await browse(main, { sort: 'price' }), 400, 'VALIDATION_FAILED', 'sort');
    expectCleanError(await browse(main, { order: 'up' }), 400, 'VALIDATION_FAILED', 'order');
  });
});

describe('cursors', () => {
  async function firstCursor(query: Query): Promise<string> {
    const res = await browse(main, { ...query, limit: 5 });
    expect(res.json().nextCursor).toEqual(expect.any(String));
    return res.json().nextCursor;
  }
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

  it('a cursor that is not one the server issued is refused with 400 BAD_CURSOR naming cursor', async () => {
    for (const cursor of ['garbage', 'bm90IGpzb24', b64({ a: 1 }), b64(['score', 'desc', 'high', 3]), b64(['score', 'desc', 50, 'x']), b64(['score', 'desc', 50])]) {
      expectCleanError(await browse(main, { sort: 'score', order: 'desc', cursor }), 400, 'BAD_CURSOR', 'cursor');
    }
  });

  it('a cursor from another sort or order is refused with 400 BAD_CURSOR', async () => {
    const cursor = await firstCursor({ sort: 'score', order: 'desc' });
    expectCleanError(await browse(main, { sort: 'company', order: 'desc', cursor }), 400, 'BAD_CURSOR', 'cursor');
    expectCleanError(await browse(main, { sort: 'age', order: 'desc', cursor }), 400, 'BAD_CURSOR', 'cursor');
    expectCleanError(await browse(main, { sort: 'score', order: 'asc', cursor }), 400, 'BAD_CURSOR', 'cursor');
    expect((await browse(main, { sort: 'score', order: 'desc', cursor })).statusCode).toBe(200);
  });

  it('a cursor from the default sort works when the sort is then spelled out', async () => {
    const cursor = await firstCursor({});
    const res = await browse(main, { sort: 'age', order: 'desc', cursor, limit: 5 });
    expect(res.statusCode).toBe(200);
    expect(ids(res.json().items)).toEqual(expectedOrder(data, 'age', 'desc').slice(5, 10));
  });
});

describe('filters', () => {
  const cases: [string, Query, (l: Lead) => boolean][] = [
    ['one industry', { industry: 'Software' }, (l) => l.industry === 'Software'],
    ['two industries', { industry: ['Software', 'Retail'] }, (l) => ['Software', 'Retail'].includes(l.industry)],
    ['company sizes', { companySize: ['11-50', '5000+'] }, (l) => ['11-50', '5000+'].includes(l.companySize)],
    ['a source', { source: 'Referral' }, (l) => l.source === 'Referral'],
    ['one region', { region: 'Benelux' }, (l) => l.region === 'Benelux'],
    ['two regions (repeated parameter)', { region: ['DACH-Nord', 'Benelux'] }, (l) => ['DACH-Nord', 'Benelux'].includes(l.region)],
    ['minScore (inclusive)', { minScore: 45 }, (l) => l.score >= 45],
    ['maxScore (inclusive)', { maxScore: 45 }, (l) => l.score <= 45],
    ['a score range', { minScore: 25, maxScore: 55 }, (l) => l.score >= 25 && l.score <= 55],
    ['one exact score', { minScore: 35, maxScore: 35 }, (l) => l.score === 35],
    ['minAgeMinutes (at least this old)', { minAgeMinutes: 10 }, (l) => l.createdAt <= env.clock.now() - 10 * MINUTE],
    ['maxAgeMinutes (at most this old)', { maxAgeMinutes: 10 }, (l) => l.createdAt >= env.clock.now() - 10 * MINUTE],
    ['an age band', { minAgeMinutes: 7, maxAgeMinutes: 19 }, (l) => l.createdAt <= env.clock.now() - 7 * MINUTE && l.createdAt >= env.clock.now() - 19 * MINUTE],
    [
      'several filters together',
      { industry: ['Software', 'Health'], region: 'DACH-Nord', minScore: 15 },
      (l) => ['Software', 'Health'].includes(l.industry) && l.region === 'DACH-Nord' && l.score >= 15,
    ],
    ['a value no lead has', { industry: 'Mining' }, () => false],
  ];

  it.each(cases)('filtering by %s returns exactly the matching leads', async (_name, query, match) => {
    const expected = data.filter(match);
    const got = await all(main, query);
    expect(sortedIds(got)).toEqual(sortedIds(expected));
    if (expected.length > 0 && expected.length < 40) expect(got.length).toBeLessThan(40);
  });

  it('the dataset really has leads on both sides of every filter', () => {
    expect(new Set(data.map((l) => l.industry)).size).toBe(4);
    expect(new Set(data.map((l) => l.region)).size).toBe(3);
    expect(new Set(data.map((l) => l.createdAt)).size).toBe(10);
  });

  it('minScore above maxScore is refused naming minScore', async () => {
    expectCleanError(await browse(main, { minScore: 60, maxScore: 40 }), 400, 'VALIDATION_FAILED', 'minScore');
  });

  it('out-of-range or wrongly typed filters are refused naming the filter', async () => {
    expectCleanError(await browse(main, { minScore: 101 }), 400, 'VALIDATION_FAILED', 'minScore');
    expectCleanError(await browse(main, { maxScore: -1 }), 400, 'VALIDATION_FAILED', 'maxScore');
    expectCleanError(await browse(main, { minAgeMinutes: 'old' }), 400, 'VALIDATION_FAILED', 'minAgeMinutes');
    expectCleanError(await browse(main, { companySize: 'huge' }), 400, 'VALIDATION_FAILED', 'companySize[0]');
    expectCleanError(await browse(main, { colour: 'red' }), 400, 'VALIDATION_FAILED', 'colour');
  });

  it('claimed leads are not listed, and a released one is listed again', async () => {
    const before = await all(churn);
    expect(before).toHaveLength(3);
    const target = before[0]!.id;
    expect((await call(env, 'POST', `/api/v1/leads/${target}/claim`, { token: rep.token })).statusCode).toBe(200);
    expect(ids(await all(churn))).not.toContain(target);
    expect(ids(await all(churn, {}, manager.token))).not.toContain(target);
    expect((await call(env, 'POST', `/api/v1/leads/${target}/release`, { token: rep.token, payload: {} })).statusCode).toBe(200);
    expect(ids(await all(churn))).toContain(target);
  });
});

describe('company search', () => {
  const names = async (q: string, extra: Query = {}) => {
    const res = await browse(search, { q, limit: 200, ...extra });
    expect(res.statusCode, `q=${q}: ${res.body}`).toBe(200);
    return (res.json().items as Lead[]).map((l) => l.company).sort();
  };
  const sorted = (xs: string[]) => [...xs].sort();

  it('one or two characters match the start of the name, case-insensitively', async () => {
    const startsAc = sorted(['Acme Robotics', 'ACME Logistics', 'acme foods', 'Academy Partners']);
    expect(await names('ac')).toEqual(startsAc);
    expect(await names('AC')).toEqual(startsAc);
    expect(await names('aC')).toEqual(startsAc);
    expect(await names('a')).toEqual(sorted([...startsAc, 'a_b Consulting', 'axb Consulting']));
    expect(await names('ze')).toEqual(sorted(['Zeppelin Werke', 'zebra Design']));
  });

  it('a one-letter search for "Z" finds the names starting with z or Z', async () => {
    expect(await names('z')).toEqual(sorted(['Zeppelin Werke', 'zebra Design']));
    expect(await names('Z')).toEqual(sorted(['Zeppelin Werke', 'zebra Design']));
  });

  it('three characters match anywhere in the name, case-insensitively', async () => {
    const hasCme = sorted(['Acme Robotics', 'ACME Logistics', 'acme foods', 'Pacific Acme']);
    expect(await names('cme')).toEqual(hasCme);
    expect(await names('CmE')).toEqual(hasCme);
    expect(await names('ola')).toEqual(sorted(['50% Solar', '500 Solar']));
  });

  it('a longer search term matches anywhere in the name, case-insensitively', async () => {
    const hasAcme = sorted(['Acme Robotics', 'ACME Logistics', 'acme foods', 'Pacific Acme']);
    expect(await names('acme')).toEqual(hasAcme);
    expect(await names('ACME')).toEqual(hasAcme);
    expect(await names('solar')).toEqual(sorted(['50% Solar', '500 Solar']));
    expect(await names('consulting')).toEqual(sorted(['a_b Consulting', 'axb Consulting']));
    expect(await names('nothing like it')).toEqual([]);
  });

  it('% and _ are literal characters, not wildcards', async () => {
    expect(await names('%')).toEqual([]);
    expect(await names('_')).toEqual([]);
    expect(await names('50%')).toEqual(['50% Solar']);
    expect(await names('a_')).toEqual(['a_b Consulting']);
    expect(await names('a_b')).toEqual(['a_b Consulting']);
    expect(await names('0%')).toEqual([]);
  });

  it('case-insensitive search also folds umlauts: "üll" finds Müller and MÜLLER', async () => {
    expect(await names('üll')).toEqual(sorted(['Müller Maschinenbau', 'MÜLLER AG']));
    expect(await names('ÜLL')).toEqual(sorted(['Müller Maschinenbau', 'MÜLLER AG']));
  });

  it('surrounding spaces are ignored', async () => {
    expect(await names('  cme  ')).toEqual(await names('cme'));
  });

  it('a search pages like any other view', async () => {
    const { ids: walked } = await walk(search, { q: 'a', sort: 'company', order: 'asc' }, 2);
    const byId = new Map([...searchLeads].map(([n, id]) => [id, n]));
    expect(walked.map((id) => byId.get(id))).toEqual(['a_b Consulting', 'Academy Partners', 'acme foods', 'ACME Logistics', 'Acme Robotics', 'axb Consulting']);
  });

  it('an empty or over-long search is refused naming q', async () => {
    expectCleanError(await browse(search, { q: '' }), 400, 'VALIDATION_FAILED', 'q');
    expectCleanError(await browse(search, { q: 'x'.repeat(101) }), 400, 'VALIDATION_FAILED', 'q');
  });
});

describe('what each viewer sees', () => {
  it('in a pool-mode pool a rep sees id, poolId, status and the preview fields only, never the contact', async () => {
    const res = await browse(preview);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.itemsHidden).toBe(false);
    expect(body.items).toHaveLength(3);
    for (const item of body.items) {
      expect(Object.keys(item).sort()).toEqual(['company', 'companySize', 'createdAt', 'id', 'industry', 'poolId', 'region', 'score', 'source', 'status']);
      expect(item).toMatchObject({ poolId: preview, status: 'available' });
    }
    expect(res.body).not.toMatch(/contact|@testfirma|\+49/);
  });

  it('in a pool-mode pool a manager sees every field, contact included', async () => {
    const items = (await browse(preview, {}, manager.token)).json().items;
    expect(items).toHaveLength(3);
    for (const item of items) expect(item.contact.email).toContain('@');
  });

  it('in a cherry-pick pool a rep sees every field, contact included', async () => {
    const items = (await browse(cherry)).json().items;
    expect(items).toHaveLength(3);
    for (const item of items) {
      expect(item.contact).toMatchObject({ name: expect.any(String), email: expect.stringContaining('@') });
      expect(item).toHaveProperty('externalId');
    }
  });

  it('in a queue a rep gets no items, itemsHidden, and the waiting count and oldest arrival', async () => {
    const res = await browse(queue);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ items: [], nextCursor: null, itemsHidden: true, available: 3, oldestAvailableAt: new Date(queueOldest).toISOString() });
    const filtered = await browse(queue, { sort: 'score', minScore: 0 });
    expect(filtered.json()).toMatchObject({ items: [], itemsHidden: true });
  });

  it('in a queue a manager sees every lead', async () => {
    const res = await browse(queue, {}, manager.token);
    expect(res.json()).toMatchObject({ itemsHidden: false, available: 3, oldestAvailableAt: new Date(queueOldest).toISOString() });
    expect(sortedIds(res.json().items)).toEqual([...queueIds].sort((a, b) => a - b));
    expect(res.json().items[0].contact.email).toContain('@');
  });

  it('every pool reports its waiting count and oldest arrival', async () => {
    const body = (await browse(main)).json();
    expect(body.available).toBe(40);
    expect(body.oldestAvailableAt).toBe(new Date(Math.min(...data.map((l) => l.createdAt))).toISOString());
  });

  it('an unknown pool is 404 POOL_NOT_FOUND', async () => {
    expectCleanError(await browse(987654), 404, 'POOL_NOT_FOUND');
  });
});

describe('facets', () => {
  it('lists the distinct industries, sizes, sources and regions in a pool, sorted', async () => {
    const res = await call(env, 'GET', `/api/v1/pools/${main}/facets`, { token: rep.token });
    expect(res.statusCode).toBe(200);
    const distinct = (f: (l: Lead) => string) => [...new Set(data.map(f))].sort();
    expect(res.json()).toEqual({
      industry: distinct((l) => l.industry),
      companySize: distinct((l) => l.companySize),
      source: distinct((l) => l.source),
      region: distinct((l) => l.region),
    });
  });

  it('an unknown pool is 404 POOL_NOT_FOUND', async () => {
    expectCleanError(await call(env, 'GET', '/api/v1/pools/987654/facets', { token: rep.token }), 404, 'POOL_NOT_FOUND');
  });

  it('serves a minute-old answer at once and an older one while it reads a fresh one', async () => {
    const pool = await env.pool('Facets', 'pool');
    await env.addLeads(pool, [{ industry: 'Software' }]);
    const industries = async () => (await call(env, 'GET', `/api/v1/pools/${pool}/facets`, { token: rep.token })).json().industry as string[];
    expect(await industries()).toEqual(['Software']);
    await env.addLeads(pool, [{ industry: 'Brewing' }]);
    env.clock.tick(59_000);
    expect(await industries()).toEqual(['Software']);
    env.clock.tick(2_000);
    expect(await industries()).toEqual(['Software']); // stale, and the read of fresh ones starts
    // The fresh read runs on a worker thread: ask again until it has landed.
    let fresh: string[] = [];
    for (const until = Date.now() + 5000; fresh.length < 2 && Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 10));
      fresh = await industries();
    }
    expect(fresh).toEqual(['Brewing', 'Software']);
  });
});
