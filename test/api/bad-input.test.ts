import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLead, makeEnv, SYSTEM, type TestEnv } from '../helpers.js';
import { call, expectCleanError, snapshot } from './support.js';

/**
 * For every route, requests that must be refused: malformed JSON, unknown fields, wrong types,
 * out-of-range values, missing fields and unknown ids. Each refusal must have a clean error
 * body (a code, a message, the offending field) and must write nothing at all.
 */

type As = 'none' | 'rep' | 'rep2' | 'manager' | 'admin' | 'ingest';
interface Case {
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  /** `:lead` (waiting), `:held` (claimed by rep), `:queued` (in the queue), `:pool`, `:queue`, `:key` are filled in. */
  url: string;
  as: As;
  payload?: unknown;
  raw?: string;
  contentType?: string;
  query?: Record<string, string | number | (string | number)[]>;
  status: number;
  code: string;
  field?: string | RegExp;
}

let env: TestEnv;
const tokens: Partial<Record<As, string>> = {};
const ids = { lead: 0, held: 0, queued: 0, pool: 0, queue: 0, key: 0, rep: 0 };

beforeAll(async () => {
  env = await makeEnv();
  const admin = await env.user('admin');
  const manager = await env.user('manager');
  const rep = await env.user('rep', 'bad-input-rep@test.example');
  const rep2 = await env.user('rep');
  Object.assign(tokens, { admin: admin.token, manager: manager.token, rep: rep.token, rep2: rep2.token });
  ids.rep = rep.id;
  ids.pool = (await env.store.createPool({ name: 'Bad pool', mode: 'pool' }, SYSTEM, env.clock.now())).pool.id;
  ids.queue = (await env.store.createPool({ name: 'Bad queue', mode: 'queue' }, SYSTEM, env.clock.now())).pool.id;
  [ids.lead, ids.held] = await env.addLeads(ids.pool, [{ externalId: 'bad-1' }, {}]) as [number, number];
  [ids.queued] = await env.addLeads(ids.queue, 1) as [number];
  const claim = await call(env, 'POST', `/api/v1/leads/${ids.held}/claim`, { token: rep.token });
  expect(claim.statusCode).toBe(200);
  const key = await call(env, 'POST', '/api/v1/api-keys', { token: admin.token, payload: { name: 'Bad feed', scope: 'ingest' } });
  tokens.ingest = key.json().key;
  ids.key = key.json().apiKey.id;
});
afterAll(async () => env.cleanup());

const MALFORMED = '{"company": "Acme", ';
const lead = (over: Record<string, unknown> = {}) => ({ ...buildLead(), ...over });
const without = (key: string) => {
  const l: Record<string, unknown> = buildLead();
  delete l[key];
  return l;
};
const PARAM_ID = /(^|\.)id$/;

