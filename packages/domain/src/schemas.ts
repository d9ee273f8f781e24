/**
 * The zod schemas of every input and output, defined once. REST routes, tRPC procedures, the
 * OpenAPI document and the SDK all derive from these. Objects are strict: unknown fields are refused.
 */
import { z } from 'zod';
import { parseIdempotencyKey } from './idempotency';
import { storableText } from './input-hygiene';
import { ORDER_ACTIONS, ORDER_STATUSES } from './order-lifecycle';
import { ROLES } from './roles';

// Any 8-4-4-4-12 hex id (what PostgreSQL's uuid type stores and the document's `format: uuid` promises),
// not only RFC 9562 variants: an id the document allows must not be refused as malformed.
export const IdSchema = z.guid({ error: 'must be a UUID' });
export const RoleSchema = z.enum(ROLES);
export const OrderStatusSchema = z.enum(ORDER_STATUSES);
export const OrderActionSchema = z.enum(ORDER_ACTIONS);

export const MoneySchema = z.strictObject({
  amount: z.int().nonnegative().describe('Integer minor units (e.g. cents)'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code'),
});

export const LoginInputSchema = z.strictObject({
  email: z.email().max(254),
  password: z.string().min(1).max(200),
});

export const TokenResponseSchema = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.int().describe('Seconds until the token expires'),
  user: z.object({ id: IdSchema, role: RoleSchema, email: z.string() }),
});

export const MeSchema = z.object({ id: IdSchema, email: z.string(), name: z.string(), role: RoleSchema });
export type Me = z.infer<typeof MeSchema>;

/** An admin's change of a user's access: a new role, disabled or enabled. Either revokes the user's tokens. */
export const UserAccessInputSchema = z
  .strictObject({
    role: RoleSchema.optional(),
    disabled: z
      .boolean()
      .optional()
      .describe('true: no sign-in and every token refused; false: enabled again'),
  })
  .refine((v) => v.role !== undefined || v.disabled !== undefined, {
    message: 'name at least one of role, disabled',
  });
export type UserAccessInput = z.infer<typeof UserAccessInputSchema>;

/** A user as an admin manages it. */
export const UserAccountSchema = MeSchema.extend({ disabled: z.boolean() });
export type UserAccount = z.infer<typeof UserAccountSchema>;

export const OrderItemInputSchema = z.strictObject({
  menuItemId: IdSchema,
  quantity: z.int().min(1).max(99),
});

export const CreateOrderInputSchema = z.strictObject({
  restaurantId: IdSchema,
  items: z.array(OrderItemInputSchema).min(1).max(50),
  note: storableText(500).optional(),
});
export type CreateOrderInput = z.infer<typeof CreateOrderInputSchema>;

/** Body of `POST /api/v2/orders/:id/<action>`; every field optional, unknown fields refused. */
export const OrderActionBodySchema = z.strictObject({
  reason: storableText(500).optional().describe('Free text kept in the audit log (cancel, reject)'),
});
export type OrderActionBody = z.infer<typeof OrderActionBodySchema>;

export const VersionSchema = z.int().min(1);

/**
 * An idempotency key as tRPC inputs carry it (REST sends it as the `Idempotency-Key` header): the
 * header's syntax, 1–255 printable ASCII characters.
 */
export const IdempotencyKeySchema = z
  .string()
  .superRefine((value, ctx) => {
    const parsed = parseIdempotencyKey(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
  })
  .describe('Unique per operation and reused unchanged on its retries (SPEC "Idempotency")');

export const OrderItemSchema = z.object({
  id: IdSchema,
  menuItemId: IdSchema,
  name: z.string(),
  quantity: z.int(),
  unitPrice: MoneySchema,
});

export const OrderSchema = z.object({
  id: IdSchema,
  status: OrderStatusSchema,
  version: VersionSchema,
  customerId: IdSchema,
  restaurantId: IdSchema,
  riderId: IdSchema.nullable(),
  total: MoneySchema,
  note: z.string().nullable(),
  items: z.array(OrderItemSchema),
  allowedActions: z.array(OrderActionSchema).describe('Actions the caller may take now'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Order = z.infer<typeof OrderSchema>;
