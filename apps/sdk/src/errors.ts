/**
 * Typed errors. Whatever the transport, a refused request surfaces as a `QuickEatsApiError` with the
 * API's stable `code` (the error catalogue of `@quickeats/domain`), the HTTP `status`, and where the
 * API sent them the `allowedActions` and `currentVersion` a caller needs to recover. Two refusals a
 * UI must tell apart get their own classes: `StaleVersionError` (412: someone changed the order
 * first) and `InvalidTransitionError` (409: the order's state does not allow the action).
 */
import type { ErrorCode, FieldError, OrderAction, OrderStatus } from './public/types.generated';

/** Base class of every error the SDK throws. */
export class QuickEatsError extends Error {
  override name = 'QuickEatsError';
}

/** The members of an RFC 9457 problem document the SDK reads (REST), or of tRPC's `error.data`. */
export interface ApiErrorInit {
  status: number;
  /** Stable code, e.g. `PRECONDITION_FAILED`; `HTTP_<status>` when the answer carried none. */
  code: string;
  message: string;
  title?: string;
  allowedActions?: OrderAction[];
  currentVersion?: number;
  currentStatus?: OrderStatus;
  fieldErrors?: FieldError[];
  retryAfterSeconds?: number;
  requestId?: string;
  transport: 'rest' | 'trpc';
  /** The body as received (problem document or tRPC error shape). */
  body?: unknown;
}

/** The API refused the request (4xx) or failed (5xx) and said why. */
export class QuickEatsApiError extends QuickEatsError {
  override name = 'QuickEatsApiError';
  readonly status: number;
  /** The API's stable error code. Compare with `is()` for type-checked codes. */
  readonly code: ErrorCode | (string & {});
  readonly title: string | undefined;
  /** Actions the caller may take on the order now (409 and 412 carry them). */
  readonly allowedActions: OrderAction[] | undefined;
  /** The order's current version (412 carries it; so do 409s on an order). */
  readonly currentVersion: number | undefined;
  readonly currentStatus: OrderStatus | undefined;
  /** Per-field validation problems (400). */
  readonly fieldErrors: FieldError[];
  readonly retryAfterSeconds: number | undefined;
  readonly requestId: string | undefined;
  readonly transport: 'rest' | 'trpc';
  readonly body: unknown;

  constructor(init: ApiErrorInit) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.allowedActions = init.allowedActions;
    this.currentVersion = init.currentVersion;
    this.currentStatus = init.currentStatus;
    this.fieldErrors = init.fieldErrors ?? [];
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.requestId = init.requestId;
    this.transport = init.transport;
    this.body = init.body;
  }

  /** Type-checked code comparison: `err.is('INVALID_TRANSITION')`. */
  is(code: ErrorCode): boolean {
    return this.code === code;
  }
}

/**
 * 412: the order changed since the representation the caller acted on (another actor got there
 * first). `currentVersion` names the version to re-read; act again only after showing the user.
 */
export class StaleVersionError extends QuickEatsApiError {
  override name = 'StaleVersionError';
}

/** 409: the action is not allowed from the order's current state; `allowedActions` lists what is. */
export class InvalidTransitionError extends QuickEatsApiError {
  override name = 'InvalidTransitionError';
}

/** The request never got an answer (connection refused or dropped, timeout), after every retry allowed. */
export class QuickEatsNetworkError extends QuickEatsError {
  override name = 'QuickEatsNetworkError';
  /** How many times the request was sent. 1 means it was not safe to retry. */
  readonly attempts: number;
  constructor(message: string, options: { attempts: number; cause: unknown }) {
    super(message, { cause: options.cause });
    this.attempts = options.attempts;
  }
}

/** An order action was called with an order id the client holds no representation (version) of. */
export class MissingVersionError extends QuickEatsError {
  override name = 'MissingVersionError';
}

/** Build the most specific error class for `init.code`. */
export function createApiError(init: ApiErrorInit): QuickEatsApiError {
  if (init.code === 'PRECONDITION_FAILED') return new StaleVersionError(init);
  if (init.code === 'INVALID_TRANSITION') return new InvalidTransitionError(init);
  return new QuickEatsApiError(init);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const int = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);

function fieldErrorsOf(v: unknown): FieldError[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.filter(isRecord).map((e) => ({ field: String(e.field ?? ''), message: String(e.message ?? '') }));
}

/** A REST error response (RFC 9457 problem, or anything else a proxy may have answered). */
export function errorFromProblem(status: number, body: unknown, headers?: Headers): QuickEatsApiError {
  const p = isRecord(body) ? body : {};
  const retryAfter = headers?.get('retry-after');
  return createApiError({
    status,
    code: str(p.code) ?? `HTTP_${status}`,
    message: str(p.detail) ?? str(p.title) ?? `HTTP ${status}`,
    title: str(p.title),
    allowedActions: Array.isArray(p.allowedActions) ? (p.allowedActions as OrderAction[]) : undefined,
    currentVersion: int(p.currentVersion),
    currentStatus: str(p.currentStatus) as OrderStatus | undefined,
    fieldErrors: fieldErrorsOf(p.errors),
    retryAfterSeconds: retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined,
    requestId: str(p.requestId),
    transport: 'rest',
    body,
  });
}

/** A tRPC error (`TRPCClientError`): its `data` carries the same stable code as the REST problem. */
export function errorFromTrpc(error: {
  message: string;
  data?: unknown;
  shape?: unknown;
}): QuickEatsApiError | null {
  const data = isRecord(error.data) ? error.data : null;
  if (!data) return null;
  const status = int(data.httpStatus) ?? 500;
  return createApiError({
    status,
    code: str(data.errorCode) ?? str(data.code) ?? `HTTP_${status}`,
    message: error.message,
    allowedActions: Array.isArray(data.allowedActions) ? (data.allowedActions as OrderAction[]) : undefined,
    currentVersion: int(data.currentVersion),
    currentStatus: str(data.currentStatus) as OrderStatus | undefined,
    fieldErrors: fieldErrorsOf(data.errors),
    retryAfterSeconds: int(data.retryAfterSeconds),
    transport: 'trpc',
    body: error.shape,
  });
}
