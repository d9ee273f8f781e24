/**
 * RFC 9457 problem details: the one error shape of v2. Every error a handler throws ends here,
 * rendered from the domain's error catalogue, so REST and tRPC report the same stable `code`.
 * No stack traces, no SQL, ever: unknown errors become a bare 500 with the request id.
 */
import { DomainError, ERROR_CODES, type ErrorCode, type FieldError, versionToETag } from '@quickeats/domain';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError } from 'zod';
import { dependencyUnavailable } from './outage';

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';
const PROBLEM_TYPE_BASE = 'https://docs.quickeats.test/problems/';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  requestId?: string;
  [extra: string]: unknown;
}

export function problemType(code: ErrorCode): string {
  return PROBLEM_TYPE_BASE + code.toLowerCase().replaceAll('_', '-');
}

/** zod issues → `errors` members naming each field (`items.0.quantity`). */
export function fieldErrors(error: ZodError, prefix?: string): FieldError[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    const field = [prefix, path].filter(Boolean).join('.') || '(body)';
    const unknownKeys =
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((k) => [field === '(body)' ? '' : field, k].filter(Boolean).join('.'))
        : [];
    return unknownKeys.length > 0
      ? { field: unknownKeys.join(', '), message: `unknown field${unknownKeys.length > 1 ? 's' : ''}` }
      : { field, message: issue.message };
  });
}

/** The one-line summary a validation problem (REST) or error (tRPC) carries: every field named. */
export function validationMessage(where: string, errors: readonly FieldError[]): string {
  return `Invalid ${where}: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`;
}

export function validationError(error: ZodError, where: 'body' | 'query' | 'path' | 'header'): DomainError {
  const errors = fieldErrors(error, where === 'body' ? undefined : where);
  return new DomainError('VALIDATION_FAILED', validationMessage(where, errors), { errors });
}

/**
 * Map any thrown value to a DomainError: a dependency outage becomes 503 SERVICE_UNAVAILABLE with
 * Retry-After (outage.ts), unknown errors INTERNAL with details withheld.
 */
export function toDomainError(err: unknown): { error: DomainError; unexpected: boolean } {
  if (err instanceof DomainError) return { error: err, unexpected: false };
  const outage = dependencyUnavailable(err);
  if (outage) return { error: outage, unexpected: false };
  if (err instanceof ZodError) return { error: validationError(err, 'body'), unexpected: false };
  if (err instanceof HTTPException) {
    const byStatus: Partial<Record<number, ErrorCode>> = {
      400: 'MALFORMED_JSON',
      401: 'UNAUTHENTICATED',
      404: 'NOT_FOUND',
      413: 'PAYLOAD_TOO_LARGE',
      415: 'UNSUPPORTED_MEDIA_TYPE',
    };
    const code = byStatus[err.status];
    if (code) return { error: new DomainError(code, err.message || undefined), unexpected: false };
  }
  return {
    error: new DomainError('INTERNAL', 'An unexpected error occurred; it has been logged.'),
    unexpected: true,
  };
}

export function problemBody(error: DomainError, instance?: string, requestId?: string): Problem {
  const spec = ERROR_CODES[error.code];
  const { retryAfterSeconds: _retry, allow: _allow, headers: _headers, ...extras } = error.extras;
  return {
    type: problemType(error.code),
    title: spec.title,
    status: spec.status,
    detail: error.message,
    code: error.code,
    ...(instance ? { instance } : {}),
    ...(requestId ? { requestId } : {}),
    ...extras,
  };
}

/** Render a DomainError as a problem response, with the headers its extras imply. */
export function problemResponse(c: Context, error: DomainError): Response {
  const body = problemBody(error, c.req.path, c.get('requestId') as string | undefined);
  // Response fields an error carries (RATE_LIMITED: RateLimit-Policy, RateLimit, Retry-After).
  const headers: Record<string, string> = {
    ...(error.extras.headers as Record<string, string> | undefined),
    'Content-Type': PROBLEM_MEDIA_TYPE,
  };
  if (error.extras.retryAfterSeconds !== undefined)
    headers['Retry-After'] = String(error.extras.retryAfterSeconds);
  if (error.extras.allow) headers.Allow = error.extras.allow.join(', ');
  // A 412 carries the current ETag so the client can refetch-and-retry without another round trip.
  if (error.extras.currentVersion !== undefined) headers.ETag = versionToETag(error.extras.currentVersion);
  if (error.code === 'UNAUTHENTICATED' || error.code === 'INVALID_CREDENTIALS')
    headers['WWW-Authenticate'] = 'Bearer realm="quickeats"';
  return c.body(JSON.stringify(body), body.status as ContentfulStatusCode, headers);
}
