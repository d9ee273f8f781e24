import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from './errors';
import { allowedActions, canView, type Decision, decide, type OrderSnapshot } from './order-decision';
import {
  type Effect,
  isTerminal,
  LIFECYCLE,
  ORDER_ACTIONS,
  ORDER_STATUSES,
  type OrderAction,
  type OrderStatus,
  type Party,
  TERMINAL_STATUSES,
  transitions,
} from './order-lifecycle';
import type { Actor, Role } from './roles';

// One order, one restaurant, and everyone who could try to act on it.
const CUSTOMER: Actor = { userId: 'customer-1', role: 'customer' };
const OTHER_CUSTOMER: Actor = { userId: 'customer-2', role: 'customer' };
const OWNER: Actor = { userId: 'owner-1', role: 'restaurant' };
const OTHER_OWNER: Actor = { userId: 'owner-2', role: 'restaurant' };
const RIDER: Actor = { userId: 'rider-1', role: 'rider' };
const OTHER_RIDER: Actor = { userId: 'rider-2', role: 'rider' };
const ADMIN: Actor = { userId: 'admin-1', role: 'admin' };

/** An order in `status` as the real lifecycle would leave it: a rider only once picked up. */
function order(status: OrderStatus, overrides: Partial<OrderSnapshot> = {}): OrderSnapshot {
  return Object.freeze({
    status,
    version: 3,
    customerId: CUSTOMER.userId,
    restaurantOwnerId: OWNER.userId,
    riderId: status === 'picked_up' || status === 'delivered' ? RIDER.userId : null,
    ...overrides,
  });
}

function expectOk(d: Decision) {
  if (!d.ok) throw new Error(`expected a transition, got ${d.code}: ${d.detail}`);
  return d;
}

function expectRefusal(d: Decision) {
  if (d.ok) throw new Error(`expected a refusal, got ${d.from} -${d.action}-> ${d.to}`);
  return d;
}

/**
 * The relation between an actor and an order, restated from SPEC "Order lifecycle" rather than
 * imported, so the properties below check the implementation against the contract.
 */
function standsAs(party: Party, actor: Actor, s: OrderSnapshot): boolean {
  switch (party) {
    case 'order-customer':
      return actor.role === 'customer' && actor.userId === s.customerId;
    case 'restaurant-owner':
      return actor.role === 'restaurant' && actor.userId === s.restaurantOwnerId;
    case 'admin':
      return actor.role === 'admin';
    case 'any-rider':
      return actor.role === 'rider';
    case 'order-rider':
      return actor.role === 'rider' && actor.userId === s.riderId;
  }
}

// --- arbitraries -------------------------------------------------------------------------------

type ActorKind =
  | 'order-customer'
  | 'other-customer'
  | 'restaurant-owner'
  | 'other-owner'
  | 'assigned-rider'
  | 'other-rider'
  | 'admin';

const ACTOR_KINDS: readonly ActorKind[] = [
  'order-customer',
  'other-customer',
  'restaurant-owner',
  'other-owner',
  'assigned-rider',
  'other-rider',
  'admin',
];

/** Actors are chosen by their relation to the order *as it is now*, since pick-up changes who "the rider" is. */
function resolveActor(kind: ActorKind, s: OrderSnapshot): Actor {
  switch (kind) {
    case 'order-customer':
      return { userId: s.customerId, role: 'customer' };
    case 'other-customer':
      return OTHER_CUSTOMER;
    case 'restaurant-owner':
      return { userId: s.restaurantOwnerId, role: 'restaurant' };
    case 'other-owner':
      return OTHER_OWNER;
    case 'assigned-rider':
      // Before pick-up there is no assigned rider; this one is about to become it.
      return { userId: s.riderId ?? RIDER.userId, role: 'rider' };
    case 'other-rider':
      return { userId: s.riderId === OTHER_RIDER.userId ? RIDER.userId : OTHER_RIDER.userId, role: 'rider' };
    case 'admin':
      return ADMIN;
  }
}

const statusArb = fc.constantFrom(...ORDER_STATUSES);
const actionArb = fc.constantFrom(...ORDER_ACTIONS);
const actorKindArb = fc.constantFrom(...ACTOR_KINDS);
const actorArb = fc.constantFrom(CUSTOMER, OTHER_CUSTOMER, OWNER, OTHER_OWNER, RIDER, OTHER_RIDER, ADMIN);

