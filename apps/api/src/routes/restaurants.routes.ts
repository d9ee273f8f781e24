/**
 * v2 restaurant reads: `GET /restaurants` (cursor pages by name) and `GET /restaurants/{id}` with
 * its menu. Every signed-in role may browse the catalogue. JSON:API documents, one SQL statement each.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { DomainError, IdSchema } from '@quickeats/domain';
import { requireActor } from '../auth/require-actor';
import type { AppDeps } from '../context';
import { createOpenApiRouter } from '../http/openapi';
import { problem } from '../http/responses';
import { pageLinks, restaurantDocument, restaurantListDocument } from '../jsonapi/compound-document';
import { JSONAPI_MEDIA_TYPE } from '../jsonapi/media-type';
import { jsonApiNegotiation } from '../jsonapi/negotiation';
import {
  parseFields,
  parseInclude,
  parsePageSize,
  RESTAURANT_INCLUDE,
  RestaurantListQuerySchema,
  RestaurantReadQuerySchema,
} from '../jsonapi/query-params';
import { RestaurantDocumentSchema, RestaurantListDocumentSchema } from '../jsonapi/schemas';
import { listRestaurants, readRestaurant } from '../reads/restaurant-reads';

const security = [{ bearerAuth: [] }];
const jsonApi = <T extends z.ZodType>(schema: T) => ({ [JSONAPI_MEDIA_TYPE]: { schema } });

export function restaurantRoutes(deps: AppDeps) {
  const app = createOpenApiRouter();
  const middleware = [requireActor(deps), jsonApiNegotiation];

  const listRoute = createRoute({
    method: 'get',
    path: '/restaurants',
    tags: ['restaurants'],
    summary: 'List restaurants (by name, cursor pages)',
    security,
    middleware,
    request: { query: RestaurantListQuerySchema },
    responses: {
      200: { description: 'A page of restaurants', content: jsonApi(RestaurantListDocumentSchema) },
      400: problem('Invalid include, fields, page size or cursor'),
      401: problem('Not authenticated'),
      406: problem('Accept names no representation this API sends'),
    },
  });

  const readRoute = createRoute({
    method: 'get',
    path: '/restaurants/{id}',
    tags: ['restaurants'],
    summary: 'Read one restaurant with its menu',
    description: 'The menu (`menuItems`) is included unless `include` says otherwise.',
    security,
    middleware,
    request: { params: z.object({ id: IdSchema }), query: RestaurantReadQuerySchema },
    responses: {
      200: { description: 'The restaurant and its menu', content: jsonApi(RestaurantDocumentSchema) },
      400: problem('Malformed id or invalid include/fields'),
      401: problem('Not authenticated'),
      404: problem('No such restaurant'),
      406: problem('Accept names no representation this API sends'),
    },
  });

  app.openapi(listRoute, async (c) => {
    const query = c.req.valid('query');
    const fields = parseFields(query);
    const result = await listRestaurants(c.get('deps').db, {
      include: parseInclude(query.include, RESTAURANT_INCLUDE, []),
      fields,
      size: parsePageSize(query['page[size]']),
      after: query['page[after]'],
    });
    return c.json(restaurantListDocument(result, fields, pageLinks(c.req.url, result.nextCursor)), 200);
  });

  app.openapi(readRoute, async (c) => {
    const query = c.req.valid('query');
    const fields = parseFields(query);
    const result = await readRestaurant(c.get('deps').db, c.req.valid('param').id, {
      include: parseInclude(query.include, RESTAURANT_INCLUDE, RESTAURANT_INCLUDE),
      fields,
    });
    if (!result) throw new DomainError('NOT_FOUND', 'Restaurant not found');
    return c.json(restaurantDocument(result, fields, pageLinks(c.req.url, null).self), 200);
  });

  return app;
}