const cases: Case[] = [
  // --- auth
  { name: 'login with malformed JSON', method: 'POST', url: '/api/v1/auth/login', as: 'none', raw: MALFORMED, status: 400, code: 'MALFORMED_JSON' },
  { name: 'login with an empty JSON body', method: 'POST', url: '/api/v1/auth/login', as: 'none', raw: '', status: 400, code: 'MALFORMED_JSON' },
  { name: 'login with an unknown field', method: 'POST', url: '/api/v1/auth/login', as: 'none', payload: { email: 'a@b.example', password: 'x', remember: true }, status: 400, code: 'VALIDATION_FAILED', field: 'remember' },
  { name: 'login without a password', method: 'POST', url: '/api/v1/auth/login', as: 'none', payload: { email: 'a@b.example' }, status: 400, code: 'VALIDATION_FAILED', field: 'password' },
  { name: 'login with an object as email', method: 'POST', url: '/api/v1/auth/login', as: 'none', payload: { email: { a: 1 }, password: 'x' }, status: 400, code: 'VALIDATION_FAILED', field: 'email' },
  { name: 'login with an empty email', method: 'POST', url: '/api/v1/auth/login', as: 'none', payload: { email: '', password: 'x' }, status: 400, code: 'VALIDATION_FAILED', field: 'email' },
  { name: 'login with a wrong password', method: 'POST', url: '/api/v1/auth/login', as: 'none', payload: { email: 'bad-input-rep@test.example', password: 'password2' }, status: 401, code: 'INVALID_CREDENTIALS' },
  { name: 'logout with malformed JSON', method: 'POST', url: '/api/v1/auth/logout', as: 'rep', raw: MALFORMED, status: 400, code: 'MALFORMED_JSON' },

  // --- pools
  { name: 'list pools without credentials', method: 'GET', url: '/api/v1/pools', as: 'none', status: 401, code: 'UNAUTHENTICATED' },
  { name: 'list pools with an ingest key', method: 'GET', url: '/api/v1/pools', as: 'ingest', status: 403, code: 'FORBIDDEN' },
  { name: 'create a pool with malformed JSON', method: 'POST', url: '/api/v1/pools', as: 'manager', raw: MALFORMED, status: 400, code: 'MALFORMED_JSON' },
  { name: 'create a pool with an unknown field', method: 'POST', url: '/api/v1/pools', as: 'manager', payload: { name: 'New', mode: 'pool', colour: 'red' }, status: 400, code: 'VALIDATION_FAILED', field: 'colour' },
  { name: 'create a pool without a name', method: 'POST', url: '/api/v1/pools', as: 'manager', payload: { mode: 'pool' }, status: 400, code: 'VALIDATION_FAILED', field: 'name' },
  { name: 'create a pool with an empty name', method: 'POST', url: '/api/v1/pools', as: 'manager', payload: { name: '', mode: 'pool' }, status: 400, code: 'VALIDATION_FAILED', field: 'name' },
  { name: 'create a pool with a bad mode', method: 'POST', url: '/api/v1/pools', as: 'manager', payload: { name: 'New', mode: 'lottery' }, status: 400, code: 'VALIDATION_FAILED', field: 'mode' },
  { name: 'create a pool with a lock timer under 30 s', method: 'POST', url: '/api/v1/pools', as: 'manager', payload: { name: 'New', mode: 'pool', lockTtlSeconds: 10 }, status: 400, code: 'VALIDATION_FAILED', field: 'lockTtlSeconds' },
  { name: 'create a pool with a lock timer over a week', method: 'POST', url: '/api/v1/pools', as: 'manager', payload: { name: 'New', mode: 'pool', lockTtlSeconds: 7 * 86400 + 1 }, status: 400, code: 'VALIDATION_FAILED', field: 'lockTtlSeconds' },
  { name: 'create a pool with a text lock timer', method: 'POST', url: '/api/v1/pools', as: 'manager', payload: { name: 'New', mode: 'pool', lockTtlSeconds: '15 minutes' }, status: 400, code: 'VALIDATION_FAILED', field: 'lockTtlSeconds' },
  { name: 'create a pool previewing the contact', method: 'POST', url: '/api/v1/pools', as: 'manager', payload: { name: 'New', mode: 'pool', previewFields: ['company', 'contact'] }, status: 400, code: 'VALIDATION_FAILED', field: 'previewFields[1]' },
  { name: 'create a pool with a taken name', method: 'POST', url: '/api/v1/pools', as: 'manager', payload: { name: 'Bad pool', mode: 'queue' }, status: 400, code: 'VALIDATION_FAILED', field: 'name' },
  { name: 'create a pool with a taken name in another case', method: 'POST', url: '/api/v1/pools', as: 'manager', payload: { name: 'BAD POOL', mode: 'queue' }, status: 400, code: 'VALIDATION_FAILED', field: 'name' },
  { name: 'create a pool as a rep', method: 'POST', url: '/api/v1/pools', as: 'rep', payload: { name: 'Mine', mode: 'pool' }, status: 403, code: 'FORBIDDEN' },
  { name: 'change a pool with malformed JSON', method: 'PATCH', url: '/api/v1/pools/:pool', as: 'manager', raw: MALFORMED, status: 400, code: 'MALFORMED_JSON' },
  { name: 'change a pool with an empty body', method: 'PATCH', url: '/api/v1/pools/:pool', as: 'manager', payload: {}, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'change a pool with an unknown field', method: 'PATCH', url: '/api/v1/pools/:pool', as: 'manager', payload: { colour: 'red' }, status: 400, code: 'VALIDATION_FAILED', field: 'colour' },
  { name: 'change a pool to a bad mode', method: 'PATCH', url: '/api/v1/pools/:pool', as: 'manager', payload: { mode: 'auction' }, status: 400, code: 'VALIDATION_FAILED', field: 'mode' },
  { name: 'change a pool to a taken name', method: 'PATCH', url: '/api/v1/pools/:pool', as: 'manager', payload: { name: 'Bad queue' }, status: 400, code: 'VALIDATION_FAILED', field: 'name' },
  { name: 'change a pool with isDefault false', method: 'PATCH', url: '/api/v1/pools/:pool', as: 'manager', payload: { isDefault: false }, status: 400, code: 'VALIDATION_FAILED', field: 'isDefault' },
  { name: 'change an unknown pool', method: 'PATCH', url: '/api/v1/pools/987654', as: 'manager', payload: { name: 'Ghost' }, status: 404, code: 'POOL_NOT_FOUND' },
  { name: 'change a pool with a non-numeric id', method: 'PATCH', url: '/api/v1/pools/abc', as: 'manager', payload: { name: 'Ghost' }, status: 400, code: 'VALIDATION_FAILED', field: PARAM_ID },
  { name: 'change a pool as a rep', method: 'PATCH', url: '/api/v1/pools/:pool', as: 'rep', payload: { name: 'Mine' }, status: 403, code: 'FORBIDDEN' },

  // --- browse, facets, next
  { name: 'browse with an unknown parameter', method: 'GET', url: '/api/v1/pools/:pool/leads', as: 'rep', query: { colour: 'red' }, status: 400, code: 'VALIDATION_FAILED', field: 'colour' },
  { name: 'browse with minScore 101', method: 'GET', url: '/api/v1/pools/:pool/leads', as: 'rep', query: { minScore: 101 }, status: 400, code: 'VALIDATION_FAILED', field: 'minScore' },
  { name: 'browse with a text maxScore', method: 'GET', url: '/api/v1/pools/:pool/leads', as: 'rep', query: { maxScore: 'high' }, status: 400, code: 'VALIDATION_FAILED', field: 'maxScore' },
  { name: 'browse with negative age', method: 'GET', url: '/api/v1/pools/:pool/leads', as: 'rep', query: { maxAgeMinutes: -5 }, status: 400, code: 'VALIDATION_FAILED', field: 'maxAgeMinutes' },
  { name: 'browse with limit 0', method: 'GET', url: '/api/v1/pools/:pool/leads', as: 'rep', query: { limit: 0 }, status: 400, code: 'VALIDATION_FAILED', field: 'limit' },
  { name: 'browse with a bad sort', method: 'GET', url: '/api/v1/pools/:pool/leads', as: 'rep', query: { sort: 'random' }, status: 400, code: 'VALIDATION_FAILED', field: 'sort' },
  { name: 'browse with a bad cursor', method: 'GET', url: '/api/v1/pools/:pool/leads', as: 'rep', query: { cursor: 'not-a-cursor' }, status: 400, code: 'BAD_CURSOR', field: 'cursor' },
  { name: 'browse with minScore above maxScore', method: 'GET', url: '/api/v1/pools/:pool/leads', as: 'rep', query: { minScore: 80, maxScore: 20 }, status: 400, code: 'VALIDATION_FAILED', field: 'minScore' },
  { name: 'browse an unknown pool', method: 'GET', url: '/api/v1/pools/987654/leads', as: 'rep', status: 404, code: 'POOL_NOT_FOUND' },
  { name: 'browse pool 0', method: 'GET', url: '/api/v1/pools/0/leads', as: 'rep', status: 400, code: 'VALIDATION_FAILED', field: PARAM_ID },
  { name: 'facets of an unknown pool', method: 'GET', url: '/api/v1/pools/987654/facets', as: 'rep', status: 404, code: 'POOL_NOT_FOUND' },
  { name: 'facets with a non-numeric id', method: 'GET', url: '/api/v1/pools/x/facets', as: 'rep', status: 400, code: 'VALIDATION_FAILED', field: PARAM_ID },
  { name: 'next lead of an unknown pool', method: 'POST', url: '/api/v1/pools/987654/next', as: 'rep', status: 404, code: 'POOL_NOT_FOUND' },
  { name: 'next lead with a non-numeric id', method: 'POST', url: '/api/v1/pools/x/next', as: 'rep', status: 400, code: 'VALIDATION_FAILED', field: PARAM_ID },
  { name: 'next lead with an ingest key', method: 'POST', url: '/api/v1/pools/:queue/next', as: 'ingest', status: 403, code: 'FORBIDDEN' },

  // --- feeding leads in
  { name: 'a lead as malformed JSON', method: 'POST', url: '/api/v1/leads', as: 'ingest', raw: MALFORMED, status: 400, code: 'MALFORMED_JSON' },
  { name: 'a lead as XML', method: 'POST', url: '/api/v1/leads', as: 'ingest', raw: '<lead/>', contentType: 'application/xml', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'a lead that is an array', method: 'POST', url: '/api/v1/leads', as: 'ingest', payload: [lead()], status: 400, code: 'VALIDATION_FAILED' },
  { name: 'a lead with an unknown field', method: 'POST', url: '/api/v1/leads', as: 'ingest', payload: lead({ colour: 'red' }), status: 400, code: 'VALIDATION_FAILED', field: 'colour' },
  { name: 'a lead with an unknown contact field', method: 'POST', url: '/api/v1/leads', as: 'ingest', payload: lead({ contact: { name: 'A', fax: '123' } }), status: 400, code: 'VALIDATION_FAILED', field: 'contact.fax' },
  { name: 'a lead with score 500', method: 'POST', url: '/api/v1/leads', as: 'ingest', payload: lead({ score: 500 }), status: 400, code: 'VALIDATION_FAILED', field: 'score' },
  { name: 'a lead with score -1', method: 'POST', url: '/api/v1/leads', as: 'ingest', payload: lead({ score: -1 }), status: 400, code: 'VALIDATION_FAILED', field: 'score' },
  { name: 'a lead with score 50.5', method: 'POST', url: '/api/v1/leads', as: 'ingest', payload: lead({ score: 50.5 }), status: 400, code: 'VALIDATION_FAILED', field: 'score' },
  { name: 'a lead with score "high"', method: 'POST', url: '/api/v1/leads', as: 'ingest', payload: lead({ score: 'high' }), status: 400, code: 'VALIDATION_FAILED', field: 'score' },
  { name: 'a lead without company', method: 'POST', url: '/api/v1/leads', as: 'ingest', payload: without('company'), status: 400, code: 'VALIDATION_FAILED', field: 'company' },
  { name: 'a lead with an empty company', method: 'POST', url: '/api/v1/leads', as: 'ingest', payload: lead({ company: '' }), status: 400, code: 'VALIDATION_FAILED', field: 'company' },
  { name: 'a lead with a 201-character company', method: 'POST', url: '/api/v1/leads', as: 'ingest', payload: lead({ company: 'x'.repeat(201) }), status: 400, code: 'VALIDATION_FAILED', field: 'company' },
  { name: 'a lead with an object as company', method: 'POST', url: '/api/v1/leads', as: 'ingest', payload: lead({ company: { name: 'Acme' } }), status: 400, code: 'VALIDATION_FAILED', field: 'company' },
  { name: 'a lead with an unknown company size', method: 'POST', url: '/api/v1/leads', as: 'ingest', payload: lead({ companySize: 'huge' }), status: 400, code: 'VALIDATION_FAILED', field: 'companySize' },
  { name: 'a lead without contact', method: 'POST', url: '/api/v1/leads', as: 'ingest', payload: without('contact'), status: 400, code: 'VALIDATION_FAILED', field: 'contact' },
  { name: 'a lead whose contact is text', method: 'POST', url: '/api/v1/leads', as: 'ingest', payload: lead({ contact: 'Ada' }), status: 400, code: 'VALIDATION_FAILED', field: 'contact' },
  { name: 'a lead with a bad contact email', method: 'POST', url: '/api/v1/leads', as: 'ingest', payload: lead({ contact: { name: 'A', email: 'not-an-email' } }), status: 400, code: 'VALIDATION_FAILED', field: 'contact.email' },
  { name: 'a lead with priority 1001', method: 'POST', url: '/api/v1/leads', as: 'ingest', payload: lead({ priority: 1001 }), status: 400, code: 'VALIDATION_FAILED', field: 'priority' },
  { name: 'a lead with an empty externalId', method: 'POST', url: '/api/v1/leads', as: 'ingest', payload: lead({ externalId: '' }), status: 400, code: 'VALIDATION_FAILED', field: 'externalId' },
  { name: 'a lead with poolId 0', method: 'POST', url: '/api/v1/leads', as: 'ingest', payload: lead({ poolId: 0 }), status: 400, code: 'VALIDATION_FAILED', field: 'poolId' },
  { name: 'a lead for an unknown pool', method: 'POST', url: '/api/v1/leads', as: 'ingest', payload: lead({ poolId: 987654 }), status: 400, code: 'VALIDATION_FAILED', field: 'poolId' },
  { name: 'a lead without credentials', method: 'POST', url: '/api/v1/leads', as: 'none', payload: lead(), status: 401, code: 'UNAUTHENTICATED' },
  { name: 'a batch as malformed JSON', method: 'POST', url: '/api/v1/leads/batch', as: 'ingest', raw: MALFORMED, status: 400, code: 'MALFORMED_JSON' },
  { name: 'a batch without leads', method: 'POST', url: '/api/v1/leads/batch', as: 'ingest', payload: {}, status: 400, code: 'VALIDATION_FAILED', field: 'leads' },
  { name: 'a batch whose leads is an object', method: 'POST', url: '/api/v1/leads/batch', as: 'ingest', payload: { leads: lead() }, status: 400, code: 'VALIDATION_FAILED', field: 'leads' },
  { name: 'an empty batch', method: 'POST', url: '/api/v1/leads/batch', as: 'ingest', payload: { leads: [] }, status: 400, code: 'VALIDATION_FAILED', field: 'leads' },
  { name: 'a batch with an unknown field', method: 'POST', url: '/api/v1/leads/batch', as: 'ingest', payload: { leads: [lead()], dryRun: true }, status: 400, code: 'VALIDATION_FAILED', field: 'dryRun' },
  { name: 'a batch with score 500 in its second lead', method: 'POST', url: '/api/v1/leads/batch', as: 'ingest', payload: { leads: [lead(), lead({ score: 500 })] }, status: 400, code: 'VALIDATION_FAILED', field: 'leads[1].score' },
  { name: 'a batch whose first lead has no company', method: 'POST', url: '/api/v1/leads/batch', as: 'ingest', payload: { leads: [without('company'), lead()] }, status: 400, code: 'VALIDATION_FAILED', field: 'leads[0].company' },
  { name: 'a batch with an unknown field in a lead', method: 'POST', url: '/api/v1/leads/batch', as: 'ingest', payload: { leads: [lead(), lead(), lead({ colour: 'red' })] }, status: 400, code: 'VALIDATION_FAILED', field: 'leads[2].colour' },
  { name: 'a batch with an unknown pool in its second lead', method: 'POST', url: '/api/v1/leads/batch', as: 'ingest', payload: { leads: [lead(), lead({ poolId: 987654 })] }, status: 400, code: 'VALIDATION_FAILED', field: 'leads[1].poolId' },
  { name: 'a batch of a number', method: 'POST', url: '/api/v1/leads/batch', as: 'ingest', payload: { leads: [5] }, status: 400, code: 'VALIDATION_FAILED', field: 'leads[0]' },

  // --- one lead
  { name: 'an unknown lead', method: 'GET', url: '/api/v1/leads/987654', as: 'rep', status: 404, code: 'LEAD_NOT_FOUND' },
  { name: 'a lead with a non-numeric id', method: 'GET', url: '/api/v1/leads/abc', as: 'rep', status: 400, code: 'VALIDATION_FAILED', field: PARAM_ID },
  { name: 'lead 0', method: 'GET', url: '/api/v1/leads/0', as: 'rep', status: 400, code: 'VALIDATION_FAILED', field: PARAM_ID },
  { name: 'a queued lead opened by a rep', method: 'GET', url: '/api/v1/leads/:queued', as: 'rep', status: 403, code: 'FORBIDDEN' },
  { name: 'the history of an unknown lead', method: 'GET', url: '/api/v1/leads/987654/events', as: 'manager', status: 404, code: 'LEAD_NOT_FOUND' },
  { name: 'the history of a non-numeric id', method: 'GET', url: '/api/v1/leads/abc/events', as: 'manager', status: 400, code: 'VALIDATION_FAILED', field: PARAM_ID },
  { name: "the history of another rep's lead", method: 'GET', url: '/api/v1/leads/:held/events', as: 'rep2', status: 403, code: 'FORBIDDEN' },

  // --- claims and work
  { name: 'claim an unknown lead', method: 'POST', url: '/api/v1/leads/987654/claim', as: 'rep', status: 404, code: 'LEAD_NOT_FOUND' },
  { name: 'claim a non-numeric id', method: 'POST', url: '/api/v1/leads/abc/claim', as: 'rep', status: 400, code: 'VALIDATION_FAILED', field: PARAM_ID },
  { name: 'claim a lead someone holds', method: 'POST', url: '/api/v1/leads/:held/claim', as: 'rep2', status: 409, code: 'LEAD_ALREADY_CLAIMED' },
  { name: 'claim a queued lead by id', method: 'POST', url: '/api/v1/leads/:queued/claim', as: 'rep', status: 403, code: 'CLAIM_BY_ID_IN_QUEUE' },
  { name: 'release with malformed JSON', method: 'POST', url: '/api/v1/leads/:held/release', as: 'rep', raw: MALFORMED, status: 400, code: 'MALFORMED_JSON' },
  { name: 'release with an unknown field', method: 'POST', url: '/api/v1/leads/:held/release', as: 'rep', payload: { why: 'x' }, status: 400, code: 'VALIDATION_FAILED', field: 'why' },
  { name: 'release with an object reason', method: 'POST', url: '/api/v1/leads/:held/release', as: 'rep', payload: { reason: { text: 'x' } }, status: 400, code: 'VALIDATION_FAILED', field: 'reason' },
  { name: 'release with a 1001-character reason', method: 'POST', url: '/api/v1/leads/:held/release', as: 'rep', payload: { reason: 'x'.repeat(1001) }, status: 400, code: 'VALIDATION_FAILED', field: 'reason' },
  { name: 'release an unknown lead', method: 'POST', url: '/api/v1/leads/987654/release', as: 'rep', payload: {}, status: 404, code: 'LEAD_NOT_FOUND' },
  { name: "release another rep's lead", method: 'POST', url: '/api/v1/leads/:held/release', as: 'rep2', payload: {}, status: 403, code: 'NOT_YOUR_LEAD' },
  { name: 'release a waiting lead', method: 'POST', url: '/api/v1/leads/:lead/release', as: 'manager', payload: {}, status: 409, code: 'INVALID_TRANSITION' },
  { name: 'skip with malformed JSON', method: 'POST', url: '/api/v1/leads/:held/skip', as: 'rep', raw: MALFORMED, status: 400, code: 'MALFORMED_JSON' },
  { name: 'skip with an unknown reason', method: 'POST', url: '/api/v1/leads/:held/skip', as: 'rep', payload: { reason: 'bored' }, status: 400, code: 'VALIDATION_FAILED', field: 'reason' },
  { name: 'skip with an ingest key', method: 'POST', url: '/api/v1/leads/:held/skip', as: 'ingest', payload: {}, status: 403, code: 'FORBIDDEN' },
  { name: 'reassign with malformed JSON', method: 'POST', url: '/api/v1/leads/:lead/reassign', as: 'manager', raw: MALFORMED, status: 400, code: 'MALFORMED_JSON' },
  { name: 'reassign without userId', method: 'POST', url: '/api/v1/leads/:lead/reassign', as: 'manager', payload: {}, status: 400, code: 'VALIDATION_FAILED', field: 'userId' },
  { name: 'reassign to user 0', method: 'POST', url: '/api/v1/leads/:lead/reassign', as: 'manager', payload: { userId: 0 }, status: 400, code: 'VALIDATION_FAILED', field: 'userId' },
  { name: 'reassign to a text userId', method: 'POST', url: '/api/v1/leads/:lead/reassign', as: 'manager', payload: { userId: 'bob' }, status: 400, code: 'VALIDATION_FAILED', field: 'userId' },
  { name: 'reassign to an unknown user', method: 'POST', url: '/api/v1/leads/:lead/reassign', as: 'manager', payload: { userId: 987654 }, status: 400, code: 'VALIDATION_FAILED', field: 'userId' },
  { name: 'reassign with an unknown field', method: 'POST', url: '/api/v1/leads/:lead/reassign', as: 'manager', payload: { userId: 1, urgent: true }, status: 400, code: 'VALIDATION_FAILED', field: 'urgent' },
  { name: 'reassign an unknown lead', method: 'POST', url: '/api/v1/leads/987654/reassign', as: 'manager', payload: { userId: 1 }, status: 404, code: 'LEAD_NOT_FOUND' },
  { name: 'reassign as a rep', method: 'POST', url: '/api/v1/leads/:lead/reassign', as: 'rep', payload: { userId: 1 }, status: 403, code: 'FORBIDDEN' },
  { name: 'an activity with malformed JSON', method: 'POST', url: '/api/v1/leads/:held/activities', as: 'rep', raw: MALFORMED, status: 400, code: 'MALFORMED_JSON' },
  { name: 'an activity of an unknown type', method: 'POST', url: '/api/v1/leads/:held/activities', as: 'rep', payload: { type: 'fax' }, status: 400, code: 'VALIDATION_FAILED', field: 'type' },
  { name: 'an activity without type', method: 'POST', url: '/api/v1/leads/:held/activities', as: 'rep', payload: { note: 'hi' }, status: 400, code: 'VALIDATION_FAILED', field: 'type' },
  { name: 'an activity with a 5001-character note', method: 'POST', url: '/api/v1/leads/:held/activities', as: 'rep', payload: { type: 'note', note: 'x'.repeat(5001) }, status: 400, code: 'VALIDATION_FAILED', field: 'note' },
  { name: 'an activity with an unknown field', method: 'POST', url: '/api/v1/leads/:held/activities', as: 'rep', payload: { type: 'call', minutes: 5 }, status: 400, code: 'VALIDATION_FAILED', field: 'minutes' },
  { name: 'an activity on an unknown lead', method: 'POST', url: '/api/v1/leads/987654/activities', as: 'rep', payload: { type: 'call' }, status: 404, code: 'LEAD_NOT_FOUND' },
  { name: "an activity on another rep's lead", method: 'POST', url: '/api/v1/leads/:held/activities', as: 'rep2', payload: { type: 'call' }, status: 403, code: 'NOT_YOUR_LEAD' },
  { name: 'a status with malformed JSON', method: 'POST', url: '/api/v1/leads/:held/status', as: 'rep', raw: MALFORMED, status: 400, code: 'MALFORMED_JSON' },
  { name: 'a status of available', method: 'POST', url: '/api/v1/leads/:held/status', as: 'rep', payload: { status: 'available' }, status: 400, code: 'VALIDATION_FAILED', field: 'status' },
  { name: 'a status without status', method: 'POST', url: '/api/v1/leads/:held/status', as: 'rep', payload: { reason: 'x' }, status: 400, code: 'VALIDATION_FAILED', field: 'status' },
  { name: 'a status with a 1001-character reason', method: 'POST', url: '/api/v1/leads/:held/status', as: 'rep', payload: { status: 'qualified', reason: 'x'.repeat(1001) }, status: 400, code: 'VALIDATION_FAILED', field: 'reason' },
  { name: 'a status with an unknown field', method: 'POST', url: '/api/v1/leads/:held/status', as: 'rep', payload: { status: 'qualified', amount: 5 }, status: 400, code: 'VALIDATION_FAILED', field: 'amount' },
  { name: 'a status on an unknown lead', method: 'POST', url: '/api/v1/leads/987654/status', as: 'rep', payload: { status: 'qualified' }, status: 404, code: 'LEAD_NOT_FOUND' },
  { name: 'converting a lead nobody contacted', method: 'POST', url: '/api/v1/leads/:held/status', as: 'rep', payload: { status: 'converted' }, status: 409, code: 'INVALID_TRANSITION' },

  // --- me
  { name: 'who am I without credentials', method: 'GET', url: '/api/v1/me', as: 'none', status: 401, code: 'UNAUTHENTICATED' },
  { name: 'who am I with an ingest key', method: 'GET', url: '/api/v1/me', as: 'ingest', status: 403, code: 'FORBIDDEN' },
  { name: 'my leads without credentials', method: 'GET', url: '/api/v1/me/leads', as: 'none', status: 401, code: 'UNAUTHENTICATED' },
  { name: 'my leads with an ingest key', method: 'GET', url: '/api/v1/me/leads', as: 'ingest', status: 403, code: 'FORBIDDEN' },

  // --- users and keys
  { name: 'list users as a rep', method: 'GET', url: '/api/v1/users', as: 'rep', status: 403, code: 'FORBIDDEN' },
  { name: 'add a user with malformed JSON', method: 'POST', url: '/api/v1/users', as: 'admin', raw: MALFORMED, status: 400, code: 'MALFORMED_JSON' },
  { name: 'add a user with a bad email', method: 'POST', url: '/api/v1/users', as: 'admin', payload: { email: 'nope', name: 'N', role: 'rep', password: 'password1' }, status: 400, code: 'VALIDATION_FAILED', field: 'email' },
  { name: 'add a user with a 7-character password', method: 'POST', url: '/api/v1/users', as: 'admin', payload: { email: 'short@test.example', name: 'N', role: 'rep', password: 'passwor' }, status: 400, code: 'VALIDATION_FAILED', field: 'password' },
  { name: 'add a user with an unknown role', method: 'POST', url: '/api/v1/users', as: 'admin', payload: { email: 'owner@test.example', name: 'N', role: 'owner', password: 'password1' }, status: 400, code: 'VALIDATION_FAILED', field: 'role' },
  { name: 'add a user without a name', method: 'POST', url: '/api/v1/users', as: 'admin', payload: { email: 'noname@test.example', role: 'rep', password: 'password1' }, status: 400, code: 'VALIDATION_FAILED', field: 'name' },
  { name: 'add a user with an unknown field', method: 'POST', url: '/api/v1/users', as: 'admin', payload: { email: 'x@test.example', name: 'N', role: 'rep', password: 'password1', team: 'A' }, status: 400, code: 'VALIDATION_FAILED', field: 'team' },
  { name: 'add a user whose email is taken', method: 'POST', url: '/api/v1/users', as: 'admin', payload: { email: 'bad-input-rep@test.example', name: 'N', role: 'rep', password: 'password1' }, status: 409, code: 'DUPLICATE', field: 'email' },
  { name: 'add a user whose email is taken in another case', method: 'POST', url: '/api/v1/users', as: 'admin', payload: { email: 'BAD-INPUT-REP@test.example', name: 'N', role: 'rep', password: 'password1' }, status: 409, code: 'DUPLICATE', field: 'email' },
  { name: 'add a manager as a manager', method: 'POST', url: '/api/v1/users', as: 'manager', payload: { email: 'm2@test.example', name: 'N', role: 'manager', password: 'password1' }, status: 403, code: 'FORBIDDEN', field: 'role' },
  { name: 'list API keys as a manager', method: 'GET', url: '/api/v1/api-keys', as: 'manager', status: 403, code: 'FORBIDDEN' },
  { name: 'create an API key with malformed JSON', method: 'POST', url: '/api/v1/api-keys', as: 'admin', raw: MALFORMED, status: 400, code: 'MALFORMED_JSON' },
  { name: 'create an API key with a bad scope', method: 'POST', url: '/api/v1/api-keys', as: 'admin', payload: { name: 'k', scope: 'root' }, status: 400, code: 'VALIDATION_FAILED', field: 'scope' },
  { name: 'create an API key without a name', method: 'POST', url: '/api/v1/api-keys', as: 'admin', payload: { scope: 'ingest' }, status: 400, code: 'VALIDATION_FAILED', field: 'name' },
  { name: 'create an API key with an empty name', method: 'POST', url: '/api/v1/api-keys', as: 'admin', payload: { name: '', scope: 'ingest' }, status: 400, code: 'VALIDATION_FAILED', field: 'name' },
  { name: 'create an API key with an unknown field', method: 'POST', url: '/api/v1/api-keys', as: 'admin', payload: { name: 'k', scope: 'ingest', expires: 'never' }, status: 400, code: 'VALIDATION_FAILED', field: 'expires' },
  { name: 'revoke an unknown API key', method: 'DELETE', url: '/api/v1/api-keys/987654', as: 'admin', status: 404, code: 'NOT_FOUND' },
  { name: 'revoke a non-numeric API key id', method: 'DELETE', url: '/api/v1/api-keys/abc', as: 'admin', status: 400, code: 'VALIDATION_FAILED', field: PARAM_ID },
  { name: 'revoke an API key as a manager', method: 'DELETE', url: '/api/v1/api-keys/:key', as: 'manager', status: 403, code: 'FORBIDDEN' },

  // --- team settings
  { name: 'the team rules without credentials', method: 'GET', url: '/api/v1/settings/rules', as: 'none', status: 401, code: 'UNAUTHENTICATED' },
  { name: 'the team rules with an ingest key', method: 'GET', url: '/api/v1/settings/rules', as: 'ingest', status: 403, code: 'FORBIDDEN' },
  { name: 'replace the team rules as a rep', method: 'PUT', url: '/api/v1/settings/rules', as: 'rep', payload: {}, status: 403, code: 'FORBIDDEN' },
  { name: 'replace the team rules with malformed JSON', method: 'PUT', url: '/api/v1/settings/rules', as: 'manager', raw: MALFORMED, status: 400, code: 'MALFORMED_JSON' },

  // --- live stream and unknown routes
  { name: 'the live stream without credentials', method: 'GET', url: '/api/v1/stream', as: 'none', status: 401, code: 'UNAUTHENTICATED' },
  { name: 'an unknown API route', method: 'GET', url: '/api/v1/no-such-thing', as: 'rep', status: 404, code: 'NOT_FOUND' },
  { name: 'an unknown method on a known path', method: 'PUT', url: '/api/v1/pools', as: 'manager', payload: {}, status: 404, code: 'NOT_FOUND' },
  { name: 'an unknown route outside v1', method: 'GET', url: '/api/nothing-here', as: 'none', status: 404, code: 'NOT_FOUND' },
];

