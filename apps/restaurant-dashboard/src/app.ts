/**
 * The dashboard page: sign in as a restaurant owner, watch paid orders arrive (auto-refresh),
 * accept / reject / mark ready. Every call goes through `@quickeats/sdk`; each action is sent
 * conditional on the version of the order shown on the card, so when another actor changed the
 * order first the owner is told so instead of overwriting it.
 */
import { formatMoney, type Order, type OrderAction, type QuickEatsClient } from '@quickeats/sdk';
import { actionsFor, BOARD_STATUSES, COLUMNS, groupByColumn, type Notice, noticeFor, shortId } from './board';

export interface DashboardOptions {
  client: QuickEatsClient;
  /** Auto-refresh period in ms; 0 turns it off. */
  pollMs: number;
  /** Where the token is kept across reloads (default: none). */
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  /** Pre-filled e-mail on the sign-in form. */
  defaultEmail?: string;
}

const TOKEN_KEY = 'quickeats.dashboard.token';
/** Pages followed per refresh (100 orders each): a kitchen with more open orders has other problems. */
const MAX_PAGES = 5;
const FRESH_MS = 20_000;

type Attrs = Record<string, string | boolean | undefined>;

function h(tag: string, attrs: Attrs = {}, ...children: (Node | string | null | undefined)[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) if (child != null) el.append(child);
  return el;
}

