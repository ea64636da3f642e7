import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { serve } from '../../src/server/serve.js';
import type { Store } from '../../src/store/store.js';

/**
 * End-to-end helpers: a real server (the demo team, the built dist/web) on a free port and
 * Debian's Chromium through playwright-core. One browser per test file.
 */

export const SCREENSHOTS = join(process.cwd(), 'test-output', 'screenshots');
export const PASSWORD = 'demo';

export interface E2E {
  url: string;
  browser: Browser;
  /** The server's store, for fixtures the API cannot make quickly (e.g. a lead already in review). */
  store: Store;
  /** Signs in through the API and returns a bearer token (for setting up state). */
  token(email: string): Promise<string>;
  api<T = unknown>(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** A fresh browser context (its own cookies) at 1280×800, English, Berlin time. */
  context(opts?: { width?: number; height?: number; locale?: string }): Promise<BrowserContext>;
  close(): Promise<void>;
}

export async function startE2E(): Promise<E2E> {
  const dataDir = mkdtempSync(join(tmpdir(), 'leadpool-e2e-'));
  const running = await serve({ port: 0, host: '127.0.0.1', dataDir, demo: true, logLevel: 'warn' });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
  const tokens = new Map<string, string>();
  const api = async <T,>(method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(running.url + '/api/v1' + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
  return {
    url: running.url,
    browser,
    store: running.store,
    api,
    async token(email) {
      const hit = tokens.get(email);
      if (hit) return hit;
      const res = await fetch(running.url + '/api/v1/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      if (res.status !== 200) throw new Error(`login ${email}: ${res.status}`);
      const t = ((await res.json()) as { token: string }).token;
      tokens.set(email, t);
      return t;
    },
    async context(opts = {}) {
      const ctx = await browser.newContext({
        baseURL: running.url,
        viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
        locale: opts.locale ?? 'en-US',
        timezoneId: 'Europe/Berlin',
        reducedMotion: 'reduce',
      });
      // Fail fast: nothing in this UI should take seconds.
      ctx.setDefaultTimeout(8000);
      return ctx;
    },
    async close() {
      await browser.close().catch(() => undefined);
      await running.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the login form and waits for the home page. */
export async function signIn(page: Page, email: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Pools and queues' }).waitFor();
}

export async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
}

export interface PoolJson {
  id: number;
  name: string;
  mode: string;
}
