/**
 * v1's error shape: `{ "error": "<message>" }` with the HTTP status, as deployed v1 clients parse it
 * (v2 speaks RFC 9457 problem details instead). The status and message come from the same domain
 * error catalogue as v2, so the two surfaces never disagree on what went wrong — only on its shape.
 * Unexpected errors become a bare 500 whose message reveals nothing (no stack, no SQL).
 */
import { DomainError, PaymentProviderError } from '@quickeats/domain';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { OUTAGE_RETRY_AFTER_SECONDS } from '../http/outage';
import { toDomainError } from '../http/problem';
import type { Logger } from '../logger';

export interface V1ErrorBody {
  error: string;
}

function toV1DomainError(err: unknown): { error: DomainError; unexpected: boolean } {
  // The provider failing is not a bug of ours; v1 always answered it with a 502.
  if (err instanceof PaymentProviderError) {
    return {
      error: new DomainError(
        'PAYMENT_PROVIDER_UNAVAILABLE',
        'Payment provider unavailable, try again later',
        {
          retryAfterSeconds: OUTAGE_RETRY_AFTER_SECONDS,
        },
      ),
      unexpected: false,
    };
  }
  return toDomainError(err);
}

/** Render any thrown value as a v1 error response (the v1 router's `onError`). */
export function v1ErrorResponse(err: unknown, c: Context, fallbackLogger: Logger): Response {
  const { error, unexpected } = toV1DomainError(err);
  if (unexpected)
    ((c.get('log') as Logger | undefined) ?? fallbackLogger).error({ err }, 'unhandled v1 error');
  // Fields the error implies (a 429's Retry-After and RateLimit fields).
  const headers: Record<string, string> = { ...(error.extras.headers as Record<string, string> | undefined) };
  // RFC 6750 §3: a 401 names the scheme the client should use.
  if (error.status === 401) headers['WWW-Authenticate'] = 'Bearer realm="quickeats"';
  // 503 (a dependency down) and 502 (the provider) tell the client when to come back.
  if (error.extras.retryAfterSeconds !== undefined)
    headers['Retry-After'] = String(error.extras.retryAfterSeconds);
  const body: V1ErrorBody = { error: error.message };
  return c.json(body, error.status as ContentfulStatusCode, headers);
}
