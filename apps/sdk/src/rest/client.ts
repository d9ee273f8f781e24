/**
 * The REST client: openapi-fetch over the types generated from `/api/v2/openapi.json`, plus what
 * every partner integration would otherwise write by hand — an Idempotency-Key per operation,
 * safe retries, If-Match from the version last received, JSON:API flattening and typed errors.
 */
import { etagToVersion, versionToETag } from '@quickeats/domain';
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { actionMethods } from '../actions';
import { errorFromProblem } from '../errors';
import { eventsApi } from '../events';
import { newIdempotencyKey } from '../idempotency';
import { type ClientOptions, resolveToken, type TokenSource, trimBaseUrl } from '../options';
import type { CreateOrderInput, OrderAction } from '../public/types.generated';
import { createResilientFetch } from '../resilient-fetch';
import type {
  ActionOptions,
  CallOptions,
  IdempotentCallOptions,
  ListOrdersQuery,
  ListRestaurantsQuery,
  Order,
  OrderRef,
  Page,
  QuickEatsClient,
  RestaurantWithMenu,
} from '../types';
import { createVersionTracker, resolveOrderRef } from '../versions';
import { restEventSubscriber } from './events';
import {
  type Document,
  indexIncluded,
  menuItemFromResource,
  nextCursor,
  orderFromResource,
  type Resource,
  restaurantFromResource,
} from './jsonapi';
import type { paths } from './openapi.generated';

/**
 * The media types the API speaks: JSON:API documents (orders, restaurants), plain JSON (auth, me) and
 * RFC 9457 problems. openapi-fetch types `data`/`error` from the response content of these.
 */
export type ApiMediaType = 'application/vnd.api+json' | 'application/json' | 'application/problem+json';
export type RestApi = Client<paths, ApiMediaType>;

export interface RestClient extends QuickEatsClient {
  readonly transport: 'rest';
  /**
   * The typed openapi-fetch client underneath (auth, retries and timeouts applied). For routes the
   * SDK does not wrap; you then send `If-Match` and `Idempotency-Key` yourself.
   */
  readonly api: RestApi;
}

const JSONAPI_ACCEPT = 'application/vnd.api+json, application/problem+json;q=0.9';

/** Throws the typed error for a non-2xx answer, else returns the parsed body. */
function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (!result.response.ok || result.data === undefined) {
    throw errorFromProblem(result.response.status, result.error, result.response.headers);
  }
  return result.data;
}

/**
 * Create a REST client for the v2 API.
 *
 * @example
 * const qe = createRestClient({ baseUrl: 'https://api.quickeats.example' });
 * await qe.login('customer@quickeats.test', 'quickeats-demo');
 * const order = await qe.orders.create({ restaurantId, items: [{ menuItemId, quantity: 2 }] });
 * const paid = await qe.orders.pay(order); // Idempotency-Key + If-Match: "v1", retried safely
 */
