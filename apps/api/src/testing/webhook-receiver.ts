/**
 * A real HTTP webhook receiver for tests: records every request, verifies its Standard Webhooks
 * signature with the `standardwebhooks` package, and answers as the test stages it — `ok` (204),
 * `fail` (500), `hang` (holds the request until released) — optionally for the next N requests only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookPayload } from '@quickeats/domain';
import { Webhook } from 'standardwebhooks';

export type ReceiverMode = 'ok' | 'fail' | 'hang';

export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  payload: WebhookPayload;
  /** Whether the signature verified with the receiver's secrets at the time. */
  verified: boolean;
  answered: number | 'hung';
}

export interface TestReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Distinct `webhook-id`s answered 2xx, with their payloads (the dedupe a partner does). */
  delivered: Map<string, WebhookPayload>;
  /** Stage the answers: `mode` from now on, or only for the next `count` requests. */
  stage(mode: ReceiverMode, count?: number): void;
  setSecrets(secrets: string[]): void;
  /** Drop every hung request's connection. */
  releaseHung(): void;
  close(): Promise<void>;
}

export async function startTestReceiver(secrets: string[] = []): Promise<TestReceiver> {
  const received: ReceivedWebhook[] = [];
  const delivered = new Map<string, WebhookPayload>();
  const hung: ServerResponse[] = [];
  let mode: ReceiverMode = 'ok';
  let staged: { mode: ReceiverMode; count: number } | undefined;
  let verifiers = secrets.map((s) => new Webhook(s));

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = {
        'webhook-id': String(req.headers['webhook-id'] ?? ''),
        'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
      };
      const verified = verifiers.some((v) => {
        try {
          v.verify(body, headers);
          return true;
        } catch {
          return false;
        }
      });
      let now = mode;
      if (staged) {
        now = staged.mode;
        if (--staged.count <= 0) staged = undefined;
      }
      const entry: ReceivedWebhook = {
        id: headers['webhook-id'],
        timestamp: headers['webhook-timestamp'],
        signature: headers['webhook-signature'],
        body,
        payload: JSON.parse(body) as WebhookPayload,
        verified,
        answered: now === 'hang' ? 'hung' : now === 'ok' ? 204 : 500,
      };
      received.push(entry);
      if (now === 'hang') {
        hung.push(res);
        return;
      }
      if (now === 'ok' && verified) delivered.set(entry.id, entry.payload);
      res.writeHead(now === 'ok' ? (verified ? 204 : 401) : 500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    received,
    delivered,
    stage: (m, count) => {
      if (count === undefined) {
        mode = m;
        staged = undefined;
      } else staged = { mode: m, count };
    },
    setSecrets: (s) => {
      verifiers = s.map((x) => new Webhook(x));
    },
    releaseHung: () => {
      for (const res of hung.splice(0)) res.socket?.destroy();
    },
    close: async () => {
      for (const res of hung.splice(0)) res.socket?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
