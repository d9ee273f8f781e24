/**
 * SPEC "Idempotency" on tRPC: the same store and the same rules as the REST middleware, with the key
 * carried in the input (`idempotencyKey`) instead of a header. The scope is the user and the
 * procedure path (`POST /trpc/orders.pay`); the fingerprint covers the rest of the input, so one
 * key reused for another order is a 422, as reusing it for another body is.
 *
 * It runs before input validation (it reads the raw input), so a missing or malformed key is the
 * same `IDEMPOTENCY_KEY_REQUIRED`/`_INVALID` error as on REST, and an input refused by validation is
 * a final 4xx, stored like any other. Procedures run their mutation through `ctx.idempotency.run`,
 * which hands the service the commit hook and returns a stored result instead of running again.
 */
import {
  type Actor,
  DomainError,
  ERROR_CODES,
  type ErrorCode,
  type ErrorExtras,
  isStorableStatus,
  type Order,
  requestFingerprint,
} from '@quickeats/domain';
import { TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { fieldErrors } from '../http/problem';
import { commitHook, materialize } from '../idempotency/commit-hook';
import { idempotencyKeyFrom, REPLAYED_HEADER, refusalFor } from '../idempotency/middleware';
import {
  IdempotencyLeaseLost,
  type IdempotencyStore,
  type KeyState,
  type Lease,
  type ReadAlong,
  type ReadAlongValue,
  type StoredResponse,
} from '../idempotency/store';
import type { WriteClaim } from '../idempotency/write-claim';
import type { CommitHook } from '../services/orders.service';
import { createTRPCMiddleware, type TrpcContext } from './trpc';

/**
 * A mutation, given the commit hook that stores its result and, when the store read it with the
 * key's lease, the value of the procedure's `readAlong`.
 */
type Mutate = (onCommit: CommitHook | undefined, readAlong?: ReadAlongValue) => Promise<Order>;

/** What procedures see on `ctx.idempotency`. */
export interface TrpcIdempotency {
  /** Run the mutation (with the commit hook that stores its result), or return the stored result. */
  run(mutate: Mutate): Promise<Order>;
}

/** The stored body of a tRPC result: the procedure's output, or the error it ended with. */
type StoredResult =
  | { ok: true; data: Order }
  | { ok: false; code: ErrorCode; message: string; extras: ErrorExtras };

const stored = (result: StoredResult, status: number): StoredResponse => ({
  status,
  headers: {},
  body: JSON.stringify(result),
});
const okResponse = (order: Order) => stored({ ok: true, data: order }, 200);

/** A final error worth storing (a 4xx), or null (a 5xx or anything unexpected: not stored). */
function storableError(err: unknown): StoredResponse | null {
  const cause = err instanceof TRPCError && err.cause ? err.cause : err;
  if (cause instanceof DomainError) {
    if (!isStorableStatus(cause.status)) return null;
    return stored(
      { ok: false, code: cause.code, message: cause.message, extras: cause.extras },
      cause.status,
    );
  }
  if (cause instanceof ZodError) {
    const message = err instanceof Error ? err.message : 'Input validation failed';
    const extras = { errors: fieldErrors(cause, 'input') };
    return stored({ ok: false, code: 'VALIDATION_FAILED', message, extras }, 400);
  }
  return null;
}

/** Re-raise a stored error exactly as it first came out (same code, message and data). */
function raise(result: Extract<StoredResult, { ok: false }>): never {
  const cause = new DomainError(result.code, result.message, result.extras);
  throw new TRPCError({ code: ERROR_CODES[result.code].rpc, message: result.message, cause });
}

function replay(ctx: TrpcContext, stored: StoredResponse): Order {
  ctx.responseHeaders?.set(REPLAYED_HEADER, 'true');
  const response = materialize(stored, ctx.actor!, okResponse);
  const result = JSON.parse(response.body) as StoredResult;
  if (!result.ok) raise(result);
  return result.data;
}

function refuse(ctx: TrpcContext, state: Exclude<KeyState, { kind: 'replay' }>): never {
  const error = refusalFor(state);
  if (error.extras.retryAfterSeconds !== undefined)
    ctx.responseHeaders?.set('Retry-After', String(error.extras.retryAfterSeconds));
  throw error;
}

/** Answer with what the key holds: its replay, or the error saying why not. */
function answerWith(ctx: TrpcContext, state: KeyState): Order {
  if (state.kind === 'replay') return replay(ctx, state.response);
  refuse(ctx, state);
}

/** This execution lost its key: answer with what the key holds now (see the REST middleware). */
async function settleLost(ctx: TrpcContext, store: IdempotencyStore, lease: Lease): Promise<Order> {
  await store.release(lease);
  return answerWith(ctx, await store.peek(lease.scope, lease.fingerprint));
}

/** A key claimed by the mutation's single write statement (see `WriteClaim` and the REST middleware). */
function claimHandle(ctx: TrpcContext, claim: WriteClaim): TrpcIdempotency & { ran: boolean } {
  const handle = {
    ran: false,
    async run(mutate: Mutate): Promise<Order> {
      handle.ran = true;
      let order: Order;
      try {
        order = await mutate(claim.commitWith(okResponse));
      } catch (err) {
        if (err instanceof IdempotencyLeaseLost) return answerWith(ctx, await claim.holder(err));
        const response = storableError(err);
        const state = response && (await claim.complete(response));
        if (state) return answerWith(ctx, state);
        throw err;
      }
      if (claim.recorded) return order;
      const state = await claim.complete(okResponse(order));
      return state ? answerWith(ctx, state) : order;
    },
  };
  return handle;
}

function leaseHandle(
  ctx: TrpcContext,
  store: IdempotencyStore,
  lease: Lease,
  readAlong: ReadAlongValue | undefined,
): TrpcIdempotency & { ran: boolean } {
  const handle = {
    ran: false,
    async run(mutate: Mutate): Promise<Order> {
      handle.ran = true;
      let recorded: StoredResponse | undefined;
      let order: Order;
      try {
        order = await mutate(
          commitHook(store, lease, okResponse, (response) => {
            recorded = response;
          }),
          readAlong,
        );
      } catch (err) {
        if (err instanceof IdempotencyLeaseLost) return settleLost(ctx, store, lease);
        const response = storableError(err);
        if (!response) {
          await store.release(lease);
          throw err;
        }
        if (await store.complete(lease, response)) throw err;
        return settleLost(ctx, store, lease);
      }
      if (recorded) {
        await store.afterCommit(lease, recorded);
        return order;
      }
      if (await store.complete(lease, okResponse(order))) return order;
      return settleLost(ctx, store, lease);
    },
  };
  return handle;
}

const passThrough: TrpcIdempotency = { run: (mutate) => mutate(undefined) };

/**
 * @example
 * protectedProcedure.use(idempotentMutation({ required: true })).input(…).mutation(({ ctx, input }) =>
 *   ctx.idempotency.run((onCommit) => performAction(ctx.deps, ctx.actor, cmd, { onCommit })));
 */
export function idempotentMutation(options: {
  required: boolean;
  /**
   * True when the mutation's whole effect will be one statement (`writesInOneStatement`): the key is
   * then claimed by that statement (`IdempotencyStore.claimInWrite`), with no lease taken first.
   */
  claimedByWrite?: (input: Record<string, unknown>, actor: Actor, store: IdempotencyStore) => boolean;
  /** What the mutation will read first, for the store to read with the lease (`ReadAlong`). */
  readAlong?: (input: Record<string, unknown>) => ReadAlong | undefined;
}) {
  return createTRPCMiddleware(async function idempotency({ ctx, next, getRawInput, path }) {
    const raw = await getRawInput();
    const { idempotencyKey, ...rest } = (raw !== null && typeof raw === 'object' ? raw : {}) as Record<
      string,
      unknown
    >;
    const source = { name: 'idempotencyKey input', field: 'input.idempotencyKey' };
    if (idempotencyKey !== undefined && typeof idempotencyKey !== 'string') {
      throw new DomainError('IDEMPOTENCY_KEY_INVALID', `The ${source.name} must be a string`, {
        errors: [{ field: source.field, message: 'must be a string' }],
      });
    }
    const key = idempotencyKeyFrom(idempotencyKey, options.required, source);
    if (key === null) return next({ ctx: { idempotency: passThrough } });

    const actor = ctx.actor!;
    const route = `/trpc/${path}`;
    const store = ctx.deps.idempotency;
    const scope = { userId: actor.userId, route: `POST ${route}`, key };
    const fingerprint = requestFingerprint({
      method: 'POST',
      route,
      body: raw !== null && typeof raw === 'object' ? rest : raw,
    });
    if (options.claimedByWrite?.(rest, actor, store)) {
      const claim = store.claimInWrite(scope, fingerprint);
      const handle = claimHandle(ctx, claim);
      const result = await next({ ctx: { idempotency: handle } });
      if (handle.ran) return result;
      // Refused before the mutation ran (its input): a final 4xx, stored like any other. A retry of
      // the same input is refused the same way and finds that record: it answers with the record
      // (the stored error is raised as first stored).
      const response = result.ok ? okResponse(result.data as Order) : storableError(result.error);
      const state = response && (await claim.complete(response));
      if (state) answerWith(ctx, state);
      return result;
    }
    const lease = await store.admit(scope, fingerprint, options.readAlong?.(rest));
    if (lease.kind === 'replay') {
      const data = replay(ctx, lease.response);
      return next({ ctx: { idempotency: { run: async () => data } satisfies TrpcIdempotency } });
    }
    if (lease.kind !== 'acquired') refuse(ctx, lease);

    const handle = leaseHandle(ctx, store, lease.lease, lease.readAlong);
    const result = await next({ ctx: { idempotency: handle } });
    if (handle.ran) return result;
    // The mutation never ran: the input was refused before it (a final 4xx) or something failed.
    const response = result.ok ? okResponse(result.data as Order) : storableError(result.error);
    if (!response) await store.release(lease.lease);
    else if (!(await store.complete(lease.lease, response))) await store.release(lease.lease);
    return result;
  });
}
