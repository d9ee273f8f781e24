/**
 * Webhook endpoints and their delivery log, the use cases behind `/api/v2/webhook-endpoints` and the
 * tRPC `webhooks.*` procedures. Owners (role `restaurant`) manage their own endpoints, which receive
 * their restaurants' order events; admins manage any and theirs receive every event. Another
 * caller's endpoint is a 404, as with orders.
 */
import { executeRows } from '@quickeats/db';
import {
  type Actor,
  DomainError,
  deliveryIdOf,
  mayManageWebhooks,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEndpointInput,
  webhookMessageId,
} from '@quickeats/domain';
import { sql as drizzleSql, type SQL } from 'drizzle-orm';
import type { AppDeps } from '../context';
import { generateWebhookSecret } from './signing';
import type { QueueTx, Sql } from './tx';
import { checkWebhookUrl } from './url-guard';

type Deps = Pick<AppDeps, 'db' | 'config' | 'webhookQueue'>;

/** `$1`-style SQL over Drizzle (the embedded database, or no queue in this process). */
function positional(text: string, values: unknown[] = []): SQL {
  const parts = text.split(/\$(\d+)/);
  const chunks: SQL[] = parts.map((p, i) =>
    i % 2 === 0 ? drizzleSql.raw(p) : drizzleSql`${values[Number(p) - 1]}`,
  );
  return drizzleSql.join(chunks);
}

/** A transaction on the queue's direct connection (jobs enqueued with it), or on the app's database. */
async function transaction<T>(deps: Deps, fn: (tx: QueueTx) => Promise<T>): Promise<T> {
  if (deps.webhookQueue) return deps.webhookQueue.inTransaction(fn);
  return deps.db.transaction(async (t) => {
    const sql: Sql = (text, values) => executeRows(t, positional(text, values));
    // No worker in this process (the embedded database): nothing to wake.
    return fn({ sql, enqueue: async () => {} });
  });
}

function assertMayManage(actor: Actor) {
  if (!mayManageWebhooks(actor.role))
    throw new DomainError('FORBIDDEN', 'Only restaurant owners and admins manage webhook endpoints');
}

/** The SSRF guard (url-guard.ts): 422 naming `url` when production may not send there. */
async function assertDeliverableUrl(deps: Deps, url: string): Promise<void> {
  if (deps.config.webhooks.allowPrivateUrls) return;
  const verdict = await checkWebhookUrl(url);
  if (!verdict.ok) {
    throw new DomainError('UNPROCESSABLE', `The webhook URL ${verdict.reason}`, {
      errors: [{ field: 'url', message: verdict.reason }],
    });
  }
}

interface EndpointRow {
  id: string;
  url: string;
  event_types: string[] | null;
  status: WebhookEndpoint['status'];
  disabled_reason: string | null;
  created_at: Date | string;
}
const ENDPOINT_COLUMNS = 'id, url, event_types, status, disabled_reason, created_at';

