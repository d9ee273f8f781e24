/**
 * A QuickEats webhook receiver — the code a partner copies. It does the two things every Standard
 * Webhooks receiver must:
 *
 * 1. **Verify before trusting.** The signature covers `webhook-id`, `webhook-timestamp` and the raw
 *    body bytes, so it is checked on the body exactly as received (never on re-serialized JSON).
 *    `standardwebhooks` also refuses a timestamp more than 5 minutes off, which stops an old signed
 *    request from being replayed later. A forged or stale request gets 401 and is not handled.
 * 2. **Handle each `webhook-id` once.** Delivery is at-least-once: a timeout, a crash or a
 *    redelivery sends the same `webhook-id` again. The id is recorded only after the handler
 *    succeeded, so a failed handling answers 500 and QuickEats retries it; a repeat of a handled id
 *    answers 2xx without handling it again.
 *
 * @example
 * import { createServer } from 'node:http';
 * createServer(webhookHandler({
 *   secret: process.env.QUICKEATS_WEBHOOK_SECRET!, // whsec_…, answered once when the endpoint was registered
 *   onEvent: async ({ type, data }) => console.log(type, data.orderId, data.version),
 * })).listen(8080);
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebhookPayload } from '@quickeats/sdk';
import { Webhook } from 'standardwebhooks';

/**
 * Where handled `webhook-id`s are remembered. In production this is your database: record the id
 * in the same transaction as the handler's own writes (a unique key on it), so "handled" and
 * "recorded" cannot disagree after a crash.
 */
export interface SeenIds {
  has(id: string): boolean | Promise<boolean>;
  add(id: string): void | Promise<void>;
}

export interface ReceiverOptions {
  /** The endpoint's signing secret (`whsec_…`). */
  secret: string;
  /** Handle one event; throw to have it retried. */
  onEvent: (payload: WebhookPayload, webhookId: string) => void | Promise<void>;
  /** Handled ids (default: in memory, for a single process that may forget them on restart). */
  seen?: SeenIds;
  /** Largest body accepted (default 1 MiB; QuickEats events are a few hundred bytes). */
  maxBodyBytes?: number;
}

/** A `node:http` request listener that verifies, dedupes and hands each event to `onEvent` once. */
export function webhookHandler(options: ReceiverOptions) {
  const webhook = new Webhook(options.secret); // whsec_…, answered once at registration
  const seen = options.seen ?? new Set<string>();
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST') return answer(res, 405);
    const body = await readBody(req, maxBodyBytes);
    if (body === null) return answer(res, 413);
    const headers = {
      'webhook-id': header(req, 'webhook-id'),
      'webhook-timestamp': header(req, 'webhook-timestamp'),
      'webhook-signature': header(req, 'webhook-signature'),
    };
    let payload: WebhookPayload;
    try {
      payload = webhook.verify(body, headers) as WebhookPayload; // the raw body, as received
    } catch {
      return answer(res, 401); // forged, tampered, unsigned or stale: never handled
    }
    const id = headers['webhook-id'];
    if (await seen.has(id)) return answer(res, 204); // a repeat of a handled delivery
    try {
      await options.onEvent(payload, id);
    } catch {
      return answer(res, 500); // not recorded: QuickEats retries it
    }
    await seen.add(id); // in production: your database, in the handler's transaction
    answer(res, 204);
  };
  // A request that breaks mid-body (the sender gave up) is dropped; the sender retries it.
  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch(() => res.destroy());
  };
}

function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

function answer(res: ServerResponse, status: number): void {
  res.writeHead(status).end();
}

async function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
