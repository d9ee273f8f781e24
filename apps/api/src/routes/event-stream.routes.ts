/**
 * `GET /api/v2/event-stream`: order events as Server-Sent Events, for apps and partners. Each event
 * is `id: <position>` and `data: <event JSON>`; a client that reconnects with `Last-Event-ID` (every
 * EventSource does) resumes right after it without a gap. Comment lines (`: heartbeat`) keep idle
 * connections open through proxies. Scoped like the reads: each caller only sees what it may read.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { DomainError, EventPositionSchema, IdSchema, OrderStreamEventSchema } from '@quickeats/domain';
import { streamSSE } from 'hono/streaming';
import { requireActor } from '../auth/require-actor';
import type { AppDeps } from '../context';
import { createOpenApiRouter } from '../http/openapi';
import { problem } from '../http/responses';
import { followOrderEvents } from '../services/order-events.service';

export const EVENT_STREAM_MEDIA_TYPE = 'text/event-stream';

export function eventStreamRoutes(deps: AppDeps) {
  const app = createOpenApiRouter();

  const route = createRoute({
    method: 'get',
    path: '/event-stream',
    tags: ['events'],
    summary: 'Follow order events (Server-Sent Events)',
    description:
      'Every committed order change the caller may see, as it commits, in position order: customers their ' +
      'orders, restaurant owners their restaurants’ orders, riders the ready pool (orders entering and ' +
      'leaving it) and their own deliveries, admins all. Each SSE message has `id:` = the event position ' +
      'and `data:` = the event JSON (`OrderStreamEvent`). Send `Last-Event-ID` (EventSource does on ' +
      'reconnect) to resume right after that position; without it the stream starts at the present. ' +
      'Comment lines are heartbeats. Positions are global and increasing, with gaps.',
    security: [{ bearerAuth: [] }],
    middleware: [requireActor(deps)],
    request: {
      query: z.strictObject({
        order: IdSchema.optional().openapi({ description: 'Only this order’s events' }),
      }),
      headers: z.object({
        'last-event-id': EventPositionSchema.optional().openapi({
          description: 'Resume after this position (the `id:` of the last event received)',
        }),
      }),
    },
    responses: {
      200: {
        description:
          'An endless `text/event-stream`; each `data:` is one `OrderStreamEvent` JSON object, `id:` its position',
        content: {
          [EVENT_STREAM_MEDIA_TYPE]: { schema: OrderStreamEventSchema.meta({ id: 'OrderStreamEvent' }) },
        },
      },
      400: problem('Malformed order id or Last-Event-ID'),
      401: problem('Not authenticated'),
      404: problem('No such order visible to the caller'),
    },
  });

  app.openapi(route, async (c) => {
    const { order } = c.req.valid('query');
    const lastEventId = c.req.valid('header')['last-event-id'];
    const abort = new AbortController();
    // Refusals (404) are answered before the stream starts, as problems.
    const events = await followOrderEvents(c.get('deps'), c.var.actor, {
      orderId: order,
      lastEventId,
      signal: abort.signal,
      tokenVersion: c.var.tokenVersion,
    });
    c.header('Cache-Control', 'no-store');
    // Tell nginx-style proxies not to buffer the stream.
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => abort.abort());
      const heartbeat = setInterval(() => {
        stream.write(': heartbeat\n\n').catch(() => abort.abort());
      }, deps.config.events.heartbeatSeconds * 1000);
      try {
        // An immediate comment flushes the headers: the client knows it is connected.
        await stream.write(': connected\n\n');
        for await (const event of events) {
          await stream.writeSSE({ id: event.position, data: JSON.stringify(event) });
        }
      } catch (err) {
        // Shutdown (or a failed outbox read): end the stream; the client reconnects with Last-Event-ID.
        if (!(err instanceof DomainError && err.code === 'SERVICE_UNAVAILABLE'))
          c.var.log.error({ err }, 'event stream failed');
      } finally {
        clearInterval(heartbeat);
        abort.abort();
      }
    }) as never;
  });

  return app;
}
