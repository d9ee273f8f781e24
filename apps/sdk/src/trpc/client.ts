/**
 * The tRPC client: typed end to end from the API's exported `AppRouter`, over the same resilient
 * fetch as REST (so the same retry policy), with the same conveniences — an idempotency key per
 * operation (`orders.create` and every action), `expectedVersion` from the version last received,
 * and `TRPCClientError`s turned into the SDK's typed errors.
 */
import type { OrderStreamEvent } from '@quickeats/domain';
import {
  createTRPCClient,
  httpLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
  TRPCClientError,
} from '@trpc/client';
import { EventSource } from 'eventsource';
import { actionMethod, actionMethods } from '../actions';
import { errorFromProblem, errorFromTrpc, QuickEatsNetworkError } from '../errors';
import { eventQueue, eventsApi, type SubscribeOptions } from '../events';
import { newIdempotencyKey } from '../idempotency';
import { type ClientOptions, resolveToken, type TokenSource, trimBaseUrl } from '../options';
import type { AppRouter, OrderAction } from '../public/types.generated';
import { createResilientFetch } from '../resilient-fetch';
import type {
  ActionOptions,
  CallOptions,
  CreateOrderInput,
  IdempotentCallOptions,
  ListOrdersQuery,
  ListRestaurantsQuery,
  Me,
  Order,
  OrderRef,
  QuickEatsClient,
  TokenResponse,
} from '../types';
import { createVersionTracker, resolveOrderRef } from '../versions';

export type { AppRouter };
export type TrpcApi = TRPCClient<AppRouter>;

export interface TrpcClient extends QuickEatsClient {
  readonly transport: 'trpc';
  /** The typed tRPC proxy underneath (auth, retries and timeouts applied). */
  readonly trpc: TrpcApi;
}

/** Map what a tRPC call threw to the SDK's errors. */
function translate(err: unknown): unknown {
  if (err instanceof TRPCClientError) {
    if (err.cause instanceof QuickEatsNetworkError) return err.cause;
    const typed = errorFromTrpc(err);
    if (typed) return typed;
    // An answer that is not tRPC's (a proxy's 5xx page, a problem document): keep its status.
    const meta = err.meta as { response?: Response; responseJSON?: unknown } | undefined;
    if (meta?.response)
      return errorFromProblem(meta.response.status, meta.responseJSON, meta.response.headers);
  }
  return err;
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw translate(err);
  }
}

/**
 * Create a tRPC client (for TypeScript frontends: the router type is the API's, printed into this
 * package by `pnpm generate`, so it needs no server code).
 *
 * @example
 * const qe = createTrpcClient({ baseUrl: 'http://localhost:3000' });
 * await qe.login('owner@quickeats.test', 'quickeats-demo');
 * const { items } = await qe.orders.list({ status: 'paid' });
 * await qe.orders.accept(items[0]); // expectedVersion from the order you hold
 */
