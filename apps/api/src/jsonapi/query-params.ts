/**
 * JSON:API query parameters → the read layer's typed request. zod (in the route declarations)
 * has already refused unknown parameters and repeated ones; this turns the accepted strings into
 * values and gives each kind of mistake its own stable code: an unknown include path is
 * `UNKNOWN_INCLUDE` naming the path, an unknown sparse field is `VALIDATION_FAILED` naming
 * `fields[TYPE]` and the field, a page size above the maximum is `PAGE_SIZE_TOO_LARGE`, a bad
 * cursor `INVALID_CURSOR` (https://jsonapi.org/format/#fetching-includes, #fetching-sparse-fieldsets).
 */
import { z } from '@hono/zod-openapi';
import {
  DEFAULT_PAGE_SIZE,
  DomainError,
  type FieldError,
  IdSchema,
  MAX_PAGE_SIZE,
  ORDER_INCLUDE_PATHS,
  ORDER_STATUSES,
  type OrderIncludePath,
  type OrderStatus,
} from '@quickeats/domain';
import { type Fieldsets, RESOURCE_FIELDS, RESOURCE_TYPES, type ResourceType } from '../reads/fieldsets';
import type { OrderFilter } from '../reads/order-query';

const list = (raw: string) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const fieldsParam = (type: ResourceType) =>
  [
    `fields[${type}]`,
    z
      .string()
      .optional()
      .openapi({
        description: `Sparse fieldset of \`${type}\` (comma-separated; empty for none): ${RESOURCE_FIELDS[type].join(', ')}`,
        example: RESOURCE_FIELDS[type].slice(0, 2).join(','),
      }),
  ] as const;

/** `fields[TYPE]` for every resource type (declared one by one so OpenAPI documents each). */
export const FieldsQuerySchema = z.object(Object.fromEntries(RESOURCE_TYPES.map(fieldsParam)));

const includeParam = (allowed: readonly string[], defaults: readonly string[]) =>
  z
    .string()
    .optional()
    .openapi({
      description: `Related resources to include (comma-separated dotted paths): ${allowed.join(', ')}. Without the parameter: ${defaults.length ? defaults.join(', ') : 'none'}; \`include=\` (empty) includes nothing.`,
      example: allowed.join(','),
    });

const pageParams = {
  'page[size]': z
    .string()
    .optional()
    .openapi({ description: `Page size, 1–${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})`, example: '50' }),
  'page[after]': z.string().optional().openapi({
    description: 'Opaque cursor: continue after this item (from `links.next` or `meta.page.cursor`)',
  }),
};

export const ORDER_DEFAULT_INCLUDE: readonly OrderIncludePath[] = ['items'];

/** Query of `GET /orders/{id}`. */
export const OrderReadQuerySchema = z.strictObject({
  include: includeParam(ORDER_INCLUDE_PATHS, ORDER_DEFAULT_INCLUDE),
  ...FieldsQuerySchema.shape,
});

/** Query of `GET /orders`. */
export const OrderListQuerySchema = z.strictObject({
  ...OrderReadQuerySchema.shape,
  'filter[status]': z
    .string()
    .optional()
    .openapi({
      description: `Any of these statuses (comma-separated): ${ORDER_STATUSES.join(', ')}`,
      example: 'paid,accepted',
    }),
  'filter[restaurant]': z
    .string()
    .optional()
    .openapi({ description: 'Any of these restaurant ids (comma-separated)' }),
  'filter[createdAfter]': z.string().optional().openapi({
    description: 'Created at or after this instant (ISO 8601 with offset)',
    example: '2026-11-01T00:00:00Z',
  }),
  'filter[createdBefore]': z.string().optional().openapi({
    description: 'Created before this instant (ISO 8601 with offset; exclusive)',
    example: '2026-11-02T00:00:00Z',
  }),
  ...pageParams,
});

export const RESTAURANT_INCLUDE = ['menuItems'] as const;

export const RestaurantReadQuerySchema = z.strictObject({
  include: includeParam(RESTAURANT_INCLUDE, RESTAURANT_INCLUDE),
  'fields[restaurants]': fieldsParam('restaurants')[1],
  'fields[menu-items]': fieldsParam('menu-items')[1],
});

