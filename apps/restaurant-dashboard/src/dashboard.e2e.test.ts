/**
 * End to end, as an owner would use it: the production build of the dashboard (vite build +
 * vite preview, proxying to a real API process on a fresh database) in Debian's headless Chromium,
 * on a phone (390 × 844) and a desktop (1280 × 800). A customer (the SDK, in this test) places and
 * pays orders; the owner sees them arrive (highlighted and announced), accepts, marks ready,
 * rejects after choosing a reason and confirming, and is told in plain words when someone else
 * changed an order first. Every screen passes axe-core with no serious or critical violation.
 * Screenshots: test-results/dashboard-*.png.
 */
import { fileURLToPath } from 'node:url';
import { createRestClient, type Order, type RestClient } from '@quickeats/sdk';
import {
  DEMO_ACCOUNTS,
  DEMO_PASSWORD,
  type DemoMenu,
  demoMenu,
  startApiProcess,
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
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

let stack: TestStack;
let app: ServedApp;
/** Between the page's server and the API, so the API process can be replaced at the same address. */
let relay: TcpRelay;
let session: BrowserSession;
let customer: RestClient;
let menu: DemoMenu;

async function placePaidOrder(quantity: number, note?: string): Promise<Order> {
  const order = await customer.orders.create({
    restaurantId: menu.restaurantId,
    items: [{ menuItemId: menu.menuItemIds[0]!, quantity }],
    ...(note ? { note } : {}),
  });
  return customer.orders.pay(order);
}

const newPage = (viewport = DESKTOP) => session.newPage(viewport);

async function signIn(page: Page, query: string) {
  await page.goto(`${app.url}/${query}`);
  await page.getByTestId('login-form').waitFor();
  await page.fill('input[name=email]', DEMO_ACCOUNTS.owner);
  await page.fill('input[name=password]', DEMO_PASSWORD);
  await page.click('button[type=submit]');
  await page.getByTestId('column-paid').waitFor();
  await page.getByTestId('loading').waitFor({ state: 'detached' });
}

async function expectAccessible(page: Page, screen: string) {
  expect(await session.accessibility(page, screen), `axe on ${screen}`).toEqual([]);
}

const cardOf = (page: Page, id: string) => page.locator(`[data-testid=order-card][data-order-id="${id}"]`);

beforeAll(async () => {
  // Enough seeded orders that the owner's board is not empty at sign-in.
  stack = await startTestStack({ orders: 150 });
  menu = await demoMenu(stack);
  customer = createRestClient({ baseUrl: stack.apiUrl });
  await customer.login(DEMO_ACCOUNTS.customer, DEMO_PASSWORD);
  relay = await startTcpRelay(stack.apiUrl);
  app = await serveBuiltApp(APP_DIR, relay.url);
  session = await openBrowserSession(APP_DIR);
});

afterAll(async () => {
  await session?.close();
  await app?.close();
  await relay?.close();
  await stack?.close();
});

describe('restaurant dashboard in Chromium', () => {
  it('refuses a customer account, with an accessible sign-in page', async () => {
    const page = await newPage(PHONE);
    await page.goto(`${app.url}/?poll=0`);
    await page.getByTestId('login-form').waitFor();
    await expectAccessible(page, 'dashboard sign-in (390)');
    await session.screenshot(page, 'dashboard-sign-in-390');
    await page.fill('input[name=email]', DEMO_ACCOUNTS.customer);
    await page.fill('input[name=password]', DEMO_PASSWORD);
    await page.click('button[type=submit]');
    await expect
      .poll(() => page.getByTestId('login-error').textContent())
      .toContain('not a restaurant owner account');
    await page.close();
  });

  it('on a phone: one column at a time, a new paid order highlighted and announced, reject asks for a reason and confirmation', async () => {
    const page = await newPage(PHONE);
    await signIn(page, '');
    // Only the chosen column is shown; the picker switches.
    expect(await page.getByTestId('column-accepted').isVisible()).toBe(false);
    expect(await page.getByTestId('pick-paid').getAttribute('aria-pressed')).toBe('true');

    // Placed after sign-in: it appears, highlighted as new and announced to screen readers.
    const order = await placePaidOrder(2, 'extra kimchi');
    const card = cardOf(page, order.id);
    await card.waitFor();
    expect(await card.getAttribute('class')).toContain('fresh');
    expect(await card.textContent()).toContain('extra kimchi');
    expect(await card.textContent()).not.toMatch(/\bv\d+\b|version/i);
    await expect
      .poll(() => page.getByTestId('announcer').textContent())
      .toContain(`New paid order #${order.id.slice(0, 8)}`);
    expect(await page.getByTestId('pick-paid').textContent()).toMatch(/new/);

    // Nothing is cut off at 390 px: no horizontal scrolling, the sign-out button inside the viewport.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    const signOut = await page.getByTestId('sign-out').boundingBox();
    expect((signOut?.x ?? Number.POSITIVE_INFINITY) + (signOut?.width ?? 0)).toBeLessThanOrEqual(PHONE.width);
    await expectAccessible(page, 'dashboard board (390)');
    await session.screenshot(page, 'dashboard-390');
    // The narrowest phone the board supports: still no horizontal scrolling.
    await page.setViewportSize({ width: 360, height: 740 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.setViewportSize(PHONE);

    // Reject asks first; "Keep order" changes nothing.
    await card.locator('button[data-action=reject]').click();
    const dialog = page.getByTestId('confirm-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(`Reject order #${order.id.slice(0, 8)}?`);
    await expectAccessible(page, 'dashboard reject dialog (390)');
    await session.screenshot(page, 'dashboard-reject-dialog-390');
    await page.getByTestId('dialog-dismiss').click();
    await dialog.waitFor({ state: 'detached' });
    expect(await customer.orders.get(order.id)).toMatchObject({ status: 'paid' });

    // By keyboard: Escape closes the dialog too; then choose a reason, add words, confirm.
    await card.locator('button[data-action=reject]').focus();
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await card.locator('button[data-action=reject]').click();
    await dialog.getByLabel('Kitchen too busy').check();
    await dialog.getByLabel('Details for the customer (optional)').fill('back in an hour');
    await page.getByTestId('dialog-confirm').click();
    await expect.poll(() => cardOf(page, order.id).count()).toBe(0);
    expect(await customer.orders.get(order.id)).toMatchObject({ status: 'rejected' });
    await page.close();
  });

  it('on a desktop: accepts and marks ready over tRPC, reports a cancel by the customer, shows the offline banner', async () => {
    const page = await newPage(DESKTOP);
    await signIn(page, '');
    const order = await placePaidOrder(1);
    const card = cardOf(page, order.id);
    await card.waitFor();
    // Every column is visible at once; the phone's picker is not.
    expect(await page.getByTestId('column-ready').isVisible()).toBe(true);
    expect(await page.getByTestId('pick-paid').isVisible()).toBe(false);

    await card.locator('button[data-action=accept]').click();
    await page.locator(`[data-testid=column-accepted] [data-order-id="${order.id}"]`).waitFor();
    await cardOf(page, order.id).locator('button[data-action=mark-ready]').click();
    await page.locator(`[data-testid=column-ready] [data-order-id="${order.id}"]`).waitFor();
    expect(await customer.orders.get(order.id)).toMatchObject({ status: 'ready' });
    await expectAccessible(page, 'dashboard board (1280)');
    await session.screenshot(page, 'dashboard-1280');

    // An order the customer cancels while it is on the board: the owner is told, in plain words.
    const cancelled = await placePaidOrder(1);
    await cardOf(page, cancelled.id).waitFor();
    await customer.orders.cancel(cancelled, { reason: 'changed my mind' });
    await expect
      .poll(() => page.getByTestId('notice').textContent())
      .toContain(`Order #${cancelled.id.slice(0, 8)} was cancelled`);
    expect(await cardOf(page, cancelled.id).count()).toBe(0);

    // Offline (the browser says so): a banner until the connection is back.
    await page.context().setOffline(true);
    await expect.poll(() => page.getByTestId('reconnecting').textContent()).toContain('You are offline');
    await page.context().setOffline(false);
    await page.getByTestId('reconnecting').waitFor({ state: 'detached' });

    await page.close();
  });

  it('tells the owner in plain words when the customer cancelled first (REST transport)', async () => {
    const order = await placePaidOrder(1);
    const page = await newPage(DESKTOP);
    // The live stream cut off (so the board keeps showing the order as paid while the customer cancels).
    await page.route('**/api/v2/event-stream*', (route) => route.abort('connectionrefused'));
    await signIn(page, '?transport=rest');
    const card = cardOf(page, order.id);
    await card.waitFor();

    await customer.orders.cancel(order, { reason: 'ordered by mistake' });
    await card.locator('button[data-action=accept]').click();

    const notice = page.getByTestId('notice');
    await expect.poll(() => notice.getAttribute('class')).toContain('conflict');
    const text = await notice.textContent();
    expect(text).toBe(
      `Could not accept order #${order.id.slice(0, 8)}: it was cancelled. It has left the board.`,
    );
    // The board refreshed: the cancelled order left it, and nothing was accepted.
    await expect.poll(() => cardOf(page, order.id).count()).toBe(0);
    expect(await customer.orders.get(order.id)).toMatchObject({ status: 'cancelled' });
    await expectAccessible(page, 'dashboard conflict notice (1280)');
    await session.screenshot(page, 'dashboard-conflict-1280');

    // The session survives a reload (token in sessionStorage) and ends with Sign out.
    await page.reload();
    await page.getByTestId('column-paid').waitFor();
    await page.getByTestId('sign-out').click();
    await page.getByTestId('login-form').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('quickeats.dashboard.token'))).toBeNull();
    await page.close();
  });

  it('is live: a card appears from another client with no polling; after the API process is replaced it reconnects and catches up', async () => {
    const page = await newPage(DESKTOP);
    const requests: string[] = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    await signIn(page, '');
    const listsAtStart = requests.filter((p) => p.endsWith('/orders.list')).length;

    // Another client pays an order: the board hears of it on the stream and reads that one order.
    const order = await placePaidOrder(1, 'via the stream');
    await cardOf(page, order.id).waitFor();
    expect(requests.some((p) => p.endsWith('/orders.onEvent'))).toBe(true);
    expect(requests.filter((p) => p.endsWith('/orders.list')).length).toBe(listsAtStart);
    expect(requests.filter((p) => p.endsWith('/orders.get')).length).toBeGreaterThanOrEqual(1);

    // The API process goes away: the stream drops and the board says it is reconnecting.
    relay.setTarget(null);
    await stack.api.stop();
    await page.getByTestId('reconnecting').waitFor({ timeout: 60_000 });
    await expectAccessible(page, 'dashboard reconnecting (1280)');
    await session.screenshot(page, 'dashboard-reconnecting-1280');

    // While the board is disconnected, an order is paid through a new API process on the same
    // database; then that process takes the old one's place.
    const replacement = await startApiProcess({
      DATABASE_URL: stack.database.url,
      PAYMENT_PROVIDER_URL: stack.provider.url,
    });
    try {
      const replacementCustomer = createRestClient({ baseUrl: replacement.url });
      await replacementCustomer.login(DEMO_ACCOUNTS.customer, DEMO_PASSWORD);
      const missed = await replacementCustomer.orders.pay(
        await replacementCustomer.orders.create({
          restaurantId: menu.restaurantId,
          items: [{ menuItemId: menu.menuItemIds[0]!, quantity: 3 }],
        }),
      );
      relay.setTarget(replacement.url);
      // Reconnected, resumed after its last event: the order paid meanwhile is on the board.
      await cardOf(page, missed.id).waitFor({ timeout: 60_000 });
      await page.getByTestId('reconnecting').waitFor({ state: 'detached', timeout: 60_000 });
      await expect
        .poll(() => page.getByTestId('announcer').textContent())
        .toContain(`#${missed.id.slice(0, 8)}`);
    } finally {
      relay.setTarget(null);
      await replacement.stop();
    }
    await page.close();
  });
});
