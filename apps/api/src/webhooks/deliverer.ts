/**
 * One attempt of a delivery, as the queue's worker runs it. The delivery row decides: an attempt
 * starts only if the delivery is pending, due, and not leased by another attempt (the claim is one
 * conditional UPDATE, so two processes never make the same attempt concurrently); the lease outlives
 * the receiver's timeout, so a process killed mid-attempt only delays the next one. Its outcome is
 * logged and the next step (done, retry after the jittered schedule, failed — and the endpoint
 * disabled when it failed throughout) is committed with the next job, fenced by the attempt number.
 */
import { retryDelayMs, webhookMessageId } from '@quickeats/domain';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Metrics } from '../observability/metrics';
import type { WebhookQueue } from './queue';
import { signedHeaders } from './signing';
import type { QueueTx } from './tx';
import { checkWebhookUrl } from './url-guard';

interface Claimed {
  attempts: number;
  run_base: number;
  payload: { data: { occurredAt: string } };
  endpoint_id: string;
  url: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
}

export interface AttemptOutcome {
  succeeded: boolean;
  responseStatus: number | null;
  latencyMs: number;
  error: string | null;
}

export class WebhookDeliverer {
  constructor(
    private readonly queue: WebhookQueue,
    private readonly config: Config,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {}

  /** The worker's handler: every job of the batch in parallel; one failing never fails the others. */
  readonly handle = async (deliveryIds: string[]): Promise<void> => {
    const results = await Promise.allSettled(deliveryIds.map((id) => this.attempt(id)));
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [[deliveryIds[i]!, r.reason]] : []));
    if (failed.length === 0) return;
    for (const [id, err] of failed)
      this.logger.error({ err, deliveryId: id }, 'webhook attempt failed to run');
    // Wake them again later (the row still says what is due); if even that fails, pg-boss retries the batch.
    await this.queue.inTransaction((tx) =>
      tx.enqueue(failed.map(([id]) => ({ deliveryId: id as string, afterSeconds: 2 }))),
    );
  };

  async attempt(deliveryId: string): Promise<void> {
    const lease = this.queue.leaseSeconds;
    const claimed = await this.queue.inTransaction(async ({ sql, enqueue }) => {
      const [row] = (await sql(
        `update webhook_deliveries d
            set attempts = d.attempts + 1, lease_until = now() + make_interval(secs => $2), updated_at = now()
           from webhook_endpoints e
          where d.id = $1 and e.id = d.endpoint_id and e.status = 'active' and d.status = 'pending'
            and d.next_attempt_at <= now() and (d.lease_until is null or d.lease_until < now())
      returning d.attempts, d.run_base, d.payload, e.id as endpoint_id, e.url, e.secret,
                e.previous_secret, e.previous_secret_expires_at`,
        [deliveryId, lease],
      )) as unknown as Claimed[];
      if (row) return row;
      // Not claimable. Leased by an attempt in progress (or one whose process died): look again when
      // the lease ends. Anything else (done, not yet due — its own job is queued —, held) is no work.
      const [held] = await sql(
        `select extract(epoch from lease_until - now())::float8 as wait from webhook_deliveries
          where id = $1 and status = 'pending' and lease_until > now()`,
        [deliveryId],
      );
      if (held) await enqueue([{ deliveryId, afterSeconds: Number(held.wait) + 0.5 }]);
      return null;
    });
    if (!claimed) return;

    const startedAt = new Date();
    const outcome = await this.send(deliveryId, claimed, startedAt);
    await this.queue.inTransaction((tx) => this.record(tx, deliveryId, claimed, startedAt, outcome));
  }

  private async send(deliveryId: string, claimed: Claimed, at: Date): Promise<AttemptOutcome> {
    const body = JSON.stringify(claimed.payload);
    const secrets = [claimed.secret];
    if (
      claimed.previous_secret &&
      claimed.previous_secret_expires_at &&
      claimed.previous_secret_expires_at > at
    )
      secrets.push(claimed.previous_secret);
    const started = performance.now();
    // The SSRF guard again: the name may have been re-pointed since registration (DNS rebinding).
    if (!this.config.webhooks.allowPrivateUrls) {
      const verdict = await checkWebhookUrl(claimed.url);
      if (!verdict.ok) {
        return {
          succeeded: false,
          responseStatus: null,
          latencyMs: Math.round(performance.now() - started),
          error: `refused: the URL ${verdict.reason}`.slice(0, 200),
        };
      }
    }
    try {
      const response = await fetch(claimed.url, {
        method: 'POST',
        headers: signedHeaders(webhookMessageId(deliveryId), at, body, secrets),
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.config.webhooks.timeoutMs),
      });
      // The body is not read beyond what the connection needs; its status is the verdict.
      await response.body?.cancel().catch(() => {});
      const succeeded = response.status >= 200 && response.status < 300;
      return {
        succeeded,
        responseStatus: response.status,
        latencyMs: Math.round(performance.now() - started),
        error: succeeded ? null : `HTTP ${response.status}`,
      };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      return {
        succeeded: false,
        responseStatus: null,
        latencyMs: Math.round(performance.now() - started),
        error: e.name === 'TimeoutError' ? 'timeout' : (e.cause?.code ?? e.message).slice(0, 200),
      };
    }
  }

  private async record(
    tx: QueueTx,
    deliveryId: string,
    claimed: Claimed,
    startedAt: Date,
    outcome: AttemptOutcome,
  ) {
    const { sql, enqueue } = tx;
    await sql(
      `insert into webhook_attempts (delivery_id, attempt, started_at, latency_ms, response_status, succeeded, error)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [
        deliveryId,
        claimed.attempts,
        startedAt,
        outcome.latencyMs,
        outcome.responseStatus,
        outcome.succeeded,
        outcome.error,
      ],
    );
    // Fenced by the attempt number: if the lease ran out and another attempt took over, it decides.
    const fence = 'where id = $1 and attempts = $2';
    if (outcome.succeeded) {
      await sql(
        `update webhook_deliveries set status = 'succeeded', lease_until = null, next_attempt_at = null,
                last_response_status = $3, updated_at = now() ${fence}`,
        [deliveryId, claimed.attempts, outcome.responseStatus],
      );
      await sql(
        'update webhook_endpoints set failing_since = null where id = $1 and failing_since is not null',
        [claimed.endpoint_id],
      );
      this.metrics.count('webhookDeliveries', { outcome: 'delivered' });
      this.metrics.observe(
        'eventLag',
        { consumer: 'webhook' },
        Math.max(0, Date.now() - Date.parse(claimed.payload.data.occurredAt)) / 1000,
      );
      return;
    }
    this.metrics.count('webhookDeliveries', { outcome: 'failed' });
    const [endpoint] = await sql(
      `update webhook_endpoints set failing_since = coalesce(failing_since, $2) where id = $1
       returning failing_since`,
      [claimed.endpoint_id, startedAt],
    );
    const delay = retryDelayMs(
      this.config.webhooks.retryScheduleSeconds,
      claimed.attempts - claimed.run_base,
    );
    if (delay !== null) {
      const [updated] = await sql(
        `update webhook_deliveries set lease_until = null, next_attempt_at = now() + make_interval(secs => $3),
                last_response_status = $4, updated_at = now() ${fence} returning id`,
        [deliveryId, claimed.attempts, delay / 1000, outcome.responseStatus],
      );
      if (updated) await enqueue([{ deliveryId, afterSeconds: delay / 1000 }]);
      return;
    }
    // The schedule is exhausted: this delivery failed.
    await sql(
      `update webhook_deliveries set status = 'failed', lease_until = null, next_attempt_at = null,
              last_response_status = $3, updated_at = now() ${fence}`,
      [deliveryId, claimed.attempts, outcome.responseStatus],
    );
    // Every attempt to the endpoint failed since before this delivery began: a whole retry schedule
    // without one success. The endpoint is disabled, and what was waiting for it fails with it.
    const [run] = await sql(
      'select min(started_at) as first from webhook_attempts where delivery_id = $1 and attempt > $2',
      [deliveryId, claimed.run_base],
    );
    const failingSince = endpoint?.failing_since as Date | undefined;
    const runStarted = run?.first as Date | undefined;
    if (failingSince && runStarted && failingSince <= runStarted) {
      const [disabled] = await sql(
        `update webhook_endpoints set status = 'disabled', updated_at = now(),
                disabled_reason = 'every delivery attempt failed since ' || to_char(failing_since at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
          where id = $1 and status = 'active' returning id`,
        [claimed.endpoint_id],
      );
      if (disabled) {
        await sql(
          `update webhook_deliveries set status = 'failed', lease_until = null, next_attempt_at = null, updated_at = now()
            where endpoint_id = $1 and status in ('pending', 'held')`,
          [claimed.endpoint_id],
        );
        this.metrics.count('webhookDeliveries', { outcome: 'endpoint_disabled' });
        this.logger.warn(
          { endpointId: claimed.endpoint_id },
          'webhook endpoint disabled: every attempt failed',
        );
      }
    }
  }
}
