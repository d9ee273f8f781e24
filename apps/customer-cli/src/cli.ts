/**
 * `quickeats`: the customer's side of QuickEats in a terminal, built only on `@quickeats/sdk`
 * (REST client). `run(argv, io)` is the whole program; `main.ts` wires it to the process.
 */
import { parseArgs } from 'node:util';
import {
  createRestClient,
  formatMoney,
  newIdempotencyKey,
  type Order,
  type OrderStatus,
  QuickEatsApiError,
  QuickEatsError,
  QuickEatsNetworkError,
  type RestClient,
  type RetryEvent,
} from '@quickeats/sdk';
import { type SessionState, type SessionStore, sessionDir, sessionStore } from './session';

export interface CliIO {
  stdout(line: string): void;
  stderr(line: string): void;
  env: Record<string, string | undefined>;
}

export const EXIT = { ok: 0, failed: 1, usage: 2, network: 3, timeout: 4 } as const;

const TERMINAL: readonly OrderStatus[] = ['delivered', 'cancelled', 'rejected'];
const DEFAULT_API = 'http://localhost:3000';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const USAGE = `quickeats — order food from QuickEats

Usage: quickeats <command> [arguments] [--api URL] [--json]

  login --email E [--password P]   sign in (password also from QUICKEATS_PASSWORD)
  logout                           forget the session
  whoami                           who the session belongs to
  restaurants                      list restaurants
  menu <restaurantId>              a restaurant's menu (numbered)
  order <restaurantId> <item[:qty]>... [--note TEXT]
                                   place an order; an item is a menu item id or its number in \`menu\`
  pay <orderId>                    pay an order (safe to rerun: the same payment is never charged twice)
  cancel <orderId> [--reason TEXT] cancel an order
  orders [--status S]              your orders
  status <orderId> [--follow] [--until STATUS] [--timeout S]
                                   show an order; --follow prints every change as it happens (live
                                   event stream) until it is done

The API is --api, else QUICKEATS_API_URL, else the one you logged in to, else ${DEFAULT_API}.
The session is kept in $QUICKEATS_HOME (default ~/.config/quickeats).`;

class UsageError extends Error {}

interface Context {
  io: CliIO;
  json: boolean;
  store: SessionStore;
  state: SessionState;
  client: RestClient;
  apiUrl: string;
}

function orderLine(order: Order): string {
  const items = order.items.map((i) => `${i.quantity}× ${i.name}`).join(', ');
  return `${order.id}  ${order.status.padEnd(9)}  v${order.version}  ${formatMoney(order.total)}${items ? `  ${items}` : ''}`;
}

function print(ctx: Context, human: string, value: unknown) {
  ctx.io.stdout(ctx.json ? JSON.stringify(value) : human);
}

function requireArg(value: string | undefined, what: string): string {
  if (!value) throw new UsageError(`missing ${what}`);
  return value;
}

/** `3f…-uuid` or `2` (menu position), with an optional `:quantity`. */
async function resolveItems(ctx: Context, restaurantId: string, specs: string[]) {
  if (specs.length === 0) throw new UsageError('name at least one menu item');
  let menu: string[] | undefined;
  const items = [];
  for (const spec of specs) {
    const [ref = '', qty = '1'] = spec.split(':');
    const quantity = Number(qty);
    if (!Number.isInteger(quantity) || quantity < 1) throw new UsageError(`bad quantity in "${spec}"`);
    let menuItemId = ref;
    if (!UUID.test(ref)) {
      const position = Number(ref);
      if (!Number.isInteger(position) || position < 1) throw new UsageError(`bad menu item "${ref}"`);
      menu ??= (await ctx.client.restaurants.get(restaurantId)).menuItems.map((m) => m.id);
      const found = menu[position - 1];
      if (!found) throw new UsageError(`the menu has no item number ${position}`);
      menuItemId = found;
    }
    items.push({ menuItemId, quantity });
  }
  return items;
}

const commands: Record<
  string,
  (ctx: Context, args: string[], flags: Record<string, unknown>) => Promise<number>
