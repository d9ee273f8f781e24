/**
 * The fake provider's wire format, defined once and shared by the server (to validate requests) and
 * the client adapter (to validate responses). Charges and refunds have exactly the shape of the
 * domain port's `Charge` and `Refund`, so the adapter can hand them on unchanged.
 */
import type { Charge, Refund } from '@quickeats/domain';
import { MoneySchema } from '@quickeats/domain';
import { z } from 'zod';

/**
 * A provider refuses to move nothing (as real ones do): amounts are at least one minor unit.
 * Currency rules come from the domain's `MoneySchema`.
 */
const PositiveMoneySchema = MoneySchema.extend({
  amount: z.int().min(1, 'must be at least 1 minor unit'),
});

export const ChargeRequestSchema = z.strictObject({
  orderId: z.string().min(1).max(255),
  amount: PositiveMoneySchema,
});
export type ChargeRequest = z.infer<typeof ChargeRequestSchema>;

export const RefundRequestSchema = z.strictObject({
  chargeId: z.string().min(1).max(255),
  amount: PositiveMoneySchema,
});
export type RefundRequest = z.infer<typeof RefundRequestSchema>;

export const ChargeSchema = z.object({
  id: z.string(),
  idempotencyKey: z.string(),
  orderId: z.string(),
  amount: MoneySchema,
  status: z.enum(['succeeded', 'refunded']),
  createdAt: z.iso.datetime(),
}) satisfies z.ZodType<Charge>;

export const RefundSchema = z.object({
  id: z.string(),
  chargeId: z.string(),
  idempotencyKey: z.string(),
  amount: MoneySchema,
  createdAt: z.iso.datetime(),
}) satisfies z.ZodType<Refund>;

/** `GET /v1/ledger`: every charge and refund, oldest first. */
export const LedgerSnapshotSchema = z.object({
  charges: z.array(ChargeSchema),
  refunds: z.array(RefundSchema),
});
export type LedgerSnapshot = z.infer<typeof LedgerSnapshotSchema>;

/** Stable codes of the provider's error responses. */
export const PROVIDER_ERROR_CODES = [
  'validation_failed',
  'idempotency_key_missing',
  'idempotency_key_invalid',
  'idempotency_key_reused',
  'charge_not_found',
  'currency_mismatch',
  'refund_exceeds_charge',
  'injected_fault',
  'shutting_down',
  'not_found',
  'internal',
] as const;
export type ProviderErrorCode = (typeof PROVIDER_ERROR_CODES)[number];

/** Every error response: `{ error: { code, message } }`, in the manner of Stripe's error object. */
export const ErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** Render zod issues as one readable line: `amount.currency: must be an ISO 4217 code; orderId: …`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'body'}: ${i.message}`).join('; ');
}
