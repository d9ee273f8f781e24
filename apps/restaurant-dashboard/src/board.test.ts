import {
  InvalidTransitionError,
  type Order,
  QuickEatsApiError,
  QuickEatsNetworkError,
  StaleVersionError,
} from '@quickeats/sdk';
import { describe, expect, it } from 'vitest';
import {
  actionsFor,
  BOARD_ACTIONS,
  changeNotice,
  describeChange,
  groupByColumn,
  noticeFor,
  parseSettings,
  reasonText,
} from './board';

const order = (over: Partial<Order> = {}): Order => ({
  id: '0f8fad5b-d9cb-469f-a165-70867728950e',
  status: 'paid',
  version: 2,
  customerId: 'c',
  restaurantId: 'r',
  riderId: null,
  total: { amount: 2400, currency: 'USD' },
  note: null,
  items: [],
  allowedActions: ['accept', 'reject', 'cancel'],
  createdAt: '2026-11-26T12:00:00.000Z',
  updatedAt: '2026-11-26T12:00:00.000Z',
  ...over,
});

describe('board', () => {
  it('offers only the board actions the API allows now; a paid order offers Reject rather than Cancel', () => {
    expect(actionsFor(order()).map((a) => a.action)).toEqual(['accept', 'reject']);
    expect(
      actionsFor(order({ status: 'accepted', allowedActions: ['mark-ready', 'cancel'] })).map(
        (a) => a.action,
      ),
    ).toEqual(['mark-ready', 'cancel']);
    expect(actionsFor(order({ allowedActions: [] }))).toEqual([]);
  });

  it('asks for a reason and confirmation before the destructive actions only', () => {
    const confirmed = BOARD_ACTIONS.filter((a) => a.confirm).map((a) => a.action);
    expect(confirmed).toEqual(['reject', 'cancel']);
    expect(reasonText('Kitchen too busy', '  ')).toBe('Kitchen too busy');
    expect(reasonText('Something else', ' oven broke ')).toBe('Something else: oven broke');
  });

  it('groups orders by column, oldest first, and ignores statuses not on the board', () => {
    const groups = groupByColumn([
      order({ id: 'b', createdAt: '2026-11-26T12:05:00.000Z' }),
      order({ id: 'a', createdAt: '2026-11-26T12:01:00.000Z' }),
      order({ id: 'c', status: 'ready' }),
      order({ id: 'd', status: 'delivered' }),
    ]);
    expect(groups.get('paid')?.map((o) => o.id)).toEqual(['a', 'b']);
    expect(groups.get('accepted')).toEqual([]);
    expect(groups.get('ready')?.map((o) => o.id)).toEqual(['c']);
    expect([...groups.keys()]).toEqual(['paid', 'accepted', 'ready']);
  });

  const stale = new StaleVersionError({
    status: 412,
    code: 'PRECONDITION_FAILED',
    message: 'stale',
    currentVersion: 3,
    transport: 'rest',
  });
  const now = Date.parse('2026-11-26T12:10:00.000Z');

  it('words a conflict from the order as it is now and the event that changed it, without versions', () => {
    const notice = noticeFor(
      stale,
      order(),
      'accept',
      { status: 'cancelled', allowedActions: [] },
      { status: 'cancelled', actorRole: 'customer', at: '2026-11-26T12:09:50.000Z' },
      now,
    );
    expect(notice).toEqual({
      kind: 'conflict',
      text: 'Could not accept order #0f8fad5b: it was cancelled by the customer a moment ago. It has left the board.',
    });
    expect(notice.text).not.toMatch(/version|\bv\d/i);
  });

  it('without the event, says what the order is now and what the owner can still do', () => {
    expect(
      noticeFor(
        stale,
        order(),
        'reject',
        { status: 'accepted', allowedActions: ['mark-ready', 'cancel'] },
        null,
        now,
      ).text,
    ).toBe('Could not reject order #0f8fad5b: it was accepted. Its card shows what you can do now.');
    expect(
      noticeFor(
        stale,
        order(),
        'accept',
        { status: 'accepted', allowedActions: ['mark-ready'] },
        { status: 'accepted', actorRole: 'restaurant', at: '2026-11-26T12:05:00.000Z' },
        now,
      ).text,
    ).toBe(
      'Could not accept order #0f8fad5b: it was accepted on another of your devices 5 minutes ago. Its card shows what you can do now.',
    );
  });

  it('words an invalid transition from the status the API sent back', () => {
    const err = new InvalidTransitionError({
      status: 409,
      code: 'INVALID_TRANSITION',
      message: 'no',
      currentStatus: 'rejected',
      allowedActions: [],
      transport: 'trpc',
    });
    expect(noticeFor(err, order(), 'mark-ready', null, null, now)).toEqual({
      kind: 'conflict',
      text: 'Could not mark ready order #0f8fad5b: it was rejected. It has left the board.',
    });
  });

  it('tells the owner about changes they did not make', () => {
    expect(
      changeNotice(
        order().id,
        { status: 'cancelled', actorRole: 'customer', at: '2026-11-26T12:09:30.000Z' },
        now,
      ).text,
    ).toBe('Order #0f8fad5b was cancelled by the customer a moment ago.');
    expect(describeChange({ status: 'cancelled', actorRole: 'admin' }, now)).toBe(
      'was cancelled by QuickEats support',
    );
  });

  it('tells network trouble and other refusals apart from conflicts', () => {
    expect(
      noticeFor(new QuickEatsNetworkError('down', { attempts: 4, cause: null }), order(), 'accept').kind,
    ).toBe('error');
    const forbidden = new QuickEatsApiError({
      status: 403,
      code: 'FORBIDDEN',
      message: 'nope',
      transport: 'rest',
    });
    expect(noticeFor(forbidden, order(), 'reject').text).toBe('Could not reject order #0f8fad5b: nope');
  });

  it('reads transport and polling from the query string', () => {
    expect(parseSettings('')).toEqual({ transport: 'trpc', pollMs: 3000 });
    expect(parseSettings('?transport=rest&poll=0')).toEqual({ transport: 'rest', pollMs: 0 });
    expect(parseSettings('?poll=-5')).toEqual({ transport: 'trpc', pollMs: 3000 });
  });
});
