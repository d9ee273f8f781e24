/**
 * Standard Webhooks signing with the `standardwebhooks` package: secrets `whsec_<base64>`, headers
 * `webhook-id` (stable per delivery), `webhook-timestamp` (seconds) and `webhook-signature`
 * (`v1,<base64 HMAC-SHA256>`; during a secret rotation one signature per valid secret, space-separated).
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export function signedHeaders(
  messageId: string,
  at: Date,
  body: string,
  secrets: readonly string[],
): Record<string, string> {
  const signature = secrets.map((s) => new Webhook(s).sign(messageId, at, body)).join(' ');
  return {
    'content-type': 'application/json',
    'user-agent': 'QuickEats-Webhooks/1',
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signature,
  };
}
