-- Refund retries with a bound (attempts, next attempt, last error, needs-attention), and seeded
-- payments marked as such: the demo seed's charges never went through a provider.
ALTER TABLE "payments" ADD COLUMN "seeded" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "refund_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "refund_next_attempt_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "refund_last_error" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "refund_needs_attention_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_refund_attempts_check" CHECK ("payments"."refund_attempts" >= 0);--> statement-breakpoint
-- Databases seeded before this migration: the seed names its charges ch_seed_<n>.
UPDATE "payments" SET "seeded" = true WHERE "provider_reference" LIKE 'ch\_seed\_%';