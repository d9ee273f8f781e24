import { describe, expect, it } from 'vitest';
import { timeline } from './timeline';

const states = (status: Parameters<typeof timeline>[0]['status'], version: number) =>
  timeline({ status, version }).map((s) => `${s.status}:${s.state}`);

describe('timeline', () => {
  it('marks the steps before the current one done and the rest to do', () => {
    expect(states('pending', 1)).toEqual([
      'pending:current',
      'paid:todo',
      'accepted:todo',
      'ready:todo',
      'picked_up:todo',
      'delivered:todo',
    ]);
    expect(states('accepted', 3)).toEqual([
      'pending:done',
      'paid:done',
      'accepted:current',
      'ready:todo',
      'picked_up:todo',
      'delivered:todo',
    ]);
  });

  it('shows a delivered order as finished', () => {
    expect(states('delivered', 6).every((s) => s.endsWith(':done'))).toBe(true);
  });

  it('ends a cancelled or rejected order after the step it had reached', () => {
    expect(states('cancelled', 2)).toEqual(['pending:done', 'cancelled:ended']);
    expect(states('rejected', 3)).toEqual(['pending:done', 'paid:done', 'rejected:ended']);
    // Cancelled by the restaurant once ready: placed, paid, accepted, ready, then the end.
    expect(states('cancelled', 5)).toEqual([
      'pending:done',
      'paid:done',
      'accepted:done',
      'ready:done',
      'cancelled:ended',
    ]);
  });
});