export const RestaurantListQuerySchema = z.strictObject({
  include: includeParam(RESTAURANT_INCLUDE, []),
  'fields[restaurants]': fieldsParam('restaurants')[1],
  'fields[menu-items]': fieldsParam('menu-items')[1],
  ...pageParams,
});

function invalid(field: string, message: string, detail?: string): DomainError {
  return new DomainError('VALIDATION_FAILED', detail ?? `${field}: ${message}`, {
    errors: [{ field, message }],
  });
}

/** `include`: absent → `defaults`; each path must be one of `allowed` (else 400 naming it). */
export function parseInclude<P extends string>(
  raw: string | undefined,
  allowed: readonly P[],
  defaults: readonly P[],
): Set<P> {
  if (raw === undefined) return new Set(defaults);
  const paths = list(raw);
  const unknown = paths.filter((p) => !(allowed as readonly string[]).includes(p));
  if (unknown.length > 0) {
    throw new DomainError(
      'UNKNOWN_INCLUDE',
      `Unknown include path${unknown.length > 1 ? 's' : ''} ${unknown.map((p) => `"${p}"`).join(', ')}; allowed: ${allowed.join(', ')}`,
      { errors: unknown.map((p): FieldError => ({ field: 'include', message: `unknown path "${p}"` })) },
    );
  }
  return new Set(paths as P[]);
}

/** Every `fields[TYPE]` present in `query`, each field checked against the type's vocabulary. */
export function parseFields(query: Record<string, string | undefined>): Fieldsets {
  const fields: Record<string, ReadonlySet<string>> = {};
  const errors: FieldError[] = [];
  for (const type of RESOURCE_TYPES) {
    const raw = query[`fields[${type}]`];
    if (raw === undefined) continue;
    const requested = list(raw);
    const known: readonly string[] = RESOURCE_FIELDS[type];
    for (const f of requested.filter((x) => !known.includes(x)))
      errors.push({ field: `fields[${type}]`, message: `unknown field "${f}" of ${type}` });
    fields[type] = new Set(requested);
  }
  if (errors.length > 0) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `Unknown sparse field(s): ${errors.map((e) => e.message).join('; ')}`,
      { errors },
    );
  }
  return fields as Fieldsets;
}

/** `page[size]` as a number (range checked by the read layer, which owns the maximum). */
export function parsePageSize(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{1,6}$/.test(raw)) throw invalid('page[size]', 'must be a positive integer');
  return Number(raw);
}

function instant(raw: string | undefined, field: string): string | undefined {
  if (raw === undefined) return undefined;
  if (!z.iso.datetime({ offset: true }).safeParse(raw).success)
    throw invalid(field, 'must be an ISO 8601 date-time with offset, e.g. 2026-11-01T00:00:00Z');
  return raw;
}

export function parseOrderFilter(query: z.infer<typeof OrderListQuerySchema>): OrderFilter {
  const filter: OrderFilter = {};
  const status = query['filter[status]'];
  if (status !== undefined) {
    const values = list(status);
    const bad = values.filter((s) => !(ORDER_STATUSES as readonly string[]).includes(s));
    if (values.length === 0 || bad.length > 0)
      throw invalid('filter[status]', `must be a comma-separated list of ${ORDER_STATUSES.join(', ')}`);
    filter.status = values as OrderStatus[];
  }
  const restaurant = query['filter[restaurant]'];
  if (restaurant !== undefined) {
    const ids = list(restaurant);
    if (ids.length === 0 || ids.length > 50 || ids.some((id) => !IdSchema.safeParse(id).success))
      throw invalid('filter[restaurant]', 'must be a comma-separated list of up to 50 restaurant ids');
    filter.restaurantIds = ids;
  }
  filter.createdAfter = instant(query['filter[createdAfter]'], 'filter[createdAfter]');
  filter.createdBefore = instant(query['filter[createdBefore]'], 'filter[createdBefore]');
  return filter;
}