function resolve(url: string): string {
  return url
    .replace(':lead', String(ids.lead))
    .replace(':held', String(ids.held))
    .replace(':queued', String(ids.queued))
    .replace(':pool', String(ids.pool))
    .replace(':queue', String(ids.queue))
    .replace(':key', String(ids.key));
}

async function send(c: Case) {
  return call(env, c.method, resolve(c.url), {
    ...(c.as !== 'none' ? { token: tokens[c.as] } : {}),
    ...(c.payload !== undefined ? { payload: c.payload } : {}),
    ...(c.raw !== undefined ? { raw: c.raw } : {}),
    ...(c.contentType ? { headers: { 'content-type': c.contentType } } : {}),
    ...(c.query ? { query: c.query } : {}),
  });
}

describe('every route refuses bad requests cleanly and writes nothing', () => {
  it.each(cases.map((c) => [`${c.method} ${c.url}: ${c.name}`, c] as const))('%s', async (_title, c) => {
    const before = await snapshot(env);
    const res = await send(c);
    expectCleanError(res, c.status, c.code, c.field);
    expect(await snapshot(env)).toEqual(before);
  });

  it('covers every route of the API (as of issue 2) with at least one case', () => {
    const routes = [
      'POST /api/v1/auth/login',
      'POST /api/v1/auth/logout',
      'GET /api/v1/pools',
      'POST /api/v1/pools',
      'PATCH /api/v1/pools/{id}',
      'GET /api/v1/pools/{id}/leads',
      'GET /api/v1/pools/{id}/facets',
      'POST /api/v1/pools/{id}/next',
      'POST /api/v1/leads',
      'POST /api/v1/leads/batch',
      'GET /api/v1/leads/{id}',
      'GET /api/v1/leads/{id}/events',
      'POST /api/v1/leads/{id}/claim',
      'POST /api/v1/leads/{id}/release',
      'POST /api/v1/leads/{id}/reassign',
      'POST /api/v1/leads/{id}/activities',
      'POST /api/v1/leads/{id}/status',
      'GET /api/v1/me',
      'GET /api/v1/me/leads',
      'GET /api/v1/users',
      'POST /api/v1/users',
      'GET /api/v1/api-keys',
      'POST /api/v1/api-keys',
      'DELETE /api/v1/api-keys/{id}',
      'GET /api/v1/stream',
    ];
    const covered = new Set(cases.map((c) => `${c.method} ${c.url.replace(/\/(:[a-z]+|\d+|abc|x)(?=\/|$)/g, '/{id}')}`));
    expect(routes.filter((r) => !covered.has(r))).toEqual([]);
  });
});