> = {
  async login(ctx, _args, flags) {
    const email = requireArg(flags.email as string | undefined, '--email');
    const password = requireArg(
      (flags.password as string | undefined) ?? ctx.io.env.QUICKEATS_PASSWORD,
      '--password (or QUICKEATS_PASSWORD)',
    );
    const session = await ctx.client.login(email, password);
    await ctx.store.save({ ...ctx.state, apiUrl: ctx.apiUrl, token: session.accessToken, email });
    print(ctx, `Logged in as ${session.user.email} (${session.user.role}) on ${ctx.apiUrl}`, session.user);
    return EXIT.ok;
  },

  async logout(ctx) {
    await ctx.store.clear();
    print(ctx, 'Logged out.', { loggedOut: true });
    return EXIT.ok;
  },

  async whoami(ctx) {
    const me = await ctx.client.me();
    print(ctx, `${me.name} <${me.email}> (${me.role})`, me);
    return EXIT.ok;
  },

  async restaurants(ctx) {
    const all = [];
    let cursor: string | undefined;
    do {
      const page = await ctx.client.restaurants.list({ pageSize: 100, cursor });
      all.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    if (ctx.json) for (const r of all) ctx.io.stdout(JSON.stringify(r));
    else for (const r of all) ctx.io.stdout(`${r.id}  ${r.name} (${r.currency})`);
    return EXIT.ok;
  },

  async menu(ctx, [restaurantId]) {
    const restaurant = await ctx.client.restaurants.get(requireArg(restaurantId, '<restaurantId>'));
    if (ctx.json) {
      ctx.io.stdout(JSON.stringify(restaurant));
      return EXIT.ok;
    }
    ctx.io.stdout(`${restaurant.name} — menu`);
    restaurant.menuItems.forEach((m, i) => {
      const price = formatMoney(m.price);
      ctx.io.stdout(
        `${String(i + 1).padStart(3)}. ${m.name.padEnd(20)} ${price.padStart(10)}  ${m.id}${m.available ? '' : '  (sold out)'}`,
      );
    });
    return EXIT.ok;
  },

  async order(ctx, [restaurantId, ...specs], flags) {
    const restaurant = requireArg(restaurantId, '<restaurantId>');
    const items = await resolveItems(ctx, restaurant, specs);
    const note = flags.note as string | undefined;
    const order = await ctx.client.orders.create({
      restaurantId: restaurant,
      items,
      ...(note ? { note } : {}),
    });
    print(
      ctx,
      `Placed order ${order.id}: ${formatMoney(order.total)} (${order.status}). Pay with: quickeats pay ${order.id}`,
      order,
    );
    return EXIT.ok;
  },

  async pay(ctx, [orderId]) {
    const id = requireArg(orderId, '<orderId>');
    // One key per payment, written down before the first attempt: every retry in this run and
    // any rerun after a crash send the same key, so the customer is charged once.
    const key = ctx.state.pendingPayments[id] ?? newIdempotencyKey();
    ctx.state.pendingPayments[id] = key;
    await ctx.store.save(ctx.state);

    const current = await ctx.client.orders.get(id);
    if (current.status !== 'pending') {
      delete ctx.state.pendingPayments[id];
      await ctx.store.save(ctx.state);
      print(ctx, `Order ${id} is already ${current.status}; nothing to pay.`, current);
      return current.status === 'paid' ? EXIT.ok : EXIT.failed;
    }
    const paid = await ctx.client.orders.pay(current, { idempotencyKey: key });
    delete ctx.state.pendingPayments[id];
    await ctx.store.save(ctx.state);
    print(ctx, `Paid ${formatMoney(paid.total)} for order ${id} (${paid.status}, v${paid.version}).`, paid);
    return EXIT.ok;
  },

  async cancel(ctx, [orderId], flags) {
    const id = requireArg(orderId, '<orderId>');
    const order = await ctx.client.orders.get(id);
    const reason = flags.reason as string | undefined;
    const cancelled = await ctx.client.orders.cancel(order, reason ? { reason } : {});
    print(ctx, `Cancelled order ${id} (v${cancelled.version}).`, cancelled);
    return EXIT.ok;
  },

  async orders(ctx, _args, flags) {
    const status = flags.status as OrderStatus | undefined;
    const page = await ctx.client.orders.list({ ...(status ? { status } : {}), pageSize: 50 });
    if (ctx.json) for (const o of page.items) ctx.io.stdout(JSON.stringify(o));
    else for (const o of page.items) ctx.io.stdout(orderLine(o));
    return EXIT.ok;
  },

  async status(ctx, [orderId], flags) {
    const id = requireArg(orderId, '<orderId>');
    const until = flags.until as OrderStatus | undefined;
    const timeoutMs = Number(flags.timeout ?? 600) * 1000;
    let last: Order | null = null;
    const show = (order: Order) => {
      if (!last || order.version !== last.version) {
        print(ctx, `${new Date().toLocaleTimeString('en-GB')}  ${orderLine(order)}`, order);
        last = order;
      }
      return TERMINAL.includes(order.status) || order.status === until;
    };
    if (!flags.follow) {
      show(await ctx.client.orders.get(id));
      return EXIT.ok;
    }
    // --follow listens to the live event stream (no polling). It connects BEFORE reading the order,
    // so a change made between the read and the subscription is not lost: events up to the version
    // read are skipped, later ones fetched and printed. Reconnects resume with Last-Event-ID.
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, timeoutMs);
    let opened!: () => void;
    const open = new Promise<void>((resolve) => {
      opened = resolve;
    });
    const events = ctx.client.events.subscribe({
      orderId: id,
      signal: abort.signal,
      onStatus: (s) => {
        if (s === 'open') opened();
      },
    });
    try {
      let next = events.next(); // starts connecting
      await Promise.race([open, next.then(noop, noop)]);
      if (show(await ctx.client.orders.get(id))) return EXIT.ok;
      for (;;) {
        const result = await next;
        if (result.done) break;
        next = events.next();
        if (last && result.value.version <= (last as Order).version) continue;
        if (show(await ctx.client.orders.get(id))) return EXIT.ok;
      }
    } catch (err) {
      if (!timedOut) throw err;
    } finally {
      clearTimeout(timer);
      // The abort ends the subscription (its request is cancelled); its iterator is told to finish
      // but not awaited: a read still pending on the cancelled stream must not hold the command.
      abort.abort();
      void events.return?.(undefined).catch(noop);
    }
    ctx.io.stderr(
      `gave up following order ${id} after ${timeoutMs / 1000} s (still ${(last as Order | null)?.status ?? 'unknown'})`,
    );
    return EXIT.timeout;
  },
};

