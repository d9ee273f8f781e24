/**
 * The catalogue of stable error codes. Every surface maps from here: REST renders an RFC 9457
 * problem (`status`, `title`, `code`), tRPC a `TRPCError` whose `data.code` is the same string.
 * Codes are part of the public contract: add, never rename.
 */
import type { OrderAction, OrderStatus } from './order-lifecycle';

/** tRPC error codes (strings only, so this package stays free of the tRPC import). */
export type RpcCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_SUPPORTED'
  | 'CONFLICT'
  | 'PRECONDITION_FAILED'
  | 'PRECONDITION_REQUIRED'
  | 'UNPROCESSABLE_CONTENT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'TOO_MANY_REQUESTS'
  | 'INTERNAL_SERVER_ERROR'
  | 'BAD_GATEWAY'
  | 'SERVICE_UNAVAILABLE';

interface ErrorSpec {
  status: number;
  title: string;
  rpc: RpcCode;
}

export const ERROR_CODES = {
  VALIDATION_FAILED: { status: 400, title: 'The request is invalid', rpc: 'BAD_REQUEST' },
  MALFORMED_JSON: { status: 400, title: 'The request body is not valid JSON', rpc: 'BAD_REQUEST' },
  UNKNOWN_INCLUDE: { status: 400, title: 'Unknown include path', rpc: 'BAD_REQUEST' },
  PAGE_SIZE_TOO_LARGE: { status: 400, title: 'Page size too large', rpc: 'BAD_REQUEST' },
  INVALID_CURSOR: { status: 400, title: 'Invalid page cursor', rpc: 'BAD_REQUEST' },
  IDEMPOTENCY_KEY_REQUIRED: { status: 400, title: 'Idempotency-Key header required', rpc: 'BAD_REQUEST' },
  IDEMPOTENCY_KEY_INVALID: { status: 400, title: 'Idempotency-Key is malformed', rpc: 'BAD_REQUEST' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication required', rpc: 'UNAUTHORIZED' },
  INVALID_CREDENTIALS: { status: 401, title: 'Invalid email or password', rpc: 'UNAUTHORIZED' },
  FORBIDDEN: { status: 403, title: 'This role may not perform this action', rpc: 'FORBIDDEN' },
  CLIENT_ID_UNSUPPORTED: {
    status: 403,
    title: 'Client-generated ids are not supported; the server assigns the id',
    rpc: 'FORBIDDEN',
  },
  NOT_FOUND: { status: 404, title: 'Resource not found', rpc: 'NOT_FOUND' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed', rpc: 'METHOD_NOT_SUPPORTED' },
  NOT_ACCEPTABLE: { status: 406, title: 'Not acceptable', rpc: 'BAD_REQUEST' },
  INVALID_TRANSITION: { status: 409, title: 'Action not allowed in the current state', rpc: 'CONFLICT' },
  RESOURCE_TYPE_CONFLICT: {
    status: 409,
    title: 'The resource type does not belong to this collection',
    rpc: 'CONFLICT',
  },
  IDEMPOTENCY_IN_FLIGHT: {
    status: 409,
    title: 'A request with this Idempotency-Key is in progress',
    rpc: 'CONFLICT',
  },
  WEBHOOK_ENDPOINT_INACTIVE: {
    status: 409,
    title: 'The webhook endpoint is paused or disabled',
    rpc: 'CONFLICT',
  },
  PRECONDITION_FAILED: { status: 412, title: 'The order has changed', rpc: 'PRECONDITION_FAILED' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Request body too large', rpc: 'PAYLOAD_TOO_LARGE' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type', rpc: 'UNSUPPORTED_MEDIA_TYPE' },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    title: 'Idempotency-Key reused with a different request',
    rpc: 'UNPROCESSABLE_CONTENT',
  },
  UNPROCESSABLE: { status: 422, title: 'The request cannot be processed', rpc: 'UNPROCESSABLE_CONTENT' },
  PRECONDITION_REQUIRED: { status: 428, title: 'If-Match header required', rpc: 'PRECONDITION_REQUIRED' },
  RATE_LIMITED: { status: 429, title: 'Too many requests', rpc: 'TOO_MANY_REQUESTS' },
  INTERNAL: { status: 500, title: 'Internal server error', rpc: 'INTERNAL_SERVER_ERROR' },
  PAYMENT_PROVIDER_UNAVAILABLE: {
    status: 502,
    title: 'The payment provider did not answer',
    rpc: 'BAD_GATEWAY',
  },
  SERVICE_UNAVAILABLE: { status: 503, title: 'Service unavailable', rpc: 'SERVICE_UNAVAILABLE' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * `Retry-After` of answers that mean "a dependency is down, come back" (503, and the provider's 502):
 * PostgreSQL restarts, Redis reconnects and provider blips take seconds.
 */
export const OUTAGE_RETRY_AFTER_SECONDS = 2;

/** A field-level validation problem (`errors` member of a problem document). */
export interface FieldError {
  /** JSON-pointer-ish path, e.g. `items.0.quantity` or `header:If-Match`. */
  field: string;
  message: string;
}

/** Extra members a problem may carry, per SPEC "REST v2 contract". */
export interface ErrorExtras {
  currentVersion?: number;
  currentStatus?: OrderStatus;
  allowedActions?: OrderAction[];
  errors?: FieldError[];
  retryAfterSeconds?: number;
  /** Response fields the error implies (REST headers; tRPC sets them on its HTTP response). */
  headers?: Record<string, string>;
  /** 405: the methods the resource supports (sent as the `Allow` header). */
  allow?: string[];
  [key: string]: unknown;
}

/** The one error type use cases throw; adapters render it (REST problem, tRPC error). */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly extras: ErrorExtras;

  constructor(code: ErrorCode, detail?: string, extras: ErrorExtras = {}) {
    super(detail ?? ERROR_CODES[code].title);
    this.name = 'DomainError';
    this.code = code;
    this.extras = extras;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}