function toEndpoint(row: EndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    events: row.event_types as WebhookEndpoint['events'],
    status: row.status,
    disabledReason: row.disabled_reason,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** Who sees an endpoint: its owner, and admins. */
const VISIBLE = "(id = $1 and (owner_id = $2 or $3 = 'admin'))";

async function visibleEndpoint(tx: QueueTx, actor: Actor, id: string, lock = false): Promise<EndpointRow> {
  const [row] = await tx.sql(
    `select ${ENDPOINT_COLUMNS} from webhook_endpoints where ${VISIBLE}${lock ? ' for update' : ''}`,
    [id, actor.userId, actor.role],
  );
  if (!row) throw new DomainError('NOT_FOUND', 'Webhook endpoint not found');
  return row as unknown as EndpointRow;
}

export async function createEndpoint(
  deps: Deps,
  actor: Actor,
  input: WebhookEndpointInput,
): Promise<WebhookEndpoint & { secret: string }> {
  assertMayManage(actor);
  await assertDeliverableUrl(deps, input.url);
  const secret = generateWebhookSecret();
  return transaction(deps, async ({ sql }) => {
    // It receives the events after its creation that the fan-out has not passed yet. Waiting for the
    // fan-out's cursor row means no batch is between reading the endpoints and committing, so none
    // skips this one; the outbox horizon (every event at or below it has committed, none later will
    // land there) is where "after its creation" starts, since the cursor stands still while there
    // is no endpoint.
    const [cursor] = await sql('select position from webhook_dispatch where id = 1 for update');
    const [since] = await sql('select greatest($1::bigint, order_outbox_horizon())::text as position', [
      cursor?.position ?? null,
    ]);
    const [row] = await sql(
      `insert into webhook_endpoints (owner_id, url, event_types, secret, since_position)
       values ($1, $2, $3, $4, $5) returning ${ENDPOINT_COLUMNS}`,
      [actor.userId, input.url, input.events ? [...new Set(input.events)] : null, secret, since!.position],
    );
    return { ...toEndpoint(row as unknown as EndpointRow), secret };
  });
}

export async function listEndpoints(deps: Deps, actor: Actor): Promise<WebhookEndpoint[]> {
  assertMayManage(actor);
  return transaction(deps, async ({ sql }) => {
    const rows = await sql(
      `select ${ENDPOINT_COLUMNS} from webhook_endpoints where owner_id = $1 or $2 = 'admin'
        order by created_at, id limit 500`,
      [actor.userId, actor.role],
    );
    return rows.map((r) => toEndpoint(r as unknown as EndpointRow));
  });
}

export async function getEndpoint(deps: Deps, actor: Actor, id: string): Promise<WebhookEndpoint> {
  assertMayManage(actor);
  return transaction(deps, async (tx) => toEndpoint(await visibleEndpoint(tx, actor, id)));
}

export async function deleteEndpoint(deps: Deps, actor: Actor, id: string): Promise<void> {
  assertMayManage(actor);
  await transaction(deps, async (tx) => {
    await visibleEndpoint(tx, actor, id, true);
    // Its deliveries and their log go with it; queued jobs find nothing to do.
    await tx.sql('delete from webhook_endpoints where id = $1', [id]);
  });
}

/** A new secret, answered once; the previous one keeps signing (a second signature) for the grace period. */
export async function rotateSecret(
  deps: Deps,
  actor: Actor,
  id: string,
): Promise<WebhookEndpoint & { secret: string }> {
  assertMayManage(actor);
  const secret = generateWebhookSecret();
  return transaction(deps, async (tx) => {
    await visibleEndpoint(tx, actor, id, true);
    const [row] = await tx.sql(
      `update webhook_endpoints
          set previous_secret = secret, previous_secret_expires_at = now() + make_interval(secs => $3),
              secret = $2, updated_at = now()
        where id = $1 returning ${ENDPOINT_COLUMNS}`,
      [id, secret, deps.config.webhooks.rotationGraceSeconds],
    );
    return { ...toEndpoint(row as unknown as EndpointRow), secret };
  });
}

/**
 * Pause: deliveries are kept (held) and sent on resume. Resume (`active`) also re-enables a disabled
 * endpoint; held deliveries start a new run of the retry schedule at once.
 */
export async function setEndpointStatus(
  deps: Deps,
  actor: Actor,
  id: string,
  status: 'active' | 'paused',
): Promise<WebhookEndpoint> {
  assertMayManage(actor);
  return transaction(deps, async (tx) => {
    await visibleEndpoint(tx, actor, id, true);
    const [row] = await tx.sql(
      `update webhook_endpoints
          set status = $2, updated_at = now(),
              disabled_reason = case when $2 = 'active' then null else disabled_reason end,
              failing_since = case when $2 = 'active' then null else failing_since end
        where id = $1 returning ${ENDPOINT_COLUMNS}`,
      [id, status],
    );
    if (status === 'paused') {
      await tx.sql(
        `update webhook_deliveries set status = 'held', next_attempt_at = null, updated_at = now()
          where endpoint_id = $1 and status = 'pending'`,
        [id],
      );
    } else {
      const resumed = await tx.sql(
        `update webhook_deliveries set status = 'pending', next_attempt_at = now(), run_base = attempts, updated_at = now()
          where endpoint_id = $1 and status = 'held' returning id`,
        [id],
      );
      await tx.enqueue(resumed.map((r) => ({ deliveryId: r.id as string })));
    }
    return toEndpoint(row as unknown as EndpointRow);
  });
}

interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_type: string;
  position: string;
  order_id: string;
  status: WebhookDelivery['status'];
  attempts: number;
  next_attempt_at: Date | string | null;
  last_response_status: number | null;
  created_at: Date | string;
  log: {
    attempt: number;
    started_at: string;
    latency_ms: number;
    response_status: number | null;
    succeeded: boolean;
    error: string | null;
  }[];
}

