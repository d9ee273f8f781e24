/**
 * A real EventSource (the `eventsource` package) following `GET /api/v2/event-stream` for tests: it
 * reconnects with Last-Event-ID by itself, as browsers do. Collects what it received; `waitFor`
 * polls a condition with a generous bound (never a fixed sleep).
 */
import { type OrderStreamEvent, OrderStreamEventSchema } from '@quickeats/domain';
import { EventSource, type FetchLike } from 'eventsource';

export interface EventFollower {
  events: OrderStreamEvent[];
  /** The `id:` of each message, in arrival order. */
  ids: string[];
  /** Connections opened (1 + reconnects). */
  opens: number;
  close(): void;
}

export function followEvents(
  url: string,
  token: string,
  options: { fetch?: (url: string, init: RequestInit) => Promise<Response>; lastEventId?: string } = {},
): EventFollower {
  const doFetch = options.fetch ?? ((u: string, init: RequestInit) => fetch(u, init));
  let first = true;
  const fetchWithAuth: FetchLike = (u, init) => {
    const headers: Record<string, string> = { ...init.headers, authorization: `Bearer ${token}` };
    // The first connection resumes after a given id, as a reconnecting EventSource would.
    if (first && options.lastEventId) headers['last-event-id'] = options.lastEventId;
    first = false;
    return doFetch(String(u), { ...init, headers } as RequestInit);
  };
  const source = new EventSource(url, { fetch: fetchWithAuth });
  const follower: EventFollower = {
    events: [],
    ids: [],
    opens: 0,
    close: () => source.close(),
  };
  source.addEventListener('open', () => {
    follower.opens++;
  });
  source.addEventListener('message', (m) => {
    follower.ids.push(m.lastEventId);
    follower.events.push(OrderStreamEventSchema.parse(JSON.parse(m.data as string)));
  });
  return follower;
}

/** Poll `condition` until it holds (default bound 60 s); the error names what was awaited. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
