/**
 * `webhooks.*`: the same webhook-endpoint use cases as `/api/v2/webhook-endpoints`, with the same zod
 * schemas as input and output. Owners manage their own endpoints, admins any.
 */
import {
  IdSchema,
  WebhookDeliveryListInputSchema,
  WebhookDeliverySchema,
  WebhookEndpointCreateBodySchema,
  WebhookEndpointSchema,
  WebhookEndpointUpdateSchema,
  WebhookEndpointWithSecretSchema,
  webhookEndpointInput,
} from '@quickeats/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import {
  createEndpoint,
  deleteEndpoint,
  getDelivery,
  getEndpoint,
  listDeliveries,
  listEndpoints,
  redeliver,
  rotateSecret,
  setEndpointStatus,
} from '../../webhooks/webhooks.service';
import { protectedProcedure } from '../trpc';

const EndpointInput = z.strictObject({ endpointId: IdSchema });
const DeliveryInput = EndpointInput.extend({ deliveryId: z.string().max(40) });

export const webhooksRouter = {
  create: protectedProcedure
    .input(WebhookEndpointCreateBodySchema)
    .output(WebhookEndpointWithSecretSchema)
    .mutation(({ ctx, input }) => createEndpoint(ctx.deps, ctx.actor, webhookEndpointInput(input))),
  list: protectedProcedure
    .output(z.array(WebhookEndpointSchema))
    .query(({ ctx }) => listEndpoints(ctx.deps, ctx.actor)),
  get: protectedProcedure
    .input(EndpointInput)
    .output(WebhookEndpointSchema)
    .query(({ ctx, input }) => getEndpoint(ctx.deps, ctx.actor, input.endpointId)),
  update: protectedProcedure
    .input(EndpointInput.extend(WebhookEndpointUpdateSchema.shape))
    .output(WebhookEndpointSchema)
    .mutation(({ ctx, input }) => setEndpointStatus(ctx.deps, ctx.actor, input.endpointId, input.status)),
  delete: protectedProcedure
    .input(EndpointInput)
    .output(z.object({ deleted: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await deleteEndpoint(ctx.deps, ctx.actor, input.endpointId);
      return { deleted: true as const };
    }),
  rotateSecret: protectedProcedure
    .input(EndpointInput)
    .output(WebhookEndpointWithSecretSchema)
    .mutation(({ ctx, input }) => rotateSecret(ctx.deps, ctx.actor, input.endpointId)),
  deliveries: protectedProcedure
    .input(WebhookDeliveryListInputSchema)
    .output(z.array(WebhookDeliverySchema))
    .query(({ ctx, input }) =>
      listDeliveries(ctx.deps, ctx.actor, input.endpointId, { status: input.status, limit: input.limit }),
    ),
  delivery: protectedProcedure
    .input(DeliveryInput)
    .output(WebhookDeliverySchema)
    .query(({ ctx, input }) => getDelivery(ctx.deps, ctx.actor, input.endpointId, input.deliveryId)),
  redeliver: protectedProcedure
    .input(DeliveryInput)
    .output(WebhookDeliverySchema)
    .mutation(({ ctx, input }) => redeliver(ctx.deps, ctx.actor, input.endpointId, input.deliveryId)),
} satisfies TRPCRouterRecord;
