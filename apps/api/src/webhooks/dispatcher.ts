/**
 * The fan-out: outbox events → one delivery per (event, endpoint that may and wants to see it).
 * Every API process runs it, woken by the event hub (LISTEN/NOTIFY); the `webhook_dispatch` row is
 * the shared cursor, locked `FOR UPDATE SKIP LOCKED` for one batch, so one process at a time fans a
 * batch out while the others skip. Deliveries, their queue jobs and the new cursor commit together:
 * an event is fanned out once, and every delivery it creates has its wake-up job.
 */
import { canSeeOrderEvent, type OrderEventType, type Role, webhookPayload } from '@quickeats/domain';
import type { EventHub } from '../events/hub';
import type { OutboxEvent } from '../events/outbox';
import type { Logger } from '../logger';
import type { WebhookQueue } from './queue';

const BATCH = 500;
/**
 * With no endpoint, look again at most this often however many events arrive: the check was a
 * statement per committed write in every process (5 % of an API process's CPU in a write loop).
 * An endpoint created meanwhile starts at the outbox horizon, so it loses nothing; its first
 * deliveries wait at most this long.
 */
const IDLE_RECHECK_MS = 200;

interface EndpointRow {
  id: string;
  owner_id: string;
  role: Role;
  event_types: OrderEventType[] | null;
  status: 'active' | 'paused';
  since_position: string;
}

export class WebhookDispatcher {
  private stopped = new AbortController();
  private running: Promise<void> | undefined;

  constructor(
    private readonly hub: EventHub,
    private readonly queue: WebhookQueue,
    private readonly logger: Logger,
    /** Look again this often even without a new event (a peer that died mid-batch left work). */
    private readonly safetyIntervalMs = 5000,
  ) {}

  start(): void {
    this.running ??= this.loop();
  }

