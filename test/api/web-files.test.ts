/**
 * The web UI's files: client-side routes get the page, hashed assets are cached for good and
 * the page is revalidated, and a missing asset is a 404 (never the page served as a script).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { TestClock } from '../../src/core/clock.js';
import { tempDir } from '../helpers.js';

describe('web UI files', () => {
  const dir = tempDir();
  const web = join(dir, 'web');
  let store: SqliteStore;
  let app: Awaited<ReturnType<typeof buildApp>>;
  beforeAll(async () => {
    mkdirSync(join(web, 'assets'), { recursive: true });
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>Leadpool</title>');
    writeFileSync(join(web, 'assets', 'entry-abc123.js'), 'console.log(1)');
    store = new SqliteStore(join(dir, 'leadpool.db'));
    await store.migrate();
    app = await buildApp({ store, clock: new TestClock(), logger: false, webRoot: web });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the page for a client-side route, to be revalidated', async () => {
    const res = await app.inject({ method: 'GET', url: '/pools/3' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('<title>Leadpool</title>');
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('caches a hashed asset for good', async () => {
    const res = await app.inject({ method: 'GET', url: '/assets/entry-abc123.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toContain('immutable');
  });

  it('answers 404 for a missing asset instead of the page', async () => {
    const res = await app.inject({ method: 'GET', url: '/assets/entry-old999.js' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'NOT_FOUND' });
  });

  it('answers 404 JSON for an unknown API route', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'NOT_FOUND' });
  });
});
