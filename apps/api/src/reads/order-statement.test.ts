/**
 * `orderStatement` (compiled once per shape, values bound) is `orderQuery` (built on every call):
 * for any spec, the same SQL text and the same parameters — also for the second and later specs of
 * a shape, whose values must be their own and never those of the spec the shape was compiled for.
 */
import { ORDER_INCLUDE_PATHS, ORDER_STATUSES, type Role } from '@quickeats/domain';
import { PgDialect } from 'drizzle-orm/pg-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RESOURCE_FIELDS, type ResourceType } from './fieldsets';
import { type OrderQuerySpec, orderQuery, orderStatement } from './order-query';

const dialect = new PgDialect();
const ROLES: Role[] = ['customer', 'restaurant', 'rider', 'admin'];
const STATUSES = [...ORDER_STATUSES];
const TYPES = Object.keys(RESOURCE_FIELDS) as ResourceType[];

const spec: fc.Arbitrary<OrderQuerySpec> = fc.record({
  actor: fc.record({ role: fc.constantFrom(...ROLES), userId: fc.uuid() }),
  include: fc.subarray([...ORDER_INCLUDE_PATHS]).map((paths) => new Set(paths)),
  fields: fc
    .subarray(TYPES, { maxLength: 3 })
    .chain((types) =>
      fc.tuple(
        ...types.map((t) => fc.subarray([...RESOURCE_FIELDS[t]] as string[]).map((f) => [t, new Set(f)])),
      ),
    )
    .map((entries) => Object.fromEntries(entries) as OrderQuerySpec['fields']),
  filter: fc.record(
    {
      status: fc.subarray(STATUSES, { minLength: 1 }),
      restaurantIds: fc.array(fc.uuid(), { minLength: 1, maxLength: 3 }),
      createdAfter: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      createdBefore: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    },
    { requiredKeys: [] },
  ),
  size: fc.integer({ min: 1, max: 100 }),
  after: fc.option(
    fc.tuple(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.uuid(),
    ),
    {
      nil: undefined,
    },
  ),
  orderId: fc.option(fc.uuid(), { nil: undefined }),
}) as fc.Arbitrary<OrderQuerySpec>;

describe('orderStatement', () => {
  it('is orderQuery: the same text and parameters for every spec, values never carried over between specs of a shape', () => {
    fc.assert(
      fc.property(spec, fc.uuid(), fc.uuid(), (s, otherUser, otherOrder) => {
        // Two specs of one shape, different values: each compiles as orderQuery would.
        const sibling: OrderQuerySpec = {
          ...s,
          actor: { ...s.actor, userId: otherUser },
          orderId: s.orderId === undefined ? undefined : otherOrder,
        };
        for (const one of [s, sibling, s]) {
          expect(orderStatement(one)).toEqual(dialect.sqlToQuery(orderQuery(one)));
        }
      }),
      { numRuns: 300 },
    );
  });
});
