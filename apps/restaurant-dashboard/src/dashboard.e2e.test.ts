/**
 * End to end, as an owner would use it: the production build of the dashboard (vite build +
 * vite preview, proxying to a real API process on a fresh database) in headless Chromium.
 * A customer (the SDK, in this test) places and pays orders; the owner signs in, sees them arrive,
 * accepts, marks ready, and is told clearly when someone else changed an order first.
 * Saves a screenshot to test-results/dashboard.png.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRestClient, type Order, type RestClient } from '@quickeats/sdk';
import {
  DEMO_ACCOUNTS,
  DEMO_PASSWORD,
  type DemoMenu,
  demoMenu,
  startTestStack,
  type TestStack,
} from '@quickeats/sdk/testing';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build, type PreviewServer, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiProxy } from '../vite.config';

const APP_DIR = fileURLToPath(new URL('..', import.meta.url));
export const SCREENSHOT = join(APP_DIR, 'test-results', 'dashboard.png');
const CHROMIUM = '/usr/bin/chromium';

let stack: TestStack;
let outDir: string;
let server: PreviewServer;
let appUrl: string;
let browser: Browser;
let customer: RestClient;
let menu: DemoMenu;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function placePaidOrder(quantity: number, note?: string): Promise<Order> {
  const order = await customer.orders.create({
    restaurantId: menu.restaurantId,
    items: [{ menuItemId: menu.menuItemIds[0]!, quantity }],
    ...(note ? { note } : {}),
  });
  return customer.orders.pay(order);
}

async function newPage(viewport = { width: 1280, height: 800 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  // Fail with the selector that never showed up, well before the test's own timeout.
  page.setDefaultTimeout(10_000);
  return page;
}

async function signIn(page: Page, query: string) {
  await page.goto(`${appUrl}/${query}`);
  await page.getByTestId('login-form').waitFor();
  await page.fill('input[name=email]', DEMO_ACCOUNTS.owner);
  await page.fill('input[name=password]', DEMO_PASSWORD);
  await page.click('button[type=submit]');
  await page.getByTestId('column-paid').waitFor();
}

const cardOf = (page: Page, id: string) => page.locator(`[data-testid=order-card][data-order-id="${id}"]`);

beforeAll(async () => {
  // Enough seeded orders that the owner's board is not empty at sign-in.
  stack = await startTestStack({ orders: 150 });
  menu = await demoMenu(stack);
  customer = createRestClient({ baseUrl: stack.apiUrl });
  await customer.login(DEMO_ACCOUNTS.customer, DEMO_PASSWORD);

  outDir = await mkdtemp(join(tmpdir(), 'quickeats-dashboard-'));
  // 'error': zod's sources carry comments Rollup warns about on every build.
  await build({ root: APP_DIR, logLevel: 'error', build: { outDir, emptyOutDir: true } });
  server = await preview({
    root: APP_DIR,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: await freePort(), strictPort: true, proxy: apiProxy(stack.apiUrl) },
  });
  appUrl = (server.resolvedUrls?.local[0] ?? '').replace(/\/+$/, '');

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await stack?.close();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe('restaurant dashboard in Chromium', () => {
  it('refuses a customer account', async () => {
    const page = await newPage();
    await page.goto(`${appUrl}/?poll=0`);
    await page.fill('input[name=email]', DEMO_ACCOUNTS.customer);
    await page.fill('input[name=password]', DEMO_PASSWORD);
    await page.click('button[type=submit]');
    await expect
      .poll(() => page.getByTestId('login-error').textContent())
      .toContain('not a restaurant owner account');
    await page.close();
  });

  it('shows paid orders arriving, accepts one, marks it ready and rejects another (tRPC)', async () => {
    const page = await newPage();
    await signIn(page, '?poll=500');
    await expect.poll(() => page.getByTestId('status-line').textContent()).toContain('tRPC');

    // Placed after sign-in: it must appear through auto-refresh alone, highlighted as new.
    const order = await placePaidOrder(2, 'extra kimchi');
    const card = cardOf(page, order.id);
    await card.waitFor();
    expect(await card.getAttribute('data-status')).toBe('paid');
    expect(await card.getAttribute('class')).toContain('fresh');
    expect(await card.textContent()).toContain('extra kimchi');

    await card.locator('button[data-action=accept]').click();
    await page.locator(`[data-testid=column-accepted] [data-order-id="${order.id}"]`).waitFor();
    await cardOf(page, order.id).locator('button[data-action=mark-ready]').click();
    await page.locator(`[data-testid=column-ready] [data-order-id="${order.id}"]`).waitFor();

    // The server agrees, and the version moved one step per action.
    expect(await customer.orders.get(order.id)).toMatchObject({ status: 'ready', version: 4 });

    // Reject takes an order off the board for good (and refunds it).
    const unwanted = await placePaidOrder(1);
    await cardOf(page, unwanted.id).locator('button[data-action=reject]').click();
    await expect.poll(() => cardOf(page, unwanted.id).count()).toBe(0);
    expect(await customer.orders.get(unwanted.id)).toMatchObject({ status: 'rejected', version: 3 });
    await page.close();
  });

  it('tells the owner when another actor changed the order first (REST transport), and saves a screenshot', async () => {
    const order = await placePaidOrder(1);
    const page = await newPage();
    // No auto-refresh: the board keeps showing version 2 while the customer cancels.
    await signIn(page, '?poll=0&transport=rest');
    const card = cardOf(page, order.id);
    await card.waitFor();
    expect(await card.getAttribute('data-version')).toBe('2');

    await customer.orders.cancel(order, { reason: 'ordered by mistake' });
    await card.locator('button[data-action=accept]').click();

    const notice = page.getByTestId('notice');
    await expect.poll(() => notice.getAttribute('class')).toContain('conflict');
    const text = await notice.textContent();
    expect(text).toContain(`#${order.id.slice(0, 8)}`);
    expect(text).toContain('someone else changed it first');
    expect(text).toContain('now at version 3');
    // The board refreshed: the cancelled order left it, and nothing was accepted.
    await expect.poll(() => cardOf(page, order.id).count()).toBe(0);
    expect(await customer.orders.get(order.id)).toMatchObject({ status: 'cancelled', version: 3 });

    await mkdir(join(APP_DIR, 'test-results'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    const png = await readFile(SCREENSHOT);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.length).toBeGreaterThan(10_000);

    // The session survives a reload (token in sessionStorage) and ends with Sign out.
    await page.reload();
    await page.getByTestId('column-paid').waitFor();
    await page.getByTestId('sign-out').click();
    await page.getByTestId('login-form').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('quickeats.dashboard.token'))).toBeNull();
    await page.close();
  });
});
