import { describe, expect, it } from 'vitest';
import {
  isTerminal,
  LIFECYCLE,
  lifecycleMermaid,
  ORDER_STATUSES,
  PARTY_ROLE,
  rolesAllowed,
  statusesAllowing,
  TERMINAL_STATUSES,
  transitions,
} from './order-lifecycle';

describe('order lifecycle table', () => {
  it('has no edge out of a terminal state', () => {
    expect(transitions().filter((t) => isTerminal(t.from))).toEqual([]);
    expect(TERMINAL_STATUSES.every(isTerminal)).toBe(true);
    expect(ORDER_STATUSES.filter(isTerminal)).toEqual(['delivered', 'cancelled', 'rejected']);
  });

  it("lists exactly the edges of SPEC's table, each once even when two parties share it", () => {
    const keys = transitions().map((t) => `${t.from}|${t.action}|${t.to}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual(
      [
        'pending|pay|paid',
        'paid|accept|accepted',
        'paid|reject|rejected',
        'accepted|mark-ready|ready',
        'ready|pick-up|picked_up',
        'picked_up|deliver|delivered',
        'pending|cancel|cancelled',
        'paid|cancel|cancelled',
        'accepted|cancel|cancelled',
        'ready|cancel|cancelled',
      ].sort(),
    );
  });

  it('reaches every status from pending', () => {
    const reached = new Set(['pending']);
    for (let grew = true; grew; ) {
      grew = false;
      for (const t of transitions()) {
        if (reached.has(t.from) && !reached.has(t.to)) {
          reached.add(t.to);
          grew = true;
        }
      }
    }
    expect([...reached].sort()).toEqual([...ORDER_STATUSES].sort());
  });

  it('derives the roles allowed per action (everyone else gets 403)', () => {
    expect(rolesAllowed('pay')).toEqual(['customer']);
    expect(rolesAllowed('accept')).toEqual(['restaurant']);
    expect(rolesAllowed('pick-up')).toEqual(['rider']);
    expect(rolesAllowed('deliver')).toEqual(['rider']);
    expect([...rolesAllowed('cancel')].sort()).toEqual(['admin', 'customer', 'restaurant']);
  });

  it('derives the statuses a conditional write may start from', () => {
    expect([...statusesAllowing('cancel')].sort()).toEqual(['accepted', 'paid', 'pending', 'ready']);
    expect(statusesAllowing('deliver')).toEqual(['picked_up']);
  });

  it('maps every party to the role it requires', () => {
    for (const rule of LIFECYCLE) expect(rolesAllowed(rule.action)).toContain(PARTY_ROLE[rule.party]);
  });

  it('draws every edge and terminal state in the Mermaid diagram', () => {
    const diagram = lifecycleMermaid();
    expect(diagram.startsWith('stateDiagram-v2\n  [*] --> pending')).toBe(true);
    for (const t of transitions()) expect(diagram).toContain(`  ${t.from} --> ${t.to}: ${t.action}`);
    for (const s of TERMINAL_STATUSES) expect(diagram).toContain(`  ${s} --> [*]`);
  });
});