const DELIVERY_SELECT = `
  select d.id, d.endpoint_id, d.event_type, d.position::text as position, d.order_id, d.status, d.attempts,
         d.next_attempt_at, d.last_response_status, d.created_at,
         coalesce((select json_agg(json_build_object('attempt', a.attempt, 'started_at', a.started_at,
                    'latency_ms', a.latency_ms, 'response_status', a.response_status,
                    'succeeded', a.succeeded, 'error', a.error) order by a.attempt, a.started_at)
                     from webhook_attempts a where a.delivery_id = d.id), '[]'::json) as log
    from webhook_deliveries d`;

function toDelivery(row: DeliveryRow): WebhookDelivery {
  const log = typeof row.log === 'string' ? (JSON.parse(row.log) as DeliveryRow['log']) : row.log;
  return {
    id: webhookMessageId(row.id),
    endpointId: row.endpoint_id,
    eventType: row.event_type as WebhookDelivery['eventType'],
    position: row.position,
    orderId: row.order_id,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at ? new Date(row.next_attempt_at).toISOString() : null,
    lastResponseStatus: row.last_response_status,
    createdAt: new Date(row.created_at).toISOString(),
    log: log.map((a) => ({
      attempt: a.attempt,
      startedAt: new Date(a.started_at).toISOString(),
      latencyMs: a.latency_ms,
      responseStatus: a.response_status,
      succeeded: a.succeeded,
      error: a.error,
    })),
  };
}

/** The newest deliveries to an endpoint (optionally of one status), each with its attempt log. */
export async function listDeliveries(
  deps: Deps,
  actor: Actor,
  endpointId: string,
  options: { status?: WebhookDelivery['status'] | undefined; limit: number },
): Promise<WebhookDelivery[]> {
  assertMayManage(actor);
  return transaction(deps, async (tx) => {
    await visibleEndpoint(tx, actor, endpointId);
    const rows = await tx.sql(
      `${DELIVERY_SELECT} where d.endpoint_id = $1 and ($2::text is null or d.status = $2)
        order by d.position desc limit $3`,
      [endpointId, options.status ?? null, options.limit],
    );
    return rows.map((r) => toDelivery(r as unknown as DeliveryRow));
  });
}

function deliveryUuid(messageId: string): string {
  const id = deliveryIdOf(messageId);
  if (!id) throw new DomainError('NOT_FOUND', 'Webhook delivery not found');
  return id;
}

export async function getDelivery(
  deps: Deps,
  actor: Actor,
  endpointId: string,
  messageId: string,
): Promise<WebhookDelivery> {
  assertMayManage(actor);
  const id = deliveryUuid(messageId);
  return transaction(deps, async (tx) => {
    await visibleEndpoint(tx, actor, endpointId);
    const [row] = await tx.sql(`${DELIVERY_SELECT} where d.id = $1 and d.endpoint_id = $2`, [id, endpointId]);
    if (!row) throw new DomainError('NOT_FOUND', 'Webhook delivery not found');
    return toDelivery(row as unknown as DeliveryRow);
  });
}

/** Send a delivery again (whatever its status): a new run of the retry schedule, same `webhook-id`. */
export async function redeliver(
  deps: Deps,
  actor: Actor,
  endpointId: string,
  messageId: string,
): Promise<WebhookDelivery> {
  assertMayManage(actor);
  const id = deliveryUuid(messageId);
  await transaction(deps, async (tx) => {
    const endpoint = await visibleEndpoint(tx, actor, endpointId, true);
    const [row] = await tx.sql(
      'select id from webhook_deliveries where id = $1 and endpoint_id = $2 for update',
      [id, endpointId],
    );
    if (!row) throw new DomainError('NOT_FOUND', 'Webhook delivery not found');
    if (endpoint.status !== 'active')
      throw new DomainError(
        'WEBHOOK_ENDPOINT_INACTIVE',
        `The endpoint is ${endpoint.status}: resume it first`,
      );
    await tx.sql(
      `update webhook_deliveries set status = 'pending', next_attempt_at = now(), run_base = attempts, updated_at = now()
        where id = $1`,
      [id],
    );
    await tx.enqueue([{ deliveryId: id }]);
  });
  deps.webhookQueue?.wakeWorker();
  return getDelivery(deps, actor, endpointId, messageId);
}