/** Any snapshot, including ones the lifecycle would never produce (the decision must still be sound). */
const snapshotArb: fc.Arbitrary<OrderSnapshot> = fc.record({
  status: statusArb,
  version: fc.integer({ min: 1, max: 1_000_000 }),
  customerId: fc.constant(CUSTOMER.userId),
  restaurantOwnerId: fc.constant(OWNER.userId),
  riderId: fc.constantFrom(null, RIDER.userId, OTHER_RIDER.userId),
});

/** SPEC: roles that may perform an action in at least one state (any other role is a 403). */
const ROLES_FOR: Record<OrderAction, Role[]> = {
  pay: ['customer'],
  accept: ['restaurant'],
  reject: ['restaurant'],
  'mark-ready': ['restaurant'],
  'pick-up': ['rider'],
  deliver: ['rider'],
  cancel: ['customer', 'restaurant', 'admin'],
};

const ALL_PAIRS = ORDER_ACTIONS.flatMap((action) => ACTOR_KINDS.map((kind) => [action, kind] as const));

/**
 * A step is either a blind (action, actor) pair or "the n-th move that is allowed right now".
 * Blind pairs alone are refused ~95 % of the time, so walks would rarely get past `paid`;
 * guided steps carry them into every state while the checks stay the same.
 */
type Step = { action: OrderAction; kind: ActorKind } | { guided: number };
const stepsArb: fc.Arbitrary<Step[]> = fc.array(
  fc.oneof(
    { arbitrary: fc.record({ action: actionArb, kind: actorKindArb }), weight: 1 },
    { arbitrary: fc.record({ guided: fc.nat() }), weight: 2 },
  ),
  { minLength: 1, maxLength: 30, size: 'medium' },
);

function pick(step: Step, s: OrderSnapshot): readonly [OrderAction, ActorKind] {
  if (!('guided' in step)) return [step.action, step.kind];
  const open = ALL_PAIRS.filter(([action, kind]) => decide(s, action, resolveActor(kind, s)).ok);
  const pool = open.length > 0 ? open : ALL_PAIRS;
  return pool[step.guided % pool.length]!;
}

const edgeKeys = new Set(transitions().map((t) => `${t.from}|${t.action}|${t.to}`));

// --- properties --------------------------------------------------------------------------------

