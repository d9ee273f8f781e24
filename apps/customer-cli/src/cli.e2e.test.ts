/**
 * The `quickeats` binary as a customer runs it: a separate process per command, against a real API
 * process (through a proxy that can break the network), with the fake payment provider whose ledger
 * shows what was really charged.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRestClient, type RestClient } from '@quickeats/sdk';
import {
  DEMO_ACCOUNTS,
  DEMO_PASSWORD,
  type DemoMenu,
  demoMenu,
  type FaultProxy,
  startFaultProxy,
  startTestStack,
  type TestStack,
} from '@quickeats/sdk/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/quickeats.mjs', import.meta.url));

let stack: TestStack;
let proxy: FaultProxy;
let home: string;
let menu: DemoMenu;
let owner: RestClient;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[]): { child: ChildProcess; output: () => Run; done: Promise<Run> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, QUICKEATS_HOME: home, QUICKEATS_API_URL: proxy.url, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Run = { code: null, stdout: '', stderr: '' };
  child.stdout?.on('data', (d) => {
    run.stdout += d;
  });
  child.stderr?.on('data', (d) => {
    run.stderr += d;
  });
  // A command that hangs fails its test with what it printed, instead of a bare timeout.
  const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const done = new Promise<Run>((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(guard);
      run.code = code;
      resolve(run);
    }),
  );
  return { child, output: () => run, done };
}

const quickeats = (...args: string[]) => start(args).done;

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

beforeAll(async () => {
  stack = await startTestStack({ orders: 20 });
  proxy = await startFaultProxy(stack.apiUrl);
  menu = await demoMenu(stack);
  home = await mkdtemp(join(tmpdir(), 'quickeats-cli-'));
  owner = createRestClient({ baseUrl: stack.apiUrl });
  await owner.login(DEMO_ACCOUNTS.owner, DEMO_PASSWORD);
});
afterAll(async () => {
  await proxy?.close();
  await stack?.close();
  if (home) await rm(home, { recursive: true, force: true });
});
beforeEach(() => proxy.reset());

describe('quickeats CLI against a real API process', () => {
  it('refuses to work before login, then logs in and keeps the session in $QUICKEATS_HOME', async () => {
    const before = await quickeats('whoami');
    expect(before.code, before.stderr).toBe(1);
    expect(before.stderr).toContain('UNAUTHENTICATED');

    const login = await quickeats('login', '--email', DEMO_ACCOUNTS.customer, '--password', DEMO_PASSWORD);
    expect(login.stderr).toBe('');
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain(`Logged in as ${DEMO_ACCOUNTS.customer} (customer)`);
    const session = JSON.parse(await readFile(join(home, 'session.json'), 'utf8'));
    expect(session).toMatchObject({ email: DEMO_ACCOUNTS.customer, apiUrl: proxy.url });

    const who = await quickeats('whoami');
    expect(who.code, who.stderr).toBe(0);
    expect(who.stdout).toContain(`<${DEMO_ACCOUNTS.customer}> (customer)`);
  });

  it('lists restaurants and a numbered menu', async () => {
    const restaurants = await quickeats('restaurants');
    expect(restaurants.code, restaurants.stderr).toBe(0);
    expect(restaurants.stdout).toContain(`${menu.restaurantId}  Seoul Kitchen`);

    const shown = await quickeats('menu', menu.restaurantId);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('Seoul Kitchen — menu');
    expect(shown.stdout).toMatch(/ {2}1\. .+ {2}[0-9a-f-]{36}/);
    expect(shown.stdout).toContain(menu.menuItemIds[0]);
  });

  it('places an order by menu number, pays through a dropped answer, and charges once', async () => {
    const placed = await quickeats('order', menu.restaurantId, '1:2', '--note', 'no onions', '--json');
    expect(placed.code, placed.stderr).toBe(0);
    const order = JSON.parse(placed.stdout);
    expect(order).toMatchObject({ status: 'pending', version: 1, note: 'no onions' });
    expect(order.items[0]).toMatchObject({ menuItemId: menu.menuItemIds[0], quantity: 2 });

    // The API charges and answers; the proxy throws the answer away. Only the same key on the
    // retry keeps this from becoming a second charge.
    proxy.inject({ method: 'POST', path: /\/pay$/, fault: 'drop-after-response' });
    const paid = await quickeats('pay', order.id);
    expect(paid.stdout).toContain(`for order ${order.id} (paid, v2)`);
    expect(paid.code, paid.stderr).toBe(0);
    expect(paid.stderr).toMatch(/network error on POST \/api\/v2\/orders\/.+\/pay; retrying in \d+ ms/);

    const pays = proxy.requests.filter((r) => r.path.endsWith('/pay'));
    expect(pays).toHaveLength(2);
    expect(pays[0]).toMatchObject({ fault: 'drop-after-response', upstreamStatus: 200, clientStatus: null });
    expect(pays[1]?.idempotencyKey).toBe(pays[0]?.idempotencyKey);
    expect(paid.stderr).toContain(`with the same Idempotency-Key ${pays[0]?.idempotencyKey}`);

    const charges = (await stack.providerAdmin.ledger()).charges.filter((c) => c.orderId === order.id);
    expect(charges).toHaveLength(1);
    expect(charges[0]?.amount).toEqual(order.total);

    // Paying again is harmless: the CLI sees the order is paid and sends no payment.
    proxy.reset();
    const again = await quickeats('pay', order.id);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('is already paid');
    expect(proxy.requests.filter((r) => r.path.endsWith('/pay'))).toHaveLength(0);
    const session = JSON.parse(await readFile(join(home, 'session.json'), 'utf8'));
    expect(session.pendingPayments).toEqual({});
  });

  it('follows an order while the restaurant works on it', async () => {
    const placed = await quickeats('order', menu.restaurantId, `${menu.menuItemIds[1]}:1`, '--json');
    expect(placed.code, placed.stderr).toBe(0);
    const { id } = JSON.parse(placed.stdout) as { id: string };
    const pay = await quickeats('pay', id);
    expect(pay.code, pay.stderr).toBe(0);

    const before = proxy.requests.length;
    const follow = start(['status', id, '--follow', '--until', 'ready']);
    const waitFor = async (text: string) => {
      await expect.poll(() => follow.output().stdout, { timeout: 120_000 }).toContain(text);
    };
    await waitFor(`${id}  paid`);
    const accepted = await owner.orders.accept(await owner.orders.get(id));
    await waitFor(`${id}  accepted   v3`);
    await owner.orders.markReady(accepted);
    const run = await follow.done;
    expect(run.code, `stderr: ${run.stderr}\nstdout: ${run.stdout}`).toBe(0);
    expect(run.stdout).toContain(`${id}  ready      v4`);
    expect(run.stdout.trim().split('\n')).toHaveLength(3);
    // It followed the pushed events (through the proxy, which relays the stream as it is written)
    // instead of polling: one read before the stream's first change, then one per change it was
    // told of (accepted, ready) — never a read that no event asked for.
    const during = proxy.requests.slice(before);
    expect(during.filter((r) => r.method === 'GET' && r.path === '/api/v2/event-stream')).toHaveLength(1);
    const reads = during.filter((r) => r.method === 'GET' && r.path.endsWith(`/orders/${id}`));
    expect(reads).toHaveLength(3);
  });

  it('explains a refused action with what is allowed now', async () => {
    const placed = await quickeats('order', menu.restaurantId, `${menu.menuItemIds[0]}`, '--json');
    expect(placed.code, placed.stderr).toBe(0);
    const { id } = JSON.parse(placed.stdout) as { id: string };
    const cancelled = await quickeats('cancel', id, '--reason', 'changed my mind');
    expect(cancelled.code, cancelled.stderr).toBe(0);
    const twice = await quickeats('cancel', id);
    expect(twice.code, twice.stderr).toBe(1);
    expect(twice.stderr).toContain('(INVALID_TRANSITION)');
    expect(twice.stderr).toContain('allowed now: nothing');
  });

  it('prints usage for unknown commands and missing arguments', async () => {
    const unknown = await quickeats('teleport');
    expect(unknown.code, unknown.stderr).toBe(2);
    expect(unknown.stderr).toContain('unknown command "teleport"');
    const missing = await quickeats('pay');
    expect(missing.code, missing.stderr).toBe(2);
    expect(missing.stderr).toContain('missing <orderId>');
    expect(UUID.test(missing.stderr)).toBe(false);
  });
});
