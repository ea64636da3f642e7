import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEnv, type TestEnv } from '../helpers.js';
import { call } from './support.js';

type Json = Record<string, any>;

let env: TestEnv;
let doc: Json;

beforeAll(async () => {
  env = await makeEnv();
  const res = await call(env, 'GET', '/api/openapi.json');
  expect(res.statusCode).toBe(200);
  doc = res.json();
});
afterAll(async () => env.cleanup());

/** Every route the API promises, with its methods. */
const ROUTES: [string, string[]][] = [
  ['/api/v1/auth/login', ['post']],
  ['/api/v1/auth/logout', ['post']],
  ['/api/v1/pools', ['get', 'post']],
  ['/api/v1/pools/{id}', ['patch']],
  ['/api/v1/pools/{id}/leads', ['get']],
  ['/api/v1/pools/{id}/facets', ['get']],
  ['/api/v1/pools/{id}/next', ['post']],
  ['/api/v1/leads', ['post']],
  ['/api/v1/leads/batch', ['post']],
  ['/api/v1/leads/{id}', ['get']],
  ['/api/v1/leads/{id}/events', ['get']],
  ['/api/v1/leads/{id}/claim', ['post']],
  ['/api/v1/leads/{id}/release', ['post']],
  ['/api/v1/leads/{id}/reassign', ['post']],
  ['/api/v1/leads/{id}/activities', ['post']],
  ['/api/v1/leads/{id}/status', ['post']],
  ['/api/v1/me', ['get']],
  ['/api/v1/me/leads', ['get']],
  ['/api/v1/users', ['get', 'post']],
  ['/api/v1/api-keys', ['get', 'post']],
  ['/api/v1/api-keys/{id}', ['delete']],
];

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function operations(): [string, string, Json][] {
  const out: [string, string, Json][] = [];
  for (const [path, item] of Object.entries(doc.paths as Json)) {
    for (const [method, op] of Object.entries(item as Json)) if (HTTP_METHODS.includes(method)) out.push([path, method, op as Json]);
  }
  return out;
}

function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

describe('the OpenAPI document', () => {
  it('is served without signing in, as OpenAPI 3.1 with a title and version', async () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toEqual(expect.any(String));
    expect(doc.info.version).toEqual(expect.any(String));
    expect(typeof doc.paths).toBe('object');
  });

  it.each(ROUTES)('lists %s with its methods', (path, methods) => {
    expect(Object.keys(doc.paths)).toContain(path);
    for (const m of methods) expect(doc.paths[path]).toHaveProperty(m);
  });

  it('names the shared schemas Lead, Pool and Error as components, and no schema is an anonymous def-N', () => {
    const names = Object.keys(doc.components.schemas);
    expect(names).toEqual(expect.arrayContaining(['Lead', 'Pool', 'Error', 'Event', 'User']));
    expect(names.filter((n) => /^def-\d+$/.test(n))).toEqual([]);
    expect(JSON.stringify(doc)).not.toMatch(/def-\d+/);
    expect(doc.components.schemas.Lead.properties).toHaveProperty('company');
    expect(doc.components.schemas.Pool.properties).toHaveProperty('lockTtlSeconds');
    expect(doc.components.schemas.Error.required).toEqual(expect.arrayContaining(['error', 'message']));
  });

  it('every $ref points at a component that exists', () => {
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(0);
    for (const r of new Set(all)) {
      const m = /^#\/components\/schemas\/(.+)$/.exec(r);
      expect(m, r).not.toBeNull();
      expect(doc.components.schemas, r).toHaveProperty(m![1]!);
    }
  });

  it('the routes return the named schemas: a lead is a Lead, a pool a Pool, an error an Error', () => {
    const json = (op: Json, status: string) => op.responses[status]?.content?.['application/json']?.schema;
    expect(json(doc.paths['/api/v1/pools'].post, '201').$ref).toBe('#/components/schemas/Pool');
    expect(json(doc.paths['/api/v1/leads/{id}'].get, '200').properties.lead.$ref).toBe('#/components/schemas/Lead');
    expect(json(doc.paths['/api/v1/pools/{id}/leads'].get, '200').properties.items.items.$ref).toBe('#/components/schemas/Lead');
    expect(json(doc.paths['/api/v1/leads'].post, '400').$ref).toBe('#/components/schemas/Error');
    expect(json(doc.paths['/api/v1/auth/login'].post, '401').$ref).toBe('#/components/schemas/Error');
  });

  it('every operation has responses, and every path parameter is declared as a required path parameter', () => {
    for (const [path, method, op] of operations()) {
      expect(path.startsWith('/'), path).toBe(true);
      expect(Object.keys(op.responses ?? {}).length, `${method} ${path}`).toBeGreaterThan(0);
      for (const [status, r] of Object.entries(op.responses as Json)) {
        expect(status, `${method} ${path}`).toMatch(/^([1-5]\d\d|[1-5]XX|default)$/);
        expect(typeof (r as Json).description, `${method} ${path} ${status} needs a description`).toBe('string');
      }
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const declared = ((op.parameters ?? []) as Json[]).filter((p) => p.in === 'path');
      expect(declared.map((p) => p.name).sort(), `${method} ${path}`).toEqual(templated.sort());
      for (const p of declared) expect(p.required, `${method} ${path} ${p.name}`).toBe(true);
    }
  });

  it('operation ids, where given, are unique', () => {
    const idsGiven = operations()
      .map(([, , op]) => op.operationId)
      .filter((x): x is string => typeof x === 'string');
    expect(new Set(idsGiven).size).toBe(idsGiven.length);
  });

  it('the browse route documents every filter, sort, search and paging parameter', () => {
    const params = (doc.paths['/api/v1/pools/{id}/leads'].get.parameters as Json[]).filter((p) => p.in === 'query').map((p) => p.name);
    expect(params).toEqual(
      expect.arrayContaining(['industry', 'companySize', 'source', 'region', 'minScore', 'maxScore', 'minAgeMinutes', 'maxAgeMinutes', 'q', 'sort', 'order', 'limit', 'cursor']),
    );
  });

  it('request bodies of the write routes are documented', () => {
    const body = (path: string, method: string) => doc.paths[path][method].requestBody?.content?.['application/json']?.schema;
    expect(body('/api/v1/auth/login', 'post').required).toEqual(expect.arrayContaining(['email', 'password']));
    expect(body('/api/v1/leads', 'post')).toBeDefined();
    expect(body('/api/v1/leads/batch', 'post').properties.leads.maxItems).toBe(1000);
    expect(body('/api/v1/pools', 'post').properties.mode.enum ?? body('/api/v1/pools', 'post').properties.mode.anyOf).toBeDefined();
    expect(body('/api/v1/leads/{id}/status', 'post')).toBeDefined();
  });

  it('declares bearer and cookie authentication, and sign-in needs none', () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes.cookie).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'leadpool_session' });
    expect(doc.paths['/api/v1/auth/login'].post.security).toEqual([]);
  });
});

describe('health', () => {
  it('GET /api/health answers 200 without signing in', async () => {
    const res = await call(env, 'GET', '/api/health');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', store: 'sqlite' });
  });
});