describe('decide — properties', () => {
  it('never leaves the LIFECYCLE table, whatever sequence of actions and actors', () => {
    fc.assert(
      fc.property(stepsArb, (steps) => {
        let s: OrderSnapshot = order('pending', { version: 1 });
        for (const step of steps) {
          const [action, kind] = pick(step, s);
          const actor = resolveActor(kind, s);
          const d = decide(s, action, actor);
          if (!d.ok) {
            expect(d.currentStatus).toBe(s.status);
            expect(d.currentVersion).toBe(s.version);
            continue;
          }
          expect(d.from).toBe(s.status);
          expect(d.action).toBe(action);
          expect(edgeKeys.has(`${d.from}|${d.action}|${d.to}`)).toBe(true);
          const rules = LIFECYCLE.filter(
            (r) => r.action === action && r.from.includes(s.status) && standsAs(r.party, actor, s),
          );
          expect(rules.map((r) => r.to)).toContain(d.to);
          expect(rules.map((r) => r.effects)).toContainEqual(d.effects);
          s = { ...s, status: d.to, version: d.version, riderId: d.riderId };
          expect(ORDER_STATUSES).toContain(s.status);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('raises the version by exactly 1 per accepted transition and never on a refusal', () => {
    fc.assert(
      fc.property(stepsArb, (steps) => {
        let s: OrderSnapshot = order('pending', { version: 1 });
        let accepted = 0;
        for (const step of steps) {
          const [action, kind] = pick(step, s);
          const before = s.version;
          // Frozen so that a decision mutating the snapshot throws instead of passing silently.
          const d = decide(Object.freeze({ ...s }), action, resolveActor(kind, s));
          if (d.ok) {
            expect(d.version).toBe(before + 1);
            accepted++;
            s = { ...s, status: d.to, version: d.version, riderId: d.riderId };
          } else {
            expect(d.currentVersion).toBe(before);
          }
        }
        expect(s.version).toBe(1 + accepted);
      }),
      { numRuns: 1000 },
    );
  });

  it('changes the rider only on pick-up, to the rider who picked it up', () => {
    fc.assert(
      fc.property(stepsArb, (steps) => {
        let s: OrderSnapshot = order('pending', { version: 1 });
        for (const step of steps) {
          const [action, kind] = pick(step, s);
          const actor = resolveActor(kind, s);
          const d = decide(s, action, actor);
          if (!d.ok) continue;
          if (action === 'pick-up') {
            expect(d.effects).toContain('assign-rider');
            expect(d.riderId).toBe(actor.userId);
          } else {
            expect(d.riderId).toBe(s.riderId);
          }
          s = { ...s, status: d.to, version: d.version, riderId: d.riderId };
        }
      }),
    );
  });

  it('walks every edge of the lifecycle, so the properties above exercise the whole table', () => {
    const walked = new Set<string>();
    fc.assert(
      fc.property(stepsArb, (steps) => {
        let s: OrderSnapshot = order('pending', { version: 1 });
        for (const step of steps) {
          const [action, kind] = pick(step, s);
          const d = decide(s, action, resolveActor(kind, s));
          if (!d.ok) continue;
          walked.add(`${d.from}|${d.action}|${d.to}`);
          s = { ...s, status: d.to, version: d.version, riderId: d.riderId };
        }
      }),
      // ~1 walk in 60 delivers; 2000 walks make missing an edge by chance vanishingly unlikely.
      { numRuns: 2000 },
    );
    expect([...walked].sort()).toEqual([...edgeKeys].sort());
  });

  it('refuses every action by every actor on a terminal order', () => {
    fc.assert(
      fc.property(
        snapshotArb,
        fc.constantFrom(...TERMINAL_STATUSES),
        actionArb,
        actorArb,
        fc.option(fc.integer({ min: 1, max: 1_000_000 }), { nil: undefined }),
        (base, status, action, actor, expectedVersion) => {
          const s = { ...base, status };
          const d = expectRefusal(decide(s, action, actor, expectedVersion));
          expect(d.allowedActions).toEqual([]);
          expect(allowedActions(s, actor)).toEqual([]);
        },
      ),
    );
  });

  it('lists in allowedActions exactly the actions decide would accept from that actor (none on NOT_FOUND)', () => {
    fc.assert(
      fc.property(
        snapshotArb,
        actionArb,
        actorArb,
        fc.option(fc.integer({ min: 1, max: 1_000_000 }), { nil: undefined }),
        (s, action, actor, expectedVersion) => {
          const d = decide(s, action, actor, expectedVersion);
          if (d.ok) return;
          const accepted = ORDER_ACTIONS.filter((a) => decide(s, a, actor).ok);
          if (d.code === 'NOT_FOUND') {
            expect(d.allowedActions).toEqual([]);
            // NOT_FOUND must be truthful: there is nothing this actor could do to the order.
            expect(accepted).toEqual([]);
          } else {
            expect(d.allowedActions).toEqual(accepted);
          }
          // Only a 412 can refuse an action that is otherwise allowed (the client just needs a fresh copy).
          if (d.code !== 'PRECONDITION_FAILED') expect(d.allowedActions).not.toContain(action);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('answers a stale expectedVersion with PRECONDITION_FAILED and never a transition', () => {
    fc.assert(
      fc.property(
        snapshotArb,
        actionArb,
        actorArb,
        fc.integer({ min: 1, max: 1_000_000 }),
        (s, action, actor, expectedVersion) => {
          fc.pre(expectedVersion !== s.version);
          const d = expectRefusal(decide(s, action, actor, expectedVersion));
          // Visibility (404) and role (403) are judged first, as HTTP would; past those it is always 412.
          if (canView(s, actor) && ROLES_FOR[action].includes(actor.role))
            expect(d.code).toBe('PRECONDITION_FAILED');
          else expect(['NOT_FOUND', 'FORBIDDEN']).toContain(d.code);
          expect(d.currentVersion).toBe(s.version);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('decides the same with the current expectedVersion as with none', () => {
    fc.assert(
      fc.property(snapshotArb, actionArb, actorArb, (s, action, actor) => {
        expect(decide(s, action, actor, s.version)).toEqual(decide(s, action, actor));
      }),
    );
  });
});

// --- SPEC's lifecycle table, row by row ---------------------------------------------------------

interface SpecRow {
  action: OrderAction;
  who: Actor;
  from: OrderStatus;
  to: OrderStatus;
  effects: Effect[];
}

/** SPEC "Order lifecycle", one example per (row, from-state). */
const SPEC_ROWS: SpecRow[] = [
  { action: 'pay', who: CUSTOMER, from: 'pending', to: 'paid', effects: ['charge'] },
  { action: 'accept', who: OWNER, from: 'paid', to: 'accepted', effects: [] },
  { action: 'reject', who: OWNER, from: 'paid', to: 'rejected', effects: ['refund'] },
  { action: 'mark-ready', who: OWNER, from: 'accepted', to: 'ready', effects: [] },
  { action: 'pick-up', who: OTHER_RIDER, from: 'ready', to: 'picked_up', effects: ['assign-rider'] },
  { action: 'deliver', who: RIDER, from: 'picked_up', to: 'delivered', effects: [] },
  { action: 'cancel', who: CUSTOMER, from: 'pending', to: 'cancelled', effects: [] },
  { action: 'cancel', who: CUSTOMER, from: 'paid', to: 'cancelled', effects: ['refund'] },
  { action: 'cancel', who: OWNER, from: 'paid', to: 'cancelled', effects: ['refund'] },
  { action: 'cancel', who: OWNER, from: 'accepted', to: 'cancelled', effects: ['refund'] },
  { action: 'cancel', who: OWNER, from: 'ready', to: 'cancelled', effects: ['refund'] },
  { action: 'cancel', who: ADMIN, from: 'paid', to: 'cancelled', effects: ['refund'] },
  { action: 'cancel', who: ADMIN, from: 'accepted', to: 'cancelled', effects: ['refund'] },
  { action: 'cancel', who: ADMIN, from: 'ready', to: 'cancelled', effects: ['refund'] },
];

const ALL_ACTORS = [CUSTOMER, OTHER_CUSTOMER, OWNER, OTHER_OWNER, RIDER, OTHER_RIDER, ADMIN];

describe('decide — SPEC lifecycle table', () => {
  it.each(SPEC_ROWS)('lets $who.role $who.userId $action from $from to $to with effects $effects', (row) => {
    const s = order(row.from);
    const d = expectOk(decide(s, row.action, row.who, s.version));
    expect(d).toEqual({
      ok: true,
      action: row.action,
      from: row.from,
      to: row.to,
      version: s.version + 1,
      effects: row.effects,
      riderId: row.action === 'pick-up' ? row.who.userId : s.riderId,
    });
  });

  it('refunds a customer cancel only when the order was paid', () => {
    expect(expectOk(decide(order('pending'), 'cancel', CUSTOMER)).effects).not.toContain('refund');
    expect(expectOk(decide(order('paid'), 'cancel', CUSTOMER)).effects).toContain('refund');
  });

  it('accepts exactly the (status, action, actor) combinations of the SPEC table and nothing else', () => {
    for (const status of ORDER_STATUSES) {
      for (const action of ORDER_ACTIONS) {
        for (const actor of ALL_ACTORS) {
          const s = order(status);
          const specAllows = SPEC_ROWS.some(
            (r) =>
              r.from === status &&
              r.action === action &&
              // pick-up is open to any rider; every other row names one party of this order.
              (r.action === 'pick-up' ? actor.role === 'rider' : r.who === actor),
          );
          expect({ status, action, actor: actor.userId, ok: decide(s, action, actor).ok }).toEqual({
            status,
            action,
            actor: actor.userId,
            ok: specAllows,
          });
        }
      }
    }
  });

  it('keeps terminal states terminal in the table itself', () => {
    for (const t of transitions()) expect(isTerminal(t.from)).toBe(false);
    expect(TERMINAL_STATUSES).toEqual(['delivered', 'cancelled', 'rejected']);
  });
});

describe('decide — refusals', () => {
  it.each([
    ['customer', 'accept', CUSTOMER],
    ['customer', 'reject', CUSTOMER],
    ['customer', 'mark-ready', CUSTOMER],
    ['customer', 'pick-up', CUSTOMER],
    ['customer', 'deliver', CUSTOMER],
    ['admin', 'pay', ADMIN],
    ['admin', 'accept', ADMIN],
    ['admin', 'deliver', ADMIN],
    ['restaurant', 'pay', OWNER],
    ['restaurant', 'pick-up', OWNER],
    ['rider', 'pay', RIDER],
    ['rider', 'cancel', RIDER],
  ] as const)('forbids (403) a %s to %s, in every state it can see', (_role, action, actor) => {
    for (const status of ORDER_STATUSES) {
      const s = order(status);
      if (!canView(s, actor)) continue;
      const d = expectRefusal(decide(s, action, actor));
      expect(d.code).toBe('FORBIDDEN');
      expect(ERROR_CODES[d.code].status).toBe(403);
      expect(d.allowedActions).toEqual(allowedActions(s, actor));
    }
  });

  it('forbids exactly the roles SPEC never allows, for every action', () => {
    for (const action of ORDER_ACTIONS) {
      for (const actor of [CUSTOMER, OWNER, ADMIN]) {
        const d = decide(order('paid'), action, actor);
        const forbidden = !d.ok && d.code === 'FORBIDDEN';
        expect({ action, role: actor.role, forbidden }).toEqual({
          action,
          role: actor.role,
          forbidden: !ROLES_FOR[action].includes(actor.role),
        });
      }
      const ready = decide(order('ready'), action, OTHER_RIDER);
      expect(!ready.ok && ready.code === 'FORBIDDEN').toBe(!ROLES_FOR[action].includes('rider'));
    }
  });

  it.each([
    ['another customer', OTHER_CUSTOMER, 'paid', 'cancel'],
    ['another customer, even for an action their role may never take', OTHER_CUSTOMER, 'paid', 'accept'],
    ["another restaurant's owner", OTHER_OWNER, 'paid', 'accept'],
    ["another restaurant's owner", OTHER_OWNER, 'ready', 'cancel'],
    ['a rider on a paid order', RIDER, 'paid', 'pick-up'],
    ['a rider on an accepted order', OTHER_RIDER, 'accepted', 'pick-up'],
    ["a rider on another rider's picked-up order", OTHER_RIDER, 'picked_up', 'deliver'],
    ["a rider on another rider's delivered order", OTHER_RIDER, 'delivered', 'deliver'],
  ] as const)('hides the order (404) from %s', (_who, actor, status, action) => {
    const d = expectRefusal(decide(order(status), action, actor, 3));
    expect(d.code).toBe('NOT_FOUND');
    expect(ERROR_CODES[d.code].status).toBe(404);
    expect(d.allowedActions).toEqual([]);
  });

  it('shows a ready order to any rider, and a picked-up one to its own rider', () => {
    expect(canView(order('ready'), OTHER_RIDER)).toBe(true);
    expect(canView(order('picked_up'), RIDER)).toBe(true);
    expect(canView(order('picked_up'), OTHER_RIDER)).toBe(false);
  });

  it.each([
    ['customer pays twice', order('paid'), 'pay', CUSTOMER, ['cancel']],
    ['customer cancels once accepted', order('accepted'), 'cancel', CUSTOMER, []],
    ['owner accepts an unpaid order', order('pending'), 'accept', OWNER, []],
    ['owner accepts twice', order('accepted'), 'accept', OWNER, ['mark-ready', 'cancel']],
    ['owner rejects a ready order', order('ready'), 'reject', OWNER, ['cancel']],
    ['owner cancels an unpaid order', order('pending'), 'cancel', OWNER, []],
    ['owner marks a paid order ready', order('paid'), 'mark-ready', OWNER, ['accept', 'reject', 'cancel']],
    ['rider delivers before picking up', order('ready'), 'deliver', RIDER, ['pick-up']],
    ['rider picks up twice', order('picked_up'), 'pick-up', RIDER, ['deliver']],
    ['admin cancels a delivered order', order('delivered'), 'cancel', ADMIN, []],
    ['admin cancels an unpaid order', order('pending'), 'cancel', ADMIN, []],
  ] as const)(
    'refuses (409) when %s, listing what is allowed instead',
    (_case, s, action, actor, allowed) => {
      const d = expectRefusal(decide(s, action, actor, s.version));
      expect(d.code).toBe('INVALID_TRANSITION');
      expect(ERROR_CODES[d.code].status).toBe(409);
      expect(d.currentStatus).toBe(s.status);
      expect(d.currentVersion).toBe(s.version);
      expect(d.allowedActions).toEqual(allowed);
    },
  );

  it('fails the precondition (412) for a stale version before judging the transition', () => {
    // accept on `accepted` would be a 409; the stale version must win, as If-Match is checked first.
    for (const status of ['paid', 'accepted'] as const) {
      const s = order(status, { version: 5 });
      const d = expectRefusal(decide(s, 'accept', OWNER, 4));
      expect(d.code).toBe('PRECONDITION_FAILED');
      expect(ERROR_CODES[d.code].status).toBe(412);
      expect(d.currentVersion).toBe(5);
    }
  });
});
