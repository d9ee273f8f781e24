/**
 * REST events: `GET /api/v2/event-stream` read with fetch and parsed here, reconnecting with
 * `Last-Event-ID` = the position of the last event yielded. Refusals (4xx but 429) end the
 * subscription with the typed error; network errors, 5xx and ended streams reconnect with backoff.
 */
import type { OrderStreamEvent } from '@quickeats/domain';
import { errorFromProblem } from '../errors';
import { parseSse, reconnectDelayMs, type SubscribeOptions, sleep } from '../events';
import type { FetchLike } from '../resilient-fetch';

export interface RestEventSource {
  baseUrl: string;
  fetch?: FetchLike | undefined;
  token: () => Promise<string | undefined>;
}

export function restEventSubscriber(source: RestEventSource) {
  return async function* subscribe(
    options: SubscribeOptions = {},
  ): AsyncGenerator<OrderStreamEvent, void, undefined> {
    const { signal, onStatus } = options;
    const fetchImpl: FetchLike = source.fetch ?? ((r) => globalThis.fetch(r));
    let last = options.lastEventId;
    let failures = 0;
    while (!signal?.aborted) {
      onStatus?.(failures === 0 && last === options.lastEventId ? 'connecting' : 'reconnecting');
      const query = options.orderId ? `?order=${encodeURIComponent(options.orderId)}` : '';
      const headers: Record<string, string> = { Accept: 'text/event-stream' };
      const token = await source.token();
      if (token) headers.Authorization = `Bearer ${token}`;
      if (last) headers['Last-Event-ID'] = last;
      let response: Response;
      try {
        response = await fetchImpl(
          new Request(`${source.baseUrl}/api/v2/event-stream${query}`, { headers, signal }),
        );
      } catch (err) {
        if (signal?.aborted) return;
        onStatus?.('reconnecting', err);
        await sleep(reconnectDelayMs(++failures), signal);
        continue;
      }
      if (!response.ok || !response.body) {
        const body: unknown = await response.json().catch(() => undefined);
        const error = errorFromProblem(response.status, body, response.headers);
        if (response.status < 500 && response.status !== 429) throw error;
        onStatus?.('reconnecting', error);
        await sleep(reconnectDelayMs(++failures), signal);
        continue;
      }
      onStatus?.('open');
      try {
        for await (const message of parseSse(response.body)) {
          const event = JSON.parse(message.data) as OrderStreamEvent;
          last = message.id ?? event.position;
          failures = 0;
          yield event;
        }
      } catch (err) {
        if (signal?.aborted) return;
        onStatus?.('reconnecting', err);
      }
      // The stream ended (API restart, proxy timeout): reconnect and resume after `last`.
      await sleep(reconnectDelayMs(++failures), signal);
    }
  };
}