/** Time of day for today's orders, date and time for older ones. */
function placedAt(date: Date): string {
  const today = new Date().toDateString() === date.toDateString();
  return today
    ? date.toLocaleTimeString('en-GB')
    : date.toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

export function mountDashboard(root: HTMLElement, options: DashboardOptions): { destroy(): void } {
  const { client } = options;
  let orders: Order[] = [];
  /** When each order was first seen on this board; orders present at sign-in are not new. */
  let firstSeen = new Map<string, number>();
  let loaded = false;
  let notice: Notice | null = null;
  let busy = new Set<string>();
  let ownerName = '';
  let lastRefresh: Date | null = null;
  /** Bumped by every refresh; a refresh whose number is no longer current discards its result. */
  let generation = 0;
  let inFlight = 0;
  let timer: ReturnType<typeof setInterval> | undefined;

  function showLogin(error?: string) {
    stopPolling();
    const email = h('input', {
      name: 'email',
      type: 'email',
      value: options.defaultEmail ?? '',
      required: true,
      autocomplete: 'username',
    }) as HTMLInputElement;
    const password = h('input', {
      name: 'password',
      type: 'password',
      required: true,
      autocomplete: 'current-password',
    }) as HTMLInputElement;
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
    const form = h(
      'form',
      { class: 'login', 'data-testid': 'login-form' },
      h('h1', {}, 'QuickEats for restaurants'),
      h('p', { class: 'muted' }, 'Sign in with your restaurant owner account.'),
      h('label', {}, 'E-mail', email),
      h('label', {}, 'Password', password),
      error ? h('p', { class: 'notice error', role: 'alert', 'data-testid': 'login-error' }, error) : null,
      submit,
    ) as HTMLFormElement;
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      submit.setAttribute('disabled', '');
      try {
        const session = await client.login(email.value, password.value);
        if (session.user.role !== 'restaurant') {
          client.logout();
          showLogin(`${session.user.email} is not a restaurant owner account.`);
          return;
        }
        options.storage?.setItem(TOKEN_KEY, session.accessToken);
        await start();
      } catch (err) {
        showLogin(err instanceof Error ? err.message : String(err));
      }
    });
    root.replaceChildren(form);
    email.focus();
  }

  async function start() {
    const me = await client.me();
    ownerName = me.name;
    firstSeen = new Map();
    loaded = false;
    notice = null;
    await refresh();
    // A poll waits for the previous refresh (a slow API must not starve every result);
    // a refresh after an action never waits.
    if (options.pollMs > 0) timer = setInterval(() => inFlight === 0 && void refresh(), options.pollMs);
  }

  function stopPolling() {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  }

  /**
   * Load every order on the board (following cursors), then render. Only the newest refresh may
   * apply its result: one that started before an action (or a later poll) would otherwise put the
   * pre-action state back on the board and offer a button whose click can only fail.
   */
  async function refresh(): Promise<void> {
    const mine = ++generation;
    inFlight++;
    try {
      const all: Order[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const result = await client.orders.list({ status: BOARD_STATUSES, pageSize: 100, cursor });
        all.push(...result.items);
        if (!result.nextCursor) break;
        cursor = result.nextCursor;
      }
      if (mine !== generation) return;
      const now = Date.now();
      for (const o of all) if (!firstSeen.has(o.id)) firstSeen.set(o.id, loaded ? now : 0);
      loaded = true;
      orders = all;
      lastRefresh = new Date();
    } catch (err) {
      if (mine !== generation) return;
      notice = { kind: 'error', text: `Could not refresh: ${err instanceof Error ? err.message : err}` };
    } finally {
      inFlight--;
    }
    render();
  }

  async function perform(order: Order, action: OrderAction) {
    busy.add(order.id);
    render();
    try {
      // The order object is the representation on the card: the SDK sends its version as the
      // precondition, so a change made meanwhile by anyone else is refused, not overwritten.
      const reason = action === 'reject' ? 'Rejected from the restaurant dashboard' : undefined;
      const updated = await client.orders.act(action, order, { reason });
      orders = orders.map((o) => (o.id === updated.id ? updated : o));
      notice = { kind: 'info', text: `Order #${shortId(order.id)}: ${action.replace('-', ' ')} done.` };
    } catch (err) {
      notice = noticeFor(err, order, action);
    } finally {
      busy = new Set([...busy].filter((id) => id !== order.id));
    }
    await refresh();
  }

  /** Orders that arrived after sign-in stay highlighted for a while, so none slips by unnoticed. */
  function isFresh(id: string): boolean {
    return Date.now() - (firstSeen.get(id) ?? 0) < FRESH_MS;
  }

  function card(order: Order): HTMLElement {
    const created = new Date(order.createdAt);
    const buttons = actionsFor(order).map(({ action, label, tone }) => {
      const button = h(
        'button',
        { type: 'button', class: tone, 'data-action': action, disabled: busy.has(order.id) },
        label,
      );
      button.addEventListener('click', () => void perform(order, action));
      return button;
    });
    return h(
      'article',
      {
        class: `card${isFresh(order.id) ? ' fresh' : ''}`,
        'data-testid': 'order-card',
        'data-order-id': order.id,
        'data-status': order.status,
        'data-version': String(order.version),
      },
      h(
        'header',
        {},
        h('strong', {}, `#${shortId(order.id)}`),
        h('time', { datetime: order.createdAt }, placedAt(created)),
      ),
      h('ul', { class: 'items' }, ...order.items.map((i) => h('li', {}, `${i.quantity}× ${i.name}`))),
      order.note ? h('p', { class: 'note' }, `“${order.note}”`) : null,
      h(
        'footer',
        {},
        h('span', { class: 'total' }, formatMoney(order.total)),
        h('span', { class: 'version', title: 'Version (changes on every update)' }, `v${order.version}`),
      ),
      buttons.length ? h('div', { class: 'actions' }, ...buttons) : null,
    );
  }

  function render() {
    const groups = groupByColumn(orders);
    const signOut = h('button', { type: 'button', class: 'ghost', 'data-testid': 'sign-out' }, 'Sign out');
    signOut.addEventListener('click', () => {
      options.storage?.removeItem(TOKEN_KEY);
      client.logout();
      generation++; // a refresh still under way must not bring the board back
      orders = [];
      showLogin();
    });
    const reload = h('button', { type: 'button', class: 'ghost', 'data-testid': 'refresh' }, 'Refresh');
    reload.addEventListener('click', () => void refresh());
    root.replaceChildren(
      h(
        'header',
        { class: 'topbar' },
        h('h1', {}, 'QuickEats kitchen'),
        h(
          'span',
          { class: 'muted', 'data-testid': 'status-line' },
          `${ownerName} · ${client.transport === 'trpc' ? 'tRPC' : 'REST'} · ` +
            (options.pollMs > 0 ? `auto-refresh every ${options.pollMs / 1000} s` : 'auto-refresh off') +
            (lastRefresh ? ` · updated ${lastRefresh.toLocaleTimeString('en-GB')}` : ''),
        ),
        reload,
        signOut,
      ),
      notice
        ? h('p', { class: `notice ${notice.kind}`, role: 'alert', 'data-testid': 'notice' }, notice.text)
        : h('p', { class: 'notice empty', 'data-testid': 'notice' }),
      h(
        'main',
        { class: 'board' },
        ...COLUMNS.map((column) => {
          const list = groups.get(column.status) ?? [];
          return h(
            'section',
            { class: 'column', 'data-testid': `column-${column.status}` },
            h('h2', {}, column.title, h('span', { class: 'count' }, String(list.length))),
            h('p', { class: 'muted' }, column.hint),
            ...(list.length ? list.map(card) : [h('p', { class: 'empty' }, 'Nothing here.')]),
          );
        }),
      ),
    );
  }

  // A token kept from an earlier visit: use it if it is still valid, else ask to sign in.
  if (options.storage?.getItem(TOKEN_KEY)) {
    start().catch(() => {
      options.storage?.removeItem(TOKEN_KEY);
      client.logout();
      showLogin();
    });
  } else {
    showLogin();
  }

  return { destroy: stopPolling };
}

export { TOKEN_KEY };
