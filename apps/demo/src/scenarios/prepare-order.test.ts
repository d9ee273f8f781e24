import { describe, expect, it } from 'vitest';
import { pathTo } from './prepare-order';

describe('scenario set-up paths (derived from the lifecycle table)', () => {
  it('walks the happy path to delivered, each step by the party the table names', () => {
    expect(pathTo('delivered').map((r) => [r.action, r.party])).toEqual([
      ['pay', 'order-customer'],
      ['accept', 'restaurant-owner'],
      ['mark-ready', 'restaurant-owner'],
      ['pick-up', 'any-rider'],
      ['deliver', 'order-rider'],
    ]);
  });

  it('takes the shortest path to every other state', () => {
    expect(pathTo('pending')).toEqual([]);
    expect(pathTo('paid').map((r) => r.action)).toEqual(['pay']);
    expect(pathTo('rejected').map((r) => r.action)).toEqual(['pay', 'reject']);
    expect(pathTo('cancelled').map((r) => r.action)).toEqual(['cancel']);
  });
});