describe('JSON values of the wrong type are refused, not silently converted', () => {
  const coerced: [string, string, Record<string, unknown>, string][] = [
    ['score null', '/api/v1/leads', lead({ score: null }), 'score'],
    ['score true', '/api/v1/leads', lead({ score: true }), 'score'],
    ['score "50"', '/api/v1/leads', lead({ score: '50' }), 'score'],
    ['company 123', '/api/v1/leads', lead({ company: 123 }), 'company'],
    ['lockTtlSeconds "600"', '/api/v1/pools', { name: 'Coerced', mode: 'pool', lockTtlSeconds: '600' }, 'lockTtlSeconds'],
  ];
  it.each(coerced)('%s is refused naming the field', async (_name, url, payload, field) => {
    const before = await snapshot(env);
    const res = await call(env, 'POST', url, { token: tokens.admin, payload });
    expectCleanError(res, 400, 'VALIDATION_FAILED', field);
    expect(await snapshot(env)).toEqual(before);
  });
});

describe('a body far too large', () => {
  it('is refused with 413 PAYLOAD_TOO_LARGE and nothing is stored', async () => {
    const before = await snapshot(env);
    const res = await call(env, 'POST', '/api/v1/leads', { token: tokens.ingest, raw: JSON.stringify(lead({ attributes: { blob: 'x'.repeat(9 * 1024 * 1024) } })) });
    expectCleanError(res, 413, 'PAYLOAD_TOO_LARGE');
    expect(await snapshot(env)).toEqual(before);
  });
});
