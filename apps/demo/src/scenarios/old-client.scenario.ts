/**
 * Problem 5 — versioning. An old mobile app that only knows v1 keeps calling after v2 is deployed:
 * it must still get the v1 shape it parses (nothing broke), and every answer must tell it — and
 * its developers — that v1 is deprecated, when it sunsets and which v2 route replaces the call
 * (RFC 9745 Deprecation, RFC 8594 Sunset, RFC 8288 Link rel="successor-version").
 */
import { OrderStatusSchema } from '@quickeats/domain';
import { z } from 'zod';
import { exchangeJson } from './http-target';
import { loginAll } from './prepare-order';
import type { ScenarioContext } from './types';
import { v1Adapter } from './v1.adapter';

/** What a deployed v1 client parses: the fields it was built against. */
const V1ClientOrder = z.object({
  id: z.string(),
  status: OrderStatusSchema,
  version: z.int(),
  items: z.array(z.unknown()),
});

export interface OldClientOutcome {
  scenario: 'old-client';
  v1: { path: string; status: number; shapeIntact: boolean };
  headers: { deprecation: string | null; sunset: string | null; link: string | null };
  successor: { path: string | null; status: number | null };
  /** The old client still works and is told about the deprecation, sunset and successor. */
  versioned: boolean;
  evidence: string[];
}

export async function oldClientScenario(
  ctx: Pick<ScenarioContext, 'http' | 'world'>,
): Promise<OldClientOutcome> {
  const sessions = await loginAll({ ...ctx, adapter: v1Adapter });
  const created = await v1Adapter.createOrder(ctx.http, sessions.customer, {
    restaurantId: ctx.world.restaurantId,
    items: [{ menuItemId: ctx.world.menuItemId, quantity: 1 }],
  });
  const path = `/api/v1/orders/${created.id}`;
  const { exchange, response } = await exchangeJson(ctx.http, 'GET', path, {
    token: sessions.customer.token,
  });
  const headers = {
    deprecation: response.headers.get('deprecation'),
    sunset: response.headers.get('sunset'),
    link: response.headers.get('link'),
  };
  const successorPath = headers.link?.match(/<([^>]+)>;\s*rel="successor-version"/)?.[1] ?? null;
  const successor = successorPath
    ? (await exchangeJson(ctx.http, 'GET', successorPath, { token: sessions.customer.token })).exchange.status
    : null;
  const shapeIntact = exchange.status === 200 && V1ClientOrder.safeParse(exchange.body).success;
  const versioned =
    shapeIntact &&
    /^@\d+$/.test(headers.deprecation ?? '') &&
    /GMT$/.test(headers.sunset ?? '') &&
    successor === 200 &&
    Date.parse(headers.sunset ?? '') >= Number(headers.deprecation?.slice(1)) * 1000;
  return {
    scenario: 'old-client',
    v1: { path, status: exchange.status, shapeIntact },
    headers,
    successor: { path: successorPath, status: successor },
    versioned,
    evidence: [
      `GET ${path} → ${exchange.status}, v1 shape ${shapeIntact ? 'intact' : 'BROKEN'}`,
      `Deprecation: ${headers.deprecation ?? '(none)'}`,
      `Sunset: ${headers.sunset ?? '(none)'}`,
      `successor ${successorPath ?? '(none)'} → ${successor ?? '-'}`,
    ],
  };
}
