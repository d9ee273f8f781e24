/**
 * The dashboard page: sign in as a restaurant owner, see paid orders arrive (highlighted,
 * announced to screen readers, with an optional chime), accept / mark ready, and reject or cancel
 * after choosing a reason and confirming. Every call goes through `@quickeats/sdk`; each action is
 * sent conditional on the order as shown on its card, so when someone else changed it first the
 * owner is told what happened, in plain words, instead of overwriting it.
 *
 * Phones (≤ 720 px) show one column at a time behind a column picker; wider screens show all three.
 * The page re-renders on every change; the focused control is found again by its `data-key`, and
 * the live region and the confirmation dialog live outside the re-rendered part.
 */
import { formatMoney, type Order, type OrderAction, type QuickEatsClient } from '@quickeats/sdk';
import {
  actionsFor,
  BOARD_STATUSES,
  type BoardAction,
  COLUMNS,
  changeNotice,
  groupByColumn,
  type Notice,
  noticeFor,
  type OrderChange,
  reasonText,
  shortId,
} from './board';
import { type Connection, type OrderEvent, type OrderUpdates, startOrderUpdates } from './updates';

export interface DashboardOptions {
  client: QuickEatsClient;
  /** Fallback poll period in ms; 0 turns it off. */
  pollMs: number;
  /** Where the token is kept across reloads (default: none). */
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  /** Where the sound preference is kept (default: none). */
  preferences?: Pick<Storage, 'getItem' | 'setItem'>;
  /** Pre-filled e-mail on the sign-in form. */
  defaultEmail?: string;
}

const TOKEN_KEY = 'quickeats.dashboard.token';
const SOUND_KEY = 'quickeats.dashboard.sound';
/** Pages followed per refresh (100 orders each): a kitchen with more open orders has other problems. */
const MAX_PAGES = 5;
const FRESH_MS = 30_000;

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

/** The given nodes without the conditional ones left out. */
function present(...nodes: (HTMLElement | null)[]): HTMLElement[] {
  return nodes.filter((n): n is HTMLElement => n !== null);
}

/** Time of day for today's orders, date and time for older ones. */
function placedAt(date: Date): string {
  const today = new Date().toDateString() === date.toDateString();
  return today
    ? date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

/** A short two-note chime (Web Audio; no file to load). Browsers allow it after the first click. */
function chime() {
  try {
    const audio = new AudioContext();
    for (const [i, freq] of [880, 1320].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.15, audio.currentTime + i * 0.18);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + i * 0.18 + 0.3);
      osc.connect(gain).connect(audio.destination);
      osc.start(audio.currentTime + i * 0.18);
      osc.stop(audio.currentTime + i * 0.18 + 0.3);
    }
    setTimeout(() => void audio.close(), 1000);
  } catch {
    // No audio device: the highlight and the announcement still tell.
  }
}

