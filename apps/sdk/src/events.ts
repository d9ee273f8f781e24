/**
 * Live order events for both clients: `client.events.subscribe()` yields every order change the
 * caller may see as it commits, and reconnects by itself — resuming right after the last event it
 * yielded (`Last-Event-ID` / tRPC `lastEventId`), so a dropped connection or an API restart loses
 * nothing and repeats nothing. REST reads `GET /api/v2/event-stream` with fetch (so it can send the
 * bearer token, which a browser EventSource cannot); tRPC uses `orders.onEvent` over
 * httpSubscriptionLink.
 */
// The printed public types, not the domain's: the published declarations name no workspace package.
import type { OrderStreamEvent } from './public/types.generated';

/** The body of a webhook delivery (Standard Webhooks: `type`, `timestamp`, the event as `data`). */
export type { OrderEventType, OrderStreamEvent, WebhookPayload } from './public/types.generated';

export type EventStreamStatus = 'connecting' | 'open' | 'reconnecting';

export interface SubscribeOptions {
  /** Only this order's events. */
  orderId?: string;
  /** Resume after this position (the `position` of the last event you processed); default: from now. */
  lastEventId?: string;
  /** Ends the subscription (the iterator then finishes). */
  signal?: AbortSignal;
  /** Connection state changes, for a "live / reconnecting" indicator. */
  onStatus?: (status: EventStreamStatus, error?: unknown) => void;
}

export interface EventsApi {
  /**
   * Order events as an async iterable: `for await (const e of qe.events.subscribe({ signal }))`.
   * Reconnects and resumes by itself; ends when `signal` aborts, throws on a refusal (401, 404).
   */
  subscribe(options?: SubscribeOptions): AsyncIterableIterator<OrderStreamEvent>;
  /** Callback form of `subscribe`: returns the function that stops it. */
  listen(
    onEvent: (event: OrderStreamEvent) => void,
    options?: Omit<SubscribeOptions, 'signal'> & { onError?: (error: unknown) => void },
  ): () => void;
}

/** Builds `listen` from `subscribe`. */
export function eventsApi(subscribe: EventsApi['subscribe']): EventsApi {
  return {
    subscribe,
    listen(onEvent, options = {}) {
      const abort = new AbortController();
      const { onError, ...rest } = options;
      (async () => {
        for await (const event of subscribe({ ...rest, signal: abort.signal })) onEvent(event);
      })().catch((err: unknown) => {
        if (!abort.signal.aborted) (onError ?? ((e) => console.error(e)))(err);
      });
      return () => abort.abort();
    },
  };
}

/**
 * A push-to-pull queue: producers `push`, the async iterator pulls; `fail` ends it with an error,
 * `end` without one. Used to turn callbacks (tRPC `onData`) into `for await`.
 */
export function eventQueue<T>(onReturn: () => void): {
  push(value: T): void;
  fail(error: unknown): void;
  end(): void;
  iterator: AsyncIterableIterator<T>;
} {
  const values: T[] = [];
  let waiting: ((r: IteratorResult<T>) => void) | undefined;
  let rejectWaiting: ((e: unknown) => void) | undefined;
  let failure: { error: unknown } | undefined;
  let done = false;
  const settle = () => {
    if (!waiting) return;
    const resolve = waiting;
    const reject = rejectWaiting!;
    if (values.length > 0) {
      waiting = rejectWaiting = undefined;
      resolve({ value: values.shift()!, done: false });
    } else if (failure) {
      waiting = rejectWaiting = undefined;
      reject(failure.error);
    } else if (done) {
      waiting = rejectWaiting = undefined;
      resolve({ value: undefined, done: true });
    }
  };
  const iterator: AsyncIterableIterator<T> = {
    next: () =>
      new Promise<IteratorResult<T>>((resolve, reject) => {
        waiting = resolve;
        rejectWaiting = reject;
        settle();
      }),
    return: async () => {
      done = true;
      values.length = 0;
      onReturn();
      settle();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return {
    push(value) {
      if (done || failure) return;
      values.push(value);
      settle();
    },
    fail(error) {
      if (done || failure) return;
      failure = { error };
      settle();
    },
    end() {
      done = true;
      settle();
    },
    iterator,
  };
}

/** One parsed SSE message (`event:` is not used by this API; comments are skipped). */
export interface SseMessage {
  id: string | undefined;
  data: string;
  retry: number | undefined;
}

/**
 * Parse a `text/event-stream` body (WHATWG "event stream interpretation", minus the `event` name):
 * yields each message at its blank line; comment lines (heartbeats) are skipped.
 */
export async function* parseSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buffer = '';
  let data: string[] = [];
  let id: string | undefined;
  let retry: number | undefined;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let newline = buffer.search(/\r\n|\r|\n/);
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
        newline = buffer.search(/\r\n|\r|\n/);
        if (line === '') {
          if (data.length > 0) yield { id, data: data.join('\n'), retry };
          data = [];
          retry = undefined;
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const raw = colon < 0 ? '' : line.slice(colon + 1);
        const fieldValue = raw.startsWith(' ') ? raw.slice(1) : raw;
        if (field === 'data') data.push(fieldValue);
        else if (field === 'id' && !fieldValue.includes('\0')) id = fieldValue;
        else if (field === 'retry' && /^\d+$/.test(fieldValue)) retry = Number(fieldValue);
      }
    }
  } finally {
    // Not awaited: cancelling a fetch body can wait on its connection for ever, and whoever stopped
    // reading (a `break`, an abort) has no use for the answer — awaiting it hung their `return()`.
    reader.cancel().catch(() => {});
  }
}

/** Reconnect delay: 0.5 s doubling to 10 s, with jitter, reset once a connection delivered something. */
export function reconnectDelayMs(attempt: number): number {
  const base = Math.min(10_000, 500 * 2 ** Math.max(0, attempt - 1));
  return base / 2 + Math.random() * (base / 2);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
