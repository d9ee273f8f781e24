import {
  InvalidTransitionError,
  type Order,
  QuickEatsApiError,
  QuickEatsNetworkError,
  StaleVersionError,
} from '@quickeats/sdk';
import { describe, expect, it } from 'vitest';
import { actionsFor, groupByColumn, noticeFor, parseSettings } from './board';

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
  it('offers only the board actions the API allows now, cancel excluded', () => {
    expect(actionsFor(order()).map((a) => a.action)).toEqual(['accept', 'reject']);
    expect(
      actionsFor(order({ status: 'accepted', allowedActions: ['mark-ready', 'cancel'] })).map(
        (a) => a.action,
      ),
    ).toEqual(['mark-ready']);
    expect(actionsFor(order({ allowedActions: [] }))).toEqual([]);
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

  it('words a stale version as "someone else changed it first", with both versions', () => {
    const err = new StaleVersionError({
      status: 412,
      code: 'PRECONDITION_FAILED',
      message: 'stale',
      currentVersion: 3,
      transport: 'rest',
    });
    const notice = noticeFor(err, order(), 'accept');
    expect(notice.kind).toBe('conflict');
    expect(notice.text).toBe(
      'Could not accept order #0f8fad5b: someone else changed it first (you saw version 2, it is now at version 3). ' +
        'The board has been refreshed; check the order and try again.',
    );
  });

  it('words an invalid transition with the state the order is in now', () => {
    const err = new InvalidTransitionError({
      status: 409,
      code: 'INVALID_TRANSITION',
      message: 'no',
      currentStatus: 'cancelled',
      allowedActions: [],
      transport: 'trpc',
    });
    expect(noticeFor(err, order(), 'mark-ready')).toEqual({
      kind: 'conflict',
      text: 'Could not mark ready order #0f8fad5b: it is now cancelled. The board has been refreshed.',
    });
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
    expect(noticeFor(forbidden, order(), 'reject').text).toContain('nope (FORBIDDEN)');
  });

  it('reads transport and polling from the query string', () => {
    expect(parseSettings('')).toEqual({ transport: 'trpc', pollMs: 3000 });
    expect(parseSettings('?transport=rest&poll=0')).toEqual({ transport: 'rest', pollMs: 0 });
    expect(parseSettings('?poll=-5')).toEqual({ transport: 'trpc', pollMs: 3000 });
  });
});