export function mountDashboard(root: HTMLElement, options: DashboardOptions): { destroy(): void } {
  const { client } = options;
  let orders: Order[] = [];
  /** When each order was first seen on this board; orders present at sign-in are not new. */
  let firstSeen = new Map<string, number>();
  /** The last change event the updates source reported per order (who and when). */
  const lastChange = new Map<string, OrderChange>();
  /** Orders this screen acted on, so their leaving the board is not reported as someone else's doing. */
  const ownActions = new Set<string>();
  let loaded = false;
  let notice: Notice | null = null;
  let busy = new Set<string>();
  let ownerName = '';
  let connection: Connection = 'connecting';
  let online = navigator.onLine;
  let chosen = COLUMNS[0]!.status;
  let sound = options.preferences?.getItem(SOUND_KEY) === 'on';
  /** Bumped by every refresh; a refresh whose number is no longer current discards its result. */
  let generation = 0;
  let updates: OrderUpdates | undefined;
  let freshTimer: ReturnType<typeof setTimeout> | undefined;

  // Outside the re-rendered view: a live region keeps its announcements, a dialog its state.
  const view = h('div', { class: 'view' });
  const announcer = h('p', {
    class: 'visually-hidden',
    'aria-live': 'polite',
    'data-testid': 'announcer',
  });
  const dialogHost = h('div');
  root.replaceChildren(view, announcer, dialogHost);

  const onOnline = () => {
    online = navigator.onLine;
    if (online) void refresh();
    else render();
  };
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', onOnline);

  function announce(text: string) {
    // Cleared first so the same words twice are announced twice.
    announcer.textContent = '';
    setTimeout(() => {
      announcer.textContent = text;
    }, 50);
  }

  function showLogin(error?: string) {
    stopUpdates();
    const email = h('input', {
      id: 'login-email',
      name: 'email',
      type: 'email',
      value: options.defaultEmail ?? '',
      required: true,
      autocomplete: 'username',
    }) as HTMLInputElement;
    const password = h('input', {
      id: 'login-password',
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
      h('label', { for: 'login-email' }, 'E-mail'),
      email,
      h('label', { for: 'login-password' }, 'Password'),
      password,
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
    view.replaceChildren(h('main', { class: 'login-page' }, form));
    email.focus();
  }

  async function start() {
    const me = await client.me();
    ownerName = me.name;
    firstSeen = new Map();
    loaded = false;
    notice = null;
    connection = 'connecting';
    render();
    updates = startOrderUpdates(
      client,
      { pollMs: options.pollMs },
      {
        changed(event) {
          if (event) remember(event);
          void refresh();
        },
        connection(state) {
          connection = state;
          render();
        },
      },
    );
    await refresh();
  }

  function remember(event: OrderEvent) {
    lastChange.set(event.orderId, { status: event.status, actorRole: event.actorRole, at: event.occurredAt });
  }

  function stopUpdates() {
    updates?.stop();
    updates = undefined;
  }

  /**
   * Load every order on the board (following cursors), then render. Only the newest refresh may
   * apply its result: one that started before an action (or a later poll) would otherwise put the
   * pre-action state back on the board and offer a button whose click can only fail.
   */
  async function refresh(): Promise<void> {
    const mine = ++generation;
    let ok = false;
    try {
      const all: Order[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const result = await client.orders.list({ status: BOARD_STATUSES, pageSize: 100, cursor });
        all.push(...result.items);
        if (!result.nextCursor) break;
        cursor = result.nextCursor;
      }
      ok = true;
      if (mine !== generation) return;
      apply(all);
    } catch (err) {
      if (mine !== generation) return;
      if (!loaded)
        notice = {
          kind: 'error',
          text: `Could not load the orders: ${err instanceof Error ? err.message : err}`,
        };
    } finally {
      updates?.reportRead(ok);
    }
    render();
  }

  function apply(all: Order[]) {
    const now = Date.now();
    const arrived: Order[] = [];
    for (const o of all) {
      if (firstSeen.has(o.id)) continue;
      firstSeen.set(o.id, loaded ? now : 0);
      if (loaded && o.status === 'paid') arrived.push(o);
    }
    // Orders that left the board without this screen acting: say what happened to them.
    if (loaded) {
      const still = new Set(all.map((o) => o.id));
      for (const gone of orders) {
        if (still.has(gone.id) || ownActions.has(gone.id)) continue;
        void explainDeparture(gone);
      }
    }
    loaded = true;
    orders = all;
    if (arrived.length) {
      const first = arrived[0]!;
      const items = first.items.map((i) => `${i.quantity}× ${i.name}`).join(', ');
      announce(
        arrived.length === 1
          ? `New paid order #${shortId(first.id)}: ${items}.`
          : `${arrived.length} new paid orders, the first #${shortId(first.id)}: ${items}.`,
      );
      if (sound) chime();
      // Re-render when the highlight expires.
      clearTimeout(freshTimer);
      freshTimer = setTimeout(render, FRESH_MS + 100);
    }
  }

  async function explainDeparture(order: Order) {
    const known = lastChange.get(order.id);
    let change: OrderChange | undefined = known;
    if (!change) {
      try {
        change = { status: (await client.orders.get(order.id)).status };
      } catch {
        return;
      }
    }
    notice = changeNotice(order.id, change);
    render();
  }

  async function perform(order: Order, action: OrderAction, reason?: string) {
    busy.add(order.id);
    ownActions.add(order.id);
    render();
    try {
      // The order object is the representation on the card: the SDK sends its version as the
      // precondition, so a change made meanwhile by anyone else is refused, not overwritten.
      const updated = await client.orders.act(action, order, reason === undefined ? {} : { reason });
      orders = orders.map((o) => (o.id === updated.id ? updated : o));
      notice = { kind: 'info', text: `Order #${shortId(order.id)} ${doneWords(action)}.` };
    } catch (err) {
      const current = await client.orders.get(order.id).catch(() => null);
      notice = noticeFor(err, order, action, current, lastChange.get(order.id));
      if (current && !BOARD_STATUSES.includes(current.status)) ownActions.add(order.id);
      else ownActions.delete(order.id);
    } finally {
      busy = new Set([...busy].filter((id) => id !== order.id));
    }
    await refresh();
  }

  function doneWords(action: OrderAction): string {
    const words: Partial<Record<OrderAction, string>> = {
      accept: 'accepted: it is in Preparing',
      'mark-ready': 'is ready for pick-up',
      reject: 'rejected; the customer is refunded',
      cancel: 'cancelled; the customer is refunded',
    };
    return words[action] ?? `${action} done`;
  }

  /** Reason + confirmation for a destructive action, in a native modal dialog. */
  function confirmAction(order: Order, spec: BoardAction & { confirm: NonNullable<BoardAction['confirm']> }) {
    const opener = document.activeElement as HTMLElement | null;
    const name = `reason-${order.id}`;
    const options_ = spec.confirm.reasons.map((reason, i) =>
      h(
        'label',
        { class: 'radio' },
        h('input', { type: 'radio', name, value: reason, checked: i === 0 }),
        reason,
      ),
    );
    const details = h('textarea', {
      id: 'reason-details',
      name: 'details',
      rows: '2',
      maxlength: '400',
    }) as HTMLTextAreaElement;
    const keep = h('button', { type: 'button', 'data-testid': 'dialog-dismiss' }, 'Keep order');
    const confirm = h(
      'button',
      { type: 'submit', class: 'danger-solid', 'data-testid': 'dialog-confirm' },
      spec.confirm.button,
    );
    const items = order.items.map((i) => `${i.quantity}× ${i.name}`).join(', ');
    const form = h(
      'form',
      { method: 'dialog' },
      h('h2', { id: 'dialog-title' }, `${spec.confirm.title} #${shortId(order.id)}?`),
      h(
        'p',
        { class: 'muted' },
        `${items} · ${formatMoney(order.total)}. The customer is refunded and told why.`,
      ),
      h('fieldset', {}, h('legend', {}, 'Reason'), ...options_),
      h('label', { for: 'reason-details' }, 'Details for the customer (optional)'),
      details,
      h('div', { class: 'dialog-actions' }, keep, confirm),
    );
    const dialog = h(
      'dialog',
      { 'aria-labelledby': 'dialog-title', 'data-testid': 'confirm-dialog' },
      form,
    ) as HTMLDialogElement;
    const close = () => {
      dialog.close();
    };
    keep.addEventListener('click', close);
    dialog.addEventListener('close', () => {
      dialog.remove();
      opener?.isConnected ? opener.focus() : null;
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const choice = (form.querySelector(`input[name="${name}"]:checked`) as HTMLInputElement | null)?.value;
      close();
      void perform(order, spec.action, reasonText(choice ?? spec.confirm.reasons[0]!, details.value));
    });
    dialogHost.replaceChildren(dialog);
    dialog.showModal();
  }

  /** Orders that arrived after sign-in stay highlighted for a while, so none slips by unnoticed. */
  function isFresh(id: string): boolean {
    return Date.now() - (firstSeen.get(id) ?? 0) < FRESH_MS;
  }

  function card(order: Order): HTMLElement {
    const created = new Date(order.createdAt);
    const fresh = isFresh(order.id);
    const title = `Order #${shortId(order.id)}`;
    const buttons = actionsFor(order).map((spec) => {
      const button = h(
        'button',
        {
          type: 'button',
          class: spec.tone,
          'data-action': spec.action,
          'data-key': `${order.id}:${spec.action}`,
          'aria-label': `${spec.label} order #${shortId(order.id)}`,
          disabled: busy.has(order.id),
        },
        spec.label,
      );
      const { confirm } = spec;
      button.addEventListener('click', () =>
        confirm ? confirmAction(order, { ...spec, confirm }) : void perform(order, spec.action),
      );
      return button;
    });
    return h(
      'article',
      {
        class: `card${fresh ? ' fresh' : ''}`,
        'aria-label': `${title}${fresh ? ', new' : ''}`,
        'data-testid': 'order-card',
        'data-order-id': order.id,
        'data-status': order.status,
      },
      h(
        'header',
        {},
        h('h3', {}, title),
        fresh ? h('span', { class: 'badge-new' }, 'New') : null,
        h('time', { datetime: order.createdAt }, placedAt(created)),
      ),
      h('ul', { class: 'items' }, ...order.items.map((i) => h('li', {}, `${i.quantity}× ${i.name}`))),
      order.note ? h('p', { class: 'note' }, `“${order.note}”`) : null,
      h('footer', {}, h('span', { class: 'total' }, formatMoney(order.total))),
      buttons.length ? h('div', { class: 'actions' }, ...buttons) : null,
    );
  }

  function render() {
    if (!ownerName) return;
    // Keep keyboard focus on the same control across the re-render.
    const focusKey = (document.activeElement as HTMLElement | null)?.dataset?.key;
    const groups = groupByColumn(orders);
    const signOut = h(
      'button',
      { type: 'button', class: 'ghost', 'data-testid': 'sign-out', 'data-key': 'sign-out' },
      'Sign out',
    );
    signOut.addEventListener('click', () => {
      options.storage?.removeItem(TOKEN_KEY);
      client.logout();
      generation++; // a refresh still under way must not bring the board back
      orders = [];
      ownerName = '';
      showLogin();
    });
    const reload = h(
      'button',
      { type: 'button', class: 'ghost', 'data-testid': 'refresh', 'data-key': 'refresh' },
      'Refresh',
    );
    reload.addEventListener('click', () => void refresh());
    const soundToggle = h(
      'button',
      {
        type: 'button',
        class: 'ghost',
        'aria-pressed': String(sound),
        'data-testid': 'sound',
        'data-key': 'sound',
      },
      'Sound alerts',
    );
    soundToggle.addEventListener('click', () => {
      sound = !sound;
      options.preferences?.setItem(SOUND_KEY, sound ? 'on' : 'off');
      if (sound) chime();
      render();
    });

    const offline = !online || connection === 'reconnecting';
    const picker = h(
      'nav',
      { class: 'picker', 'aria-label': 'Columns' },
      ...COLUMNS.map((column) => {
        const list = groups.get(column.status) ?? [];
        const fresh = list.filter((o) => isFresh(o.id)).length;
        const button = h(
          'button',
          {
            type: 'button',
            'aria-pressed': String(chosen === column.status),
            'aria-controls': `column-${column.status}`,
            'data-key': `pick:${column.status}`,
            'data-testid': `pick-${column.status}`,
          },
          column.title,
          h('span', { class: 'count' }, String(list.length)),
          fresh ? h('span', { class: 'badge-new' }, `${fresh} new`) : null,
        );
        button.addEventListener('click', () => {
          chosen = column.status;
          render();
        });
        return button;
      }),
    );

    const open = orders.length;
    view.replaceChildren(
      ...present(
        h(
          'header',
          { class: 'topbar' },
          h('h1', {}, 'QuickEats kitchen'),
          h('span', { class: 'who', 'data-testid': 'status-line' }, ownerName),
          h('div', { class: 'tools' }, soundToggle, reload, signOut),
        ),
        offline
          ? h(
              'p',
              { class: 'banner offline', role: 'status', 'data-testid': 'reconnecting' },
              online
                ? 'Reconnecting to QuickEats… the board may be out of date.'
                : 'You are offline. The board may be out of date.',
            )
          : null,
        notice
          ? h(
              'p',
              {
                class: `notice ${notice.kind}`,
                role: notice.kind === 'info' ? 'status' : 'alert',
                'data-testid': 'notice',
              },
              notice.text,
            )
          : null,
        !loaded
          ? h('p', { class: 'loading', role: 'status', 'data-testid': 'loading' }, 'Loading orders…')
          : open === 0
            ? h(
                'p',
                { class: 'board-empty', 'data-testid': 'board-empty' },
                'No open orders right now. New paid orders appear here as soon as they are paid.',
              )
            : null,
        picker,
        h(
          'main',
          { class: 'board', 'aria-busy': String(!loaded) },
          ...COLUMNS.map((column) => {
            const list = groups.get(column.status) ?? [];
            return h(
              'section',
              {
                class: `column${chosen === column.status ? ' chosen' : ''}`,
                id: `column-${column.status}`,
                'aria-labelledby': `title-${column.status}`,
                'data-testid': `column-${column.status}`,
              },
              h(
                'h2',
                { id: `title-${column.status}` },
                column.title,
                h('span', { class: 'count' }, String(list.length)),
              ),
              h('p', { class: 'muted' }, column.hint),
              ...(list.length ? list.map(card) : [h('p', { class: 'empty' }, 'Nothing here.')]),
            );
          }),
        ),
      ),
    );
    if (focusKey) view.querySelector<HTMLElement>(`[data-key="${CSS.escape(focusKey)}"]`)?.focus();
  }

  // A token kept from an earlier visit: use it if it is still valid, else ask to sign in.
  if (options.storage?.getItem(TOKEN_KEY)) {
    start().catch(() => {
      options.storage?.removeItem(TOKEN_KEY);
      client.logout();
      ownerName = '';
      showLogin();
    });
  } else {
    showLogin();
  }

  return {
    destroy() {
      stopUpdates();
      clearTimeout(freshTimer);
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOnline);
    },
  };
}

export { TOKEN_KEY };
