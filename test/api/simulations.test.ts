import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEnv, type TestEnv } from '../helpers.js';
import { call, expectCleanError } from './support.js';
import { reportJson, runSimulation, sdrTeam, selectModels, syntheticStream } from '../../src/sim/index.js';

/** "What if" runs through the API: real app, real worker threads, polled until they finish. */

type Json = Record<string, any>;

let env: TestEnv;
let manager: string;
let rep: string;

beforeAll(async () => {
  env = await makeEnv();
  manager = (await env.user('manager')).token;
  rep = (await env.user('rep')).token;
});
afterAll(async () => env.cleanup());

const SMALL = { days: 3, leadsPerDay: 40, reps: 4, models: ['queue-pull', 'push-round-robin'], fairPlay: 'on', seed: 5 };

/** Polls the run's status until it is finished (a background run: no clock to move). */
async function finished(id: string, timeoutMs = 60_000): Promise<Json> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await call(env, 'GET', `/api/v1/simulations/${id}`, { token: manager });
    expect(res.statusCode, res.body).toBe(200);
    const run = res.json() as Json;
    if (!['queued', 'running'].includes(run.status)) return run;
    if (Date.now() > until) throw new Error(`run ${id} still ${run.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function cancelAll(): Promise<void> {
  const list = (await call(env, 'GET', '/api/v1/simulations', { token: manager })).json().items as Json[];
  for (const r of list) if (r.status === 'queued' || r.status === 'running') await call(env, 'DELETE', `/api/v1/simulations/${r.id}`, { token: manager });
}

describe('POST /api/v1/simulations', () => {
  it('runs in the background and ends with the same report the CLI prints as JSON, plus its recommendation', async () => {
    const res = await call(env, 'POST', '/api/v1/simulations', { token: manager, payload: SMALL });
    expect(res.statusCode, res.body).toBe(202);
    const started = res.json() as Json;
    expect(res.headers.location).toBe(`/api/v1/simulations/${started.id}`);
    expect(['queued', 'running']).toContain(started.status);
    expect(started.report).toBeNull();
    expect(started.inputs).toMatchObject({ stream: 'synthetic', days: 3, leadsPerDay: 40, team: 'preset', reps: 4, fairPlay: 'on', seed: 5 });

    const run = await finished(started.id);
    expect(run.status, run.error).toBe('done');
    expect(run.progress).toMatchObject({ fraction: 1, models: 2 });
    expect(run.progress.leadsSimulated).toBe(2 * run.report.inputs.leads);
    const cli = runSimulation({ team: sdrTeam(4), stream: syntheticStream({ days: 3, leadsPerDay: 40, seed: 5 }), models: selectModels(SMALL.models, 'on', null), seed: 5 });
    expect(JSON.stringify(run.report, null, 2) + '\n').toBe(reportJson(cli));
    expect(run.recommendation).toEqual(cli.recommendation);
    expect(run.recommendation.reasons.length).toBeGreaterThan(0);

    const list = await call(env, 'GET', '/api/v1/simulations', { token: manager });
    expect(list.statusCode).toBe(200);
    expect(list.json().items[0]).toMatchObject({ id: started.id, status: 'done' });
    expect(list.json().items[0]).not.toHaveProperty('report');
  });

  it('replays the team\'s own recent leads with its current reps and configuration', async () => {
    const pool = await env.pool('Inbound', 'pool');
    await env.addLeads(pool, 30);
    await env.user('rep');
    const res = await call(env, 'POST', '/api/v1/simulations', { token: manager, payload: { stream: 'history', days: 2, team: 'current', models: ['current', 'queue-pull'], seed: 2 } });
    expect(res.statusCode, res.body).toBe(202);
    const run = await finished(res.json().id);
    expect(run.status, run.error).toBe('done');
    expect(run.inputs).toMatchObject({ stream: 'history', leads: 30, team: 'current', leadsPerDay: null });
    expect(run.report.inputs.leads).toBe(30);
    expect(run.report.inputs.reps).toBe(2); // the two reps of this server
    expect(run.report.results.map((r: Json) => r.model.id)).toEqual(['current', 'queue-pull']);
  });

  it.each([
    [{ days: 0 }, 'days'],
    [{ days: 400 }, 'days'],
    [{ leadsPerDay: -3 }, 'leadsPerDay'],
    [{ days: 365, leadsPerDay: 5000 }, 'leadsPerDay'],
    [{ reps: 500 }, 'reps'],
    [{ models: [] }, 'models'],
    [{ models: ['push-everything'] }, /^models/],
    [{ fairPlay: 'sometimes' }, 'fairPlay'],
    [{ seed: 1.5 }, 'seed'],
    [{ stream: 'history', days: 120 }, 'days'],
    [{ days: 365, leadsPerDay: 500, fairPlay: 'both' }, 'models'],
    [{ colour: 'blue' }, /colour/],
  ] as [Json, string | RegExp][])('refuses %j naming the field', async (payload, field) => {
    const res = await call(env, 'POST', '/api/v1/simulations', { token: manager, payload });
    expectCleanError(res, 400, 'VALIDATION_FAILED', field);
  });

  it('names the stream when there is no history to replay, and the team when there are no reps', async () => {
    const fresh = await makeEnv();
    try {
      const m = (await fresh.user('manager')).token;
      expectCleanError(await call(fresh, 'POST', '/api/v1/simulations', { token: m, payload: { stream: 'history', days: 7, models: ['queue-pull'] } }), 400, 'VALIDATION_FAILED', 'stream');
      expectCleanError(await call(fresh, 'POST', '/api/v1/simulations', { token: m, payload: { team: 'current' } }), 400, 'VALIDATION_FAILED', 'team');
    } finally {
      await fresh.cleanup();
    }
  });
});

describe('who may run simulations', () => {
  it('reps get 403 on every route; signed-out callers 401', async () => {
    expectCleanError(await call(env, 'POST', '/api/v1/simulations', { token: rep, payload: SMALL }), 403, 'FORBIDDEN');
    expectCleanError(await call(env, 'GET', '/api/v1/simulations', { token: rep }), 403, 'FORBIDDEN');
    const id = '00000000-0000-4000-8000-000000000000';
    expectCleanError(await call(env, 'GET', `/api/v1/simulations/${id}`, { token: rep }), 403, 'FORBIDDEN');
    expectCleanError(await call(env, 'DELETE', `/api/v1/simulations/${id}`, { token: rep }), 403, 'FORBIDDEN');
    expectCleanError(await call(env, 'GET', '/api/v1/simulations'), 401, 'UNAUTHENTICATED');
  });
});

describe('cancelling and the limit on runs', () => {
  const BIG = { days: 60, leadsPerDay: 2000, reps: 50, models: ['push-weighted'], seed: 1 };

  it('a running run can be cancelled once; a finished one cannot', async () => {
    const started = (await call(env, 'POST', '/api/v1/simulations', { token: manager, payload: BIG })).json() as Json;
    const res = await call(env, 'DELETE', `/api/v1/simulations/${started.id}`, { token: manager });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: started.id, status: 'cancelled', report: null });
    expect((await finished(started.id)).status).toBe('cancelled');
    expectCleanError(await call(env, 'DELETE', `/api/v1/simulations/${started.id}`, { token: manager }), 409, 'INVALID_TRANSITION');
  });

  it('at most two runs at a time: a third is refused with 429 and a clear message until one ends', async () => {
    const a = await call(env, 'POST', '/api/v1/simulations', { token: manager, payload: BIG });
    const b = await call(env, 'POST', '/api/v1/simulations', { token: manager, payload: BIG });
    expect([a.statusCode, b.statusCode]).toEqual([202, 202]);
    expect(b.json().status).toBe('queued'); // one runs, the other waits its turn
    const c = await call(env, 'POST', '/api/v1/simulations', { token: manager, payload: SMALL });
    const body = expectCleanError(c, 429, 'SIMULATIONS_BUSY');
    expect(body.message).toMatch(/at most 2/);
    await call(env, 'DELETE', `/api/v1/simulations/${a.json().id}`, { token: manager });
    expect((await call(env, 'GET', `/api/v1/simulations/${b.json().id}`, { token: manager })).json().status).toBe('running');
    await cancelAll();
  });

  it('unknown runs are 404, and an id that is no run id is 400', async () => {
    expectCleanError(await call(env, 'GET', '/api/v1/simulations/00000000-0000-4000-8000-000000000000', { token: manager }), 404, 'NOT_FOUND');
    expectCleanError(await call(env, 'GET', '/api/v1/simulations/42', { token: manager }), 400, 'VALIDATION_FAILED', /id/);
  });
});

describe('the OpenAPI document', () => {
  it('lists the simulation routes with their bodies and responses', async () => {
    const doc = (await call(env, 'GET', '/api/openapi.json')).json() as Json;
    const list = doc.paths['/api/v1/simulations'];
    const one = doc.paths['/api/v1/simulations/{id}'];
    expect(Object.keys(list)).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(one)).toEqual(expect.arrayContaining(['get', 'delete']));
    expect(list.post.requestBody.content['application/json'].schema.properties).toHaveProperty('leadsPerDay');
    expect(Object.keys(list.post.responses)).toEqual(expect.arrayContaining(['202', '400', '403', '429']));
    expect(one.get.responses['200'].content['application/json'].schema.properties).toHaveProperty('progress');
  });
});
