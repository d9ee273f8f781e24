/**
 * `Idempotency-Key` for v2 POSTs (SPEC "Idempotency"; IETF draft-ietf-httpapi-idempotency-key-header),
 * as Hono middleware between authentication and the route handler:
 *
 * - missing where required → 400 `IDEMPOTENCY_KEY_REQUIRED`; malformed → 400 `IDEMPOTENCY_KEY_INVALID`
 *   (nothing stored: there is no usable key to store it under);
 * - the key is scoped to the authenticated user and the method + concrete path; the request's
 *   fingerprint is SHA-256 over method, path and canonical JSON body;
 * - first use runs the handler; its final response is stored (2xx and 4xx) and sent; a 5xx is not
 *   stored and the key is released, so the retry runs again;
 * - same key and fingerprint → the stored status, headers and body again, byte for byte, with
 *   `Idempotent-Replayed: true`; another fingerprint → 422; still running → 409 + `Retry-After`;
 * - a request whose whole effect is one statement (`claimedByWrite`) takes no lease: that statement
 *   claims the key (`WriteClaim`), so it has no "still running" for a duplicate to meet.
 *
 * A handler whose request changes data hands the service `c.var.idempotency.commitWith(render)`,
 * so its response is stored inside the transaction of the change. The response sent first is then
 * the stored copy itself, so a replay can never differ from it. Requests refused before this layer
 * (401, 406, 413, 415) are not stored: they were never processed.
 */
import { DomainError, isStorableStatus, parseIdempotencyKey, requestFingerprint } from '@quickeats/domain';
import type { Context, MiddlewareHandler, Next } from 'hono';
import type { AppEnv } from '../context';
import { problemResponse } from '../http/problem';
import { commitHook, materialize, type Render } from './commit-hook';
import type { IdempotencyStore, KeyState, Lease, ReadAlong, StoredResponse } from './store';
import { IdempotencyLeaseLost } from './store';
import type { WriteClaim } from './write-claim';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';
/** The headers that belong to a result and are replayed with it. */
const STORED_HEADERS = ['Content-Type', 'ETag', 'Location'] as const;

/** Where a key was read from, for the messages of the 400s. */
export interface KeySource {
  /** As the client knows it: `Idempotency-Key header`, `idempotencyKey input`. */
  name: string;
  /** The `errors[].field` of the problem. */
  field: string;
}
const HEADER_SOURCE: KeySource = {
  name: `${IDEMPOTENCY_KEY_HEADER} header`,
  field: `header.${IDEMPOTENCY_KEY_HEADER}`,
};

/** The key as sent: null when absent and optional; a 400 when absent and required, or malformed. */
export function idempotencyKeyFrom(
  value: string | undefined,
  required: boolean,
  source: KeySource = HEADER_SOURCE,
): string | null {
  if (value === undefined) {
    if (!required) return null;
    throw new DomainError(
      'IDEMPOTENCY_KEY_REQUIRED',
      `Send an ${source.name}: a unique value per operation, reused unchanged on its retries`,
      { errors: [{ field: source.field, message: 'required' }] },
    );
  }
  const parsed = parseIdempotencyKey(value);
  if (!parsed.ok) {
    throw new DomainError('IDEMPOTENCY_KEY_INVALID', `The ${source.name} ${parsed.reason}`, {
      errors: [{ field: source.field, message: parsed.reason }],
    });
  }
  return parsed.key;
}

/** The answer for a key that is not ours to run: a replay, or the problem saying why not. */
export function refusalFor(state: Exclude<KeyState, { kind: 'replay' }>): DomainError {
  switch (state.kind) {
    case 'mismatch':
      return new DomainError(
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was used for a different request (method, path or body); use a new key',
      );
    case 'in-flight':
      return new DomainError(
        'IDEMPOTENCY_IN_FLIGHT',
        'A request with this Idempotency-Key is still being processed; retry after Retry-After seconds',
        { retryAfterSeconds: state.retryAfterSeconds },
      );
    case 'free':
      // The key changed hands while this request ran (its lease was taken over and released).
      return new DomainError('IDEMPOTENCY_IN_FLIGHT', 'The Idempotency-Key changed hands; retry', {
        retryAfterSeconds: 1,
      });
  }
}

function storedResponse(stored: StoredResponse, replayed: boolean): Response {
  const headers = new Headers(stored.headers);
  if (replayed) headers.set(REPLAYED_HEADER, 'true');
  return new Response(stored.body, { status: stored.status, headers });
}

/**
 * Replace the handler's response outright. Hono's `c.res` setter merges the old response's headers
 * into the new one (and `c.body` starts from them), so the old response is dropped first.
 */
function sendInstead(c: Context<AppEnv>, response: () => Response): void {
  c.res = undefined;
  c.res = response();
}

async function snapshot(res: Response): Promise<StoredResponse> {
  const headers: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    const value = res.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  return { status: res.status, headers, body: await res.clone().text() };
}

/**
 * The body as the fingerprint sees it: parsed JSON (so key order and whitespace do not matter), the
 * raw text when it is not JSON (the handler will refuse it; a retry of the same bytes replays that),
 * null when empty.
 */
