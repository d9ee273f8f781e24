/**
 * Both sample apps, end to end, as a customer on a phone and a kitchen on a desktop would use
 * them: the production builds (vite build + vite preview, proxying to a real API process on a
 * fresh database) in Debian's headless Chromium. The customer signs in, orders from the menu,
 * pays; the order appears on the kitchen dashboard, is accepted and marked ready there, and the
 * customer's timeline moves without a reload. Cancel asks for a reason and confirmation; a payment
 * whose answer is lost is retried with the same idempotency key and charged once. Every screen
 * passes axe-core with no serious or critical violation; screenshots go to test-results/.
 */
import { fileURLToPath } from 'node:url';
import { createRestClient, type RestClient } from '@quickeats/sdk';
import {
  DEMO_ACCOUNTS,
  DEMO_PASSWORD,
  type DemoMenu,
  demoMenu,
  startTestStack,
  type TestStack,
} from '@quickeats/sdk/testing';
import {
  type BrowserSession,
  openBrowserSession,
  type ServedApp,
  serveBuiltApp,
  startTcpRelay,
  type TcpRelay,
} from '@quickeats/test-support/browser';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const APP_DIR = fileURLToPath(new URL('..', import.meta.url));
/** The kitchen dashboard, the sibling sample app. */
const DASHBOARD_DIR = fileURLToPath(new URL('../../restaurant-dashboard', import.meta.url));
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

let stack: TestStack;
let tracking: ServedApp;
/** Between the tracking page's server and the API, so a test can take the API away. */
let relay: TcpRelay;
let dashboard: ServedApp;
let session: BrowserSession;
let customer: RestClient;
let menu: DemoMenu;

const newPage = (viewport: { width: number; height: number }) => session.newPage(viewport);

async function expectAccessible(page: Page, screen: string) {
  expect(await session.accessibility(page, screen), `axe on ${screen}`).toEqual([]);
}

async function customerSignsIn(page: Page) {
  await page.goto(`${tracking.url}/`);
  await page.getByTestId('login-form').waitFor();
  await page.fill('input[name=email]', DEMO_ACCOUNTS.customer);
  await page.fill('input[name=password]', DEMO_PASSWORD);
  await page.click('button[type=submit]');
  await page.getByRole('heading', { name: 'My orders' }).waitFor();
}

/** Through the UI: the demo owner's restaurant, two of its first dish, a note; returns the new order's id. */
async function placeOrder(page: Page, note: string): Promise<string> {
  await page.getByTestId('nav-new').click();
  await page.getByTestId('new-order-form').waitFor();
  await page.getByLabel('Restaurant').selectOption(menu.restaurantId);
  const first = page.getByTestId('menu-item').first();
  await first.waitFor();
  await first.getByTestId('add-item').click();
  await first.getByTestId('add-item').click();
  await page.getByLabel('Note for the kitchen (optional)').fill(note);
  await page.getByTestId('place-order').click();
  await page.locator('[data-testid=track-order][data-status=pending]').waitFor();
  return (await page.getByTestId('track-order').getAttribute('data-order-id')) ?? '';
}

const customerStatus = (page: Page) => page.getByTestId('track-order').getAttribute('data-status');

beforeAll(async () => {
  stack = await startTestStack({ orders: 40 });
  menu = await demoMenu(stack);
  customer = createRestClient({ baseUrl: stack.apiUrl });
  await customer.login(DEMO_ACCOUNTS.customer, DEMO_PASSWORD);
  relay = await startTcpRelay(stack.apiUrl);
  tracking = await serveBuiltApp(APP_DIR, relay.url);
  dashboard = await serveBuiltApp(DASHBOARD_DIR, stack.apiUrl);
  session = await openBrowserSession(APP_DIR);
});

afterAll(async () => {
  await session?.close();
  await tracking?.close();
  await relay?.close();
  await dashboard?.close();
  await stack?.close();
});

