/**
 * The documentation pages work without internet access: headless Chromium (Debian's) opens the API
 * reference (`/api/v2/docs`, Scalar) and GraphiQL (`/graphql`) with every request to anything but
 * this server aborted — and they render: the reference lists the operations, GraphiQL its editor.
 * Any request that had to be blocked is a failure too (the pages must not even try).
 */
import type { AddressInfo, createServer } from 'node:net';
import { serve } from '@hono/node-server';
import { launchChromium } from '@quickeats/test-support/browser';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app';

let t: TestApp;
let server: ReturnType<typeof serve>;
let origin: string;
let browser: Browser;
let context: BrowserContext;
const blocked: string[] = [];

beforeAll(async () => {
  t = await createTestApp({ seed: { orders: 0 } });
  server = serve({ fetch: t.app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) =>
    (server as ReturnType<typeof createServer>).once('listening', resolve),
  );
  origin = `http://127.0.0.1:${((server as ReturnType<typeof createServer>).address() as AddressInfo).port}`;
  browser = await launchChromium();
  context = await browser.newContext();
  // Offline: only this server and in-page URLs (data:, blob: workers) get through.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    blocked.push(url);
    return route.abort('internetdisconnected');
  });
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await t?.close();
});

describe('documentation pages offline', () => {
  it('the API reference renders the document (every tag group, an operation) from local assets', async () => {
    const page = await context.newPage();
    // Loading a reference page is work for a busy machine; a missing asset fails by abort, not by clock.
    page.setDefaultTimeout(120_000);
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${origin}/api/v2/docs`);
    // Scalar opens the first tag group and lists the others collapsed (their operations load on open).
    for (const text of [
      'Exchange email and password for a bearer access token',
      'orders',
      'order actions',
      'restaurants',
    ])
      await page.getByText(text, { exact: true }).first().waitFor({ state: 'attached', timeout: 120_000 });
    expect(errors).toEqual([]);
    expect(blocked).toEqual([]);
    await page.close();
  });

  it('GraphiQL renders its editor from local assets', async () => {
    const page = await context.newPage();
    // Loading a reference page is work for a busy machine; a missing asset fails by abort, not by clock.
    page.setDefaultTimeout(120_000);
    await page.goto(`${origin}/graphql`, { waitUntil: 'load' });
    await page.locator('.graphiql-container').first().waitFor({ timeout: 120_000 });
    expect(blocked).toEqual([]);
    await page.close();
  });
});