export function createRestClient(options: ClientOptions): RestClient {
  let token: TokenSource | undefined = options.token;
  const versions = createVersionTracker();

  const api = createClient<paths, ApiMediaType>({
    baseUrl: `${trimBaseUrl(options.baseUrl)}/api/v2`,
    fetch: createResilientFetch({ fetch: options.fetch, retry: options.retry, timeoutMs: options.timeoutMs }),
  });
  const auth: Middleware = {
    async onRequest({ request }) {
      const current = await resolveToken(token);
      if (current && !request.headers.has('authorization'))
        request.headers.set('Authorization', `Bearer ${current}`);
      if (!request.headers.has('accept')) request.headers.set('Accept', JSONAPI_ACCEPT);
      return request;
    },
  };
  api.use(auth);

  const received = (doc: Document, response: Response): Order => {
    const order = orderFromResource(
      doc.data as Resource,
      indexIncluded(doc.included),
      etagToVersion(response.headers.get('etag') ?? ''),
    );
    versions.remember(order);
    return order;
  };

  async function act(action: OrderAction, ref: OrderRef, opts: ActionOptions = {}): Promise<Order> {
    const { id, version } = resolveOrderRef(ref, versions);
    // Every action route has the same shape (one per lifecycle row, generated from the same table);
    // pay's is the strictest (its key is required), and every action is sent with a key.
    const path = `/orders/{id}/${action}` as '/orders/{id}/pay';
    const result = await api.POST(path, {
      params: {
        path: { id },
        header: {
          'if-match': versionToETag(version),
          'idempotency-key': opts.idempotencyKey ?? newIdempotencyKey(),
        },
      },
      body: opts.reason === undefined ? undefined : { reason: opts.reason },
      signal: opts.signal,
    });
    return received(unwrap(result) as Document, result.response);
  }

  const actions = actionMethods(act);

  return {
    transport: 'rest',
    api,
    versions,
    events: eventsApi(
      restEventSubscriber({
        baseUrl: trimBaseUrl(options.baseUrl),
        fetch: options.fetch,
        token: () => resolveToken(token),
      }),
    ),

    async login(email, password) {
      const result = await api.POST('/auth/token', { body: { email, password } });
      const answer = unwrap(result);
      token = answer.accessToken;
      return answer;
    },
    logout() {
      token = undefined;
    },
    async me(opts: CallOptions = {}) {
      return unwrap(await api.GET('/me', { signal: opts.signal }));
    },

    orders: {
      async create(input: CreateOrderInput, opts: IdempotentCallOptions = {}) {
        const result = await api.POST('/orders', {
          params: { header: { 'idempotency-key': opts.idempotencyKey ?? newIdempotencyKey() } },
          body: input,
          signal: opts.signal,
        });
        return received(unwrap(result) as Document, result.response);
      },
      async get(id: string, opts: CallOptions = {}) {
        const result = await api.GET('/orders/{id}', { params: { path: { id } }, signal: opts.signal });
        return received(unwrap(result) as Document, result.response);
      },
      async list(query: ListOrdersQuery = {}, opts: CallOptions = {}): Promise<Page<Order>> {
        const result = await api.GET('/orders', {
          params: {
            query: {
              include: 'items',
              ...(query.status === undefined ? {} : { 'filter[status]': [query.status].flat().join(',') }),
              ...(query.pageSize === undefined ? {} : { 'page[size]': String(query.pageSize) }),
              ...(query.cursor === undefined ? {} : { 'page[after]': query.cursor }),
            },
          },
          signal: opts.signal,
        });
        const doc = unwrap(result) as Document;
        const included = indexIncluded(doc.included);
        const items = (doc.data as Resource[]).map((r) => orderFromResource(r, included));
        for (const o of items) versions.remember(o);
        return { items, nextCursor: nextCursor(doc) };
      },
      act,
      ...actions,
    },

    restaurants: {
      async list(query: ListRestaurantsQuery = {}, opts: CallOptions = {}) {
        const result = await api.GET('/restaurants', {
          params: {
            query: {
              ...(query.pageSize === undefined ? {} : { 'page[size]': String(query.pageSize) }),
              ...(query.cursor === undefined ? {} : { 'page[after]': query.cursor }),
            },
          },
          signal: opts.signal,
        });
        const doc = unwrap(result) as Document;
        return { items: (doc.data as Resource[]).map(restaurantFromResource), nextCursor: nextCursor(doc) };
      },
      async get(id: string, opts: CallOptions = {}): Promise<RestaurantWithMenu> {
        const result = await api.GET('/restaurants/{id}', {
          params: { path: { id }, query: { include: 'menuItems' } },
          signal: opts.signal,
        });
        const doc = unwrap(result) as Document;
        const restaurant = restaurantFromResource(doc.data as Resource);
        const menuItems = (doc.included ?? [])
          .filter((r) => r.type === 'menu-items')
          .map((r) => menuItemFromResource(r, restaurant.id));
        return { ...restaurant, menuItems };
      },
    },
  };
}