const noop = () => {};

/** Run one command; resolves to the process exit code. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    io.stderr(`${(err as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const { positionals, values } = parsed;
  const [name, ...args] = positionals;
  if (!name || values.help || name === 'help') {
    io.stdout(USAGE);
    return name || values.help ? EXIT.ok : EXIT.usage;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`unknown command "${name}"\n\n${USAGE}`);
    return EXIT.usage;
  }

  const store = sessionStore(sessionDir(io.env));
  const state = await store.load();
  const apiUrl =
    (values.api as string | undefined) ?? io.env.QUICKEATS_API_URL ?? state.apiUrl ?? DEFAULT_API;
  const client = createRestClient({
    baseUrl: apiUrl,
    token: state.token,
    retry: {
      onRetry: (e: RetryEvent) =>
        io.stderr(
          `${e.reason === 'in-flight' ? 'still processing' : e.reason === 'network-error' ? 'network error' : `server error ${e.status}`} ` +
            `on ${e.method} ${new URL(e.url).pathname}; retrying in ${e.delayMs} ms` +
            (e.idempotencyKey ? ` with the same Idempotency-Key ${e.idempotencyKey}` : ''),
        ),
    },
  });
  const ctx: Context = { io, json: Boolean(values.json), store, state, client, apiUrl };
  try {
    return await command(ctx, args, values);
  } catch (err) {
    return report(io, err);
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      api: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      email: { type: 'string' },
      password: { type: 'string' },
      note: { type: 'string' },
      reason: { type: 'string' },
      status: { type: 'string' },
      follow: { type: 'boolean', short: 'f' },
      until: { type: 'string' },
      timeout: { type: 'string' },
    },
  });
}

function report(io: CliIO, err: unknown): number {
  if (err instanceof UsageError) {
    io.stderr(`${err.message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (err instanceof QuickEatsApiError) {
    const hints = [];
    if (err.status === 401) hints.push('log in first: quickeats login --email …');
    if (err.allowedActions) hints.push(`allowed now: ${err.allowedActions.join(', ') || 'nothing'}`);
    if (err.currentVersion !== undefined) hints.push(`current version: ${err.currentVersion}`);
    io.stderr(`error: ${err.message} (${err.code})${hints.length ? `\n  ${hints.join('\n  ')}` : ''}`);
    return EXIT.failed;
  }
  if (err instanceof QuickEatsNetworkError) {
    io.stderr(`error: ${err.message}`);
    return EXIT.network;
  }
  if (err instanceof QuickEatsError) {
    io.stderr(`error: ${err.message}`);
    return EXIT.failed;
  }
  throw err;
}