export function createTrpcClient(options: ClientOptions): TrpcClient {
  let token: TokenSource | undefined = options.token;
  const versions = createVersionTracker();
  const baseUrl = trimBaseUrl(options.baseUrl);
  const resilient = createResilientFetch({
    fetch: options.fetch,
    retry: options.retry,
    timeoutMs: options.timeoutMs,
  });

  const rawFetch = options.fetch ?? ((r: Request) => globalThis.fetch(r));
  const trpc = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        // Subscriptions over SSE. The `eventsource` package (fetch underneath, so it runs in Node and
        // browsers) can send the bearer token as a header; a browser's own EventSource could not.
        true: httpSubscriptionLink({
          url: `${baseUrl}/trpc`,
          EventSource,
          eventSourceOptions: async () => {
            const current = await resolveToken(token);
            return {
              fetch: (input, init) =>
                rawFetch(
                  new Request(input, {
                    ...init,
                    headers: { ...init.headers, ...(current ? { Authorization: `Bearer ${current}` } : {}) },
                  }),
                ),
            };
          },
        }),
        false: httpLinkForCalls(),
      }),
    ],
  });

  function httpLinkForCalls() {
    // One HTTP request per operation (no batching), so each is retried on its own.
    return httpLink<AppRouter>({
      url: `${baseUrl}/trpc`,
      fetch: (input, init) => resilient(new Request(input as RequestInfo, init as RequestInit)),
      async headers({ op }) {
        const headers: Record<string, string> = {};
        const current = await resolveToken(token);
        if (current) headers.Authorization = `Bearer ${current}`;
        // The key in the input is what the API honours; the same key as a header marks the
        // request as safe to retry for the resilient fetch (and shows up in proxies' logs). A
        // mutation called through `trpc` without a key has no header and is never retried.
        const key = (op.input as { idempotencyKey?: unknown } | undefined)?.idempotencyKey;
        if (op.type === 'mutation' && typeof key === 'string') headers['Idempotency-Key'] = key;
        return headers;
      },
    });
  }

  /** `orders.onEvent`: tRPC tracks the last event id and resumes after it when it reconnects. */
  function subscribeEvents(opts: SubscribeOptions = {}) {
    const { signal, onStatus } = opts;
    const queue = eventQueue<OrderStreamEvent>(() => subscription.unsubscribe());
    const subscription = trpc.orders.onEvent.subscribe(
      { orderId: opts.orderId, lastEventId: opts.lastEventId },
      {
        onData: ({ data }) => queue.push(data),
        onError: (err) => queue.fail(translate(err)),
        onStopped: () => queue.end(),
        onComplete: () => queue.end(),
        onConnectionStateChange: (state) => {
          if (state.state === 'connecting')
            onStatus?.(state.error ? 'reconnecting' : 'connecting', state.error);
          else if (state.state === 'pending') onStatus?.('open');
        },
      },
    );
    signal?.addEventListener(
      'abort',
      () => {
        subscription.unsubscribe();
        queue.end();
      },
      { once: true },
    );
    if (signal?.aborted) queue.end();
    return queue.iterator;
  }

  const received = (order: Order): Order => {
    versions.remember(order);
    return order;
  };

  async function act(action: OrderAction, ref: OrderRef, opts: ActionOptions = {}): Promise<Order> {
    const { id, version } = resolveOrderRef(ref, versions);
    // Every action takes a key (required on pay): one per call, reused by its retries.
    const input: { orderId: string; expectedVersion: number; idempotencyKey: string; reason?: string } = {
      orderId: id,
      expectedVersion: version,
      idempotencyKey: opts.idempotencyKey ?? newIdempotencyKey(),
    };
    if (opts.reason !== undefined) input.reason = opts.reason;
    const procedure = trpc.orders[actionMethod(action)];
    return received(await call(() => procedure.mutate(input, { signal: opts.signal })));
  }

  const actions = actionMethods(act);

  async function rest<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const current = await resolveToken(token);
    const res = await resilient(
      new Request(`${baseUrl}/api/v2${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...(current ? { Authorization: `Bearer ${current}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw errorFromProblem(res.status, parsed, res.headers);
    return parsed as T;
  }

  return {
    transport: 'trpc',
    trpc,
    versions,
    events: eventsApi(subscribeEvents),

    // Authentication is a REST route (tokens are not a tRPC concern); the token then serves both.
    async login(email, password) {
      const answer = await rest<TokenResponse>('POST', '/auth/token', { email, password });
      token = answer.accessToken;
      return answer;
    },
    logout() {
      token = undefined;
    },
    me: () => rest<Me>('GET', '/me'),

    orders: {
      async create(input: CreateOrderInput, opts: IdempotentCallOptions = {}) {
        const keyed = { ...input, idempotencyKey: opts.idempotencyKey ?? newIdempotencyKey() };
        return received(await call(() => trpc.orders.create.mutate(keyed, { signal: opts.signal })));
      },
      async get(id: string, opts: CallOptions = {}) {
        return received(await call(() => trpc.orders.get.query({ orderId: id }, { signal: opts.signal })));
      },
      async list(query: ListOrdersQuery = {}, opts: CallOptions = {}) {
        const input = {
          filter: query.status === undefined ? {} : { status: [query.status].flat() },
          ...(query.pageSize === undefined ? {} : { pageSize: query.pageSize }),
          ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
        };
        const page = await call(() => trpc.orders.list.query(input, { signal: opts.signal }));
        for (const o of page.items) versions.remember(o);
        return page;
      },
      act,
      ...actions,
    },

    restaurants: {
      list: (query: ListRestaurantsQuery = {}, opts: CallOptions = {}) =>
        call(() => trpc.restaurants.list.query(query, { signal: opts.signal })),
      get: (id: string, opts: CallOptions = {}) =>
        call(() => trpc.restaurants.get.query({ restaurantId: id }, { signal: opts.signal })),
    },
  };
}
