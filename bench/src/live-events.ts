/**
 * Live events in `pnpm bench` (issue 14): commit → SSE delivery latency across processes, and
 * webhook deliveries per second.
 *
 * - Latency: orders are created and paid through process A while an admin subscriber (sees every
 *   event) listens on `GET /api/v2/event-stream` of process B. Each event's latency is from its
 *   `occurredAt` — the order_events row's time, taken inside the writing transaction, so at or before
 *   the commit — to its arrival at the subscriber (one machine, one clock). That counts the whole
 *   path: commit, NOTIFY, B's hub reading the outbox, the stream, the client's parse; it is never
 *   less than the true commit → delivery time.
 * - Webhooks: one endpoint (a local receiver answering 204) is paused while those events happen, so
 *   its deliveries wait; then it is resumed and the time until the receiver has every distinct
 *   `webhook-id` gives deliveries/s for both processes' workers together.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LiveEventsResult {
  events: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  deliveries: number;
  deliverySeconds: number;
  deliveriesPerSecond: number;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;

async function waitUntil(what: string, condition: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`live events bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** An SSE subscriber (fetch + a minimal event-stream parser) recording each event's arrival time. */
function subscribe(url: string, token: string) {
  const arrivals: { orderId: string; version: number; occurredAt: string; at: number }[] = [];
  const abort = new AbortController();
  let open = false;
  const done = (async () => {
    const res = await fetch(`${url}/api/v2/event-stream`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      signal: abort.signal,
    });
    if (!res.ok || !res.body) throw new Error(`event-stream answered ${res.status}`);
    open = true;
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body) {
      const at = Date.now();
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        const data = message
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trimStart())
          .join('\n');
        if (!data) continue; // a heartbeat comment
        const e = JSON.parse(data) as { orderId: string; version: number; occurredAt: string };
        arrivals.push({ orderId: e.orderId, version: e.version, occurredAt: e.occurredAt, at });
      }
    }
  })().catch((err: unknown) => {
    if (!abort.signal.aborted) throw err;
  });
  return { arrivals, isOpen: () => open, close: () => abort.abort(), done };
}

/** A webhook receiver that answers 204 and counts distinct `webhook-id`s with the time of each first. */
async function startReceiver() {
  const first = new Map<string, number>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = String(req.headers['webhook-id'] ?? '');
      if (id && !first.has(id)) first.set(id, Date.now());
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    first,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function send(
  method: 'POST' | 'PATCH',
  url: string,
  token: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${url}/api/v2${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (res.ok) return JSON.parse(text) as { data: { id: string } };
    // A loaded machine's 5xx or in-flight key: the same Idempotency-Key makes the retry safe.
    if ((res.status >= 500 || res.status === 409) && attempt < 50) {
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    throw new Error(`${path}: ${res.status} ${text.slice(0, 300)}`);
  }
}

export async function liveEvents(options: {
  /** Process A: where the changes are made. */
  writeUrl: string;
  /** Process B: where the subscriber listens. */
  streamUrl: string;
  adminToken: string;
  customerToken: string;
  restaurantId: string;
  menuItemId: string;
  orders: number;
  concurrency: number;
}): Promise<LiveEventsResult> {
  const { writeUrl, streamUrl, adminToken, customerToken } = options;
  const receiver = await startReceiver();
  const endpoint = await send('POST', writeUrl, adminToken, '/webhook-endpoints', { url: receiver.url });
  await send('PATCH', writeUrl, adminToken, `/webhook-endpoints/${endpoint.data.id}`, { status: 'paused' });
  const sub = subscribe(streamUrl, adminToken);
  try {
    await waitUntil('the event stream to open', sub.isOpen, 60_000);
    const ours = new Set<string>();
    let next = 0;
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (next < options.orders) {
          next++;
          const created = await send(
            'POST',
            writeUrl,
            customerToken,
            '/orders',
            { restaurantId: options.restaurantId, items: [{ menuItemId: options.menuItemId, quantity: 1 }] },
            { 'idempotency-key': randomUUID() },
          );
          ours.add(created.data.id);
          await send(
            'POST',
            writeUrl,
            customerToken,
            `/orders/${created.data.id}/pay`,
            {},
            {
              'idempotency-key': randomUUID(),
              'if-match': '"v1"',
            },
          );
        }
      }),
    );
    const expected = options.orders * 2;
    const mine = () => sub.arrivals.filter((a) => ours.has(a.orderId));
    await waitUntil('every event at the subscriber', () => mine().length >= expected, 120_000);
    const latencies = mine()
      .map((a) => a.at - Date.parse(a.occurredAt))
      .sort((a, b) => a - b);

    // Deliveries: everything held for the paused endpoint, sent once it is resumed.
    const resumed = Date.now();
    await send('PATCH', writeUrl, adminToken, `/webhook-endpoints/${endpoint.data.id}`, { status: 'active' });
    await waitUntil('every webhook delivery', () => receiver.first.size >= expected, 300_000);
    const last = Math.max(...receiver.first.values());
    const deliverySeconds = (last - resumed) / 1000;
    return {
      events: latencies.length,
      p50Ms: quantile(latencies, 0.5),
      p99Ms: quantile(latencies, 0.99),
      maxMs: latencies.at(-1)!,
      deliveries: receiver.first.size,
      deliverySeconds,
      deliveriesPerSecond: receiver.first.size / deliverySeconds,
    };
  } finally {
    sub.close();
    await sub.done;
    await fetch(`${writeUrl}/api/v2/webhook-endpoints/${endpoint.data.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${adminToken}` },
    }).catch(() => {});
    await receiver.close();
  }
}
