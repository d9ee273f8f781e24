/**
 * v2 order reads: `GET /orders` (a cursor page) and `GET /orders/{id}`, as JSON:API compound
 * documents with `include`, sparse `fields[TYPE]` and filters — each request ONE SQL statement.
 * Handlers only translate: query parameters → read request, result → document (+ ETag).
 *
 * Auth and content negotiation are route-level middleware here (not `use('/orders/*')`), so they
 * never run twice for the write routes that share the `/orders` prefix; this router is mounted
 * before the write router, whose `/orders/*` middleware therefore never sees these requests.
 */
import { createRoute, z } from '@hono/zod-openapi';
import {
  DomainError,
  etagToVersion,
  IdSchema,
  ifNoneMatchHits,
  ORDER_INCLUDE_PATHS,
  parseEntityTags,
  versionToETag,
} from '@quickeats/domain';
import { requireActor } from '../auth/require-actor';
import type { AppDeps } from '../context';
import { createOpenApiRouter } from '../http/openapi';
import { problem } from '../http/responses';
import { orderListDocument, orderReadDocument, pageLinks } from '../jsonapi/compound-document';
import { JSONAPI_MEDIA_TYPE } from '../jsonapi/media-type';
import { jsonApiNegotiation } from '../jsonapi/negotiation';
import {
  ORDER_DEFAULT_INCLUDE,
  OrderListQuerySchema,
  OrderReadQuerySchema,
  parseFields,
  parseInclude,
  parseOrderFilter,
  parsePageSize,
} from '../jsonapi/query-params';
import { OrderDocumentSchema, OrderListDocumentSchema } from '../jsonapi/schemas';
import { listOrders, readOrder } from '../reads/order-reads';
import { replicaRead } from '../reads/replica-reads';

/** The newest of our versions an If-None-Match names (weak or strong), or null. */
function newestHeldVersion(header: string): number | null {
  const tags = parseEntityTags(header);
  if (tags === null || tags === 'any') return null;
  const versions = tags.map((t) => etagToVersion(t.opaque)).filter((v): v is number => v !== null);
  return versions.length ? Math.max(...versions) : null;
}

const security = [{ bearerAuth: [] }];
const jsonApi = <T extends z.ZodType>(schema: T) => ({ [JSONAPI_MEDIA_TYPE]: { schema } });

const VISIBILITY =
  'Customers see their own orders, restaurant owners their restaurants’ orders, riders the orders they ' +
  'carry and every order ready for pick-up, admins all.';

export function orderReadRoutes(deps: AppDeps) {
  const app = createOpenApiRouter();
  const middleware = [requireActor(deps), jsonApiNegotiation];

  const listRoute = createRoute({
    method: 'get',
    path: '/orders',
    tags: ['orders'],
    summary: 'List orders (cursor pages, compound documents)',
    description:
      `${VISIBILITY} Newest first (created_at, id), keyset-paginated per the JSON:API cursor-pagination ` +
      'profile. The page and every included resource come from one SQL statement, whatever the page size.',
    security,
    middleware,
    request: { query: OrderListQuerySchema },
    responses: {
      200: { description: 'A page of orders', content: jsonApi(OrderListDocumentSchema) },
      400: problem(
        'Invalid parameter: unknown include path (UNKNOWN_INCLUDE), page size above 100 (PAGE_SIZE_TOO_LARGE, with meta.page.maxSize), bad cursor (INVALID_CURSOR), unknown field or filter value (VALIDATION_FAILED)',
      ),
      401: problem('Not authenticated'),
      406: problem('Accept names no representation this API sends'),
    },
  });

  const readRoute = createRoute({
    method: 'get',
    path: '/orders/{id}',
    tags: ['orders'],
    summary: 'Read one order',
    description:
      `${VISIBILITY} An order the caller may not see is a 404, like one that does not exist. ` +
      'The ETag is the order version (the validator for If-Match on actions and If-None-Match here); ' +
      'it validates the order itself, not included resources of other types.',
    security,
    middleware,
    request: {
      params: z.object({ id: IdSchema }),
      query: OrderReadQuerySchema,
      headers: z.object({
        'if-none-match': z
          .string()
          .optional()
          .openapi({ description: 'ETag the client holds; 304 when still current' }),
      }),
    },
    responses: {
      200: {
        description: 'The order',
        headers: z.object({
          ETag: z.string().openapi({ description: 'Strong validator of the order version, e.g. "v3"' }),
        }),
        content: jsonApi(OrderDocumentSchema),
      },
      304: { description: 'The client holds the current version' },
      400: problem('Malformed id or invalid include/fields'),
      401: problem('Not authenticated'),
      404: problem('No such order visible to the caller'),
      406: problem('Accept names no representation this API sends'),
    },
  });

  app.openapi(listRoute, async (c) => {
    const query = c.req.valid('query');
    const fields = parseFields(query);
    const request = {
      include: parseInclude(query.include, ORDER_INCLUDE_PATHS, ORDER_DEFAULT_INCLUDE),
      fields,
      filter: parseOrderFilter(query),
      size: parsePageSize(query['page[size]']),
      after: query['page[after]'],
    };
    // A replica may serve the page (a list is as of a moment; the replica's moment may be earlier).
    const result = await replicaRead(c.get('deps'), (db) => listOrders(db, c.var.actor, request));
    return c.json(orderListDocument(result, fields, pageLinks(c.req.url, result.nextCursor)), 200);
  });

  app.openapi(readRoute, async (c) => {
    const query = c.req.valid('query');
    const fields = parseFields(query);
    const { id } = c.req.valid('param');
    const request = {
      include: parseInclude(query.include, ORDER_INCLUDE_PATHS, ORDER_DEFAULT_INCLUDE),
      fields,
    };
    const ifNoneMatch = c.req.header('if-none-match');
    // Read-your-writes: a client holding version N (its If-None-Match) never gets an older one, and an
    // order a replica does not have yet (just created) is looked up on the primary.
    const held = ifNoneMatch ? newestHeldVersion(ifNoneMatch) : null;
    const result = await replicaRead(
      c.get('deps'),
      (db) => readOrder(db, c.var.actor, id, request),
      (found) => {
        const version = found?.orders[0]?.version;
        return version !== undefined && (held === null || version >= held);
      },
    );
    const version = result?.orders[0]?.version;
    if (!result || version === undefined) throw new DomainError('NOT_FOUND', 'Order not found');
    c.header('ETag', versionToETag(version));
    if (ifNoneMatch && ifNoneMatchHits(ifNoneMatch, version)) return c.body(null, 304);
    return c.json(orderReadDocument(result, fields, pageLinks(c.req.url, null).self), 200);
  });

  return app;
}