async function fingerprintBody(c: Context<AppEnv>): Promise<unknown> {
  const text = await c.req.text();
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export interface IdempotencyOptions {
  /** SPEC: required on create and pay (`requiresIdempotencyKey`), honoured everywhere else. */
  required: boolean;
  /**
   * The route's answer for an order (the one its handler hands `commitWith`): replays of a record
   * the write statement stored as the order's data are rendered with it.
   */
  render?: Render;
  /**
   * True when this request's whole effect will be one statement (`writesInOneStatement`): its key is
   * then claimed by that statement (`IdempotencyStore.claimInWrite`), with no lease taken first.
   */
  claimedByWrite?: (c: Context<AppEnv>) => boolean;
  /**
   * What the handler will read first, for the store to read with the lease (`ReadAlong`): the
   * handler finds it on `c.var.idempotency.readAlong` when the store did.
   */
  readAlong?: (c: Context<AppEnv>) => ReadAlong | undefined;
}

/**
 * @example
 * app.use('/orders/:id/pay', idempotencyKeys({ required: true, render }));
 * app.openapi(payRoute, async (c) => {
 *   const render = orderResponse(200);
 *   const order = await performAction(c.get('deps'), c.var.actor, cmd, { onCommit: c.var.idempotency?.commitWith(render) });
 *   return sendStored(c, render(order));
 * });
 */
export function idempotencyKeys(options: IdempotencyOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const key = idempotencyKeyFrom(c.req.header(IDEMPOTENCY_KEY_HEADER), options.required);
    if (key === null) return next();
    // The request's store: its statements count in the request's tally.
    const store = c.get('deps').idempotency;

    const scope = { userId: c.var.actor.userId, route: `POST ${c.req.path}`, key };
    const fingerprint = requestFingerprint({
      method: 'POST',
      route: c.req.path,
      body: await fingerprintBody(c),
    });
    if (options.claimedByWrite?.(c))
      return claimedByWrite(c, next, store.claimInWrite(scope, fingerprint), options.render);
    const admission = await store.admit(scope, fingerprint, options.readAlong?.(c));
    if (admission.kind === 'replay')
      return storedResponse(materialize(admission.response, c.var.actor, options.render), true);
    if (admission.kind !== 'acquired') throw refusalFor(admission);
    const lease = admission.lease;

    let recorded: StoredResponse | undefined;
    let render = options.render;
    c.set('idempotency', {
      commitWith: (handlerRender) => {
        render = handlerRender;
        return commitHook(store, lease, handlerRender, (response) => {
          recorded = response;
        });
      },
      readAlong: admission.readAlong,
    });
    await next();

    if (c.error instanceof IdempotencyLeaseLost) return settleLost(c, store, lease, render);
    const committed = c.error ? undefined : recorded;
    if (committed) {
      // The change and its response committed together; publish, and send exactly what was stored.
      await store.afterCommit(lease, committed);
      return sendInstead(c, () => storedResponse(committed, false));
    }
    const response = await snapshot(c.res);
    if (!isStorableStatus(response.status)) {
      // A 5xx is not an answer to the request: let its retry run again. (If the change did commit
      // before the failure, the record committed with it and the release finds nothing to free.)
      await store.release(lease);
      return;
    }
    if (await store.complete(lease, response)) return sendInstead(c, () => storedResponse(response, false));
    return settleLost(c, store, lease, render);
  };
}

/**
 * A key claimed by the request's single write statement (see `WriteClaim`): the statement stores the
 * answer with the change, or finds the key's record and changes nothing — then that record answers.
 * A final 4xx (the statement changed nothing, or the request was refused before it) is stored after.
 */
async function claimedByWrite(
  c: Context<AppEnv>,
  next: Next,
  claim: WriteClaim,
  routeRender: Render | undefined,
): Promise<void> {
  let render = routeRender;
  c.set('idempotency', {
    commitWith: (handlerRender) => {
      render = handlerRender;
      return claim.commitWith(handlerRender);
    },
  });
  await next();
  if (c.error instanceof IdempotencyLeaseLost) return answerWith(c, await claim.holder(c.error), render);
  const committed = c.error ? undefined : claim.recorded;
  if (committed) return sendInstead(c, () => storedResponse(committed, false));
  const response = await snapshot(c.res);
  // A 5xx: nothing was stored and nothing is held, so its retry simply runs again.
  if (!isStorableStatus(response.status)) return;
  const state = await claim.complete(response);
  if (!state) return sendInstead(c, () => storedResponse(response, false));
  return answerWith(c, state, render);
}

/** Answer with what the key holds: its replay, or the problem saying why not. */
function answerWith(c: Context<AppEnv>, state: KeyState, render: Render | undefined): void {
  // Built inside `sendInstead`, once the handler's response is dropped: `c.body` would start from its headers.
  sendInstead(c, () =>
    state.kind === 'replay'
      ? storedResponse(materialize(state.response, c.var.actor, render), true)
      : problemResponse(c, refusalFor(state)),
  );
}

/**
 * This execution lost its key (its lease expired and another took over, or another execution
 * recorded first): its own outcome is void — the transaction rolled back — and the client gets
 * what the key holds now, so every answer for one key is the same result or a 409.
 */
async function settleLost(
  c: Context<AppEnv>,
  store: IdempotencyStore,
  lease: Lease,
  render: Render | undefined,
): Promise<void> {
  await store.release(lease);
  answerWith(c, await store.peek(lease.scope, lease.fingerprint), render);
}
