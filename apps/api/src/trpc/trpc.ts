/**
 * tRPC v11 setup: context, the error formatter and the procedure builders. Procedures call the
 * same services as REST; a `DomainError` thrown by a service becomes a `TRPCError` with the
 * catalogue's tRPC code, and `error.data` carries the same stable `errorCode` as the REST problem
 * (plus `allowedActions`, `currentVersion`, per-field `errors` where relevant).
 */
import {
  type Actor,
  DomainError,
  ERROR_CODES,
  type ErrorCode,
  exceedsValueDepth,
  type FieldError,
  findUnstorableText,
  tooDeepError,
  unstorableTextError,
} from '@quickeats/domain';
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import type { AppDeps } from '../context';
import { dependencyUnavailable } from '../http/outage';
import { fieldErrors, validationMessage } from '../http/problem';
import type { Logger } from '../logger';

export interface TrpcContext {
  deps: AppDeps;
  actor: Actor | null;
  requestId: string;
  log: Logger;
  /** Headers of the HTTP response (absent for in-process callers): `Idempotent-Replayed`, `Retry-After`. */
  responseHeaders?: Headers | undefined;
  /** The token version of the caller's token (auth/revocations.ts): open subscriptions end when it is revoked. */
  tokenVersion?: number | undefined;
  /** Why a token that was sent is refused (invalid, expired, revoked, account disabled). */
  authRefusal?: string | undefined;
}

/** Pure context factory (tests build it directly and use `createCaller`). */
export function createContextInner(ctx: TrpcContext): TrpcContext {
  return ctx;
}

interface AppErrorData {
  errorCode: ErrorCode;
  allowedActions?: unknown;
  currentVersion?: unknown;
  errors?: FieldError[];
}

function appErrorData(error: TRPCError): AppErrorData | null {
  if (error.cause instanceof DomainError) {
    const { retryAfterSeconds, headers: _headers, ...extras } = error.cause.extras;
    return {
      errorCode: error.cause.code,
      ...extras,
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    };
  }
  if (error.cause instanceof ZodError)
    return { errorCode: 'VALIDATION_FAILED', errors: fieldErrors(error.cause, 'input') };
  return null;
}

/** Subscription heartbeats (SSE pings): idle streams stay open through proxies, dead ones are noticed. */
export const SUBSCRIPTION_PING_MS = 15_000;

const t = initTRPC.context<TrpcContext>().create({
  sse: {
    ping: { enabled: true, intervalMs: SUBSCRIPTION_PING_MS },
    // The client reconnects (with the last tracked id) when it hears nothing, not even a ping, this long.
    client: { reconnectAfterInactivityMs: SUBSCRIPTION_PING_MS * 2 },
  },
  errorFormatter({ shape, error }) {
    const app = appErrorData(error);
    const { stack: _stack, ...data } = shape.data;
    return {
      ...shape,
      // A zod error's own message is its issues as JSON: say it as REST's problem `detail` does,
      // the structured field errors staying in `data.errors`.
      message:
        error.cause instanceof ZodError && app?.errors
          ? validationMessage('input', app.errors)
          : error.code === 'INTERNAL_SERVER_ERROR' && !app
            ? 'An unexpected error occurred; it has been logged.'
            : shape.message,
      data: {
        ...data,
        errorCode: app?.errorCode ?? (error.code === 'INTERNAL_SERVER_ERROR' ? 'INTERNAL' : error.code),
        ...app,
      },
    };
  },
});

/** The TRPCError for a domain error: the catalogue's code, so the right HTTP status and `errorCode`. */
export function domainTrpcError(cause: DomainError): TRPCError {
  return new TRPCError({ code: ERROR_CODES[cause.code].rpc, message: cause.message, cause });
}

/** Turns domain errors into TRPCErrors with the right code (and so the right HTTP status). */
const domainErrors = t.middleware(async function domainErrors({ next, ctx }) {
  const result = await next();
  if (!result.ok) {
    // A dependency outage is the same 503 SERVICE_UNAVAILABLE as on REST (http/outage.ts).
    const cause = dependencyUnavailable(result.error.cause) ?? result.error.cause;
    if (cause instanceof DomainError) {
      if (cause.extras.retryAfterSeconds !== undefined)
        ctx.responseHeaders?.set('Retry-After', String(cause.extras.retryAfterSeconds));
      throw new TRPCError({ code: ERROR_CODES[cause.code].rpc, message: cause.message, cause });
    }
    if (result.error.code === 'INTERNAL_SERVER_ERROR')
      ctx.log.error({ err: cause ?? result.error }, 'unhandled tRPC error');
  }
  return result;
});

/**
 * Input hygiene before anything else reads the input (the idempotency fingerprint, validation):
 * nesting bounded, and no string PostgreSQL cannot store (a 400 naming `input.<field>`, not a 500).
 */
const inputHygiene = t.middleware(async function inputHygiene({ getRawInput, next }) {
  const raw = await getRawInput();
  if (exceedsValueDepth(raw)) throw tooDeepError('input');
  const field = findUnstorableText(raw, 'input');
  if (field !== null) throw unstorableTextError(field);
  return next();
});

const isAuthed = t.middleware(function isAuthed({ ctx, next }) {
  if (!ctx.actor) {
    const message = ctx.authRefusal ?? 'Authentication required';
    throw new TRPCError({
      code: 'UNAUTHORIZED',
      message,
      cause: new DomainError('UNAUTHENTICATED', message),
    });
  }
  return next({ ctx: { ...ctx, actor: ctx.actor } });
});

/** Per-user write limit on every mutation, before its input is fingerprinted (idempotency). */
const limitWrites = t.middleware(async function limitWrites({ ctx, type, next }) {
  if (type !== 'mutation' || !ctx.actor) return next();
  try {
    const headers = await ctx.deps.rateLimits.write(ctx.actor.userId);
    for (const [name, value] of Object.entries(headers)) ctx.responseHeaders?.set(name, value);
  } catch (err) {
    if (err instanceof DomainError)
      for (const [name, value] of Object.entries(err.extras.headers ?? {}))
        ctx.responseHeaders?.set(name, value);
    throw err;
  }
  return next();
});

export const createTRPCRouter = t.router;
export const createTRPCMiddleware = t.middleware;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(domainErrors).use(inputHygiene);
export const protectedProcedure = publicProcedure.use(isAuthed).use(limitWrites);