describe('customer order tracking + kitchen dashboard in Chromium', () => {
  it('an order placed and paid on the phone appears on the dashboard, is accepted there, and the timeline moves without a reload', async () => {
    const phone = await newPage(PHONE);
    const phoneRequests: string[] = [];
    phone.on('request', (r) => phoneRequests.push(new URL(r.url()).pathname));
    await phone.goto(`${tracking.url}/`);
    await phone.getByTestId('login-form').waitFor();
    await expectAccessible(phone, 'tracking sign-in (390)');
    await session.screenshot(phone, 'tracking-sign-in-390');
    await customerSignsIn(phone);
    await phone.getByTestId('order-list').waitFor();
    await expectAccessible(phone, 'tracking my orders (390)');
    await session.screenshot(phone, 'tracking-orders-390');

    await phone.getByTestId('nav-new').click();
    await phone.getByTestId('menu-item').first().waitFor();
    await expectAccessible(phone, 'tracking new order (390)');
    await session.screenshot(phone, 'tracking-new-order-390');
    const orderId = await placeOrder(phone, 'no onions');
    expect(
      await phone.getByTestId('timeline').locator('li[data-state=current]').getAttribute('data-status'),
    ).toBe('pending');
    await phone.getByTestId('pay').click();
    await expect.poll(() => customerStatus(phone)).toBe('paid');
    expect(await customer.orders.get(orderId)).toMatchObject({ status: 'paid', note: 'no onions' });

    // The page follows the order on the live event stream, not by polling.
    expect(phoneRequests.some((p) => p.endsWith('/orders.onEvent'))).toBe(true);

    // Marks this document: a reload would lose it.
    await phone.evaluate(() => {
      (window as unknown as { stillSamePage: boolean }).stillSamePage = true;
    });

    const kitchen = await newPage(DESKTOP);
    await kitchen.goto(`${dashboard.url}/?poll=500`);
    await kitchen.fill('input[name=email]', DEMO_ACCOUNTS.owner);
    await kitchen.fill('input[name=password]', DEMO_PASSWORD);
    await kitchen.click('button[type=submit]');
    const card = kitchen.locator(`[data-testid=order-card][data-order-id="${orderId}"]`);
    await card.waitFor();
    expect(await card.textContent()).toContain('no onions');
    await card.locator('button[data-action=accept]').click();

    // The customer's page follows by itself: accepted, then ready, announced, same document.
    await expect.poll(() => customerStatus(phone), { timeout: 60_000 }).toBe('accepted');
    await expect.poll(() => phone.getByTestId('announcer').textContent()).toContain('Being prepared');
    await kitchen
      .locator(`[data-testid=column-accepted] [data-order-id="${orderId}"] button[data-action=mark-ready]`)
      .click();
    await expect.poll(() => customerStatus(phone), { timeout: 60_000 }).toBe('ready');
    expect(await phone.evaluate(() => (window as unknown as { stillSamePage?: boolean }).stillSamePage)).toBe(
      true,
    );
    const states = await phone
      .getByTestId('timeline')
      .locator('li')
      .evaluateAll((lis) =>
        lis.map((li) => `${li.getAttribute('data-status')}:${li.getAttribute('data-state')}`),
      );
    expect(states).toEqual([
      'pending:done',
      'paid:done',
      'accepted:done',
      'ready:current',
      'picked_up:todo',
      'delivered:todo',
    ]);
    await expectAccessible(phone, 'tracking order timeline (390)');
    await session.screenshot(phone, 'tracking-timeline-390');
    await kitchen.close();
    await phone.close();
  });

  it('shows when it cannot reach the API; cancel asks for a reason and confirmation, then ends the timeline', async () => {
    const phone = await newPage(PHONE);
    await customerSignsIn(phone);
    const orderId = await placeOrder(phone, 'changed plans');

    // The API unreachable (its connections cut, new ones refused): the page says its view may be
    // stale, and recovers by itself when the API is back.
    await phone.getByTestId('track-order').waitFor();
    relay.setTarget(null);
    await phone.getByTestId('reconnecting').waitFor({ timeout: 60_000 });
    relay.setTarget(stack.apiUrl);
    await phone.getByTestId('reconnecting').waitFor({ state: 'detached', timeout: 60_000 });

    await phone.getByTestId('cancel').click();
    const dialog = phone.getByTestId('reason-dialog');
    await dialog.getByRole('heading', { name: /Cancel order #/ }).waitFor();
    await expectAccessible(phone, 'tracking cancel dialog (390)');
    await session.screenshot(phone, 'tracking-cancel-dialog-390');
    await phone.getByTestId('dialog-dismiss').click();
    expect(await customer.orders.get(orderId)).toMatchObject({ status: 'pending' });

    await phone.getByTestId('cancel').click();
    await dialog.getByLabel('I changed my mind').check();
    await dialog.getByLabel('Details (optional)').fill('sorry');
    await phone.getByTestId('dialog-confirm').click();
    await expect.poll(() => customerStatus(phone)).toBe('cancelled');
    expect(await phone.getByTestId('cancel').count()).toBe(0);
    expect(await phone.getByTestId('timeline').locator('li[data-state=ended]').textContent()).toContain(
      'Cancelled',
    );
    expect(await customer.orders.get(orderId)).toMatchObject({ status: 'cancelled' });
    await phone.close();
  });

  it('a payment whose answer is lost is retried with the same idempotency key and charged once', async () => {
    const phone = await newPage(PHONE);
    await customerSignsIn(phone);
    const orderId = await placeOrder(phone, 'flaky network');

    // The first pay request reaches the API (which charges), then its answer is lost on the way back.
    const keys: string[] = [];
    let lost = false;
    await phone.route('**/trpc/orders.pay*', async (route) => {
      keys.push((await route.request().headerValue('idempotency-key')) ?? '');
      if (lost) return route.continue();
      lost = true;
      await route.fetch();
      await route.abort('connectionreset');
    });
    await phone.getByTestId('pay').click();
    await expect.poll(() => customerStatus(phone), { timeout: 60_000 }).toBe('paid');

    // (The page may show "paid" from the event stream before the SDK's retry has gone out.)
    await expect.poll(() => keys.length, { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
    expect(new Set(keys).size).toBe(1);
    expect(await phone.getByTestId('notice').count()).toBe(0);
    const charges = (await stack.providerAdmin.ledger()).charges.filter((c) => c.orderId === orderId);
    expect(charges).toHaveLength(1);
    expect(await customer.orders.get(orderId)).toMatchObject({ status: 'paid', version: 2 });
    await phone.close();
  });
});