  private async loop() {
    await this.hub.ready();
    while (!this.stopped.signal.aborted && !this.hub.isClosed) {
      try {
        const checkedAt = Date.now();
        const wakes = this.hub.wakes;
        const { cursor, more, idle } = await this.dispatchOnce();
        if (idle) await this.pause(checkedAt + IDLE_RECHECK_MS - Date.now());
        if (!more) {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            // With no endpoint, a commit since the check (even during the pause) is reason enough to
            // look again; waiting for the events themselves would make the hub read each one.
            idle
              ? this.hub.wokenSince(wakes, this.stopped.signal)
              : this.hub.waitFor(cursor, this.stopped.signal),
            new Promise((r) => {
              timer = setTimeout(r, this.safetyIntervalMs);
            }),
          ]);
          clearTimeout(timer);
        }
      } catch (err) {
        this.logger.error({ err }, 'webhook fan-out failed; retrying');
        await new Promise((r) => setTimeout(r, 1000).unref());
      }
    }
  }

  /** Resolves after `ms`, or at once when the dispatcher stops. */
  private pause(ms: number): Promise<void> {
    if (ms <= 0 || this.stopped.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.stopped.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.stopped.signal.addEventListener('abort', done);
    });
  }

  /**
   * One batch: returns the cursor reached, whether more may be waiting right now, and whether
   * there was no endpoint at all (`idle`).
   */
  async dispatchOnce(): Promise<{ cursor: bigint; more: boolean; idle?: boolean }> {
    // Without an endpoint there is nothing to fan out: one read instead of a locking transaction per
    // wake-up in every process (which was most of the API's statements besides the orders' own).
    // The cursor stays behind meanwhile; an endpoint created later starts at the outbox horizon
    // (createEndpoint), and the batch below jumps the cursor to the earliest endpoint's start.
    const { rows: anyEndpoint } = await this.queue.pool.query(
      "select exists (select 1 from webhook_endpoints where status in ('active', 'paused')) as any",
    );
    if (!anyEndpoint[0]?.any) return { cursor: this.hub.position, more: false, idle: true };
    const result = await this.queue.inTransaction(async ({ sql, enqueue }) => {
      // The cursor row, locked for this batch; created by the first batch on this database (from 0:
      // the endpoints' starts below say where to begin). No row: another process holds the batch.
      let [row] = await sql(
        'select position::text as position from webhook_dispatch where id = 1 for update skip locked',
      );
      row ??= (
        await sql(
          `insert into webhook_dispatch (id, position) values (1, 0) on conflict do nothing
           returning position::text as position`,
        )
      )[0];
      if (!row) return { cursor: this.hub.position, more: false, enqueued: 0 };
      // FOR SHARE: an endpoint paused or resumed meanwhile must not see this batch's rows land after
      // its own move of the endpoint's deliveries (held ⇄ pending). Without the lock, a batch that
      // read "paused" and committed after a resume left its rows held for good (seen in `pnpm bench`:
      // 599 of 600 delivered, one held), and one that read "active" sent while paused. With it, the
      // status change waits for this batch (then moves its rows too), or this batch waits for the
      // change and reads the new status.
      const endpoints = (await sql(
        `select e.id, e.owner_id, u.role, e.event_types, e.status, e.since_position::text as since_position
           from webhook_endpoints e join users u on u.id = e.owner_id
          where e.status in ('active', 'paused')
            for share of e`,
      )) as unknown as EndpointRow[];
      // No endpoint wants an event at or below its start: the cursor jumps over what none wants.
      const earliest = endpoints.reduce<bigint | null>((min, e) => {
        const since = BigInt(e.since_position);
        return min === null || since < min ? since : min;
      }, null);
      const stored = BigInt(row.position as string);
      if (earliest === null) return { cursor: stored, more: false, enqueued: 0 };
      const cursor = earliest > stored ? earliest : stored;
      const events = await this.hub.read(cursor, BATCH);
      const last = events.at(-1)?.position ?? cursor;
      const rows = fanOut(events, endpoints);
      let enqueued = 0;
      if (rows.length > 0) {
        const created = await sql(
          `insert into webhook_deliveries (endpoint_id, position, event_type, order_id, payload, status, next_attempt_at)
           select x.endpoint_id, x.position, x.event_type, x.order_id, x.payload, x.status,
                  case when x.status = 'pending' then now() end
             from json_to_recordset($1::json) as x(endpoint_id uuid, position bigint, event_type text,
                                                   order_id uuid, payload jsonb, status text)
           on conflict (endpoint_id, position) do nothing
           returning id, status`,
          [JSON.stringify(rows)],
        );
        const due = created
          .filter((c) => c.status === 'pending')
          .map((c) => ({ deliveryId: c.id as string }));
        await enqueue(due);
        enqueued = due.length;
      }
      if (last > stored)
        await sql('update webhook_dispatch set position = $1 where id = 1', [last.toString()]);
      return { cursor: last, more: events.length === BATCH, enqueued };
    });
    if (result.enqueued > 0) this.queue.wakeWorker();
    return result;
  }

  async stop(): Promise<void> {
    this.stopped.abort();
    await this.running;
  }
}

/** The deliveries a batch of events makes: per event, every endpoint whose owner may see it and wants its type. */
export function fanOut(events: readonly OutboxEvent[], endpoints: readonly EndpointRow[]) {
  const rows: {
    endpoint_id: string;
    position: string;
    event_type: string;
    order_id: string;
    payload: unknown;
    status: 'pending' | 'held';
  }[] = [];
  for (const e of events) {
    for (const ep of endpoints) {
      if (e.position <= BigInt(ep.since_position)) continue;
      if (ep.event_types && !ep.event_types.includes(e.event.type)) continue;
      if (!canSeeOrderEvent(e.scope, { userId: ep.owner_id, role: ep.role })) continue;
      rows.push({
        endpoint_id: ep.id,
        position: e.event.position,
        event_type: e.event.type,
        order_id: e.event.orderId,
        payload: webhookPayload(e.event),
        status: ep.status === 'active' ? 'pending' : 'held',
      });
    }
  }
  return rows;
}
